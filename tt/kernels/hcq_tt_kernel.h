/* Writing kernels for the `tt` device (C11, RV32IM, no libc).
 *
 * A tt code object is an RV32 ELF executable linked at HCQ_TT_KERNEL_BASE with tt/kernels/kernel.ld.
 * It describes its kernels as the cpu device's do (include/hcq/cpu_kernel.h): one 256-byte record
 * per kernel in the non-loaded section ".hcq.kernels" holding a signature "name(a: ptr, n: u32)",
 * and a global function `hcq_kernel_<name>` in .symtab, the entry the firmware calls:
 *
 *   #include "hcq_tt_kernel.h"
 *   struct fill_args { uint64_t out; uint32_t value; uint32_t n; };
 *   HCQ_TT_KERNEL(fill_u32, "out: ptr, value: u32, n: u32", 0) { ... return 0; }
 *
 * Build (tt/firmware/meson.build does it): riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32
 *   -nostdlib -ffreestanding -msmall-data-limit=0 -DHCQ_TT_ARCH_WORMHOLE_B0 (or _BLACKHOLE)
 *   -T tt/kernels/kernel.ld -Wl,--no-relax runtime.c kernels.c -lgcc
 *
 * Execution: a launch spreads the grid's workgroups over cores; each core's firmware calls the
 * entry once per workgroup (d->workgroup says which). A workgroup's "threads" are the kernel's own
 * loop: there is one RISC-V core per workgroup at a time. Returning non-zero is a trap.
 *
 * Memory: a `ptr` argument is a 64-bit device address: the NOC0 coordinate of the tile holding the
 * memory (y << 6 | x) in bits 48..59 and the address inside that tile below (DRAM, another core's
 * L1, or host memory behind the PCIe tile). Kernels reach it only through NOC requests:
 * hcq_tt_read() and hcq_tt_write() move bytes between it and this core's L1, where the low
 * HCQ_TT_ALIGN_BITS of both addresses must be equal (hcq_tt_stage() picks such an L1 address). */
#ifndef HCQ_TT_KERNEL_H
#define HCQ_TT_KERNEL_H

#include <stdint.h>

#include "hcq_tt_kernel_record.h"
#include "layout.h"

/* ---- NIU request registers, per architecture ------------------------------------------------
 * Offsets: ttsim data/{wh,bh}/tile_regs.json ("noc_regs": 4 command buffers, stride 0x400 on
 * Wormhole and 0x800 on Blackhole; Blackhole adds *_HI coordinate registers and moves CMD_CTRL).
 * Command bits: tt-metal noc_parameters.h (NOC_CMD_WR = bit 1, NOC_CMD_RESP_MARKED = bit 4).
 * Alignment and size limits: ttsim src/tile.cpp noc_cmd_ctrl() (DRAM reads keep addr % 32 (WH) or
 * % 64 (BH) equal on both sides; writes % 16; at most 8192 (WH) / 16384 (BH) bytes a request). */
