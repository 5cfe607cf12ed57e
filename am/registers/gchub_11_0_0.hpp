// The GC hub (GCVM_*, GCMC_*) and scratch registers of GC 11.0.0 that the platform side uses: our table of Linux
// drivers/gpu/drm/amd/include/asic_reg/gc/gc_11_0_0_offset.h and _sh_mask.h (torvalds/linux), as tinygrad's autogen
// transcribes them (tinygrad/runtime/autogen/am/regs.py, gc_11_0_0); users: gfxhub_v3_0.c, gmc_v11_0.c. The
// queue side's gc_11_0_0.hpp holds the CP, RLC and SDMA registers; these live in their own namespace.

#pragma once

#include "hub.hpp"

namespace hcq::am::gchub_11_0_0 {

inline constexpr Field GCMC_VM_FB_LOCATION_BASE_fields[] = {{"fb_base", 23, 0}};
inline constexpr Reg GCMC_VM_FB_LOCATION_BASE{"GCMC_VM_FB_LOCATION_BASE", HwIp::gc, 0, 0x1678, GCMC_VM_FB_LOCATION_BASE_fields};
inline constexpr Field GCMC_VM_FB_LOCATION_TOP_fields[] = {{"fb_top", 23, 0}};
inline constexpr Reg GCMC_VM_FB_LOCATION_TOP{"GCMC_VM_FB_LOCATION_TOP", HwIp::gc, 0, 0x1679, GCMC_VM_FB_LOCATION_TOP_fields};
inline constexpr Field GCMC_VM_AGP_BASE_fields[] = {{"agp_base", 23, 0}};
inline constexpr Reg GCMC_VM_AGP_BASE{"GCMC_VM_AGP_BASE", HwIp::gc, 0, 0x167c, GCMC_VM_AGP_BASE_fields};
inline constexpr Field GCMC_VM_AGP_BOT_fields[] = {{"agp_bot", 23, 0}};
inline constexpr Reg GCMC_VM_AGP_BOT{"GCMC_VM_AGP_BOT", HwIp::gc, 0, 0x167b, GCMC_VM_AGP_BOT_fields};
inline constexpr Field GCMC_VM_AGP_TOP_fields[] = {{"agp_top", 23, 0}};
inline constexpr Reg GCMC_VM_AGP_TOP{"GCMC_VM_AGP_TOP", HwIp::gc, 0, 0x167a, GCMC_VM_AGP_TOP_fields};
inline constexpr Field GCMC_VM_SYSTEM_APERTURE_LOW_ADDR_fields[] = {{"logical_addr", 29, 0}};
inline constexpr Reg GCMC_VM_SYSTEM_APERTURE_LOW_ADDR{"GCMC_VM_SYSTEM_APERTURE_LOW_ADDR", HwIp::gc, 0, 0x167d, GCMC_VM_SYSTEM_APERTURE_LOW_ADDR_fields};
inline constexpr Field GCMC_VM_SYSTEM_APERTURE_HIGH_ADDR_fields[] = {{"logical_addr", 29, 0}};
inline constexpr Reg GCMC_VM_SYSTEM_APERTURE_HIGH_ADDR{"GCMC_VM_SYSTEM_APERTURE_HIGH_ADDR", HwIp::gc, 0, 0x167e, GCMC_VM_SYSTEM_APERTURE_HIGH_ADDR_fields};
inline constexpr Field GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_LSB_fields[] = {{"physical_page_number_lsb", 31, 0}};
inline constexpr Reg GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_LSB{"GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_LSB", HwIp::gc, 0, 0x15a8, GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_LSB_fields};
inline constexpr Field GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_MSB_fields[] = {{"physical_page_number_msb", 3, 0}};
inline constexpr Reg GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_MSB{"GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_MSB", HwIp::gc, 0, 0x15a9, GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_MSB_fields};
inline constexpr Field GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_LO32_fields[] = {{"physical_page_addr_lo32", 31, 0}};
inline constexpr Reg GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_LO32{"GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_LO32", HwIp::gc, 0, 0x15cb, GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_LO32_fields};
inline constexpr Field GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_HI32_fields[] = {{"physical_page_addr_hi4", 3, 0}};
inline constexpr Reg GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_HI32{"GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_HI32", HwIp::gc, 0, 0x15cc, GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_HI32_fields};
inline constexpr Field GCMC_VM_MX_L1_TLB_CNTL_fields[] = {{"enable_l1_tlb", 0, 0}, {"system_access_mode", 4, 3}, {"system_aperture_unmapped_access", 5, 5}, {"enable_advanced_driver_model", 6, 6}, {"eco_bits", 10, 7}, {"mtype", 13, 11}};
inline constexpr Reg GCMC_VM_MX_L1_TLB_CNTL{"GCMC_VM_MX_L1_TLB_CNTL", HwIp::gc, 0, 0x167f, GCMC_VM_MX_L1_TLB_CNTL_fields};
inline constexpr Field GCVM_L2_CNTL_fields[] = {{"enable_l2_cache", 0, 0}, {"enable_l2_fragment_processing", 1, 1}, {"l2_cache_pte_endian_swap_mode", 3, 2}, {"l2_cache_pde_endian_swap_mode", 5, 4}, {"l2_pde0_cache_tag_generation_mode", 8, 8}, {"enable_l2_pte_cache_lru_update_by_write", 9, 9}, {"enable_l2_pde0_cache_lru_update_by_write", 10, 10}, {"enable_default_page_out_to_system_memory", 11, 11}, {"l2_pde0_cache_split_mode", 14, 12}, {"effective_l2_queue_size", 17, 15}, {"pde_fault_classification", 18, 18}, {"context1_identity_access_mode", 20, 19}, {"identity_mode_fragment_size", 25, 21}, {"l2_pte_cache_addr_mode", 27, 26}};
inline constexpr Reg GCVM_L2_CNTL{"GCVM_L2_CNTL", HwIp::gc, 0, 0x15bc, GCVM_L2_CNTL_fields};
inline constexpr Field GCVM_L2_CNTL2_fields[] = {{"invalidate_all_l1_tlbs", 0, 0}, {"invalidate_l2_cache", 1, 1}, {"disable_invalidate_per_domain", 21, 21}, {"disable_bigk_cache_optimization", 22, 22}, {"l2_pte_cache_vmid_mode", 25, 23}, {"invalidate_cache_mode", 27, 26}, {"pde_cache_effective_size", 30, 28}};
inline constexpr Reg GCVM_L2_CNTL2{"GCVM_L2_CNTL2", HwIp::gc, 0, 0x15bd, GCVM_L2_CNTL2_fields};
inline constexpr Field GCVM_L2_CNTL3_fields[] = {{"bank_select", 5, 0}, {"l2_cache_update_mode", 7, 6}, {"l2_cache_update_wildcard_reference_value", 12, 8}, {"l2_cache_bigk_fragment_size", 19, 15}, {"l2_cache_bigk_associativity", 20, 20}, {"l2_cache_4k_effective_size", 23, 21}, {"l2_cache_bigk_effective_size", 27, 24}, {"l2_cache_4k_force_miss", 28, 28}, {"l2_cache_bigk_force_miss", 29, 29}, {"pde_cache_force_miss", 30, 30}, {"l2_cache_4k_associativity", 31, 31}};
inline constexpr Reg GCVM_L2_CNTL3{"GCVM_L2_CNTL3", HwIp::gc, 0, 0x15be, GCVM_L2_CNTL3_fields};
inline constexpr Field GCVM_L2_CNTL4_fields[] = {{"l2_cache_4k_partition_count", 5, 0}, {"vmc_tap_pde_request_physical", 6, 6}, {"vmc_tap_pte_request_physical", 7, 7}, {"mm_nonrt_ififo_active_transaction_limit", 17, 8}, {"mm_softrt_ififo_active_transaction_limit", 27, 18}, {"bpm_cgcgls_override", 28, 28}, {"gc_ch_fgcg_off", 29, 29}, {"vfifo_head_of_queue", 30, 30}, {"vfifo_visible_bank_silos", 31, 31}};
inline constexpr Reg GCVM_L2_CNTL4{"GCVM_L2_CNTL4", HwIp::gc, 0, 0x15d4, GCVM_L2_CNTL4_fields};
inline constexpr Field GCVM_L2_CNTL5_fields[] = {{"l2_cache_smallk_fragment_size", 4, 0}, {"walker_priority_client_id", 13, 5}, {"walker_fetch_pde_noalloc_enable", 14, 14}, {"walker_fetch_pde_mtype_enable", 15, 15}, {"utcl2_atc_req_fgcg_off", 16, 16}};
inline constexpr Reg GCVM_L2_CNTL5{"GCVM_L2_CNTL5", HwIp::gc, 0, 0x15da, GCVM_L2_CNTL5_fields};
inline constexpr Field GCVM_CONTEXT0_CNTL_fields[] = {{"enable_context", 0, 0}, {"page_table_depth", 2, 1}, {"page_table_block_size", 6, 3}, {"retry_permission_or_invalid_page_fault", 7, 7}, {"retry_other_fault", 8, 8}, {"range_protection_fault_enable_interrupt", 9, 9}, {"range_protection_fault_enable_default", 10, 10}, {"dummy_page_protection_fault_enable_interrupt", 11, 11}, {"dummy_page_protection_fault_enable_default", 12, 12}, {"pde0_protection_fault_enable_interrupt", 13, 13}, {"pde0_protection_fault_enable_default", 14, 14}, {"valid_protection_fault_enable_interrupt", 15, 15}, {"valid_protection_fault_enable_default", 16, 16}, {"read_protection_fault_enable_interrupt", 17, 17}, {"read_protection_fault_enable_default", 18, 18}, {"write_protection_fault_enable_interrupt", 19, 19}, {"write_protection_fault_enable_default", 20, 20}, {"execute_protection_fault_enable_interrupt", 21, 21}, {"execute_protection_fault_enable_default", 22, 22}};
inline constexpr Reg GCVM_CONTEXT0_CNTL{"GCVM_CONTEXT0_CNTL", HwIp::gc, 0, 0x1688, GCVM_CONTEXT0_CNTL_fields};
inline constexpr Field GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_LO32_fields[] = {{"page_directory_entry_lo32", 31, 0}};
inline constexpr Reg GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_LO32{"GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_LO32", HwIp::gc, 0, 0x16f3, GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_LO32_fields};
inline constexpr Field GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_HI32_fields[] = {{"page_directory_entry_hi32", 31, 0}};
inline constexpr Reg GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_HI32{"GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_HI32", HwIp::gc, 0, 0x16f4, GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_HI32_fields};
inline constexpr Field GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_LO32_fields[] = {{"logical_page_number_lo32", 31, 0}};
inline constexpr Reg GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_LO32{"GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_LO32", HwIp::gc, 0, 0x1713, GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_LO32_fields};
inline constexpr Field GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_HI32_fields[] = {{"logical_page_number_hi4", 3, 0}};
inline constexpr Reg GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_HI32{"GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_HI32", HwIp::gc, 0, 0x1714, GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_HI32_fields};
inline constexpr Field GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_LO32_fields[] = {{"logical_page_number_lo32", 31, 0}};
inline constexpr Reg GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_LO32{"GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_LO32", HwIp::gc, 0, 0x1733, GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_LO32_fields};
inline constexpr Field GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_HI32_fields[] = {{"logical_page_number_hi4", 3, 0}};
inline constexpr Reg GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_HI32{"GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_HI32", HwIp::gc, 0, 0x1734, GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_HI32_fields};
inline constexpr Field GCVM_INVALIDATE_ENG17_SEM_fields[] = {{"semaphore", 0, 0}};
inline constexpr Reg GCVM_INVALIDATE_ENG17_SEM{"GCVM_INVALIDATE_ENG17_SEM", HwIp::gc, 0, 0x16aa, GCVM_INVALIDATE_ENG17_SEM_fields};
inline constexpr Field GCVM_INVALIDATE_ENG17_REQ_fields[] = {{"per_vmid_invalidate_req", 15, 0}, {"flush_type", 18, 16}, {"invalidate_l2_ptes", 19, 19}, {"invalidate_l2_pde0", 20, 20}, {"invalidate_l2_pde1", 21, 21}, {"invalidate_l2_pde2", 22, 22}, {"invalidate_l1_ptes", 23, 23}, {"clear_protection_fault_status_addr", 24, 24}, {"log_request", 25, 25}, {"invalidate_4k_pages_only", 26, 26}};
inline constexpr Reg GCVM_INVALIDATE_ENG17_REQ{"GCVM_INVALIDATE_ENG17_REQ", HwIp::gc, 0, 0x16bc, GCVM_INVALIDATE_ENG17_REQ_fields};
inline constexpr Field GCVM_INVALIDATE_ENG17_ACK_fields[] = {{"per_vmid_invalidate_ack", 15, 0}, {"semaphore", 16, 16}};
inline constexpr Reg GCVM_INVALIDATE_ENG17_ACK{"GCVM_INVALIDATE_ENG17_ACK", HwIp::gc, 0, 0x16ce, GCVM_INVALIDATE_ENG17_ACK_fields};
inline constexpr Field GCVM_L2_PROTECTION_FAULT_STATUS_fields[] = {{"more_faults", 0, 0}, {"walker_error", 3, 1}, {"permission_faults", 7, 4}, {"mapping_error", 8, 8}, {"cid", 17, 9}, {"rw", 18, 18}, {"atomic", 19, 19}, {"vmid", 23, 20}, {"vf", 24, 24}, {"vfid", 28, 25}, {"prt", 29, 29}};
inline constexpr Reg GCVM_L2_PROTECTION_FAULT_STATUS{"GCVM_L2_PROTECTION_FAULT_STATUS", HwIp::gc, 0, 0x15c8, GCVM_L2_PROTECTION_FAULT_STATUS_fields};
inline constexpr Field GCVM_L2_PROTECTION_FAULT_ADDR_LO32_fields[] = {{"logical_page_addr_lo32", 31, 0}};
inline constexpr Reg GCVM_L2_PROTECTION_FAULT_ADDR_LO32{"GCVM_L2_PROTECTION_FAULT_ADDR_LO32", HwIp::gc, 0, 0x15c9, GCVM_L2_PROTECTION_FAULT_ADDR_LO32_fields};
inline constexpr Field GCVM_L2_PROTECTION_FAULT_ADDR_HI32_fields[] = {{"logical_page_addr_hi4", 3, 0}};
inline constexpr Reg GCVM_L2_PROTECTION_FAULT_ADDR_HI32{"GCVM_L2_PROTECTION_FAULT_ADDR_HI32", HwIp::gc, 0, 0x15ca, GCVM_L2_PROTECTION_FAULT_ADDR_HI32_fields};
inline constexpr Field GCVM_L2_PROTECTION_FAULT_CNTL_fields[] = {{"clear_protection_fault_status_addr", 0, 0}, {"allow_subsequent_protection_fault_status_addr_updates", 1, 1}, {"range_protection_fault_enable_default", 2, 2}, {"pde0_protection_fault_enable_default", 3, 3}, {"pde1_protection_fault_enable_default", 4, 4}, {"pde2_protection_fault_enable_default", 5, 5}, {"translate_further_protection_fault_enable_default", 6, 6}, {"nack_protection_fault_enable_default", 7, 7}, {"dummy_page_protection_fault_enable_default", 8, 8}, {"valid_protection_fault_enable_default", 9, 9}, {"read_protection_fault_enable_default", 10, 10}, {"write_protection_fault_enable_default", 11, 11}, {"execute_protection_fault_enable_default", 12, 12}, {"client_id_no_retry_fault_interrupt", 28, 13}, {"other_client_id_no_retry_fault_interrupt", 29, 29}, {"crash_on_no_retry_fault", 30, 30}, {"crash_on_retry_fault", 31, 31}};
inline constexpr Reg GCVM_L2_PROTECTION_FAULT_CNTL{"GCVM_L2_PROTECTION_FAULT_CNTL", HwIp::gc, 0, 0x15c4, GCVM_L2_PROTECTION_FAULT_CNTL_fields};
inline constexpr Field GCVM_L2_PROTECTION_FAULT_CNTL2_fields[] = {{"client_id_prt_fault_interrupt", 15, 0}, {"other_client_id_prt_fault_interrupt", 16, 16}, {"active_page_migration_pte", 17, 17}, {"active_page_migration_pte_read_retry", 18, 18}, {"enable_retry_fault_interrupt", 19, 19}};
inline constexpr Reg GCVM_L2_PROTECTION_FAULT_CNTL2{"GCVM_L2_PROTECTION_FAULT_CNTL2", HwIp::gc, 0, 0x15c5, GCVM_L2_PROTECTION_FAULT_CNTL2_fields};
inline constexpr Field GCVM_INVALIDATE_ENG0_ADDR_RANGE_LO32_fields[] = {{"s_bit", 0, 0}, {"logi_page_addr_range_lo31", 31, 1}};
inline constexpr Reg GCVM_INVALIDATE_ENG0_ADDR_RANGE_LO32{"GCVM_INVALIDATE_ENG0_ADDR_RANGE_LO32", HwIp::gc, 0, 0x16cf, GCVM_INVALIDATE_ENG0_ADDR_RANGE_LO32_fields};
inline constexpr Field GCVM_INVALIDATE_ENG0_ADDR_RANGE_HI32_fields[] = {{"logi_page_addr_range_hi5", 4, 0}};
inline constexpr Reg GCVM_INVALIDATE_ENG0_ADDR_RANGE_HI32{"GCVM_INVALIDATE_ENG0_ADDR_RANGE_HI32", HwIp::gc, 0, 0x16d0, GCVM_INVALIDATE_ENG0_ADDR_RANGE_HI32_fields};
inline constexpr Field GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_LO32_fields[] = {{"logical_page_number_lo32", 31, 0}};
inline constexpr Reg GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_LO32{"GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_LO32", HwIp::gc, 0, 0x15ce, GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_LO32_fields};
inline constexpr Field GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_HI32_fields[] = {{"logical_page_number_hi4", 3, 0}};
inline constexpr Reg GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_HI32{"GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_HI32", HwIp::gc, 0, 0x15cf, GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_HI32_fields};
inline constexpr Field GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_LO32_fields[] = {{"logical_page_number_lo32", 31, 0}};
inline constexpr Reg GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_LO32{"GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_LO32", HwIp::gc, 0, 0x15d0, GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_LO32_fields};
inline constexpr Field GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_HI32_fields[] = {{"logical_page_number_hi4", 3, 0}};
inline constexpr Reg GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_HI32{"GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_HI32", HwIp::gc, 0, 0x15d1, GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_HI32_fields};
inline constexpr Field GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_LO32_fields[] = {{"physical_page_offset_lo32", 31, 0}};
inline constexpr Reg GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_LO32{"GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_LO32", HwIp::gc, 0, 0x15d2, GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_LO32_fields};
inline constexpr Field GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_HI32_fields[] = {{"physical_page_offset_hi4", 3, 0}};
inline constexpr Reg GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_HI32{"GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_HI32", HwIp::gc, 0, 0x15d3, GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_HI32_fields};
inline constexpr Field SCRATCH_REG6_fields[] = {{"scratch_reg6", 31, 0}};
inline constexpr Reg SCRATCH_REG6{"SCRATCH_REG6", HwIp::gc, 1, 0x2046, SCRATCH_REG6_fields};
inline constexpr Field SCRATCH_REG7_fields[] = {{"scratch_reg7", 31, 0}};
inline constexpr Reg SCRATCH_REG7{"SCRATCH_REG7", HwIp::gc, 1, 0x2047, SCRATCH_REG7_fields};

// The hub as the GMC block programs it (am/ip/gmc_v11.cpp): one struct for MMHUB and the GC hub.
inline constexpr Hub hub{
    "GCHUB",
    GCMC_VM_FB_LOCATION_BASE,
    GCMC_VM_FB_LOCATION_TOP,
    GCMC_VM_AGP_BASE,
    GCMC_VM_AGP_BOT,
    GCMC_VM_AGP_TOP,
    GCMC_VM_SYSTEM_APERTURE_LOW_ADDR,
    GCMC_VM_SYSTEM_APERTURE_HIGH_ADDR,
    GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_LSB,
    GCMC_VM_SYSTEM_APERTURE_DEFAULT_ADDR_MSB,
    GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_LO32,
    GCVM_L2_PROTECTION_FAULT_DEFAULT_ADDR_HI32,
    GCMC_VM_MX_L1_TLB_CNTL,
    GCVM_L2_CNTL,
    GCVM_L2_CNTL2,
    GCVM_L2_CNTL3,
    GCVM_L2_CNTL4,
    GCVM_L2_CNTL5,
    GCVM_CONTEXT0_CNTL,
    GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_LO32,
    GCVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_HI32,
    GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_LO32,
    GCVM_CONTEXT0_PAGE_TABLE_START_ADDR_HI32,
    GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_LO32,
    GCVM_CONTEXT0_PAGE_TABLE_END_ADDR_HI32,
    GCVM_INVALIDATE_ENG17_SEM,
    GCVM_INVALIDATE_ENG17_REQ,
    GCVM_INVALIDATE_ENG17_ACK,
    GCVM_L2_PROTECTION_FAULT_STATUS,
    GCVM_L2_PROTECTION_FAULT_ADDR_LO32,
    GCVM_L2_PROTECTION_FAULT_ADDR_HI32,
    GCVM_L2_PROTECTION_FAULT_CNTL,
    GCVM_L2_PROTECTION_FAULT_CNTL2,
    GCVM_INVALIDATE_ENG0_ADDR_RANGE_LO32,
    GCVM_INVALIDATE_ENG0_ADDR_RANGE_HI32,
    GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_LO32,
    GCVM_L2_CONTEXT1_IDENTITY_APERTURE_LOW_ADDR_HI32,
    GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_LO32,
    GCVM_L2_CONTEXT1_IDENTITY_APERTURE_HIGH_ADDR_HI32,
    GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_LO32,
    GCVM_L2_CONTEXT_IDENTITY_PHYSICAL_OFFSET_HI32,
};

}  // namespace hcq::am::gchub_11_0_0
