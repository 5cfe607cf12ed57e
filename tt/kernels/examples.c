/* The tt device's own example kernels (tests/tt/compute): a vector add in L1 on many cores, a copy
 * DRAM -> L1 -> DRAM over the NOC, a kernel that never finishes (the launch timeout's test), and one
 * that waits for a flag another queue writes (the locking test). */
#include "hcq_tt_kernel.h"

/* c[i] = a[i] + b[i] (u32) on arrays in this core's own L1 (addresses as given by the host). */
struct vadd_l1_args { uint32_t a, b, c, n; };
HCQ_TT_KERNEL(vadd_l1, "a: u32, b: u32, c: u32, n: u32", 0) {
  const struct vadd_l1_args* p = args;
  const volatile uint32_t* a = (const volatile uint32_t*)p->a;
  const volatile uint32_t* b = (const volatile uint32_t*)p->b;
  volatile uint32_t* c = (volatile uint32_t*)p->c;
  (void)d;
  for (uint32_t i = 0; i < p->n; ++i) c[i] = a[i] + b[i];
  return 0;
}

/* Copies `chunk` bytes per workgroup from src to dst through a buffer in this core's L1. */
struct dram_copy_args { uint64_t src, dst; uint32_t chunk, bytes; };
HCQ_TT_KERNEL(dram_copy, "src: ptr, dst: ptr, chunk: u32, bytes: u32", 0) {
  const struct dram_copy_args* p = args;
  uint32_t offset = d->workgroup[0] * p->chunk;
  if (offset >= p->bytes) return 0;
  uint32_t n = p->bytes - offset < p->chunk ? p->bytes - offset : p->chunk;
  if (n + HCQ_TT_ALIGN > d->scratch_bytes) return 98;
  uint64_t src = p->src + offset, dst = p->dst + offset;
  uint32_t l1 = hcq_tt_stage(d->scratch, src);
  if (((uint32_t)src ^ (uint32_t)dst) & (HCQ_TT_ALIGN - 1)) return HCQ_TT_TRAP_ALIGNMENT;
  int rc = hcq_tt_read(src, l1, n);
  return rc ? rc : hcq_tt_write(dst, l1, n);
}

/* Never returns: the host's launch timeout must catch it and reset the core. */
HCQ_TT_KERNEL(spin, "", 0) {
  (void)d;
  (void)args;
  for (volatile uint32_t i = 0;; i = i + 1) {
  }
  return 0;
}

/* Reads the u32 at `flag` until it equals `expect` (at most max_polls reads), then writes
 * {expect, reads made} to `out`. It finishes only if another queue's copy lands while it runs. */
#define WAIT_FLAG_GAVE_UP 0x7E10
struct wait_flag_args { uint64_t flag, out; uint32_t expect, max_polls; };
HCQ_TT_KERNEL(wait_flag, "flag: ptr, out: ptr, expect: u32, max_polls: u32", 0) {
  const struct wait_flag_args* p = args;
  uint32_t lf = hcq_tt_stage(d->scratch, p->flag);
  uint32_t lo = hcq_tt_stage(d->scratch + 2 * HCQ_TT_ALIGN, p->out);
  for (uint32_t polls = 1; polls <= p->max_polls; ++polls) {
    int rc = hcq_tt_read(p->flag, lf, 8);
    if (rc) return rc;
    if (*(volatile uint32_t*)lf == p->expect) {
      ((volatile uint32_t*)lo)[0] = p->expect;
      ((volatile uint32_t*)lo)[1] = polls;
      return hcq_tt_write(p->out, lo, 8);
    }
  }
  return WAIT_FLAG_GAVE_UP;
}