#define HCQ_TT_NIU0_BASE 0xFFB20000u
#define HCQ_TT_NOC_TARG_ADDR_LO 0x00u
#define HCQ_TT_NOC_TARG_ADDR_MID 0x04u
#define HCQ_TT_NOC_RET_ADDR_LO 0x0Cu
#define HCQ_TT_NOC_RET_ADDR_MID 0x10u
#define HCQ_TT_NOC_CTRL 0x1Cu
#define HCQ_TT_NOC_AT_LEN_BE 0x20u
#define HCQ_TT_NIU_MST_WR_ACK_RECEIVED 0x204u
#define HCQ_TT_NIU_MST_RD_RESP_RECEIVED 0x208u
#if defined(HCQ_TT_ARCH_BLACKHOLE)
#define HCQ_TT_NOC_TARG_ADDR_HI 0x08u
#define HCQ_TT_NOC_RET_ADDR_HI 0x14u
#define HCQ_TT_NOC_CMD_CTRL 0x40u
#elif defined(HCQ_TT_ARCH_WORMHOLE_B0)
#define HCQ_TT_NOC_CMD_CTRL 0x28u
#define HCQ_TT_NOC_COORD_SHIFT 36 /* WH: the coordinate sits above a 36-bit address in LO/MID */
#else
#error "define HCQ_TT_ARCH_WORMHOLE_B0 or HCQ_TT_ARCH_BLACKHOLE"
#endif
#define HCQ_TT_NOC_CMD_WR (1u << 1)
#define HCQ_TT_NOC_CMD_RESP_MARKED (1u << 4)
#define HCQ_TT_NOC_MAX_REQUEST 8192u /* the smaller of the two architectures' limits */
#define HCQ_TT_ALIGN_BITS 6          /* 64: covers every rule above on both */
#define HCQ_TT_ALIGN (1u << HCQ_TT_ALIGN_BITS)
#define HCQ_TT_NOC_POLLS 1000000u     /* a request not answered after this many reads is an error */

/* Trap values the runtime returns (a kernel passes them on). */
#define HCQ_TT_TRAP_NOC_TIMEOUT 0x7E01
#define HCQ_TT_TRAP_ALIGNMENT 0x7E02

#define HCQ_TT_ADDR_XY(a) ((uint32_t)((a) >> 48) & 0xFFFu)
#define HCQ_TT_ADDR_LOCAL(a) ((a) & 0xFFFFFFFFFFFFull)

/* This core's NOC0 coordinate, set by every entry before the kernel body runs. */
extern uint32_t hcq_tt_self_xy;

static inline volatile uint32_t* hcq_tt_niu(uint32_t offset) {
  return (volatile uint32_t*)(uintptr_t)(HCQ_TT_NIU0_BASE + offset); /* command buffer 0 */
}

static inline void hcq_tt_noc_address(uint32_t lo, uint64_t addr, uint32_t xy) {
#if defined(HCQ_TT_ARCH_BLACKHOLE)
  *hcq_tt_niu(lo) = (uint32_t)addr;
  *hcq_tt_niu(lo + 4) = (uint32_t)(addr >> 32);
  *hcq_tt_niu(lo + 8) = xy;
#else
  uint64_t full = addr | ((uint64_t)xy << HCQ_TT_NOC_COORD_SHIFT);
  *hcq_tt_niu(lo) = (uint32_t)full;
  *hcq_tt_niu(lo + 4) = (uint32_t)(full >> 32);
#endif
}

/* One request from command buffer 0; waits until `counter` moves (the response or the ack). */
static inline int hcq_tt_noc_request(uint32_t ctrl, uint64_t targ, uint32_t targ_xy, uint64_t ret, uint32_t ret_xy,
                                     uint32_t bytes, uint32_t counter) {
  uint32_t polls = 0;
  while (*hcq_tt_niu(HCQ_TT_NOC_CMD_CTRL) != 0) {
    if (++polls == HCQ_TT_NOC_POLLS) return HCQ_TT_TRAP_NOC_TIMEOUT;
  }
  uint32_t before = *hcq_tt_niu(counter);
  hcq_tt_noc_address(HCQ_TT_NOC_TARG_ADDR_LO, targ, targ_xy);
  hcq_tt_noc_address(HCQ_TT_NOC_RET_ADDR_LO, ret, ret_xy);
  *hcq_tt_niu(HCQ_TT_NOC_CTRL) = ctrl;
  *hcq_tt_niu(HCQ_TT_NOC_AT_LEN_BE) = bytes;
  *hcq_tt_niu(HCQ_TT_NOC_CMD_CTRL) = 1;
  for (polls = 0; *hcq_tt_niu(counter) == before;) {
    if (++polls == HCQ_TT_NOC_POLLS) return HCQ_TT_TRAP_NOC_TIMEOUT;
  }
  return 0;
}

