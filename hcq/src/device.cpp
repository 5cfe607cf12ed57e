// DeviceImpl's vendor-neutral half: allocation, signal slots, the timeline, deferred release,
// device loss, and staged transfers; plus the public hcq::Device handle.
#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>

#include "backend.hpp"

namespace hcq::detail {

namespace {
constexpr uint64_t signal_page_bytes = 4096;
constexpr uint64_t staging_bytes = 4ull << 20;
constexpr uint64_t timeline_wrap_32 = 1ull << 31;
}  // namespace

DeviceImpl::DeviceImpl(std::string uri, std::string log_subsystem)
    : uri_(std::move(uri)), log_(log::device(log_subsystem, uri_)) {}

DeviceImpl::~DeviceImpl() = default;

std::shared_ptr<DeviceImpl> DeviceImpl::self(bool internal) {
  if (internal) return std::shared_ptr<DeviceImpl>(std::shared_ptr<void>(), this);  // non-owning
  return shared_from_this();
}

void DeviceImpl::init_common() {
  timeline_[0] = new_signal(0, true);
  timeline_[1] = new_signal(0, true);
  timeline_[0]->timeline = timeline_[1]->timeline = true;
  timeline_value_ = timeline_start_;
  write_signal(timeline_[0]->slot, timeline_start_);
}

void DeviceImpl::fini_common() noexcept {
  std::lock_guard lock(mutex_);
  transfer_queue_.reset();  // joins its worker after draining
  transfer_signal_.reset();
  staging_.reset();
  timeline_[0].reset();
  timeline_[1].reset();
  // User queues hold the device, so none is left; run everything that waited on them.
  for (auto& d : deferred_) d.release();
  deferred_.clear();
  free_slots_.clear();
  signal_pages_.clear();
  for (auto& d : deferred_) d.release();  // the signal pages' own releases
  deferred_.clear();
  heaps_.clear();
}

Heap& DeviceImpl::heap(MemoryKind kind) {
  std::lock_guard lock(mutex_);
  auto& h = heaps_[kind];
  if (!h) h = std::make_unique<Heap>(*this, kind, chunk_size(kind));
  return *h;
}

std::shared_ptr<BufferImpl> DeviceImpl::alloc(uint64_t size, MemoryKind kind, uint64_t alignment, bool internal) {
  if (size == 0) throw Error(Errc::invalid_argument, uri_, "memory", "cannot allocate 0 bytes");
  if (alignment == 0) alignment = props_.min_buffer_alignment;
  if (!std::has_single_bit(alignment)) {
    throw Error(Errc::invalid_argument, uri_, "memory", fmt::format("alignment {} is not a power of two", alignment));
  }
  if (lost()) throw Error(Errc::device_lost, uri_, "memory", "device lost: " + lost_reason());
  std::lock_guard lock(mutex_);
  reclaim();
  auto a = heap(kind).allocate(size, alignment);
  if (!a) {
    throw Error(Errc::out_of_memory, uri_, "memory",
                fmt::format("no room for {} bytes of {} memory aligned to {}; free buffers or allocate less", size,
                            to_string(kind), alignment));
  }
  auto impl = std::make_shared<BufferImpl>();
  impl->device = self(internal);
  impl->kind = kind;
  impl->gpu_va = a->gpu_va;
  impl->cpu = kind == MemoryKind::device ? nullptr : a->cpu;
  impl->size = size;
  impl->allocation = *a;
  SPDLOG_LOGGER_DEBUG(log_, "alloc {} bytes of {} memory at 0x{:x}", size, to_string(kind), a->gpu_va);
  return impl;
}

std::shared_ptr<SignalImpl> DeviceImpl::new_signal(uint64_t initial, bool internal) {
  std::lock_guard lock(mutex_);
  reclaim();
  if (free_slots_.empty()) {
    // Signal pages live in pinned host memory: the CPU polls them and every device can reach them.
    auto page = alloc(signal_page_bytes, MemoryKind::host, signal_page_bytes, true);
    signal_pages_.push_back({page});
    for (uint64_t off = signal_page_bytes; off >= sizeof(SignalSlot); off -= sizeof(SignalSlot)) {
      uint64_t o = off - sizeof(SignalSlot);
      free_slots_.emplace_back(reinterpret_cast<SignalSlot*>(page->cpu + o), page->gpu_va + o);
    }
  }
  auto [slot, va] = free_slots_.back();
  free_slots_.pop_back();
  auto impl = std::make_shared<SignalImpl>();
  impl->device = self(internal);
  impl->slot = slot;
  impl->gpu_va = va;
  impl->index = signal_count_++;
  slot->timestamp = 0;
  write_signal(slot, 0);
  std::atomic_ref<uint64_t>(slot->value).store(initial, std::memory_order_release);
  return impl;
}

std::optional<uint64_t> DeviceImpl::signal_address(const SignalImpl& s, std::string* why) {
  if (can_reach(*s.device)) return s.gpu_va;
  if (why) *why = fmt::format("{} queues reach only their own device's memory", uri_);
  return std::nullopt;
}

void DeviceImpl::return_signal_slot(SignalSlot* slot, uint64_t gpu_va) {
  std::lock_guard lock(mutex_);
  if (!signal_pages_.empty()) free_slots_.emplace_back(slot, gpu_va);
}

std::shared_ptr<QueueImpl> DeviceImpl::new_queue(QueueKind kind, bool internal) {
  if (lost()) throw Error(Errc::device_lost, uri_, "queue", "device lost: " + lost_reason());
  uint32_t limit = kind == QueueKind::compute ? props_.compute_queues : props_.copy_queues;
  size_t open = 0;
  {
    std::lock_guard lock(mutex_);
    open = static_cast<size_t>(std::count_if(queues_.begin(), queues_.end(), [&](auto* q) { return q->kind() == kind; }));
  }
  if (open >= limit) {
    throw Error(Errc::busy, uri_, "queue",
                fmt::format("all {} {} queues are open; destroy one first", limit, to_string(kind)));
  }
  return create_queue(kind, self(internal));
}

bool DeviceImpl::signal_reached(uint64_t current, uint64_t target) const noexcept {
  if (props_.signal_compare_bits == 32) return static_cast<uint32_t>(current) >= static_cast<uint32_t>(target);
  return current >= target;
}

void DeviceImpl::write_signal(SignalSlot* slot, uint64_t value) const noexcept {
  if (props_.signal_compare_bits == 32) {
    // Like hardware that writes 32-bit fences: the high half is left as it was.
    auto* lo = reinterpret_cast<uint32_t*>(&slot->value);  // little-endian: the low half is first
    std::atomic_ref<uint32_t>(*lo).store(static_cast<uint32_t>(value), std::memory_order_release);
  } else {
    std::atomic_ref<uint64_t>(slot->value).store(value, std::memory_order_release);
  }
}

void DeviceImpl::register_queue(QueueImpl* q) {
  std::lock_guard lock(mutex_);
  queues_.push_back(q);
}

void DeviceImpl::unregister_queue(QueueImpl* q) noexcept {
  std::lock_guard lock(mutex_);
  std::erase(queues_, q);
  for (auto& d : deferred_) std::erase_if(d.after, [q](auto& p) { return p.first == q; });
  reclaim();
}

void DeviceImpl::defer(std::function<void()> release) {
  std::lock_guard lock(mutex_);
  Deferred d;
  for (QueueImpl* q : queues_) {
    uint64_t n = q->submitted();
    if (q->completed() < n) d.after.emplace_back(q, n);
  }
  if (d.after.empty()) {
    release();
    return;
  }
  d.release = std::move(release);
  deferred_.push_back(std::move(d));
}

void DeviceImpl::reclaim() noexcept {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < deferred_.size();) {
    auto& d = deferred_[i];
    std::erase_if(d.after, [](auto& p) { return p.first->completed() >= p.second; });
    if (d.after.empty()) {
      auto release = std::move(d.release);
      deferred_.erase(deferred_.begin() + static_cast<ptrdiff_t>(i));
      release();
    } else {
      ++i;
    }
  }
}

