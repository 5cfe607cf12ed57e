// A GPU memory hub (MMHUB or the GC hub) as the GMC block programs it: the same registers under two
// prefixes (MM*, GC*), so one routine programs both (amdgpu's mmhub_v3_0.c and gfxhub_v3_0.c do the same
// steps). Members are named after the kernel's registers without the hub prefix, lower case.
#pragma once

#include <string_view>

#include "reg.hpp"

namespace hcq::am {

struct Hub {
  std::string_view name;  // "MMHUB", "GCHUB"
  const Reg& mc_vm_fb_location_base;
  const Reg& mc_vm_fb_location_top;
  const Reg& mc_vm_agp_base;
  const Reg& mc_vm_agp_bot;
  const Reg& mc_vm_agp_top;
  const Reg& mc_vm_system_aperture_low_addr;
  const Reg& mc_vm_system_aperture_high_addr;
  const Reg& mc_vm_system_aperture_default_addr_lsb;
  const Reg& mc_vm_system_aperture_default_addr_msb;
  const Reg& vm_l2_protection_fault_default_addr_lo32;
  const Reg& vm_l2_protection_fault_default_addr_hi32;
  const Reg& mc_vm_mx_l1_tlb_cntl;
  const Reg& vm_l2_cntl;
  const Reg& vm_l2_cntl2;
  const Reg& vm_l2_cntl3;
  const Reg& vm_l2_cntl4;
  const Reg& vm_l2_cntl5;
  const Reg& vm_context0_cntl;
  const Reg& vm_context0_page_table_base_addr_lo32;
  const Reg& vm_context0_page_table_base_addr_hi32;
  const Reg& vm_context0_page_table_start_addr_lo32;
  const Reg& vm_context0_page_table_start_addr_hi32;
  const Reg& vm_context0_page_table_end_addr_lo32;
  const Reg& vm_context0_page_table_end_addr_hi32;
  const Reg& vm_invalidate_eng17_sem;
  const Reg& vm_invalidate_eng17_req;
  const Reg& vm_invalidate_eng17_ack;
  const Reg& vm_l2_protection_fault_status;
  const Reg& vm_l2_protection_fault_addr_lo32;
  const Reg& vm_l2_protection_fault_addr_hi32;
  const Reg& vm_l2_protection_fault_cntl;
  const Reg& vm_l2_protection_fault_cntl2;
  const Reg& vm_invalidate_eng0_addr_range_lo32;
  const Reg& vm_invalidate_eng0_addr_range_hi32;
  const Reg& vm_l2_context1_identity_aperture_low_addr_lo32;
  const Reg& vm_l2_context1_identity_aperture_low_addr_hi32;
  const Reg& vm_l2_context1_identity_aperture_high_addr_lo32;
  const Reg& vm_l2_context1_identity_aperture_high_addr_hi32;
  const Reg& vm_l2_context_identity_physical_offset_lo32;
  const Reg& vm_l2_context_identity_physical_offset_hi32;
};

// Invalidation engine n's ADDR_RANGE_LO32/HI32 follow engine 0's two at a stride of 2 dwords (the kernel's
// hub->eng_addr_distance).
inline constexpr uint32_t hub_eng_addr_distance = 2;
inline constexpr unsigned hub_invalidate_engines = 18;

}  // namespace hcq::am
