// NBIO 4.3.0 registers: our table of Linux drivers/gpu/drm/amd/include/asic_reg/nbio/nbio_4_3_0_offset.h and
// _sh_mask.h (torvalds/linux), as tinygrad's autogen transcribes them (tinygrad/runtime/autogen/am/regs.py,
// nbio_4_3_0); users: nbio_v4_3.c, soc21.c.

#pragma once

#include "reg.hpp"

namespace hcq::am::nbio_4_3_0 {

inline constexpr Field RCC_DEV0_EPF0_RCC_DOORBELL_APER_EN_fields[] = {{"bif_doorbell_aper_en", 0, 0}};
inline constexpr Reg RCC_DEV0_EPF0_RCC_DOORBELL_APER_EN{"RCC_DEV0_EPF0_RCC_DOORBELL_APER_EN", HwIp::nbio, 2, 0xc0, RCC_DEV0_EPF0_RCC_DOORBELL_APER_EN_fields};
inline constexpr Field RCC_DEV0_EPF2_STRAP2_fields[] = {{"strap_no_soft_reset_dev0_f2", 7, 7}, {"strap_resize_bar_en_dev0_f2", 8, 8}, {"strap_max_pasid_width_dev0_f2", 13, 9}, {"strap_msi_pervector_mask_cap_dev0_f2", 14, 14}, {"strap_aer_en_dev0_f2", 16, 16}, {"strap_acs_en_dev0_f2", 17, 17}, {"strap_cpl_abort_err_en_dev0_f2", 20, 20}, {"strap_dpa_en_dev0_f2", 21, 21}, {"strap_vc_en_dev0_f2", 23, 23}, {"strap_msi_multi_cap_dev0_f2", 26, 24}, {"strap_pasid_en_dev0_f2", 28, 28}, {"strap_pasid_exe_permission_supported_dev0_f2", 29, 29}, {"strap_pasid_global_invalidate_supported_dev0_f2", 30, 30}, {"strap_pasid_priv_mode_supported_dev0_f2", 31, 31}};
inline constexpr Reg RCC_DEV0_EPF2_STRAP2{"RCC_DEV0_EPF2_STRAP2", HwIp::nbio, 5, 0xd102, RCC_DEV0_EPF2_STRAP2_fields};
inline constexpr Field BIF_BX_PF0_GPU_HDP_FLUSH_REQ_fields[] = {{"cp0", 0, 0}, {"cp1", 1, 1}, {"cp2", 2, 2}, {"cp3", 3, 3}, {"cp4", 4, 4}, {"cp5", 5, 5}, {"cp6", 6, 6}, {"cp7", 7, 7}, {"cp8", 8, 8}, {"cp9", 9, 9}, {"sdma0", 10, 10}, {"sdma1", 11, 11}, {"rsvd_eng0", 12, 12}, {"rsvd_eng1", 13, 13}, {"rsvd_eng2", 14, 14}, {"rsvd_eng3", 15, 15}, {"rsvd_eng4", 16, 16}, {"rsvd_eng5", 17, 17}, {"rsvd_eng6", 18, 18}, {"rsvd_eng7", 19, 19}, {"rsvd_eng8", 20, 20}, {"rsvd_eng9", 21, 21}, {"rsvd_eng10", 22, 22}, {"rsvd_eng11", 23, 23}, {"rsvd_eng12", 24, 24}, {"rsvd_eng13", 25, 25}, {"rsvd_eng14", 26, 26}, {"rsvd_eng15", 27, 27}, {"rsvd_eng16", 28, 28}, {"rsvd_eng17", 29, 29}, {"rsvd_eng18", 30, 30}, {"rsvd_eng19", 31, 31}};
inline constexpr Reg BIF_BX_PF0_GPU_HDP_FLUSH_REQ{"BIF_BX_PF0_GPU_HDP_FLUSH_REQ", HwIp::nbio, 2, 0x106, BIF_BX_PF0_GPU_HDP_FLUSH_REQ_fields};
inline constexpr Field BIF_BX_PF0_GPU_HDP_FLUSH_DONE_fields[] = {{"cp0", 0, 0}, {"cp1", 1, 1}, {"cp2", 2, 2}, {"cp3", 3, 3}, {"cp4", 4, 4}, {"cp5", 5, 5}, {"cp6", 6, 6}, {"cp7", 7, 7}, {"cp8", 8, 8}, {"cp9", 9, 9}, {"sdma0", 10, 10}, {"sdma1", 11, 11}, {"rsvd_eng0", 12, 12}, {"rsvd_eng1", 13, 13}, {"rsvd_eng2", 14, 14}, {"rsvd_eng3", 15, 15}, {"rsvd_eng4", 16, 16}, {"rsvd_eng5", 17, 17}, {"rsvd_eng6", 18, 18}, {"rsvd_eng7", 19, 19}, {"rsvd_eng8", 20, 20}, {"rsvd_eng9", 21, 21}, {"rsvd_eng10", 22, 22}, {"rsvd_eng11", 23, 23}, {"rsvd_eng12", 24, 24}, {"rsvd_eng13", 25, 25}, {"rsvd_eng14", 26, 26}, {"rsvd_eng15", 27, 27}, {"rsvd_eng16", 28, 28}, {"rsvd_eng17", 29, 29}, {"rsvd_eng18", 30, 30}, {"rsvd_eng19", 31, 31}};
inline constexpr Reg BIF_BX_PF0_GPU_HDP_FLUSH_DONE{"BIF_BX_PF0_GPU_HDP_FLUSH_DONE", HwIp::nbio, 2, 0x107, BIF_BX_PF0_GPU_HDP_FLUSH_DONE_fields};
inline constexpr Field BIF_BX0_REMAP_HDP_MEM_FLUSH_CNTL_fields[] = {{"address", 18, 2}};
inline constexpr Reg BIF_BX0_REMAP_HDP_MEM_FLUSH_CNTL{"BIF_BX0_REMAP_HDP_MEM_FLUSH_CNTL", HwIp::nbio, 2, 0x12d, BIF_BX0_REMAP_HDP_MEM_FLUSH_CNTL_fields};
inline constexpr Field BIF_BX0_BIF_DOORBELL_INT_CNTL_fields[] = {{"doorbell_interrupt_status", 0, 0}, {"ras_cntlr_interrupt_status", 1, 1}, {"ras_athub_err_event_interrupt_status", 2, 2}, {"doorbell_interrupt_clear", 16, 16}, {"ras_cntlr_interrupt_clear", 17, 17}, {"ras_athub_err_event_interrupt_clear", 18, 18}, {"ras_cntlr_err_event_interrupt_enable", 23, 23}, {"doorbell_interrupt_disable", 24, 24}, {"ras_cntlr_interrupt_disable", 25, 25}, {"ras_athub_err_event_interrupt_disable", 26, 26}, {"set_db_intr_status_when_rb_enable", 28, 28}, {"set_ioh_ras_intr_status_when_rb_enable", 29, 29}, {"set_ath_ras_intr_status_when_rb_enable", 30, 30}, {"timeout_err_event_interrupt_enable", 31, 31}};
inline constexpr Reg BIF_BX0_BIF_DOORBELL_INT_CNTL{"BIF_BX0_BIF_DOORBELL_INT_CNTL", HwIp::nbio, 2, 0xfe, BIF_BX0_BIF_DOORBELL_INT_CNTL_fields};

// Registers at fixed BAR5 dwords, reachable before discovery gives any base (segment 0 of NBIO is at dword 0 on
// every part: amdgpu reads them as mmMM_INDEX 0x0, mmMM_DATA 0x1, mmMM_INDEX_HI 0x6 and RCC_CONFIG_MEMSIZE as
// NBIO segment 2 (0xd20 on navi3x) + 0xc3 = 0xde3, amdgpu_discovery.c / nbio_v4_3.c).
inline constexpr uint32_t mm_index_dword = 0x0;
inline constexpr uint32_t mm_data_dword = 0x1;
inline constexpr uint32_t mm_index_hi_dword = 0x6;
inline constexpr uint32_t rcc_config_memsize_dword = 0xde3;
// MM_INDEX bit 31 selects the memory aperture (VRAM) instead of registers.
inline constexpr uint32_t mm_index_aperture_vram = 0x80000000u;
inline constexpr Field RCC_DEV0_EPF0_RCC_CONFIG_MEMSIZE_fields[] = {{"config_memsize", 31, 0}};
inline constexpr Reg RCC_DEV0_EPF0_RCC_CONFIG_MEMSIZE{"RCC_DEV0_EPF0_RCC_CONFIG_MEMSIZE", HwIp::nbio, 2, 0xc3, RCC_DEV0_EPF0_RCC_CONFIG_MEMSIZE_fields};

// Registers past the end of BAR5 (segments 4 and 5 of NBIO, the S2A doorbell entries) go through this
// index/data pair: the index holds the byte address (tinygrad amdev.py indirect access; nbio_4_3_0 seg 1).
inline constexpr Field RSMU_fields[] = {{"content", 31, 0}};
inline constexpr Reg BIF_BX_PF0_RSMU_INDEX{"BIF_BX_PF0_RSMU_INDEX", HwIp::nbio, 1, 0x0, RSMU_fields};
inline constexpr Reg BIF_BX_PF0_RSMU_DATA{"BIF_BX_PF0_RSMU_DATA", HwIp::nbio, 1, 0x1, RSMU_fields};

}  // namespace hcq::am::nbio_4_3_0
