// MP0 (PSP) and MP1 (SMU) 13.0.0 mailbox registers: our table of Linux
// drivers/gpu/drm/amd/include/asic_reg/mp/mp_13_0_0_offset.h and mp_13_0_0_sh_mask.h (torvalds/linux), as
// tinygrad's autogen transcribes them (tinygrad/runtime/autogen/am/regs.py, mp_13_0_0). MP0 registers count from
// the MP0 discovery base, MP1 registers from the MP1 base (the kernel's psp_v13_0.c / smu_v13_0.c do the same).

#pragma once

#include "reg.hpp"

namespace hcq::am::mp_13_0_0 {

inline constexpr Field MP0_SMN_C2PMSG_33_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP0_SMN_C2PMSG_33{"MP0_SMN_C2PMSG_33", HwIp::mp0, 0, 0x61, MP0_SMN_C2PMSG_33_fields};
inline constexpr Field MP0_SMN_C2PMSG_35_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP0_SMN_C2PMSG_35{"MP0_SMN_C2PMSG_35", HwIp::mp0, 0, 0x63, MP0_SMN_C2PMSG_35_fields};
inline constexpr Field MP0_SMN_C2PMSG_36_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP0_SMN_C2PMSG_36{"MP0_SMN_C2PMSG_36", HwIp::mp0, 0, 0x64, MP0_SMN_C2PMSG_36_fields};
inline constexpr Field MP0_SMN_C2PMSG_64_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP0_SMN_C2PMSG_64{"MP0_SMN_C2PMSG_64", HwIp::mp0, 0, 0x80, MP0_SMN_C2PMSG_64_fields};
inline constexpr Field MP0_SMN_C2PMSG_67_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP0_SMN_C2PMSG_67{"MP0_SMN_C2PMSG_67", HwIp::mp0, 0, 0x83, MP0_SMN_C2PMSG_67_fields};
inline constexpr Field MP0_SMN_C2PMSG_69_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP0_SMN_C2PMSG_69{"MP0_SMN_C2PMSG_69", HwIp::mp0, 0, 0x85, MP0_SMN_C2PMSG_69_fields};
inline constexpr Field MP0_SMN_C2PMSG_70_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP0_SMN_C2PMSG_70{"MP0_SMN_C2PMSG_70", HwIp::mp0, 0, 0x86, MP0_SMN_C2PMSG_70_fields};
inline constexpr Field MP0_SMN_C2PMSG_71_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP0_SMN_C2PMSG_71{"MP0_SMN_C2PMSG_71", HwIp::mp0, 0, 0x87, MP0_SMN_C2PMSG_71_fields};
inline constexpr Field MP0_SMN_C2PMSG_81_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP0_SMN_C2PMSG_81{"MP0_SMN_C2PMSG_81", HwIp::mp0, 0, 0x91, MP0_SMN_C2PMSG_81_fields};
inline constexpr Field MP1_SMN_C2PMSG_53_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP1_SMN_C2PMSG_53{"MP1_SMN_C2PMSG_53", HwIp::mp1, 0, 0x275, MP1_SMN_C2PMSG_53_fields};
inline constexpr Field MP1_SMN_C2PMSG_54_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP1_SMN_C2PMSG_54{"MP1_SMN_C2PMSG_54", HwIp::mp1, 0, 0x276, MP1_SMN_C2PMSG_54_fields};
inline constexpr Field MP1_SMN_C2PMSG_66_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP1_SMN_C2PMSG_66{"MP1_SMN_C2PMSG_66", HwIp::mp1, 0, 0x282, MP1_SMN_C2PMSG_66_fields};
inline constexpr Field MP1_SMN_C2PMSG_75_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP1_SMN_C2PMSG_75{"MP1_SMN_C2PMSG_75", HwIp::mp1, 0, 0x28b, MP1_SMN_C2PMSG_75_fields};
inline constexpr Field MP1_SMN_C2PMSG_82_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP1_SMN_C2PMSG_82{"MP1_SMN_C2PMSG_82", HwIp::mp1, 0, 0x292, MP1_SMN_C2PMSG_82_fields};
inline constexpr Field MP1_SMN_C2PMSG_90_fields[] = {{"content", 31, 0}};
inline constexpr Reg MP1_SMN_C2PMSG_90{"MP1_SMN_C2PMSG_90", HwIp::mp1, 0, 0x29a, MP1_SMN_C2PMSG_90_fields};

}  // namespace hcq::am::mp_13_0_0
