// Kernels for the nv backend's hardware tests and benchmarks (issue 7), built to hw-nv-sm_90.bin by
// regenerate.sh. Each exercises one part of the loader or the launcher; the comment above each says
// how to launch it and what to expect.
#include <hcq/nv_kernel.h>
#include <stdint.h>

// Shared-memory reduction: *out += sum(in[0..n)), any grid and any block of 32..1024 threads (a
// multiple of 32). Grid-stride loop, then a warp-shuffle and shared-memory tree per block, then one
// 64-bit atomic add per block. *out must be zeroed before the launch; the result is exact.
HCQ_NV_SIGNATURE(reduce_u64, "in: ptr, out: ptr, n: u32");
extern "C" __global__ void reduce_u64(const uint32_t* in, unsigned long long* out, uint32_t n) {
  __shared__ unsigned long long warp_sums[32];
  unsigned long long sum = 0;
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) sum += in[i];
  for (int d = 16; d > 0; d /= 2) sum += __shfl_down_sync(0xffffffffu, sum, d);
  uint32_t lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) warp_sums[warp] = sum;
  __syncthreads();
  if (warp == 0) {
    sum = lane < blockDim.x / 32 ? warp_sums[lane] : 0;
    for (int d = 16; d > 0; d /= 2) sum += __shfl_down_sync(0xffffffffu, sum, d);
    if (lane == 0) atomicAdd(out, sum);
  }
}

// C = A * B, row-major, A is M x K, B is K x N, C is M x N, all f32. 16 x 16 tiles through static
// shared memory (2 KiB). Launch: block (16, 16), grid (ceil(N / 16), ceil(M / 16)); any sizes
// (e.g. 1000 x 1001 x 999): the edges are guarded. __launch_bounds__ gives the cubin a
// MAX_THREADS of 256.
constexpr int tile = 16;
HCQ_NV_SIGNATURE(sgemm, "A: ptr, B: ptr, C: ptr, M: u32, N: u32, K: u32");
extern "C" __global__ void __launch_bounds__(tile * tile)
    sgemm(const float* A, const float* B, float* C, uint32_t M, uint32_t N, uint32_t K) {
  __shared__ float As[tile][tile];
  __shared__ float Bs[tile][tile];
  uint32_t row = blockIdx.y * tile + threadIdx.y;
  uint32_t col = blockIdx.x * tile + threadIdx.x;
  float acc = 0.0f;
  for (uint32_t k0 = 0; k0 < K; k0 += tile) {
    uint32_t ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;
    As[threadIdx.y][threadIdx.x] = row < M && ka < K ? A[(uint64_t)row * K + ka] : 0.0f;
    Bs[threadIdx.y][threadIdx.x] = kb < K && col < N ? B[(uint64_t)kb * N + col] : 0.0f;
    __syncthreads();
#pragma unroll
    for (int k = 0; k < tile; ++k) acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
    __syncthreads();
  }
  if (row < M && col < N) C[(uint64_t)row * N + col] = acc;
}

// A by-value parameter larger than 4 KiB: out[i] = big.v[i] for i < min(n, 1100). The signature
// kinds cannot describe a 4400-byte struct, so this kernel has no annotation: the loader reports
// arg0 (4400 bytes at offset 0) as unsupported until hcq has a kind for raw bytes. nvcc describes
// a parameter block this large with KPARAM_INFO_V2 records, not KPARAM_INFO.
struct Big {
  float v[1100];
};
extern "C" __global__ void big_param(Big big, float* out, uint32_t n) {
  uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n && i < 1100) out[i] = big.v[i];
}

// 64 KiB of dynamic shared memory (more than the 48 KiB a CUDA kernel gets without opting in).
// The cubin does not know this size: the launch must ask for dyn_shared_bytes of dynamic shared
// memory, which means QMD SHARED_MEMORY_SIZE = 64 KiB + the 1 KiB reserve, a shared-memory
// carve-out of at least that, and the dynamic size in constant bank 0 (0x2C), where
// %dynamic_smem_size reads it. The kernel traps if it was given less, so a launcher that forgets
// fails loudly. Each block handles 16384 floats: out[b * 16384 + j] = in[b * 16384 + 16383 - j]
// (elements at or past n read as 0 and are not written). Any block size.
constexpr uint32_t dyn_shared_bytes = 64 * 1024;
constexpr uint32_t dyn_floats = dyn_shared_bytes / sizeof(float);
HCQ_NV_SIGNATURE(dyn_shared, "in: ptr, out: ptr, n: u32");
extern "C" __global__ void dyn_shared(const float* in, float* out, uint32_t n) {
  extern __shared__ float buf[];
  uint32_t given;
  asm volatile("mov.u32 %0, %%dynamic_smem_size;" : "=r"(given));
  if (given < dyn_shared_bytes) __trap();
  uint64_t base = (uint64_t)blockIdx.x * dyn_floats;
  for (uint32_t j = threadIdx.x; j < dyn_floats; j += blockDim.x) buf[j] = base + j < n ? in[base + j] : 0.0f;
  __syncthreads();
  for (uint32_t j = threadIdx.x; j < dyn_floats; j += blockDim.x) {
    if (base + j < n) out[base + j] = buf[dyn_floats - 1 - j];
  }
}

