/* Our L1 layout and the launch mailbox: the one definition shared by the RV32 firmware, the kernel
 * runtime (tt/kernels/hcq_tt_kernel.h) and the host (tt/launch.hpp, which static_asserts every
 * offset). These are our own choices, not tt-metal's; only the hardware facts they rest on come
 * from public sources:
 *   - BRISC starts at PC 0 when released from soft reset (WH ISA SoftReset.md; ttsim src/tile.cpp
 *     "reset PC for brisc is always zero" for both Wormhole and Blackhole), so L1 word 0 holds a
 *     jump to the firmware.
 *   - BRISC local data RAM at 0xFFB00000: 4 KiB on Wormhole, 8 KiB on Blackhole (ttsim src/config.h);
 *     the firmware's stack uses the first 4 KiB, which both have.
 *   - L1 is 1464 KiB (WH) / 1536 KiB (BH); the scratch area runs to the end of the smaller one
 *     unless the host says otherwise (hcq_tt_dispatch.scratch_bytes).
 *
 * L1 map (byte addresses):
 *   0x00000  reset vector: `jal x0, HCQ_TT_FIRMWARE_BASE`, written by the host
 *   0x00100  mailbox (hcq_tt_mailbox, below)
 *   0x01000  firmware image (tt/firmware/firmware.ld), at most 4 KiB
 *   0x02000  kernel argument block, at most 4 KiB
 *   0x04000  kernel image (tt/kernels/kernel.ld), at most 112 KiB
 *   0x20000  scratch: workgroup-shared memory first, then the kernel's own staging buffers
 */
#ifndef HCQ_TT_LAYOUT_H
#define HCQ_TT_LAYOUT_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define HCQ_TT_RESET_VECTOR 0x0u
#define HCQ_TT_MAILBOX_BASE 0x100u
#define HCQ_TT_FIRMWARE_BASE 0x1000u
#define HCQ_TT_FIRMWARE_SIZE 0x1000u
#define HCQ_TT_ARGS_BASE 0x2000u
#define HCQ_TT_ARGS_SIZE 0x1000u
#define HCQ_TT_KERNEL_BASE 0x4000u
#define HCQ_TT_KERNEL_SIZE 0x1C000u
#define HCQ_TT_SCRATCH_BASE 0x20000u
#define HCQ_TT_SHARED_BYTES 0x10000u /* workgroup-shared memory at the start of scratch */

#define HCQ_TT_LOCAL_RAM_BASE 0xFFB00000u
#define HCQ_TT_STACK_TOP (HCQ_TT_LOCAL_RAM_BASE + 0x1000u)

#define HCQ_TT_FW_MAGIC 0x54514348u /* "HCQT" little-endian */
#define HCQ_TT_FW_VERSION 1u

#ifndef __ASSEMBLER__

/* Blackhole's baby RISC-V cores cache L1 reads in a small write-through cache over all of L1;
 * `fence` (iorw, iorw) invalidates it. Checked against tt-metal tt_metal/hw/inc/internal/tt-1xx/
 * risc_common.h invalidate_l1_cache() (a `fence` on Blackhole only; the reader of L1 that another
 * core or the NOC wrote must invalidate) and ttsim src/riscv_impl.h (treats it so). Wormhole has
 * no such cache, and ttsim refuses any fence there ("do not enforce memory ordering on Wormhole").
 * Call it before reading L1 that the host or a NOC request may have written. */
#if defined(__riscv) && defined(HCQ_TT_ARCH_BLACKHOLE)
#define HCQ_TT_INVALIDATE_L1_CACHE() __asm__ volatile("fence" ::: "memory")
#else
#define HCQ_TT_INVALIDATE_L1_CACHE() __asm__ volatile("" ::: "memory")
#endif

/* hcq_tt_mailbox.state */
#define HCQ_TT_STATE_HELD 0u        /* written by the host before releasing the core */
#define HCQ_TT_STATE_READY 0x600Du  /* firmware idle, waiting for go != done */
#define HCQ_TT_STATE_RUNNING 0x5EEDu /* a kernel is running (dispatch.workgroup says which group) */

/* What a kernel sees: the launch geometry and this core's share of it. */
typedef struct hcq_tt_dispatch {
  uint32_t grid[3];          /* workgroups in the launch */
  uint32_t block[3];         /* threads in a workgroup */
  uint32_t workgroup[3];     /* the workgroup running now (set by the firmware) */
  uint32_t first_workgroup;  /* this core's workgroups, as linear indices x + gx * (y + gy * z) */
  uint32_t workgroup_count;
  uint32_t shared;           /* L1 address of workgroup-shared memory */
  uint32_t shared_bytes;
  uint32_t scratch;          /* L1 address of the kernel's own scratch, after the shared memory */
  uint32_t scratch_bytes;
  uint32_t noc_xy;           /* this core's NOC0 coordinate, y << 6 | x */
  uint32_t core;             /* index of this core among the launch's cores */
  uint32_t core_count;
} hcq_tt_dispatch;

typedef struct hcq_tt_mailbox {
  /* Written by the firmware. */
  uint32_t magic;            /* HCQ_TT_FW_MAGIC once the firmware ran */
  uint32_t version;          /* HCQ_TT_FW_VERSION */
  uint32_t state;            /* HCQ_TT_STATE_* */
  uint32_t launches;         /* launches finished since boot */
  uint32_t done;             /* the firmware copies `go` here when the launch finished */
  uint32_t result;           /* 0, or the first non-zero value a workgroup returned */
  uint32_t result_workgroup; /* linear index of that workgroup */
  uint32_t reserved;
  /* Written by the host, `go` last. */
  uint32_t go;               /* launch sequence number */
  uint32_t kernel_entry;     /* L1 address of int entry(hcq_tt_dispatch*, const void* args) */
  uint32_t args;             /* L1 address of the argument block */
  uint32_t reserved_host;
  hcq_tt_dispatch dispatch;  /* the firmware updates dispatch.workgroup */
} hcq_tt_mailbox;

/* A kernel entry point. Returning non-zero is a trap: the launch stops on this core and the host
 * reports the value. */
typedef int (*hcq_tt_kernel_fn)(hcq_tt_dispatch* d, const void* args);

#ifdef __cplusplus
static_assert(sizeof(hcq_tt_dispatch) == 72, "hcq_tt_dispatch layout");
static_assert(sizeof(hcq_tt_mailbox) == 120, "hcq_tt_mailbox layout");
#else
_Static_assert(sizeof(hcq_tt_dispatch) == 72, "hcq_tt_dispatch layout");
_Static_assert(sizeof(hcq_tt_mailbox) == 120, "hcq_tt_mailbox layout");
#endif

#endif /* __ASSEMBLER__ */

#endif /* HCQ_TT_LAYOUT_H */
