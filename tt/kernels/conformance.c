/* The conformance suite's kernels (tests/conformance) for the tt device: the same names,
 * signatures and results as tests/kernels/conformance_cpu.c, written for one RISC-V core per
 * workgroup that moves data through its L1 over the NOC. */
#include "hcq_tt_kernel.h"

#define CHUNK 1024u                             /* 32-bit elements staged per NOC request */
#define STAGE_BYTES (CHUNK * 4u + HCQ_TT_ALIGN) /* one staging buffer in scratch */

static uint32_t stage_buffer(const hcq_tt_dispatch* d, uint32_t index) { return d->scratch + index * STAGE_BYTES; }

/* c[i] = a[i] + b[i] (f32), i < n. */
struct vadd_args { uint64_t a, b, c; uint32_t n; };
HCQ_TT_KERNEL(vadd, "a: ptr, b: ptr, c: ptr, n: u32", 0) {
  const struct vadd_args* p = args;
  uint32_t first, end;
  hcq_tt_workgroup_range(d, p->n, &first, &end);
  for (uint32_t i = first; i < end; i += CHUNK) {
    uint32_t count = end - i < CHUNK ? end - i : CHUNK;
    uint64_t a = p->a + 4ull * i, b = p->b + 4ull * i, c = p->c + 4ull * i;
    uint32_t la = hcq_tt_stage(stage_buffer(d, 0), a), lb = hcq_tt_stage(stage_buffer(d, 1), b);
    uint32_t lc = hcq_tt_stage(stage_buffer(d, 2), c);
    int rc = hcq_tt_read(a, la, count * 4);
    if (!rc) rc = hcq_tt_read(b, lb, count * 4);
    if (rc) return rc;
    const float* x = (const float*)la;
    const float* y = (const float*)lb;
    float* z = (float*)lc;
    for (uint32_t j = 0; j < count; ++j) z[j] = x[j] + y[j];
    if ((rc = hcq_tt_write(c, lc, count * 4))) return rc;
  }
  return 0;
}

/* out[i] = value + i, i < n. */
struct fill_args { uint64_t out; uint32_t value, n; };
HCQ_TT_KERNEL(fill_u32, "out: ptr, value: u32, n: u32", 0) {
  const struct fill_args* p = args;
  uint32_t first, end;
  hcq_tt_workgroup_range(d, p->n, &first, &end);
  for (uint32_t i = first; i < end; i += CHUNK) {
    uint32_t count = end - i < CHUNK ? end - i : CHUNK;
    uint64_t out = p->out + 4ull * i;
    uint32_t l = hcq_tt_stage(stage_buffer(d, 0), out);
    uint32_t* v = (uint32_t*)l;
    for (uint32_t j = 0; j < count; ++j) v[j] = p->value + i + j;
    int rc = hcq_tt_write(out, l, count * 4);
    if (rc) return rc;
  }
  return 0;
}

/* out[i] = in[i] * scale + bias, i < n. */
struct axpb_args { uint64_t in, out; float scale; uint32_t pad; int64_t bias; uint32_t n; };
HCQ_TT_KERNEL(axpb, "in: ptr, out: ptr, scale: f32, bias: i64, n: u32", 0) {
  const struct axpb_args* p = args;
  uint32_t first, end;
  hcq_tt_workgroup_range(d, p->n, &first, &end);
  float bias = (float)p->bias;
  for (uint32_t i = first; i < end; i += CHUNK) {
    uint32_t count = end - i < CHUNK ? end - i : CHUNK;
    uint64_t in = p->in + 4ull * i, out = p->out + 4ull * i;
    uint32_t li = hcq_tt_stage(stage_buffer(d, 0), in), lo = hcq_tt_stage(stage_buffer(d, 1), out);
    int rc = hcq_tt_read(in, li, count * 4);
    if (rc) return rc;
    const float* x = (const float*)li;
    float* y = (float*)lo;
    for (uint32_t j = 0; j < count; ++j) y[j] = x[j] * p->scale + bias;
    if ((rc = hcq_tt_write(out, lo, count * 4))) return rc;
  }
  return 0;
}

