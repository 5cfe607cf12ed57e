// The gfx11 compute MQD (memory queue descriptor): 2 KiB in VRAM that describes one compute queue.
// Without KIQ/MES the driver copies its dwords 0x80..0xb7 into the HQD registers of the selected
// queue (registers/gc_11_0_0.hpp: hqd_first..hqd_last), which is how tinygrad's AM starts it.
//
// Layout: Linux drivers/gpu/drm/amd/include/v11_structs.h `struct v11_compute_mqd` (512 dwords),
// byte offsets as /work/shared/reference/amd.md §3a lists them. Only the fields we set are named;
// the gaps are `reserved_<first dword>` arrays, so every named offset is pinned by a static_assert.
// Values: tinygrad's AM (amd.md §3a), each named below.
#pragma once

#include <cstddef>
#include <cstdint>

#include "am/registers/gc_11_0_0.hpp"

namespace hcq::am::mqd_v11 {

struct ComputeMqd {
  uint32_t header;                          // dw 0x00
  uint32_t reserved_1[0x16];                // dw 0x01..0x16
  uint32_t compute_static_thread_mgmt_se0;  // dw 0x17
  uint32_t compute_static_thread_mgmt_se1;  // dw 0x18
  uint32_t compute_tmpring_size;            // dw 0x19
  uint32_t compute_static_thread_mgmt_se2;  // dw 0x1a
  uint32_t compute_static_thread_mgmt_se3;  // dw 0x1b
  uint32_t reserved_1c[0x10];               // dw 0x1c..0x2b
  uint32_t compute_static_thread_mgmt_se4;  // dw 0x2c
  uint32_t compute_static_thread_mgmt_se5;  // dw 0x2d
  uint32_t compute_static_thread_mgmt_se6;  // dw 0x2e
  uint32_t compute_static_thread_mgmt_se7;  // dw 0x2f
  uint32_t reserved_30[0x50];               // dw 0x30..0x7f
  // --- dw 0x80..0xb7: the HQD register image (CP_MQD_BASE_ADDR .. CP_HQD_PQ_WPTR_HI) ---
  uint32_t cp_mqd_base_addr_lo;             // 0x200 dw 0x80
  uint32_t cp_mqd_base_addr_hi;             // 0x204
  uint32_t cp_hqd_active;                   // 0x208
  uint32_t cp_hqd_vmid;                     // 0x20c
  uint32_t cp_hqd_persistent_state;         // 0x210
  uint32_t cp_hqd_pipe_priority;            // 0x214
  uint32_t cp_hqd_queue_priority;           // 0x218
  uint32_t cp_hqd_quantum;                  // 0x21c
  uint32_t cp_hqd_pq_base_lo;               // 0x220
  uint32_t cp_hqd_pq_base_hi;               // 0x224
  uint32_t cp_hqd_pq_rptr;                  // 0x228
  uint32_t cp_hqd_pq_rptr_report_addr_lo;   // 0x22c
  uint32_t cp_hqd_pq_rptr_report_addr_hi;   // 0x230
  uint32_t cp_hqd_pq_wptr_poll_addr_lo;     // 0x234
  uint32_t cp_hqd_pq_wptr_poll_addr_hi;     // 0x238
  uint32_t cp_hqd_pq_doorbell_control;      // 0x23c
  uint32_t reserved_90;                     // 0x240
  uint32_t cp_hqd_pq_control;               // 0x244
  uint32_t cp_hqd_ib_base_addr_lo;          // 0x248
  uint32_t reserved_93[2];                  // 0x24c..0x250
  uint32_t cp_hqd_ib_control;               // 0x254
  uint32_t reserved_96[2];                  // 0x258..0x25c
  uint32_t cp_hqd_dequeue_request;          // 0x260
  uint32_t reserved_99[7];                  // 0x264..0x27c
  uint32_t cp_hqd_hq_status0;               // 0x280
  uint32_t cp_hqd_hq_control0;              // 0x284
  uint32_t cp_mqd_control;                  // 0x288
  uint32_t reserved_a3[2];                  // 0x28c..0x290
  uint32_t cp_hqd_eop_base_addr_lo;         // 0x294
  uint32_t cp_hqd_eop_base_addr_hi;         // 0x298
  uint32_t cp_hqd_eop_control;              // 0x29c
  uint32_t cp_hqd_eop_rptr;                 // 0x2a0
  uint32_t cp_hqd_eop_wptr;                 // 0x2a4
  uint32_t reserved_aa[0x9];                // 0x2a8..0x2c8
  uint32_t cp_hqd_error;                    // 0x2cc
  uint32_t cp_hqd_eop_wptr_mem;             // 0x2d0
  uint32_t cp_hqd_aql_control;              // 0x2d4
  uint32_t cp_hqd_pq_wptr_lo;               // 0x2d8 dw 0xb6
  uint32_t cp_hqd_pq_wptr_hi;               // 0x2dc dw 0xb7
  uint32_t reserved_b8[0x148];              // dw 0xb8..0x1ff
};

inline constexpr size_t mqd_bytes = 2048;
inline constexpr uint32_t hqd_image_first_dword = 0x80;  // MQD dword of registers/gc_11_0_0.hpp hqd_first
inline constexpr uint32_t hqd_image_dwords = gc_11_0_0::hqd_last - gc_11_0_0::hqd_first + 1;

static_assert(sizeof(ComputeMqd) == mqd_bytes);
static_assert(offsetof(ComputeMqd, compute_static_thread_mgmt_se0) == 0x17 * 4);
static_assert(offsetof(ComputeMqd, compute_tmpring_size) == 0x19 * 4);
static_assert(offsetof(ComputeMqd, compute_static_thread_mgmt_se4) == 0x2c * 4);
static_assert(offsetof(ComputeMqd, cp_mqd_base_addr_lo) == 0x200);
static_assert(offsetof(ComputeMqd, cp_hqd_active) == 0x208);
static_assert(offsetof(ComputeMqd, cp_hqd_persistent_state) == 0x210);
static_assert(offsetof(ComputeMqd, cp_hqd_pq_base_lo) == 0x220);
static_assert(offsetof(ComputeMqd, cp_hqd_pq_rptr) == 0x228);
static_assert(offsetof(ComputeMqd, cp_hqd_pq_wptr_poll_addr_lo) == 0x234);
static_assert(offsetof(ComputeMqd, cp_hqd_pq_doorbell_control) == 0x23c);
static_assert(offsetof(ComputeMqd, cp_hqd_pq_control) == 0x244);
static_assert(offsetof(ComputeMqd, cp_hqd_ib_control) == 0x254);
static_assert(offsetof(ComputeMqd, cp_hqd_dequeue_request) == 0x260);
static_assert(offsetof(ComputeMqd, cp_hqd_hq_status0) == 0x280);
static_assert(offsetof(ComputeMqd, cp_mqd_control) == 0x288);
static_assert(offsetof(ComputeMqd, cp_hqd_eop_base_addr_lo) == 0x294);
static_assert(offsetof(ComputeMqd, cp_hqd_eop_control) == 0x29c);
static_assert(offsetof(ComputeMqd, cp_hqd_error) == 0x2cc);
static_assert(offsetof(ComputeMqd, cp_hqd_aql_control) == 0x2d4);
static_assert(offsetof(ComputeMqd, cp_hqd_pq_wptr_lo) == 0x2d8);
static_assert(offsetof(ComputeMqd, cp_hqd_pq_wptr_hi) == (hqd_image_first_dword + hqd_image_dwords - 1) * 4);
// Each named HQD field sits at its register's place in the image.
constexpr uint32_t image_dword(const Reg& r) { return hqd_image_first_dword + (r.offset - gc_11_0_0::hqd_first); }
static_assert(offsetof(ComputeMqd, cp_hqd_active) == image_dword(gc_11_0_0::CP_HQD_ACTIVE) * 4);
static_assert(offsetof(ComputeMqd, cp_hqd_pq_doorbell_control) == image_dword(gc_11_0_0::CP_HQD_PQ_DOORBELL_CONTROL) * 4);
static_assert(offsetof(ComputeMqd, cp_hqd_pq_control) == image_dword(gc_11_0_0::CP_HQD_PQ_CONTROL) * 4);
static_assert(offsetof(ComputeMqd, cp_hqd_dequeue_request) == image_dword(gc_11_0_0::CP_HQD_DEQUEUE_REQUEST) * 4);
static_assert(offsetof(ComputeMqd, cp_hqd_eop_control) == image_dword(gc_11_0_0::CP_HQD_EOP_CONTROL) * 4);
static_assert(offsetof(ComputeMqd, cp_hqd_error) == image_dword(gc_11_0_0::CP_HQD_ERROR) * 4);

// Where a compute queue's pieces are, in GPU (VMID 0) addresses; sizes in bytes, powers of two.
struct QueueLayout {
  uint64_t mqd = 0;          // the MQD itself (256-byte aligned)
  uint64_t ring = 0;         // the PM4 ring (256-byte aligned)
  uint32_t ring_bytes = 0;
  uint64_t eop = 0;          // end-of-pipe buffer for RELEASE_MEM (256-byte aligned)
  uint32_t eop_bytes = 0;
  uint64_t rptr_report = 0;  // where the CP writes its read pointer (dwords)
  uint64_t wptr_poll = 0;    // where the CP reads the write pointer (64-bit, dwords)
  uint32_t doorbell_index = 0;  // 64-bit doorbell slot
};

// Fills an MQD for a compute queue of VMID 0 that is not active yet (cp_hqd_active = 1 is written
// to the register after the image). Throws std::invalid_argument for a misaligned address or a
// size that is not a power of two in range; callers pass their own allocations, so that is a bug.
ComputeMqd make_compute_mqd(const QueueLayout& q);

}  // namespace hcq::am::mqd_v11
