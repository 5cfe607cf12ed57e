// OSSSYS 6.0.0 (the interrupt handler, IH) registers: our table of Linux
// drivers/gpu/drm/amd/include/asic_reg/oss/osssys_6_0_0_offset.h and _sh_mask.h (torvalds/linux), as tinygrad's
// autogen transcribes them (tinygrad/runtime/autogen/am/regs.py, osssys_6_0_0); users: ih_v6_0.c.

#pragma once

#include "reg.hpp"

namespace hcq::am::osssys_6_0_0 {

inline constexpr Field IH_RB_CNTL_fields[] = {{"rb_enable", 0, 0}, {"rb_size", 5, 1}, {"wptr_writeback_enable", 8, 8}, {"rb_full_drain_enable", 9, 9}, {"full_drain_clear", 10, 10}, {"page_rb_clear", 11, 11}, {"rb_used_int_threshold", 15, 12}, {"wptr_overflow_enable", 16, 16}, {"enable_intr", 17, 17}, {"mc_swap", 19, 18}, {"mc_snoop", 20, 20}, {"rptr_rearm", 21, 21}, {"mc_ro", 22, 22}, {"mc_vmid", 27, 24}, {"mc_space", 30, 28}, {"wptr_overflow_clear", 31, 31}};
inline constexpr Reg IH_RB_CNTL{"IH_RB_CNTL", HwIp::osssys, 0, 0x80, IH_RB_CNTL_fields};
inline constexpr Field IH_RB_BASE_fields[] = {{"addr", 31, 0}};
inline constexpr Reg IH_RB_BASE{"IH_RB_BASE", HwIp::osssys, 0, 0x81, IH_RB_BASE_fields};
inline constexpr Field IH_RB_BASE_HI_fields[] = {{"addr", 7, 0}};
inline constexpr Reg IH_RB_BASE_HI{"IH_RB_BASE_HI", HwIp::osssys, 0, 0x82, IH_RB_BASE_HI_fields};
inline constexpr Field IH_RB_RPTR_fields[] = {{"offset", 17, 2}};
inline constexpr Reg IH_RB_RPTR{"IH_RB_RPTR", HwIp::osssys, 0, 0x83, IH_RB_RPTR_fields};
inline constexpr Field IH_RB_WPTR_fields[] = {{"rb_overflow", 0, 0}, {"offset", 17, 2}, {"rb_left_none", 18, 18}, {"rb_may_overflow", 19, 19}};
inline constexpr Reg IH_RB_WPTR{"IH_RB_WPTR", HwIp::osssys, 0, 0x84, IH_RB_WPTR_fields};
inline constexpr Field IH_RB_WPTR_ADDR_HI_fields[] = {{"addr", 15, 0}};
inline constexpr Reg IH_RB_WPTR_ADDR_HI{"IH_RB_WPTR_ADDR_HI", HwIp::osssys, 0, 0x85, IH_RB_WPTR_ADDR_HI_fields};
inline constexpr Field IH_RB_WPTR_ADDR_LO_fields[] = {{"addr", 31, 2}};
inline constexpr Reg IH_RB_WPTR_ADDR_LO{"IH_RB_WPTR_ADDR_LO", HwIp::osssys, 0, 0x86, IH_RB_WPTR_ADDR_LO_fields};
inline constexpr Field IH_DOORBELL_RPTR_fields[] = {{"offset", 25, 0}, {"enable", 28, 28}};
inline constexpr Reg IH_DOORBELL_RPTR{"IH_DOORBELL_RPTR", HwIp::osssys, 0, 0x87, IH_DOORBELL_RPTR_fields};
inline constexpr Field IH_CNTL_fields[] = {{"wptr_writeback_timer", 4, 0}, {"ih_idle_hysteresis_cntl", 7, 6}, {"ih_fifo_highwater", 14, 8}, {"mc_wr_clean_cnt", 24, 20}};
inline constexpr Reg IH_CNTL{"IH_CNTL", HwIp::osssys, 0, 0xc0, IH_CNTL_fields};
inline constexpr Field IH_STORM_CLIENT_LIST_CNTL_fields[] = {{"client1_is_storm_client", 1, 1}, {"client2_is_storm_client", 2, 2}, {"client3_is_storm_client", 3, 3}, {"client4_is_storm_client", 4, 4}, {"client5_is_storm_client", 5, 5}, {"client6_is_storm_client", 6, 6}, {"client7_is_storm_client", 7, 7}, {"client8_is_storm_client", 8, 8}, {"client9_is_storm_client", 9, 9}, {"client10_is_storm_client", 10, 10}, {"client11_is_storm_client", 11, 11}, {"client12_is_storm_client", 12, 12}, {"client13_is_storm_client", 13, 13}, {"client14_is_storm_client", 14, 14}, {"client15_is_storm_client", 15, 15}, {"client16_is_storm_client", 16, 16}, {"client17_is_storm_client", 17, 17}, {"client18_is_storm_client", 18, 18}, {"client19_is_storm_client", 19, 19}, {"client20_is_storm_client", 20, 20}, {"client21_is_storm_client", 21, 21}, {"client22_is_storm_client", 22, 22}, {"client23_is_storm_client", 23, 23}, {"client24_is_storm_client", 24, 24}, {"client25_is_storm_client", 25, 25}, {"client26_is_storm_client", 26, 26}, {"client27_is_storm_client", 27, 27}, {"client28_is_storm_client", 28, 28}, {"client29_is_storm_client", 29, 29}, {"client30_is_storm_client", 30, 30}, {"client31_is_storm_client", 31, 31}};
inline constexpr Reg IH_STORM_CLIENT_LIST_CNTL{"IH_STORM_CLIENT_LIST_CNTL", HwIp::osssys, 0, 0xda, IH_STORM_CLIENT_LIST_CNTL_fields};
inline constexpr Field IH_INT_FLOOD_CNTL_fields[] = {{"highwater", 2, 0}, {"flood_cntl_enable", 3, 3}, {"clear_int_flood_status", 4, 4}};
inline constexpr Reg IH_INT_FLOOD_CNTL{"IH_INT_FLOOD_CNTL", HwIp::osssys, 0, 0xd5, IH_INT_FLOOD_CNTL_fields};
inline constexpr Field IH_MSI_STORM_CTRL_fields[] = {{"delay", 11, 0}};
inline constexpr Reg IH_MSI_STORM_CTRL{"IH_MSI_STORM_CTRL", HwIp::osssys, 0, 0xf1, IH_MSI_STORM_CTRL_fields};

}  // namespace hcq::am::osssys_6_0_0
