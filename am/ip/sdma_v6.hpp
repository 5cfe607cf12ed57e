// SDMA 6 (sdma 6.0.x, gfx11's copy engine): both engines, each with its eight ring queues
// (QUEUE0..QUEUE7 in gc_11_0_0_offset.h), handed out one ring per copy queue, in host memory, fed by
// the queue's doorbell with a byte write pointer. Each ring is programmed straight into its queue's
// registers the way the kernel loads a queue without MES (sdma_v6_0.c sdma_v6_0_gfx_resume_instance
// for QUEUE0; amdgpu_amdkfd_gfx_v11.c hqd_sdma_load for the others: the same registers at
// queue * (SDMA0_QUEUE1_RB_CNTL - SDMA0_QUEUE0_RB_CNTL)). At tinygrad AM_SDMA's size; facts in
// /work/shared/reference/amd.md §3.7. The registers live in the GC register map
// (am/registers/gc_11_0_0.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>

#include "am/gpu.hpp"
#include "am/ip_block.hpp"

namespace hcq::am {

class SdmaV6 final : public IpBlock {
 public:
  static constexpr unsigned engines = 2;             // SDMA0, SDMA1 on Navi 31
  static constexpr unsigned queues_per_engine = 8;   // gc_11_0_0::sdma_queues_per_engine
  static constexpr unsigned rings = engines * queues_per_engine;
  // AMDGPU_NAVI10_DOORBELL_sDMA_ENGINE0/1 (amdgpu_doorbell.h; 64-bit slots, ten per engine): queue q
  // of engine e rings slot first_doorbell[e] + q.
  static constexpr std::array<uint32_t, engines> first_doorbell = {0x100, 0x10a};
  static constexpr uint32_t ring_bytes = 256 * 1024;

  // One hardware ring: engine `engine`'s queue `queue`.
  struct Ring {
    unsigned engine = 0, queue = 0;
    uint32_t doorbell = 0;
    HostBlock host;      // ring, then the rptr writeback (8 bytes) and the wptr poll word (8 bytes)
    uint64_t wptr = 0;   // bytes, not wrapped
    std::byte* ring() const { return host.buffer->cpu(); }
    uint64_t ring_va() const { return host.va; }
    // The engine's read pointer (bytes, not wrapped), as it writes it back.
    uint64_t rptr() const { return *reinterpret_cast<volatile uint64_t*>(ring() + ring_bytes); }
  };

  explicit SdmaV6(Gpu& gpu) : IpBlock(gpu) {}
  ~SdmaV6() override;
  std::string_view name() const noexcept override { return "SDMA"; }
  void init_hw() override;
  void fini_hw() noexcept override;
  // sdma_v6_0_suspend / _resume: the rings stop; resume starts every ring that existed again with
  // the engine's read pointer (from its writeback) and the queue's write pointer, the way
  // sdma_v6_0_gfx_resume_instance restored them on a restart (its `restore` case), so queues go on.
  void resume() override;
  // sdma_v6_0_is_idle: SDMA0_STATUS_REG.idle set on every engine.
  IdleState idle_state() override;

  // Takes a free ring (engine 0's queues first, then engine 1's) and starts it; throws hcq::Error
  // (busy) naming SDMA when all `rings` are in use.
  std::unique_ptr<Ring> create_ring();
  // Stops the ring and frees it.
  void destroy_ring(std::unique_ptr<Ring> r) noexcept;
  // Publishes `wptr` (bytes, not wrapped) where the engine polls it and rings the doorbell.
  void kick(Ring& r, uint64_t wptr);

 private:
  void program(Ring& r, uint64_t rptr);
  void stop(const Ring& r);

  std::mutex mutex_;
  std::array<Ring*, rings> live_ = {};  // by engine * queues_per_engine + queue
};

}  // namespace hcq::am
