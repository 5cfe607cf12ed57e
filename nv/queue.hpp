// NvQueue: one GPFIFO channel. Commands are built into the front end's CommandStream as push-
// buffer dwords; launch descriptors (QMDs) and constant banks go in its side data. push() places
// both in the queue's command ring (device memory the CPU writes through BAR1), adds a GPFIFO
// entry, moves GPPut and rings the usermode doorbell with the channel's token.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cubin_program.hpp"
#include "nv.hpp"

namespace hcq::nv {

class NvQueue final : public detail::QueueImpl {
 public:
  NvQueue(std::shared_ptr<detail::DeviceImpl> self, NvDevice& device, QueueKind kind);
  ~NvQueue() override;

  void encode_wait(detail::CommandStream& s, Value addr, Value value) override;
  void encode_signal(detail::CommandStream& s, Value addr, Value value) override;
  void encode_timestamp(detail::CommandStream& s, Value addr) override;
  void encode_barrier(detail::CommandStream& s) override;
  void encode_exec(detail::CommandStream& s, const detail::KernelImpl& k, const KernelArgs& args, Dim3 grid, Dim3 block) override;
  void encode_copy(detail::CommandStream& s, Value dst, Value src, uint64_t bytes) override;
  void encode_indirect(detail::CommandStream& s, detail::BoundStream& b) override;
  void push(detail::CommandStream& s) override;
  std::unique_ptr<detail::BoundStream> bind(detail::CommandStream&& s) override;

  // GPGet / GPPut of the channel, for messages.
  std::string describe_state() const;
  // Empty while the channel runs; else what its error notifier reports.
  // Called by the device's health poll (waits run it): a queue whose work has not moved for a
  // second gets a log line with its GPFIFO state and its doorbell rung again. Ringing is
  // harmless when the GPU is merely busy; it recovers a doorbell the GPU missed.
  void watch_progress() noexcept;
  std::string health() const noexcept;

 private:
  struct InFlight {
    uint64_t seq;      // the submit whose progress value frees it
    uint64_t begin, end;
  };
  struct Indirect {
    const detail::CommandStream* stream;
    size_t at;         // words before it
    uint64_t va;
    uint32_t dwords;
  };
  void setup_channel(detail::CommandStream& s);
  std::optional<uint32_t> encode_launch(detail::CommandStream& s, const NvKernel& kernel, std::string_view name,
                                        std::span<const std::byte> params, uint32_t dynamic_shared, Dim3 grid, Dim3 block);
  void order_launch(detail::CommandStream& s, const QmdLayout& layout, uint32_t q);
  void encode_kernel_copy(detail::CommandStream& s, Value dst, Value src, uint64_t bytes);
  void bind_local_memory(detail::CommandStream& s, const NvDevice::LocalMemory& lm);
  uint64_t ring_alloc(uint64_t bytes);
  void add_gp_entry(uint64_t va, uint32_t dwords);
  void kick();

  NvDevice& nv_;
  const detail::KernelImpl* copy_kernel_ = nullptr;  // the device's built-in copy kernel, once looked up
  NvDevice::Channel channel_;
  std::shared_ptr<detail::BufferImpl> gpfifo_;  // ring entries, then USERD
  std::shared_ptr<detail::BufferImpl> ring_;    // commands and side data
  uint32_t entries_ = 0;
  volatile uint64_t* gp_ring_ = nullptr;
  volatile uint32_t* userd_ = nullptr;
  uint64_t gp_put_ = 0;   // entries written, absolute
  uint64_t gp_seen_ = 0;  // entries known consumed, absolute
  uint64_t wptr_ = 0;     // byte offset in ring_
  std::deque<InFlight> in_flight_;
  std::vector<Indirect> indirect_;
  uint32_t local_per_thread_ = 0;
  bool set_up_ = false;
  // watch_progress() state, touched only under the device's queue-list lock.
  uint64_t watched_done_ = 0;
  uint32_t watched_get_ = 0;
  std::chrono::steady_clock::time_point watched_at_{};
  uint32_t rekicks_ = 0;
};

}  // namespace hcq::nv
