// SDMA 6 (sdma 6.0.x, gfx11's copy engine): engine 0 with one ring, queue 0, in host memory, fed by
// its doorbell with a byte write pointer. Sequence of Linux sdma_v6_0.c (sdma_v6_0_gfx_resume) at
// tinygrad AM_SDMA's size; facts in /work/shared/reference/amd.md §3.7. The registers live in the
// GC register map (am/registers/gc_11_0_0.hpp).
#pragma once

#include <cstdint>
#include <mutex>

#include "am/gpu.hpp"
#include "am/ip_block.hpp"

namespace hcq::am {

class SdmaV6 final : public IpBlock {
 public:
  static constexpr uint32_t doorbell_index = 0x100;  // AMDGPU_NAVI10_DOORBELL_sDMA_ENGINE0 (64-bit slots)
  static constexpr uint32_t ring_bytes = 256 * 1024;

  explicit SdmaV6(Gpu& gpu) : IpBlock(gpu) {}
  ~SdmaV6() override;
  std::string_view name() const noexcept override { return "SDMA"; }
  void init_hw() override;
  void fini_hw() noexcept override;

  std::byte* ring() const { return host_.buffer ? host_.buffer->cpu() : nullptr; }
  uint64_t ring_va() const { return host_.va; }
  // The engine's read pointer (bytes, not wrapped), as it writes it back.
  uint64_t rptr() const { return *reinterpret_cast<volatile uint64_t*>(ring() + ring_bytes); }
  // Publishes `wptr` (bytes, not wrapped) and rings the doorbell.
  void kick(uint64_t wptr);
  // The queue's users (copy queues of the backend) take turns through this.
  std::mutex& mutex() noexcept { return mutex_; }
  uint64_t& wptr() noexcept { return wptr_; }

 private:
  HostBlock host_;  // ring, then the rptr writeback (8 bytes) and the wptr poll word (8 bytes)
  uint64_t wptr_ = 0;
  std::mutex mutex_;
};

}  // namespace hcq::am
