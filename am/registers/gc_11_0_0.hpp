// GC 11.0.0 registers (gfx1100: Radeon 7900 XTX) that the queue side uses: CP/MEC/HQD, RLC,
// GRBM, SH_MEM, the COMPUTE_* dispatch registers and the SDMA queues (which live in the GC register
// map on gfx11). Our own table of facts from Linux drivers/gpu/drm/amd/include/asic_reg/gc/
// gc_11_0_0_offset.h and gc_11_0_0_sh_mask.h, names in the kernel's spelling.
//
// How each fact was checked (docs/am.md "Facts and where they were read"):
//  - Read in gc_11_0_0_offset.h (torvalds/linux): SDMA0_CNTL and every SDMA0_QUEUE0_* offset, the
//    queue stride (SDMA0_QUEUE1_RB_CNTL 0x00d8 - SDMA0_QUEUE0_RB_CNTL 0x0080), every COMPUTE_*
//    offset below, CP_MEC_DOORBELL_RANGE_LOWER/UPPER, and every CP_HQD_* / CP_MQD_* offset below
//    (block gc_cpphqddec, 0x1fa9..0x1fe0).
//  - Read in gc_11_0_0_sh_mask.h (raspberrypi/linux, the same generated header): every
//    SDMA0_QUEUE0_RB_CNTL, _IB_CNTL, _DOORBELL, _DOORBELL_OFFSET and _MINOR_PTR_UPDATE field; that
//    each SDMA engine has QUEUE0..QUEUE7 (SDMA0_STATUS5_REG.QUEUE0..7_RB_ENABLE_STATUS).
//  - CP_MEC_RS64_CNTL fields: gc_*_sh_mask.h (pipe resets 16..19, pipe actives 26..29, halt 30).
//  - SH_MEM_CONFIG: the shifts (address_mode 0, alignment_mode 2, initial_inst_prefetch 14) are the
//    kernel's DEFAULT_SH_MEM_CONFIG in gfx_v11_0.c (= 0xc00c, as tinygrad writes it); the field
//    widths were not re-read in the sh_mask header.
//  - Not re-read here (tinygrad's autogen of the same headers, amd.md §3.6/§4): the offsets of
//    GRBM_GFX_CNTL, SH_MEM_*, RLC_RLCS_BOOTLOAD_STATUS, CP_STAT, CP_MEC_RS64_* and the fields of
//    GRBM_GFX_CNTL, CP_HQD_* and COMPUTE_*.
#pragma once

#include "am/registers/reg.hpp"

