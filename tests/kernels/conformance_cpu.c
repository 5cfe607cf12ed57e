/* Kernels the conformance suite runs on the cpu device. Every backend ships the same kernels,
 * with the same names and signatures, in its own code-object format. */
#include <hcq/cpu_kernel.h>
#include <stdint.h>

/* vadd ("a: ptr, b: ptr, c: ptr, n: u32") comes from tools/demo/vadd_cpu.c, linked into this module. */

/* out[i] = value + i, for i < n. */
struct fill_args { uint32_t* out; uint32_t value; uint32_t n; };
HCQ_CPU_KERNEL(fill_u32, "out: ptr, value: u32, n: u32", 0) {
  const struct fill_args* p = (const struct fill_args*)args;
  HCQ_FOR_EACH_THREAD(d, t) {
    if (t.global_x < p->n) p->out[t.global_x] = p->value + t.global_x;
  }
  return 0;
}

/* out[i] = in[i] * scale + bias (f32 scalar, i64 scalar: exercises argument layout). */
struct axpb_args { const float* in; float* out; float scale; int64_t bias; uint32_t n; };
HCQ_CPU_KERNEL(axpb, "in: ptr, out: ptr, scale: f32, bias: i64, n: u32", 0) {
  const struct axpb_args* p = (const struct axpb_args*)args;
  HCQ_FOR_EACH_THREAD(d, t) {
    if (t.global_x < p->n) p->out[t.global_x] = p->in[t.global_x] * p->scale + (float)p->bias;
  }
  return 0;
}

/* One partial sum per workgroup through workgroup-shared memory: out[wg] = sum(in[wg*block ..]). */
struct reduce_args { const uint32_t* in; uint64_t* out; uint32_t n; };
HCQ_CPU_KERNEL(reduce_sum, "in: ptr, out: ptr, n: u32", 1024 * 8) {
  const struct reduce_args* p = (const struct reduce_args*)args;
  uint64_t* partial = (uint64_t*)d->shared;
  HCQ_FOR_EACH_THREAD(d, t) { partial[t.local_x] = t.global_x < p->n ? p->in[t.global_x] : 0; }
  for (uint32_t stride = 1; stride < d->block[0]; stride *= 2) {
    HCQ_FOR_EACH_THREAD(d, t) {
      if (t.local_x % (2 * stride) == 0 && t.local_x + stride < d->block[0]) partial[t.local_x] += partial[t.local_x + stride];
    }
  }
  p->out[d->workgroup[0]] = partial[0];
  return 0;
}

/* A by-value block and dynamic shared memory: each workgroup stores its global indices in
 * dynamic shared memory (at least block * 4 bytes, else it traps with 99), then thread t writes
 * out[mirror(i)] = buf[t] * p.mul + p.add + p.tag, mirror() reversing the index inside the
 * workgroup; elements at or past n are not written. */
struct affine { uint32_t mul, add, tag; };
struct reverse_affine_args { struct affine p; uint32_t* out; uint32_t n; };
HCQ_CPU_KERNEL(reverse_affine, "p: bytes[12], out: ptr, n: u32", 0) {
  const struct reverse_affine_args* a = (const struct reverse_affine_args*)args;
  uint32_t* buf = (uint32_t*)d->shared;
  if (d->shared_bytes < (uint64_t)d->block[0] * 4) return 99;
  HCQ_FOR_EACH_THREAD(d, t) { buf[t.local_x] = t.global_x; }
  HCQ_FOR_EACH_THREAD(d, t) {
    uint32_t j = d->workgroup[0] * d->block[0] + (d->block[0] - 1 - t.local_x);
    if (j < a->n) a->out[j] = buf[t.local_x] * a->p.mul + a->p.add + a->p.tag;
  }
  return 0;
}

/* Reads a counter and adds one: run back to back, it proves in-order execution. */
struct bump_args { uint64_t* counter; uint64_t* seen; uint32_t slot; };
HCQ_CPU_KERNEL(bump, "counter: ptr, seen: ptr, slot: u32", 0) {
  const struct bump_args* p = (const struct bump_args*)args;
  p->seen[p->slot] = p->counter[0];
  p->counter[0] += 1;
  (void)d;
  return 0;
}

/* Traps with `code` (the device is lost). */
struct trap_args { uint32_t code; };
HCQ_CPU_KERNEL(trap, "code: u32", 0) {
  (void)d;
  return (int)((const struct trap_args*)args)->code;
}
