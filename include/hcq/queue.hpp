// Hardware command queues: record a chain of operations, then submit() them to the device.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "hcq/memory.hpp"
#include "hcq/program.hpp"
#include "hcq/signal.hpp"

namespace hcq {

namespace detail {
class QueueImpl;
}

enum class QueueKind : uint8_t { compute, copy };
std::string_view to_string(QueueKind kind) noexcept;

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
  constexpr uint64_t count() const noexcept { return uint64_t{x} * y * z; }
};

// A buffer operand: a buffer (or a view of one), or a graph buffer variable plus a byte offset.
struct BufferRef {
  BufferRef(const Buffer& b) : buffer(b) {}  // NOLINT(google-explicit-constructor)
  BufferRef(BufferVar v, size_t offset = 0) : var(v), var_offset(offset) {}  // NOLINT(google-explicit-constructor)
  Buffer buffer;
  BufferVar var;
  size_t var_offset = 0;
};

// Operations are recorded in order and run in order: each starts after the previous one finished
// and its memory writes are visible (the queue is in-order). Recording never throws: the first
// error is kept and raised by submit(), which then drops the whole recording.
//
// A Queue handle made by Device::queue() owns a hardware queue. Graph::on(queue) returns a handle
// that records into a graph instead: the same verbs, variables allowed, no submit().
class Queue {
 public:
  Queue() = default;
  explicit operator bool() const noexcept { return impl_ != nullptr; }

  // Stalls the queue until `signal` >= value. The signal may belong to another device.
  Queue& wait(const Signal& signal, Value value);
  // Writes `value` to `signal` once everything before it finished (a release).
  Queue& signal(const Signal& signal, Value value);
  // Writes the device clock to the signal's timestamp slot once everything before it finished.
  Queue& timestamp(const Signal& signal);
  // Makes memory writes of earlier operations visible to later ones and to the host (caches flushed
  // and invalidated). Compute queues only.
  Queue& memory_barrier();
  // Runs `args.kernel()` over `grid` workgroups of `block` threads. Compute queues only.
  Queue& exec(const KernelArgs& args, Dim3 grid, Dim3 block);
  // Copies `bytes` from src to dst (any size, any alignment).
  Queue& copy(BufferRef dst, BufferRef src, size_t bytes);

  // Sends what was recorded to the device. Throws the sticky recording error, if any, and
  // hcq::Error when the device was lost. Recording may continue after submit().
  void submit();

  QueueKind kind() const noexcept;
  // Submits that the device has finished, and submits made so far (diagnostics, tests).
  uint64_t completed_submits() const noexcept;
  uint64_t submitted_submits() const noexcept;

  const std::shared_ptr<detail::QueueImpl>& impl() const noexcept { return impl_; }
  explicit Queue(std::shared_ptr<detail::QueueImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<detail::QueueImpl> impl_;
};

}  // namespace hcq