namespace hcq::am::gc_11_0_0 {

// Segment numbers (the kernel's BASE_IDX).
inline constexpr uint8_t seg0 = 0, seg1 = 1;

namespace detail_fields {
inline constexpr Field none[] = {{"value", 31, 0}};
inline constexpr Field grbm_gfx_cntl[] = {{"pipeid", 1, 0}, {"meid", 3, 2}, {"vmid", 7, 4}, {"queueid", 10, 8}};
inline constexpr Field rlc_rlcs_bootload_status[] = {{"bootload_complete", 31, 31}};
inline constexpr Field cp_mec_rs64_cntl[] = {{"mec_invalidate_icache", 4, 4}, {"mec_pipe0_reset", 16, 16},
                                             {"mec_pipe1_reset", 17, 17},     {"mec_pipe2_reset", 18, 18},
                                             {"mec_pipe3_reset", 19, 19},     {"mec_pipe0_active", 26, 26},
                                             {"mec_pipe1_active", 27, 27},    {"mec_pipe2_active", 28, 28},
                                             {"mec_pipe3_active", 29, 29},    {"mec_halt", 30, 30}};
// Shifts from gfx_v11_0.c DEFAULT_SH_MEM_CONFIG; widths not re-read (see the top).
inline constexpr Field sh_mem_config[] = {{"address_mode", 1, 0}, {"alignment_mode", 3, 2}, {"initial_inst_prefetch", 15, 14}};
inline constexpr Field sh_mem_bases[] = {{"private_base", 15, 0}, {"shared_base", 31, 16}};
inline constexpr Field cp_hqd_active[] = {{"active", 0, 0}};
inline constexpr Field cp_hqd_dequeue_request[] = {{"dequeue_req", 1, 0}};
inline constexpr Field cp_hqd_pq_control[] = {{"queue_size", 5, 0}, {"rptr_block_size", 13, 8}, {"unord_dispatch", 28, 28},
                                              {"priv_state", 30, 30}, {"kmd_queue", 31, 31}};
inline constexpr Field cp_hqd_pq_doorbell_control[] = {{"doorbell_offset", 27, 2}, {"doorbell_en", 30, 30},
                                                       {"doorbell_hit", 31, 31}};
inline constexpr Field cp_hqd_eop_control[] = {{"eop_size", 5, 0}};
inline constexpr Field cp_hqd_ib_control[] = {{"min_ib_avail_size", 21, 20}};
inline constexpr Field cp_hqd_persistent_state[] = {{"preload_req", 0, 0}, {"preload_size", 17, 8}};
inline constexpr Field cp_mqd_control[] = {{"priv_state", 8, 8}};
// The HQD's error word: the model reports a hang or a bad packet here (see am/sim/cp.hpp).
inline constexpr Field cp_hqd_error[] = {{"value", 31, 0}};
inline constexpr Field compute_pgm_rsrc1[] = {{"vgprs", 5, 0}, {"sgprs", 9, 6}, {"priority", 11, 10},
                                              {"float_mode", 19, 12}, {"priv", 20, 20}, {"dx10_clamp", 21, 21},
                                              {"ieee_mode", 23, 23}, {"wgp_mode", 29, 29}, {"mem_ordered", 30, 30},
                                              {"fwd_progress", 31, 31}};
inline constexpr Field compute_pgm_rsrc2[] = {{"scratch_en", 0, 0}, {"user_sgpr", 5, 1}, {"trap_present", 6, 6},
                                              {"tgid_x_en", 7, 7}, {"tgid_y_en", 8, 8}, {"tgid_z_en", 9, 9},
                                              {"tg_size_en", 10, 10}, {"tidig_comp_cnt", 12, 11},
                                              {"lds_size", 23, 15}};
inline constexpr Field compute_num_thread[] = {{"num_thread_full", 9, 0}};
inline constexpr Field compute_dispatch_initiator[] = {{"compute_shader_en", 0, 0}, {"partial_tg_en", 1, 1},
                                                       {"force_start_at_000", 2, 2}, {"order_mode", 3, 3},
                                                       {"cs_w32_en", 15, 15}};
inline constexpr Field compute_tmpring_size[] = {{"waves", 11, 0}, {"wavesize", 26, 12}};
inline constexpr Field sdma_queue_rb_cntl[] = {{"rb_enable", 0, 0}, {"rb_size", 5, 1}, {"wptr_poll_enable", 8, 8},
                                               {"f32_wptr_poll_enable", 11, 11}, {"rptr_writeback_enable", 12, 12},
                                               {"rptr_writeback_timer", 20, 16}, {"rb_priv", 23, 23},
                                               {"rb_vmid", 27, 24}};
inline constexpr Field sdma_queue_ib_cntl[] = {{"ib_enable", 0, 0}};
inline constexpr Field sdma_queue_doorbell[] = {{"enable", 28, 28}};
inline constexpr Field sdma_queue_doorbell_offset[] = {{"offset", 27, 2}};
inline constexpr Field sdma_queue_minor_ptr_update[] = {{"enable", 0, 0}};
inline constexpr Field sdma_cntl[] = {{"trap_enable", 0, 0}};
// GRBM_STATUS: gui_active 31 and cb_busy 30 read in gc_10_1_0_sh_mask.h (the same GRBM layout on gc 11;
// gfx_v11_0.c gfx_v11_0_is_idle tests GUI_ACTIVE); cp_busy 29 not re-read in a header.
inline constexpr Field grbm_status[] = {{"cp_busy", 29, 29}, {"cb_busy", 30, 30}, {"gui_active", 31, 31}};
// SDMA0_STATUS_REG: read in gc_11_0_0_sh_mask.h (raspberrypi/linux). sdma_v6_0.c sdma_v6_0_is_idle
// tests IDLE on every instance.
inline constexpr Field sdma_status_reg[] = {{"idle", 0, 0},       {"reg_idle", 1, 1},    {"rb_empty", 2, 2},
                                            {"rb_cmd_idle", 4, 4}, {"block_idle", 8, 8}, {"inside_ib", 9, 9}};
}  // namespace detail_fields

namespace f = detail_fields;

// --- RLC / GRBM / CP status ---------------------------------------------------------------------
inline constexpr Reg CP_STAT{"CP_STAT", HwIp::gc, seg0, 0x0f40, f::none};
// 0x0da4: gc_11_0_0_offset.h (the copy in tinygrad extra/hip_gpu_driver/, BASE_IDX 0).
inline constexpr Reg GRBM_STATUS{"GRBM_STATUS", HwIp::gc, seg0, 0x0da4, f::grbm_status};
inline constexpr Reg RLC_RLCS_BOOTLOAD_STATUS{"RLC_RLCS_BOOTLOAD_STATUS", HwIp::gc, seg1, 0x4e82, f::rlc_rlcs_bootload_status};
inline constexpr Reg GRBM_GFX_CNTL{"GRBM_GFX_CNTL", HwIp::gc, seg1, 0x0900, f::grbm_gfx_cntl};
inline constexpr Reg SH_MEM_BASES{"SH_MEM_BASES", HwIp::gc, seg1, 0x09e3, f::sh_mem_bases};
inline constexpr Reg SH_MEM_CONFIG{"SH_MEM_CONFIG", HwIp::gc, seg1, 0x09e4, f::sh_mem_config};

// --- MEC (RS64) ---------------------------------------------------------------------------------
inline constexpr Reg CP_MEC_RS64_PRGRM_CNTR_START{"CP_MEC_RS64_PRGRM_CNTR_START", HwIp::gc, seg1, 0x2900, f::none};
inline constexpr Reg CP_MEC_RS64_CNTL{"CP_MEC_RS64_CNTL", HwIp::gc, seg1, 0x2904, f::cp_mec_rs64_cntl};
inline constexpr Reg CP_MEC_RS64_PRGRM_CNTR_START_HI{"CP_MEC_RS64_PRGRM_CNTR_START_HI", HwIp::gc, seg1, 0x2938, f::none};
inline constexpr Reg CP_MEC_DOORBELL_RANGE_LOWER{"CP_MEC_DOORBELL_RANGE_LOWER", HwIp::gc, seg0, 0x1dfc, f::none};
inline constexpr Reg CP_MEC_DOORBELL_RANGE_UPPER{"CP_MEC_DOORBELL_RANGE_UPPER", HwIp::gc, seg0, 0x1dfd, f::none};

// --- The HQD of the queue GRBM_GFX_CNTL selects: registers 0x1fa9..0x1fe0 ------------------------
inline constexpr uint32_t hqd_first = 0x1fa9;  // CP_MQD_BASE_ADDR: MQD dword 0x80
inline constexpr uint32_t hqd_last = 0x1fe0;   // CP_HQD_PQ_WPTR_HI: MQD dword 0xb7
inline constexpr Reg CP_MQD_BASE_ADDR{"CP_MQD_BASE_ADDR", HwIp::gc, seg0, 0x1fa9, f::none};
inline constexpr Reg CP_MQD_BASE_ADDR_HI{"CP_MQD_BASE_ADDR_HI", HwIp::gc, seg0, 0x1faa, f::none};
inline constexpr Reg CP_HQD_ACTIVE{"CP_HQD_ACTIVE", HwIp::gc, seg0, 0x1fab, f::cp_hqd_active};
inline constexpr Reg CP_HQD_VMID{"CP_HQD_VMID", HwIp::gc, seg0, 0x1fac, f::none};
inline constexpr Reg CP_HQD_PERSISTENT_STATE{"CP_HQD_PERSISTENT_STATE", HwIp::gc, seg0, 0x1fad, f::cp_hqd_persistent_state};
inline constexpr Reg CP_HQD_PQ_BASE{"CP_HQD_PQ_BASE", HwIp::gc, seg0, 0x1fb1, f::none};
inline constexpr Reg CP_HQD_PQ_BASE_HI{"CP_HQD_PQ_BASE_HI", HwIp::gc, seg0, 0x1fb2, f::none};
inline constexpr Reg CP_HQD_PQ_RPTR{"CP_HQD_PQ_RPTR", HwIp::gc, seg0, 0x1fb3, f::none};
inline constexpr Reg CP_HQD_PQ_RPTR_REPORT_ADDR{"CP_HQD_PQ_RPTR_REPORT_ADDR", HwIp::gc, seg0, 0x1fb4, f::none};
inline constexpr Reg CP_HQD_PQ_RPTR_REPORT_ADDR_HI{"CP_HQD_PQ_RPTR_REPORT_ADDR_HI", HwIp::gc, seg0, 0x1fb5, f::none};
inline constexpr Reg CP_HQD_PQ_WPTR_POLL_ADDR{"CP_HQD_PQ_WPTR_POLL_ADDR", HwIp::gc, seg0, 0x1fb6, f::none};
inline constexpr Reg CP_HQD_PQ_WPTR_POLL_ADDR_HI{"CP_HQD_PQ_WPTR_POLL_ADDR_HI", HwIp::gc, seg0, 0x1fb7, f::none};
inline constexpr Reg CP_HQD_PQ_DOORBELL_CONTROL{"CP_HQD_PQ_DOORBELL_CONTROL", HwIp::gc, seg0, 0x1fb8, f::cp_hqd_pq_doorbell_control};
inline constexpr Reg CP_HQD_PQ_CONTROL{"CP_HQD_PQ_CONTROL", HwIp::gc, seg0, 0x1fba, f::cp_hqd_pq_control};
inline constexpr Reg CP_HQD_IB_CONTROL{"CP_HQD_IB_CONTROL", HwIp::gc, seg0, 0x1fbe, f::cp_hqd_ib_control};
inline constexpr Reg CP_HQD_DEQUEUE_REQUEST{"CP_HQD_DEQUEUE_REQUEST", HwIp::gc, seg0, 0x1fc1, f::cp_hqd_dequeue_request};
inline constexpr Reg CP_MQD_CONTROL{"CP_MQD_CONTROL", HwIp::gc, seg0, 0x1fcb, f::cp_mqd_control};
inline constexpr Reg CP_HQD_EOP_BASE_ADDR{"CP_HQD_EOP_BASE_ADDR", HwIp::gc, seg0, 0x1fce, f::none};
inline constexpr Reg CP_HQD_EOP_BASE_ADDR_HI{"CP_HQD_EOP_BASE_ADDR_HI", HwIp::gc, seg0, 0x1fcf, f::none};
inline constexpr Reg CP_HQD_EOP_CONTROL{"CP_HQD_EOP_CONTROL", HwIp::gc, seg0, 0x1fd0, f::cp_hqd_eop_control};
inline constexpr Reg CP_HQD_ERROR{"CP_HQD_ERROR", HwIp::gc, seg0, 0x1fdc, f::cp_hqd_error};
inline constexpr Reg CP_HQD_PQ_WPTR_LO{"CP_HQD_PQ_WPTR_LO", HwIp::gc, seg0, 0x1fdf, f::none};
inline constexpr Reg CP_HQD_PQ_WPTR_HI{"CP_HQD_PQ_WPTR_HI", HwIp::gc, seg0, 0x1fe0, f::none};

// --- COMPUTE_* (the SH registers a dispatch reads; SET_SH_REG writes them) ------------------------
inline constexpr Reg COMPUTE_DISPATCH_INITIATOR{"COMPUTE_DISPATCH_INITIATOR", HwIp::gc, seg0, 0x1ba0, f::compute_dispatch_initiator};
inline constexpr Reg COMPUTE_START_X{"COMPUTE_START_X", HwIp::gc, seg0, 0x1ba4, f::none};
inline constexpr Reg COMPUTE_START_Y{"COMPUTE_START_Y", HwIp::gc, seg0, 0x1ba5, f::none};
inline constexpr Reg COMPUTE_START_Z{"COMPUTE_START_Z", HwIp::gc, seg0, 0x1ba6, f::none};
inline constexpr Reg COMPUTE_NUM_THREAD_X{"COMPUTE_NUM_THREAD_X", HwIp::gc, seg0, 0x1ba7, f::compute_num_thread};
inline constexpr Reg COMPUTE_NUM_THREAD_Y{"COMPUTE_NUM_THREAD_Y", HwIp::gc, seg0, 0x1ba8, f::compute_num_thread};
inline constexpr Reg COMPUTE_NUM_THREAD_Z{"COMPUTE_NUM_THREAD_Z", HwIp::gc, seg0, 0x1ba9, f::compute_num_thread};
inline constexpr Reg COMPUTE_PGM_LO{"COMPUTE_PGM_LO", HwIp::gc, seg0, 0x1bac, f::none};
inline constexpr Reg COMPUTE_PGM_HI{"COMPUTE_PGM_HI", HwIp::gc, seg0, 0x1bad, f::none};
inline constexpr Reg COMPUTE_DISPATCH_SCRATCH_BASE_LO{"COMPUTE_DISPATCH_SCRATCH_BASE_LO", HwIp::gc, seg0, 0x1bb0, f::none};
inline constexpr Reg COMPUTE_DISPATCH_SCRATCH_BASE_HI{"COMPUTE_DISPATCH_SCRATCH_BASE_HI", HwIp::gc, seg0, 0x1bb1, f::none};
inline constexpr Reg COMPUTE_PGM_RSRC1{"COMPUTE_PGM_RSRC1", HwIp::gc, seg0, 0x1bb2, f::compute_pgm_rsrc1};
inline constexpr Reg COMPUTE_PGM_RSRC2{"COMPUTE_PGM_RSRC2", HwIp::gc, seg0, 0x1bb3, f::compute_pgm_rsrc2};
inline constexpr Reg COMPUTE_RESOURCE_LIMITS{"COMPUTE_RESOURCE_LIMITS", HwIp::gc, seg0, 0x1bb5, f::none};
inline constexpr Reg COMPUTE_TMPRING_SIZE{"COMPUTE_TMPRING_SIZE", HwIp::gc, seg0, 0x1bb8, f::compute_tmpring_size};
inline constexpr Reg COMPUTE_RESTART_X{"COMPUTE_RESTART_X", HwIp::gc, seg0, 0x1bbb, f::none};
inline constexpr Reg COMPUTE_PGM_RSRC3{"COMPUTE_PGM_RSRC3", HwIp::gc, seg0, 0x1bc8, f::none};
inline constexpr Reg COMPUTE_USER_DATA_0{"COMPUTE_USER_DATA_0", HwIp::gc, seg0, 0x1be0, f::none};
inline constexpr uint32_t compute_user_data_count = 16;  // COMPUTE_USER_DATA_0..15

// --- SDMA0 QUEUE0 (instance 1 at +sdma1_reg_offset, sdma_v6_0.c; queue n at +n * sdma_queue_stride)
inline constexpr uint32_t sdma1_reg_offset = 0x600;
inline constexpr uint32_t sdma_queue_stride = 0x58;   // SDMA0_QUEUE1_RB_CNTL - SDMA0_QUEUE0_RB_CNTL
inline constexpr unsigned sdma_queues_per_engine = 8;  // QUEUE0..QUEUE7
inline constexpr Reg SDMA0_CNTL{"SDMA0_CNTL", HwIp::gc, seg0, 0x001c, f::sdma_cntl};
// 0x0025: gc_11_0_0_offset.h (torvalds/linux); per engine (SDMA1 at +sdma1_reg_offset), not per queue.
inline constexpr Reg SDMA0_STATUS_REG{"SDMA0_STATUS_REG", HwIp::gc, seg0, 0x0025, f::sdma_status_reg};
inline constexpr Reg SDMA0_QUEUE0_RB_CNTL{"SDMA0_QUEUE0_RB_CNTL", HwIp::gc, seg0, 0x0080, f::sdma_queue_rb_cntl};
inline constexpr Reg SDMA0_QUEUE0_RB_BASE{"SDMA0_QUEUE0_RB_BASE", HwIp::gc, seg0, 0x0081, f::none};
inline constexpr Reg SDMA0_QUEUE0_RB_BASE_HI{"SDMA0_QUEUE0_RB_BASE_HI", HwIp::gc, seg0, 0x0082, f::none};
inline constexpr Reg SDMA0_QUEUE0_RB_RPTR{"SDMA0_QUEUE0_RB_RPTR", HwIp::gc, seg0, 0x0083, f::none};
inline constexpr Reg SDMA0_QUEUE0_RB_RPTR_HI{"SDMA0_QUEUE0_RB_RPTR_HI", HwIp::gc, seg0, 0x0084, f::none};
inline constexpr Reg SDMA0_QUEUE0_RB_WPTR{"SDMA0_QUEUE0_RB_WPTR", HwIp::gc, seg0, 0x0085, f::none};
inline constexpr Reg SDMA0_QUEUE0_RB_WPTR_HI{"SDMA0_QUEUE0_RB_WPTR_HI", HwIp::gc, seg0, 0x0086, f::none};
inline constexpr Reg SDMA0_QUEUE0_RB_RPTR_ADDR_HI{"SDMA0_QUEUE0_RB_RPTR_ADDR_HI", HwIp::gc, seg0, 0x0088, f::none};
inline constexpr Reg SDMA0_QUEUE0_RB_RPTR_ADDR_LO{"SDMA0_QUEUE0_RB_RPTR_ADDR_LO", HwIp::gc, seg0, 0x0089, f::none};
inline constexpr Reg SDMA0_QUEUE0_IB_CNTL{"SDMA0_QUEUE0_IB_CNTL", HwIp::gc, seg0, 0x008a, f::sdma_queue_ib_cntl};
inline constexpr Reg SDMA0_QUEUE0_DOORBELL{"SDMA0_QUEUE0_DOORBELL", HwIp::gc, seg0, 0x0092, f::sdma_queue_doorbell};
inline constexpr Reg SDMA0_QUEUE0_DOORBELL_OFFSET{"SDMA0_QUEUE0_DOORBELL_OFFSET", HwIp::gc, seg0, 0x00ab, f::sdma_queue_doorbell_offset};
inline constexpr Reg SDMA0_QUEUE0_RB_WPTR_POLL_ADDR_HI{"SDMA0_QUEUE0_RB_WPTR_POLL_ADDR_HI", HwIp::gc, seg0, 0x00b2, f::none};
inline constexpr Reg SDMA0_QUEUE0_RB_WPTR_POLL_ADDR_LO{"SDMA0_QUEUE0_RB_WPTR_POLL_ADDR_LO", HwIp::gc, seg0, 0x00b3, f::none};
inline constexpr Reg SDMA0_QUEUE0_MINOR_PTR_UPDATE{"SDMA0_QUEUE0_MINOR_PTR_UPDATE", HwIp::gc, seg0, 0x00b5, f::sdma_queue_minor_ptr_update};

}  // namespace hcq::am::gc_11_0_0

namespace hcq::am::gc_11_0_0 {

// Interrupt source ids of the GC block's engines, read in Linux drivers/gpu/drm/amd/include/ivsrcid/
// gfx/irqsrcs_gfx_11_0_0.h. CP entries come with client SOC21_IH_CLIENTID_GRBM_CP; the SDMA trap with
// SOC21_IH_CLIENTID_GFX (sdma_v6_0.c sdma_v6_0_sw_init: amdgpu_irq_add_id(SOC21_IH_CLIENTID_GFX,
// GFX_11_0_0__SRCID__SDMA_TRAP)).
namespace srcid {
inline constexpr uint32_t cp_eop_interrupt = 181, cp_bad_opcode_error = 183, cp_priv_reg_fault = 184,
                          cp_wait_reg_mem_poll_timeout = 192, cp_gpf = 195;
inline constexpr uint32_t sdma_trap = 49;  // GFX_11_0_0__SRCID__SDMA_TRAP (0x31); was 224 before the check
}  // namespace srcid

}  // namespace hcq::am::gc_11_0_0
