// QueueImpl's vendor-neutral half: operand checks, sticky errors, progress tracking; and the
// public hcq::Queue handle. Recording never throws; submit() raises the first error.
#include "backend.hpp"
#include "graph_impl.hpp"

namespace hcq {

std::string_view to_string(QueueKind kind) noexcept { return kind == QueueKind::compute ? "compute" : "copy"; }

Queue& Queue::wait(const Signal& s, Value v) {
  impl_->record_wait(s, v);
  return *this;
}
Queue& Queue::signal(const Signal& s, Value v) {
  impl_->record_signal(s, v);
  return *this;
}
Queue& Queue::timestamp(const Signal& s) {
  impl_->record_timestamp(s);
  return *this;
}
Queue& Queue::memory_barrier() {
  impl_->record_barrier();
  return *this;
}
Queue& Queue::exec(const KernelArgs& args, Dim3 grid, Dim3 block) {
  impl_->record_exec(args, grid, block);
  return *this;
}
Queue& Queue::copy(BufferRef dst, BufferRef src, size_t bytes) {
  impl_->record_copy(dst, src, bytes);
  return *this;
}
void Queue::submit() { impl_->submit(); }
QueueKind Queue::kind() const noexcept { return impl_->kind(); }
uint64_t Queue::completed_submits() const noexcept { return impl_->completed(); }
uint64_t Queue::submitted_submits() const noexcept { return impl_->submitted(); }

}  // namespace hcq

