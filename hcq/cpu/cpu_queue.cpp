// The cpu device's queues: what the shared host-executed queue (src/host_queue.hpp) leaves to a
// backend. Kernels are host functions run once per workgroup; copies are memmove.
#include <cstring>

#include "cpu.hpp"
#include "hcq/cpu_kernel.h"

namespace hcq::cpu {

namespace {

constexpr auto drain_timeout = std::chrono::seconds(5);
constexpr size_t max_args_bytes = 4096;

}  // namespace

CpuQueue::CpuQueue(std::shared_ptr<detail::DeviceImpl> device, QueueKind kind, size_t ring_words)
    : HostQueue(std::move(device), kind, ring_words) {
  shared_.resize(this->device().props().max_shared_bytes);
  start();
}

CpuQueue::~CpuQueue() { stop(drain_timeout); }

bool CpuQueue::run_exec(const detail::HostExec& e) noexcept {
  alignas(16) std::byte args[max_args_bytes];
  if (e.args.size() > sizeof(args) || e.shared_bytes > shared_.size()) {
    trap(fmt::format("malformed exec command: {} bytes of arguments, {} bytes of shared memory", e.args.size(),
                     e.shared_bytes));
    return false;
  }
  std::memcpy(args, e.args.data(), e.args.size());
  auto entry = reinterpret_cast<hcq_cpu_kernel_fn>(e.kernel->entry);
  hcq_cpu_dispatch d{};
  std::copy(e.grid, e.grid + 3, d.grid);
  std::copy(e.block, e.block + 3, d.block);
  d.shared_bytes = e.shared_bytes;
  d.shared = shared_.data();
  for (d.workgroup[2] = 0; d.workgroup[2] < d.grid[2]; ++d.workgroup[2]) {
    for (d.workgroup[1] = 0; d.workgroup[1] < d.grid[1]; ++d.workgroup[1]) {
      for (d.workgroup[0] = 0; d.workgroup[0] < d.grid[0]; ++d.workgroup[0]) {
        if (int rc = entry(&d, args); rc != 0) {
          trap(fmt::format("kernel '{}' trapped (returned {}) in workgroup ({},{},{})", e.kernel->info.name, rc,
                           d.workgroup[0], d.workgroup[1], d.workgroup[2]));
          return false;
        }
      }
    }
  }
  return true;
}

bool CpuQueue::run_copy(uint64_t dst, uint64_t src, uint64_t bytes) noexcept {
  std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
  return true;
}

}  // namespace hcq::cpu