/* Device memory at `src` -> this core's L1 at `dst`; (src ^ dst) % HCQ_TT_ALIGN must be 0. */
static inline int hcq_tt_read(uint64_t src, uint32_t dst, uint32_t bytes) {
  if (((uint32_t)src ^ dst) & (HCQ_TT_ALIGN - 1)) return HCQ_TT_TRAP_ALIGNMENT;
  while (bytes) {
    uint32_t n = bytes < HCQ_TT_NOC_MAX_REQUEST ? bytes : HCQ_TT_NOC_MAX_REQUEST;
    int rc = hcq_tt_noc_request(HCQ_TT_NOC_CMD_RESP_MARKED, HCQ_TT_ADDR_LOCAL(src), HCQ_TT_ADDR_XY(src), dst,
                                hcq_tt_self_xy, n, HCQ_TT_NIU_MST_RD_RESP_RECEIVED);
    if (rc) return rc;
    src += n, dst += n, bytes -= n;
  }
  HCQ_TT_INVALIDATE_L1_CACHE();  /* the NOC wrote L1 behind the data cache (Blackhole) */
  return 0;
}

/* This core's L1 at `src` -> device memory at `dst`; same alignment rule. */
static inline int hcq_tt_write(uint64_t dst, uint32_t src, uint32_t bytes) {
  if (((uint32_t)dst ^ src) & (HCQ_TT_ALIGN - 1)) return HCQ_TT_TRAP_ALIGNMENT;
  while (bytes) {
    uint32_t n = bytes < HCQ_TT_NOC_MAX_REQUEST ? bytes : HCQ_TT_NOC_MAX_REQUEST;
    int rc = hcq_tt_noc_request(HCQ_TT_NOC_CMD_WR | HCQ_TT_NOC_CMD_RESP_MARKED, src, hcq_tt_self_xy,
                                HCQ_TT_ADDR_LOCAL(dst), HCQ_TT_ADDR_XY(dst), n, HCQ_TT_NIU_MST_WR_ACK_RECEIVED);
    if (rc) return rc;
    src += n, dst += n, bytes -= n;
  }
  return 0;
}

/* An L1 address at or after `base` (which must be HCQ_TT_ALIGN-aligned) whose low bits match
 * device address `dev`, for hcq_tt_read/hcq_tt_write. */
static inline uint32_t hcq_tt_stage(uint32_t base, uint64_t dev) { return base + ((uint32_t)dev & (HCQ_TT_ALIGN - 1)); }

/* ---- kernel records -------------------------------------------------------------------------- */

#ifndef __cplusplus
#define HCQ_TT_KERNEL(name, signature, shared)                                                              \
  __attribute__((used, section(HCQ_TT_KERNEL_SECTION), aligned(8))) static const hcq_tt_kernel_record      \
      hcq_record_##name = {{'H', 'C', 'Q', 'K'}, HCQ_TT_KERNEL_VERSION, 256, (shared), 0,                   \
                           #name "(" signature ")"};                                                        \
  static int hcq_body_##name(hcq_tt_dispatch* d, const void* args);                                         \
  int hcq_kernel_##name(hcq_tt_dispatch* d, const void* args);                                              \
  int hcq_kernel_##name(hcq_tt_dispatch* d, const void* args) {                                             \
    hcq_tt_self_xy = d->noc_xy;                                                                             \
    return hcq_body_##name(d, args);                                                                        \
  }                                                                                                         \
  static int hcq_body_##name(hcq_tt_dispatch* d, const void* args)
#endif

/* The element range [*first, *end) of workgroup d->workgroup[0] for `n` elements. */
static inline void hcq_tt_workgroup_range(const hcq_tt_dispatch* d, uint32_t n, uint32_t* first, uint32_t* end) {
  uint32_t start = d->workgroup[0] * d->block[0];
  uint32_t stop = start + d->block[0];
  *first = start < n ? start : n;
  *end = stop < n ? stop : n;
}

#endif /* HCQ_TT_KERNEL_H */
