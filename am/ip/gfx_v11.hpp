// GFX 11 (gc 11.0.x) for compute without KIQ/MES, at tinygrad AM_GFX's size: wait for the RLC
// autoload the PSP started, start the RS64 MEC, per-VMID shader memory apertures, the MEC doorbell
// range, then compute queues programmed straight into an HQD from a v11 MQD (am/pkt/mqd_v11.hpp).
// The GC hub is programmed by the GMC block (init_hub), called from here once the RLC runs. Sources: Linux gfx_v11_0.c (gfx_v11_0_cp_compute_resume, the HQD
// dequeue), tinygrad AM_GFX; facts in /work/shared/reference/amd.md §3.6 and §3a.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "am/gpu.hpp"
#include "am/ip_block.hpp"

namespace hcq::am {

class GfxV11 final : public IpBlock {
 public:
  static constexpr unsigned queues_per_pipe = 8;
  static constexpr uint32_t first_mec_doorbell = 3;  // AMDGPU_NAVI10_DOORBELL_MEC_RING0 (64-bit slots)

  explicit GfxV11(Gpu& gpu);
  ~GfxV11() override;
  std::string_view name() const noexcept override { return "GFX"; }
  void init_sw() override;
  void init_hw() override;
  void fini_hw() noexcept override;
  // gfx_v11_0_suspend / _resume: every live queue is dequeued with its read pointer saved, the MEC
  // halted; resume starts the MEC again and reloads each queue's HQD from its MQD with the saved read
  // pointer and the write pointer the queue last published, so queues created before go on.
  void suspend() override;
  void resume() override;
  // gfx_v11_0_is_idle: GRBM_STATUS.gui_active clear.
  IdleState idle_state() override;
  std::string firmware_versions() const override { return mec_version_; }

  // A compute queue of MEC1 pipe 0: the PM4 ring and the words the CP reports through, in host
  // memory the CPU writes directly.
  struct ComputeQueue {
    unsigned queue = 0;
    uint32_t doorbell = 0;
    uint32_t ring_bytes = 0;
    HostBlock host;    // ring, then the rptr report and the wptr poll word
    VramBlock mqd, eop;
    uint32_t saved_rptr = 0;  // CP_HQD_PQ_RPTR (dwords, wrapped) read back at suspend
    std::byte* ring() const { return host.buffer->cpu(); }
    uint64_t ring_va() const { return host.va; }
    volatile uint32_t* rptr() const { return reinterpret_cast<volatile uint32_t*>(ring() + ring_bytes); }
    volatile uint64_t* wptr() const { return reinterpret_cast<volatile uint64_t*>(ring() + ring_bytes + 8); }
  };
  // Allocates and starts a queue; throws hcq::Error naming GFX and what the HQD showed.
  std::unique_ptr<ComputeQueue> create_compute_queue(uint32_t ring_bytes);
  // Dequeues (resetting its waves) and frees it.
  void destroy_compute_queue(std::unique_ptr<ComputeQueue> q) noexcept;
  // Publishes `wptr` (dwords, not wrapped) where the CP polls it and rings the queue's doorbell.
  void kick(ComputeQueue& q, uint64_t wptr);
  // CP_HQD_ERROR of the queue (0: none; the sim model's codes are am/sim/cp.hpp CpError).
  uint32_t queue_error(const ComputeQueue& q);

 private:
  void select(unsigned me, unsigned pipe, unsigned queue, unsigned vmid = 0);
  void start_mec();
  void shader_memory();
  void program_hqd(ComputeQueue& q, uint32_t rptr, uint64_t wptr);
  void dequeue(ComputeQueue& q, uint32_t request);

  std::mutex mutex_;  // GRBM_GFX_CNTL selects one queue for the whole chip
  uint64_t mec_start_ = 0;
  std::string mec_version_;
  ComputeQueue* live_[queues_per_pipe] = {};  // by HQD; the queues resume() brings back
};

// Registers the GFX and SDMA blocks with am::Gpu (add_block_factory); idempotent.
void register_queue_blocks();

}  // namespace hcq::am