Signal DeviceImpl::timeline_signal() {
  std::lock_guard lock(mutex_);
  return Signal(timeline_[timeline_index_]);
}

uint64_t DeviceImpl::next_timeline_value() {
  std::lock_guard lock(mutex_);
  if (props_.signal_compare_bits == 32 && timeline_value_ + 1 >= timeline_wrap_32) {
    // The next value would not compare correctly in 32 bits: let everything finish, then move to
    // the other signal, reset to 0. Waits recorded on the old signal stay satisfied.
    auto& cur = timeline_[timeline_index_];
    Signal(cur).wait_or_throw(timeline_value_);
    int next = 1 - timeline_index_;
    write_signal(timeline_[next]->slot, 0);
    timeline_index_ = next;
    timeline_value_ = 0;
    ++timeline_epoch_;
    log_->debug("timeline wrapped at 2^31; now on signal {}", timeline_[next]->index);
  }
  return ++timeline_value_;
}

void DeviceImpl::mark_lost(std::string reason) noexcept {
  {
    std::lock_guard lock(lost_mutex_);
    if (lost_.load()) return;
    lost_reason_ = std::move(reason);
    lost_.store(true, std::memory_order_release);
  }
  log_->error("device lost: {}", lost_reason());
}

std::string DeviceImpl::lost_reason() const {
  std::lock_guard lock(lost_mutex_);
  return lost_reason_;
}