// Module data: an initialised __device__ variable (.nv.global.init), a zero-initialised one
// (.nv.global) and a __constant__ table (.nv.constant3, bound as c[3]). Their addresses reach the
// code through constant bank 4, filled by R_CUDA_64 relocations at load time. One thread:
// out[0] = 0x1234abcd, out[1] = how many times globals ran before (0 on the first launch after
// loading), out[2] = the bits of 2.5f.
__device__ uint32_t hw_init_value = 0x1234abcdu;
__device__ uint32_t hw_launches;
__constant__ float hw_coeffs[4] = {0.5f, 1.5f, 2.5f, 3.5f};
HCQ_NV_SIGNATURE(globals, "out: ptr");
extern "C" __global__ void globals(uint32_t* out) {
  if (threadIdx.x != 0 || blockIdx.x != 0) return;
  out[0] = hw_init_value;
  out[1] = atomicAdd(&hw_launches, 1u);
  out[2] = __float_as_uint(hw_coeffs[2]);
}

// A C++ kernel without annotation: the loader takes its kinds from the mangled name
// (_ZN2hw5saxpyEfPKfPfj: f32, ptr, ptr, u32), names them arg0..arg3, and finds it as "saxpy" too.
// y[i] = a * x[i] + y[i] for i < n.
namespace hw {
__global__ void saxpy(float a, const float* x, float* y, uint32_t n) {
  uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
}  // namespace hw

// The host-overhead benchmark's kernels (as bench/kernels_cpu.c): empty does nothing; touch adds n
// to a[0] (a 64-bit counter) once per launch, from the first thread of block (0, 0, 0).
HCQ_NV_SIGNATURE(empty, "a: ptr, n: u32");
extern "C" __global__ void empty(uint64_t* a, uint32_t n) {
  (void)a;
  (void)n;
}

HCQ_NV_SIGNATURE(touch, "a: ptr, n: u32");
extern "C" __global__ void touch(uint64_t* a, uint32_t n) {
  if (blockIdx.x == 0 && blockIdx.y == 0 && blockIdx.z == 0 && threadIdx.x == 0 && threadIdx.y == 0 && threadIdx.z == 0)
    a[0] += n;
}

// Per-thread local memory: a volatile 2 KiB array lives in local memory (the launcher must size
// the device's local-memory pool from the kernel's frame). With k odd, (j * k + i) % 512 visits
// every slot once, so out[i] = i * (0 + 1 + ... + 511) = i * 130816 (mod 2^32), for i < n.
HCQ_NV_SIGNATURE(local_scratch, "out: ptr, n: u32, k: u32");
extern "C" __global__ void local_scratch(uint32_t* out, uint32_t n, uint32_t k) {
  uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  volatile uint32_t scratch[512];
  for (uint32_t j = 0; j < 512; ++j) scratch[j] = i * j;
  uint32_t sum = 0;
  for (uint32_t j = 0; j < 512; ++j) sum += scratch[(j * k + i) % 512];
  if (i < n) out[i] = sum;
}

// Writes `value` to the raw address `addr` (a u64, not a buffer): the hardware tests point it at
// an unmapped address to provoke an MMU fault.
HCQ_NV_SIGNATURE(poke, "addr: u64, value: u32");
extern "C" __global__ void poke(uint64_t addr, uint32_t value) {
  if (threadIdx.x == 0 && blockIdx.x == 0) *reinterpret_cast<volatile uint32_t*>(addr) = value;
}

// out[n - 1 - i] = in[i] + 1 (f32), one element per thread: in a chain of these, what the last
// CTAs of one grid write is what the first CTAs of the next read, on other SMs (the chained-launch
// test). Launch: blocks of 256, enough of them for n.
HCQ_NV_SIGNATURE(reverse_add1, "in: ptr, out: ptr, n: u32");
extern "C" __global__ void reverse_add1(const float* in, float* out, uint32_t n) {
  uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[n - 1 - i] = in[i] + 1.0f;
}
