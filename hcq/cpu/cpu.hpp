// The cpu backend: the reference implementation of the hcq contract, and the default device.
//
// Memory is host memory (mmap'd chunks; the device address is the host address). Each queue has a
// ring of 32-bit command words and a worker thread that executes them in order, like a GPU's
// command processor (src/host_queue.hpp): those words are this device's "packet" format, so
// graphs, patching and indirect buffers work on it exactly as on hardware.
#pragma once

#include <vector>

#include "../src/backend.hpp"
#include "../src/host_queue.hpp"

namespace hcq::cpu {

// The command words and the worker are the shared host-executed queue (src/host_queue.hpp); the
// cpu device runs kernels as host functions and copies with memmove.
class CpuQueue final : public detail::HostQueue {
 public:
  CpuQueue(std::shared_ptr<detail::DeviceImpl> device, QueueKind kind, size_t ring_words);
  ~CpuQueue() override;

 private:
  bool run_exec(const detail::HostExec& e) noexcept override;
  bool run_copy(uint64_t dst, uint64_t src, uint64_t bytes) noexcept override;

  std::vector<std::byte> shared_;  // workgroup memory
};

}  // namespace hcq::cpu