void DeviceImpl::prepare_transfers() {
  std::lock_guard lock(transfer_mutex_);
  if (transfer_queue_) return;
  staging_ = alloc(staging_bytes, MemoryKind::host, 4096, true);
  transfer_signal_ = new_signal(0, true);
  bool has_copy = props_.copy_queues > 0;
  transfer_queue_ = new_queue(has_copy ? QueueKind::copy : QueueKind::compute, true);
}

void DeviceImpl::transfer(const Buffer& buffer, void* host, size_t bytes, bool to_device) {
  if (bytes > buffer.size()) {
    throw Error(Errc::invalid_argument, uri_, "transfer",
                fmt::format("{} of {} bytes does not fit in a buffer of {} bytes", to_device ? "upload" : "download",
                            bytes, buffer.size()));
  }
  if (buffer.impl()->device.get() != this) {
    throw Error(Errc::invalid_argument, uri_, "transfer", "the buffer belongs to " + buffer.impl()->device->uri());
  }
  if (void* p = buffer.cpu_ptr()) {
    to_device ? std::memcpy(p, host, bytes) : std::memcpy(host, p, bytes);
    return;
  }
  std::lock_guard lock(transfer_mutex_);
  prepare_transfers();
  Buffer staging(staging_);
  Signal done(transfer_signal_);
  auto* h = static_cast<std::byte*>(host);
  for (size_t off = 0; off < bytes; off += staging_bytes) {
    size_t n = std::min<size_t>(staging_bytes, bytes - off);
    if (to_device) std::memcpy(staging.cpu_ptr(), h + off, n);
    Buffer part = buffer.view(off, n);
    transfer_queue_->record_copy(to_device ? BufferRef(part) : BufferRef(staging),
                                 to_device ? BufferRef(staging) : BufferRef(part), n);
    transfer_queue_->record_signal(done, ++transfer_value_);
    transfer_queue_->submit();
    done.wait_or_throw(transfer_value_);
    if (!to_device) std::memcpy(h + off, staging.cpu_ptr(), n);
  }
}

}  // namespace hcq::detail

namespace hcq {

const std::string& Device::uri() const noexcept { return impl_->uri(); }
const DeviceProps& Device::props() const noexcept { return impl_->props(); }

Buffer Device::alloc(size_t size, MemoryKind kind, size_t alignment) { return Buffer(impl_->alloc(size, kind, alignment)); }
Signal Device::new_signal(uint64_t initial) { return Signal(impl_->new_signal(initial)); }
Queue Device::queue(QueueKind kind) { return Queue(impl_->new_queue(kind)); }

Program Device::load_program(std::span<const std::byte> bytes, std::string name) {
  if (impl_->lost()) throw Error(Errc::device_lost, uri(), "program", "device lost: " + impl_->lost_reason());
  try {
    return Program(impl_->load_program(bytes, name));
  } catch (const Error& e) {
    // Code-object parsers know the file, not the device: name the device they were loading for.
    if (!e.device().empty()) throw;
    throw Error(e.code(), uri(), e.block(), e.detail());
  }
}

Program Device::load_program_file(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(Errc::not_found, uri(), "program", fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return load_program(std::as_bytes(std::span(bytes)), path.filename().string());
}

Signal Device::timeline_signal() const { return impl_->timeline_signal(); }
uint64_t Device::next_timeline_value() { return impl_->next_timeline_value(); }
uint64_t Device::last_timeline_value() const noexcept { return impl_->last_timeline_value(); }

void Device::synchronize(std::chrono::milliseconds timeout) {
  impl_->timeline_signal().wait_or_throw(impl_->last_timeline_value(), timeout);
  impl_->reclaim();
}

void Device::upload(const Buffer& dst, const void* src, size_t bytes) {
  impl_->transfer(dst, const_cast<void*>(src), bytes, true);
}
void Device::download(void* dst, const Buffer& src, size_t bytes) { impl_->transfer(src, dst, bytes, false); }

bool Device::lost() const noexcept { return impl_->lost(); }
std::string Device::lost_reason() const { return impl_->lost_reason(); }

}  // namespace hcq
