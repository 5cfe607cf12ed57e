// Kernels the conformance suite runs on the nv device: the same names, signatures and semantics
// as tests/kernels/conformance_cpu.c (and vadd from tools/demo/vadd_cpu.c), as CUDA C++. Built to
// conformance-nv-sm_90.bin by regenerate.sh; the index i below is the cpu device's t.global_x.
#include <stdint.h>

#include "vadd.cuh"

// out[i] = value + i, for i < n.
HCQ_NV_SIGNATURE(fill_u32, "out: ptr, value: u32, n: u32");
extern "C" __global__ void fill_u32(uint32_t* out, uint32_t value, uint32_t n) {
  uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = value + i;
}

// out[i] = in[i] * scale + bias (f32 scalar, i64 scalar: exercises argument layout).
HCQ_NV_SIGNATURE(axpb, "in: ptr, out: ptr, scale: f32, bias: i64, n: u32");
extern "C" __global__ void axpb(const float* in, float* out, float scale, int64_t bias, uint32_t n) {
  uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * scale + (float)bias;
}

// One partial sum per block through 1024 * 8 bytes of static shared memory (blocks of up to 1024
// threads): out[blockIdx.x] = sum(in[blockIdx.x * blockDim.x + t]) over the block's threads t with
// an index below n. The same pairwise order as the cpu kernel; any block size works.
HCQ_NV_SIGNATURE(reduce_sum, "in: ptr, out: ptr, n: u32");
extern "C" __global__ void reduce_sum(const uint32_t* in, uint64_t* out, uint32_t n) {
  __shared__ uint64_t partial[1024];
  uint32_t t = threadIdx.x;
  uint32_t i = blockIdx.x * blockDim.x + t;
  partial[t] = i < n ? in[i] : 0;
  __syncthreads();
  for (uint32_t stride = 1; stride < blockDim.x; stride *= 2) {
    if (t % (2 * stride) == 0 && t + stride < blockDim.x) partial[t] += partial[t + stride];
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = partial[0];
}

// A by-value block and dynamic shared memory: each block stores its global indices in dynamic
// shared memory (at least blockDim.x * 4 bytes, else it traps), then thread t writes
// out[mirror(i)] = buf[t] * p.mul + p.add + p.tag, mirror() reversing the index inside the block;
// elements at or past n are not written.
struct affine {
  uint32_t mul, add, tag;
};
HCQ_NV_SIGNATURE(reverse_affine, "p: bytes[12], out: ptr, n: u32");
extern "C" __global__ void reverse_affine(affine p, uint32_t* out, uint32_t n) {
  extern __shared__ uint32_t buf[];
  uint32_t given;
  asm volatile("mov.u32 %0, %%dynamic_smem_size;" : "=r"(given));
  if (given < blockDim.x * 4) __trap();
  uint32_t t = threadIdx.x;
  buf[t] = blockIdx.x * blockDim.x + t;
  __syncthreads();
  uint32_t j = blockIdx.x * blockDim.x + (blockDim.x - 1 - t);
  if (j < n) out[j] = buf[t] * p.mul + p.add + p.tag;
}

// Reads a counter and adds one, once per block (run it with one thread in one block): launched back
// to back, it proves in-order execution.
HCQ_NV_SIGNATURE(bump, "counter: ptr, seen: ptr, slot: u32");
extern "C" __global__ void bump(uint64_t* counter, uint64_t* seen, uint32_t slot) {
  if (threadIdx.x != 0 || threadIdx.y != 0 || threadIdx.z != 0) return;
  seen[slot] = counter[0];
  counter[0] += 1;
}

// Traps: the device is lost. Writes nothing; `code` cannot travel back from a GPU trap (the cpu
// device reports it), it is here so that the signature is the same on every device.
HCQ_NV_SIGNATURE(trap, "code: u32");
extern "C" __global__ void trap(uint32_t code) {
  (void)code;
  __trap();
}