/* out[workgroup] = the sum of the workgroup's elements of in (u32 -> u64), staged in shared memory. */
struct reduce_args { uint64_t in, out; uint32_t n; };
HCQ_TT_KERNEL(reduce_sum, "in: ptr, out: ptr, n: u32", 1024 * 8) {
  const struct reduce_args* p = args;
  uint32_t first, end;
  hcq_tt_workgroup_range(d, p->n, &first, &end);
  uint64_t sum = 0;
  for (uint32_t i = first; i < end; i += CHUNK) {
    uint32_t count = end - i < CHUNK ? end - i : CHUNK;
    uint64_t in = p->in + 4ull * i;
    uint32_t l = hcq_tt_stage(d->shared, in);
    int rc = hcq_tt_read(in, l, count * 4);
    if (rc) return rc;
    const uint32_t* x = (const uint32_t*)l;
    for (uint32_t j = 0; j < count; ++j) sum += x[j];
  }
  uint64_t out = p->out + 8ull * d->workgroup[0];
  uint32_t l = hcq_tt_stage(stage_buffer(d, 0), out);
  *(uint64_t*)l = sum;
  return hcq_tt_write(out, l, 8);
}

/* Each workgroup keeps its global indices in dynamic shared memory (at least block * 4 bytes, else
 * trap 99); out[j] = buf[t] * mul + add + tag for the thread t that mirrors j in the workgroup. */
struct affine { uint32_t mul, add, tag; };
struct reverse_affine_args { struct affine p; uint32_t pad; uint64_t out; uint32_t n; };
HCQ_TT_KERNEL(reverse_affine, "p: bytes[12], out: ptr, n: u32", 0) {
  const struct reverse_affine_args* a = args;
  uint32_t block = d->block[0];
  if (d->shared_bytes < block * 4) return 99;
  uint32_t* buf = (uint32_t*)d->shared;
  uint32_t base = d->workgroup[0] * block;
  for (uint32_t t = 0; t < block; ++t) buf[t] = base + t;
  uint32_t first, end;
  hcq_tt_workgroup_range(d, a->n, &first, &end);
  for (uint32_t i = first; i < end; i += CHUNK) {
    uint32_t count = end - i < CHUNK ? end - i : CHUNK;
    uint64_t out = a->out + 4ull * i;
    uint32_t l = hcq_tt_stage(stage_buffer(d, 0), out);
    uint32_t* v = (uint32_t*)l;
    for (uint32_t j = 0; j < count; ++j) {
      uint32_t t = block - 1 - (i + j - base);
      v[j] = buf[t] * a->p.mul + a->p.add + a->p.tag;
    }
    int rc = hcq_tt_write(out, l, count * 4);
    if (rc) return rc;
  }
  return 0;
}

/* seen[slot] = counter[0]; counter[0] += 1 (in-order execution). */
struct bump_args { uint64_t counter, seen; uint32_t slot; };
HCQ_TT_KERNEL(bump, "counter: ptr, seen: ptr, slot: u32", 0) {
  const struct bump_args* p = args;
  uint64_t seen = p->seen + 8ull * p->slot;
  uint32_t lc = hcq_tt_stage(stage_buffer(d, 0), p->counter), ls = hcq_tt_stage(stage_buffer(d, 1), seen);
  int rc = hcq_tt_read(p->counter, lc, 8);
  if (rc) return rc;
  uint64_t value = *(volatile uint64_t*)lc;
  *(volatile uint64_t*)ls = value;
  *(volatile uint64_t*)lc = value + 1;
  if ((rc = hcq_tt_write(seen, ls, 8))) return rc;
  return hcq_tt_write(p->counter, lc, 8);
}

/* Traps with `code`. */
struct trap_args { uint32_t code; };
HCQ_TT_KERNEL(trap, "code: u32", 0) {
  (void)d;
  return (int)((const struct trap_args*)args)->code;
}