namespace hcq::detail {

QueueImpl::QueueImpl(std::shared_ptr<DeviceImpl> device, QueueKind kind, bool hardware)
    : device_(std::move(device)), kind_(kind), hardware_(hardware) {
  static std::atomic<uint32_t> serial{0};
  name_ = fmt::format("{} queue {}", to_string(kind), serial.fetch_add(1));
  // A non-owning device pointer (use_count 0) marks a device-internal queue; its signal is internal too.
  progress_ = device_->new_signal(0, device_.use_count() == 0);
  if (hardware_) device_->register_queue(this);
}

QueueImpl::~QueueImpl() {
  if (hardware_) device_->unregister_queue(this);
}

uint64_t QueueImpl::completed() const noexcept {
  uint64_t sub = submitted();
  uint64_t seen = std::atomic_ref<uint64_t>(progress_->slot->value).load(std::memory_order_acquire);
  if (device_->props().signal_compare_bits == 64) return seen;
  // Only the low half is written: count back from what was submitted (fewer than 2^32 in flight).
  return sub - static_cast<uint32_t>(static_cast<uint32_t>(sub) - static_cast<uint32_t>(seen));
}

bool QueueImpl::drain(std::chrono::milliseconds timeout) {
  return Signal(progress_).wait(submitted(), timeout) == WaitStatus::signaled;
}

void QueueImpl::fail(Errc code, std::string message) {
  if (!error_) error_.emplace(code, device_->uri(), name_, message);
}

void QueueImpl::raise_sticky() {
  if (!error_) return;
  Error e = std::move(*error_);
  error_.reset();
  stream_.clear();
  throw e;
}

bool QueueImpl::check_value(Value v, const char* verb) {
  if (!v.is_var()) return true;
  if (!graph_) {
    fail(Errc::invalid_argument, fmt::format("{}: a graph variable was used on a queue outside a graph", verb));
    return false;
  }
  return graph_->check_var(*this, v.var, false, verb);
}

std::optional<Value> QueueImpl::signal_operand(const Signal& s, bool timestamp, const char* verb) {
  if (!s) {
    fail(Errc::invalid_argument, fmt::format("{}: empty signal handle", verb));
    return std::nullopt;
  }
  const SignalImpl& impl = *s.impl();
  uint64_t off = timestamp ? offsetof(SignalSlot, timestamp) : 0;
  try {
    // A device timeline may move to its other signal when it wraps: graphs patch its address.
    if (graph_ && impl.timeline) {
      Value v = graph_->timeline_address_var(*impl.device, *device_);
      v.constant = off;
      graph_->keep(s.impl());
      return v;
    }
    std::string why;
    auto at = device_->signal_address(impl, &why);
    if (!at) {
      fail(Errc::unsupported, fmt::format("{}: {} cannot reach {}: {}", verb, device_->uri(), s.describe(), why));
      return std::nullopt;
    }
    if (graph_) graph_->keep(s.impl());
    return Value(*at + off);
  } catch (const Error& e) {
    fail(e.code(), fmt::format("{}: {}", verb, e.what()));
    return std::nullopt;
  }
}

void QueueImpl::record_wait(const Signal& s, Value v) {
  if (error_ || !check_value(v, "wait")) return;
  if (auto at = signal_operand(s, false, "wait")) encode_wait(stream_, *at, v);
}

void QueueImpl::record_signal(const Signal& s, Value v) {
  if (error_ || !check_value(v, "signal")) return;
  if (auto at = signal_operand(s, false, "signal")) encode_signal(stream_, *at, v);
}

void QueueImpl::record_timestamp(const Signal& s) {
  if (error_) return;
  if (auto at = signal_operand(s, true, "timestamp")) encode_timestamp(stream_, *at);
}

void QueueImpl::record_barrier() {
  if (error_) return;
  encode_barrier(stream_);
}

static bool within(Dim3 d, Dim3 limit) { return d.x <= limit.x && d.y <= limit.y && d.z <= limit.z; }

void QueueImpl::record_exec(const KernelArgs& args, Dim3 grid, Dim3 block) {
  if (error_) return;
  if (kind_ != QueueKind::compute) return fail(Errc::unsupported, "exec: copy queues cannot run kernels");
  const Kernel& k = args.kernel();
  if (!k) return fail(Errc::invalid_argument, "exec: the arguments have no kernel");
  const KernelImpl& ki = *k.impl();
  if (ki.program->device.get() != device_.get()) {
    return fail(Errc::invalid_argument, fmt::format("exec: kernel '{}' was loaded on {}, not on this device",
                                                    k.name(), ki.program->device->uri()));
  }
  if (auto problem = args.problem(); !problem.empty()) return fail(Errc::invalid_argument, "exec: " + problem);
  const DeviceProps& p = device_->props();
  uint32_t max_threads = ki.info.max_threads ? std::min(ki.info.max_threads, p.max_threads_per_workgroup)
                                             : p.max_threads_per_workgroup;
  if (grid.count() == 0 || block.count() == 0) {
    return fail(Errc::invalid_argument, fmt::format("exec: kernel '{}': empty grid {}x{}x{} or block {}x{}x{}", k.name(),
                                                    grid.x, grid.y, grid.z, block.x, block.y, block.z));
  }
  if (block.count() > max_threads || !within(block, p.max_workgroup_dims) || !within(grid, p.max_grid_dims)) {
    return fail(Errc::invalid_argument,
                fmt::format("exec: kernel '{}': block {}x{}x{} (limit {} threads, {}x{}x{}) or grid {}x{}x{} (limit "
                            "{}x{}x{}) too large",
                            k.name(), block.x, block.y, block.z, max_threads, p.max_workgroup_dims.x,
                            p.max_workgroup_dims.y, p.max_workgroup_dims.z, grid.x, grid.y, grid.z, p.max_grid_dims.x,
                            p.max_grid_dims.y, p.max_grid_dims.z));
  }
  if (uint64_t shared = uint64_t{ki.info.shared_bytes} + args.dynamic_shared_bytes(); shared > p.max_shared_bytes) {
    return fail(Errc::invalid_argument,
                fmt::format("exec: kernel '{}': {} bytes of shared memory ({} declared + {} dynamic); the device allows {} per workgroup",
                            k.name(), shared, ki.info.shared_bytes, args.dynamic_shared_bytes(), p.max_shared_bytes));
  }
  for (const auto& patch : args.patches()) {
    if (!graph_) return fail(Errc::invalid_argument, "exec: a graph variable was used on a queue outside a graph");
    if (!graph_->check_var(*this, patch.var, patch.buffer, "exec")) return;
  }
  if (graph_) {
    graph_->keep(k.impl());
    for (const Buffer& b : args.buffers()) graph_->keep(b.impl());
  }
  encode_exec(stream_, ki, args, grid, block);
}

std::optional<Value> QueueImpl::buffer_operand(const BufferRef& ref, size_t bytes, const char* role) {
  if (ref.var.id != ~0u) {
    if (!graph_) {
      fail(Errc::invalid_argument, fmt::format("copy: {} is a graph buffer variable, on a queue outside a graph", role));
      return std::nullopt;
    }
    if (!graph_->check_var(*this, ref.var.id, true, "copy")) return std::nullopt;
    size_t size = graph_->buffer_var_size(ref.var.id);
    if (ref.var_offset > size || bytes > size - ref.var_offset) {
      fail(Errc::invalid_argument, fmt::format("copy: {} bytes at offset {} do not fit the {} variable of {} bytes",
                                               bytes, ref.var_offset, role, size));
      return std::nullopt;
    }
    Value v(Var{ref.var.id});
    v.constant = ref.var_offset;
    return v;
  }
  const Buffer& b = ref.buffer;
  if (!b) {
    fail(Errc::invalid_argument, fmt::format("copy: empty {} buffer", role));
    return std::nullopt;
  }
  if (bytes > b.size()) {
    fail(Errc::invalid_argument, fmt::format("copy: {} bytes do not fit the {} buffer of {} bytes", bytes, role, b.size()));
    return std::nullopt;
  }
  if (!device_->can_reach(*b.impl()->device)) {
    fail(Errc::unsupported, fmt::format("copy: {} cannot reach the {} buffer on {}", device_->uri(), role,
                                        b.impl()->device->uri()));
    return std::nullopt;
  }
  if (graph_) graph_->keep(b.impl());
  return Value(b.gpu_address());
}

void QueueImpl::record_copy(const BufferRef& dst, const BufferRef& src, size_t bytes) {
  if (error_) return;
  auto d = buffer_operand(dst, bytes, "destination");
  if (!d) return;
  auto s = buffer_operand(src, bytes, "source");
  if (!s) return;
  if (bytes == 0) return;
  encode_copy(stream_, *d, *s, bytes);
}

void QueueImpl::submit() {
  raise_sticky();
  if (device_->lost()) {
    stream_.clear();
    throw Error(Errc::device_lost, device_->uri(), name_, "submit refused, device lost: " + device_->lost_reason());
  }
  if (stream_.empty()) return;
  // Every submit ends by advancing the queue's progress signal: deferred frees and drain() use it.
  uint64_t n = submitted_.load(std::memory_order_relaxed) + 1;
  encode_signal(stream_, Value(progress_->gpu_va), Value(n));
  submitted_.store(n, std::memory_order_release);
  push(stream_);
  stream_.clear();
}

void QueueImpl::submit_bound(BoundStream& bound) {
  if (device_->lost()) {
    throw Error(Errc::device_lost, device_->uri(), name_, "graph launch refused, device lost: " + device_->lost_reason());
  }
  CommandStream s;
  encode_indirect(s, bound);
  uint64_t n = submitted_.load(std::memory_order_relaxed) + 1;
  encode_signal(s, Value(progress_->gpu_va), Value(n));
  submitted_.store(n, std::memory_order_release);
  push(s);
}

}  // namespace hcq::detail
