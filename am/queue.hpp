// The am backend's queues (queue_compute.cpp, queue_copy.cpp) and the graph streams they replay.
#pragma once

#include <deque>
#include <memory>

#include "am/device.hpp"
#include "am/ip/gfx_v11.hpp"
#include "am/ip/sdma_v6.hpp"
#include "backend.hpp"

namespace hcq::am {

// A graph's stream for either queue: placed in host memory the GPU reads (queue_compute.cpp).
std::unique_ptr<detail::BoundStream> bind_stream(AmDevice& device, detail::CommandStream&& s);

// PM4 on a compute HQD. Each submit's [side data][words] go into a host-memory arena and the ring
// gets one INDIRECT_BUFFER for them; arena space is reused once its submit completed.
class AmComputeQueue final : public detail::QueueImpl {
 public:
  AmComputeQueue(std::shared_ptr<detail::DeviceImpl> self, AmDevice& device);
  ~AmComputeQueue() override;

  void encode_wait(detail::CommandStream& s, Value addr, Value value) override;
  void encode_signal(detail::CommandStream& s, Value addr, Value value) override;
  void encode_timestamp(detail::CommandStream& s, Value addr) override;
  void encode_barrier(detail::CommandStream& s) override;
  void encode_exec(detail::CommandStream& s, const detail::KernelImpl& k, const KernelArgs& args, Dim3 grid, Dim3 block) override;
  void encode_copy(detail::CommandStream& s, Value dst, Value src, uint64_t bytes) override;
  void push(detail::CommandStream& s) override;
  std::unique_ptr<detail::BoundStream> bind(detail::CommandStream&& s) override;
  void encode_indirect(detail::CommandStream& s, detail::BoundStream& b) override;

 private:
  struct InFlight {
    uint64_t submit;
    uint64_t begin, end;
  };
  uint64_t arena_alloc(uint64_t bytes);
  void wait_completed(uint64_t submit, const char* what);

  AmDevice& am_;
  GfxV11& gfx_;
  std::unique_ptr<GfxV11::ComputeQueue> hw_;
  HostBlock arena_;
  uint64_t arena_at_ = 0;
  std::deque<InFlight> in_flight_;
  uint64_t wptr_ = 0;  // ring dwords, not wrapped
};

// SDMA: each copy queue owns one hardware ring (an SDMA engine's queue); the words go straight in.
class AmCopyQueue final : public detail::QueueImpl {
 public:
  AmCopyQueue(std::shared_ptr<detail::DeviceImpl> self, AmDevice& device);
  ~AmCopyQueue() override;

  void encode_wait(detail::CommandStream& s, Value addr, Value value) override;
  void encode_signal(detail::CommandStream& s, Value addr, Value value) override;
  void encode_timestamp(detail::CommandStream& s, Value addr) override;
  void encode_barrier(detail::CommandStream& s) override;
  void encode_exec(detail::CommandStream& s, const detail::KernelImpl& k, const KernelArgs& args, Dim3 grid, Dim3 block) override;
  void encode_copy(detail::CommandStream& s, Value dst, Value src, uint64_t bytes) override;
  void push(detail::CommandStream& s) override;
  std::unique_ptr<detail::BoundStream> bind(detail::CommandStream&& s) override;
  void encode_indirect(detail::CommandStream& s, detail::BoundStream& b) override;

 private:
  AmDevice& am_;
  SdmaV6& sdma_;
  std::unique_ptr<SdmaV6::Ring> ring_;
};

}  // namespace hcq::am
