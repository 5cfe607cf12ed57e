// The copy kernel behind Queue::copy on nv compute queues (nv/queue.cpp): compute queues have no
// copy engine of their own, and the SMs move device memory faster than one copy engine does (an
// H100's COPY4 tops out near 550 GB/s for device-to-device copies, its SMs near HBM bandwidth).
// Built for every SM the chip table lists and embedded in libhcq (nv/kernels/regenerate.sh).
//
// Any size and alignment. The path is chosen once per launch from how dst and src line up:
// 16-byte vectors when dst and src share their address modulo 16, 4-byte words when modulo 4,
// else bytes. The unaligned head and tail of the vector paths are copied bytewise. The kernel
// reads nothing from constant bank 0 but its parameters (no blockDim/gridDim: the block size is a
// compile-time constant and the host passes the thread count), so it does not depend on the bank
// layout of the SM generation it runs on.
#include <cstdint>

namespace {

constexpr unsigned block_threads = 256;  // nv/queue.cpp launches blocks of this many threads
constexpr unsigned unroll = 4;           // loads in flight per thread before the stores

template <typename T>
__device__ __forceinline__ void copy_body(T* dst, const T* src, uint64_t count, uint64_t first, uint64_t threads) {
  uint64_t i = first;
  for (; i + (unroll - 1) * threads < count; i += unroll * threads) {
    T v[unroll];
#pragma unroll
    for (unsigned u = 0; u < unroll; ++u) v[u] = src[i + u * threads];
#pragma unroll
    for (unsigned u = 0; u < unroll; ++u) dst[i + u * threads] = v[u];
  }
  for (; i < count; i += threads) dst[i] = src[i];
}

__device__ __forceinline__ void copy_bytes(uint8_t* dst, const uint8_t* src, uint64_t n, uint64_t first, uint64_t threads) {
  for (uint64_t i = first; i < n; i += threads) dst[i] = src[i];
}

template <typename T>
__device__ __forceinline__ void copy_aligned(uint8_t* dst, const uint8_t* src, uint64_t n, uint64_t first, uint64_t threads) {
  constexpr uint64_t w = sizeof(T);
  uint64_t head = (w - reinterpret_cast<uintptr_t>(dst) % w) % w;
  if (head > n) head = n;
  uint64_t count = (n - head) / w;
  uint64_t tail = head + count * w;
  if (first < head) dst[first] = src[first];
  copy_body(reinterpret_cast<T*>(dst + head), reinterpret_cast<const T*>(src + head), count, first, threads);
  if (first < n - tail) dst[tail + first] = src[tail + first];
}

}  // namespace

// dst, src: the copy's addresses; n: bytes; threads: blocks * block_threads of this launch.
extern "C" __global__ void __launch_bounds__(block_threads) hcq_copy(uint8_t* dst, const uint8_t* src, uint64_t n, uint64_t threads) {
  uint64_t first = uint64_t{blockIdx.x} * block_threads + threadIdx.x;
  uintptr_t lined_up = reinterpret_cast<uintptr_t>(dst) ^ reinterpret_cast<uintptr_t>(src);
  if (lined_up % 16 == 0) {
    copy_aligned<uint4>(dst, src, n, first, threads);
  } else if (lined_up % 4 == 0) {
    copy_aligned<uint32_t>(dst, src, n, first, threads);
  } else {
    copy_bytes(dst, src, n, first, threads);
  }
}
