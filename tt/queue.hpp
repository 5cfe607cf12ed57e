// The tt device's queues. A Tensix chip has no command processor that reads our streams, so the
// shared host-executed queue (hcq/src/host_queue.hpp) runs them on a worker thread, the way
// tt-metal's host dispatch mode works (tt/device.hpp says more). What is tt's own: exec is a launch
// through the L1 mailbox (tt/launch.hpp), copy goes through the Chip's NOC reads and writes, and
// signal operands may be device addresses of this device's host memory.
#pragma once

#include "../hcq/src/host_queue.hpp"

namespace hcq::tt {

class TtDevice;

class TtQueue final : public detail::HostQueue {
 public:
  TtQueue(std::shared_ptr<detail::DeviceImpl> device, QueueKind kind);
  ~TtQueue() override;

 private:
  bool run_exec(const detail::HostExec& e) noexcept override;
  bool run_copy(uint64_t dst, uint64_t src, uint64_t bytes) noexcept override;
  uint64_t* signal_word(uint64_t addr) noexcept override;
  TtDevice& tt() const noexcept;
};

}  // namespace hcq::tt
