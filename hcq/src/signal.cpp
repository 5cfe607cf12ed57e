// Signals: CPU-side reads, writes and bounded waits.
#include <chrono>
#include <thread>

#include "backend.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HCQ_CPU_RELAX() _mm_pause()
#else
#define HCQ_CPU_RELAX() std::this_thread::yield()
#endif

namespace hcq {

std::string_view to_string(WaitStatus status) noexcept {
  switch (status) {
    case WaitStatus::signaled: return "signaled";
    case WaitStatus::timeout: return "timeout";
    case WaitStatus::device_lost: return "device lost";
  }
  return "?";
}

uint64_t Signal::value() const noexcept {
  return std::atomic_ref<uint64_t>(impl_->slot->value).load(std::memory_order_acquire);
}

void Signal::set_value(uint64_t value) noexcept { impl_->device->write_signal(impl_->slot, value); }

uint64_t Signal::timestamp_ticks() const noexcept {
  return std::atomic_ref<uint64_t>(impl_->slot->timestamp).load(std::memory_order_acquire);
}

uint64_t Signal::timestamp_ns() const noexcept {
  uint64_t hz = impl_->device->props().timestamp_hz;
  if (hz == 0) return 0;
  uint64_t t = timestamp_ticks();
  // Split to keep ticks * 1e9 from overflowing 64 bits.
  return t / hz * 1000000000u + t % hz * 1000000000u / hz;
}

uint64_t Signal::value_address() const noexcept { return impl_->gpu_va; }
uint64_t Signal::timestamp_address() const noexcept { return impl_->gpu_va + offsetof(SignalSlot, timestamp); }

std::string Signal::describe() const {
  if (!impl_) return "<empty signal>";
  return fmt::format("{} {}signal {} @0x{:x}", impl_->device->uri(), impl_->timeline ? "timeline " : "", impl_->index,
                     impl_->gpu_va);
}

// Spins briefly (a kernel often finishes within microseconds), then yields, then sleeps in short
// steps so a long wait costs no CPU. The timeout counts from the last time the value moved.
WaitStatus Signal::wait(uint64_t target, std::chrono::milliseconds timeout) const {
  using clock = std::chrono::steady_clock;
  const auto& dev = *impl_->device;
  uint64_t last = value();
  auto since = clock::now();
  for (uint32_t round = 0;; ++round) {
    uint64_t v = value();
    if (dev.signal_reached(v, target)) return WaitStatus::signaled;
    if (dev.lost()) return WaitStatus::device_lost;
    if (round < 2000) {
      HCQ_CPU_RELAX();
      if ((round & 63) != 63) continue;
    } else {
      if ((round & 15) == 0) impl_->device->poll_health();
      if (round < 4000) {
        std::this_thread::yield();
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(round < 8000 ? 20 : 200));
      }
    }
    auto now = clock::now();
    if (v != last) {
      last = v;
      since = now;
    } else if (now - since >= timeout) {
      return dev.signal_reached(value(), target) ? WaitStatus::signaled : WaitStatus::timeout;
    }
  }
}

void Signal::wait_or_throw(uint64_t target, std::chrono::milliseconds timeout) const {
  WaitStatus st = wait(target, timeout);
  if (st == WaitStatus::signaled) return;
  const auto& dev = *impl_->device;
  if (st == WaitStatus::device_lost) {
    throw Error(Errc::device_lost, dev.uri(), "signal",
                fmt::format("{}: device lost while waiting for value >= {} (value is {}): {}", describe(), target,
                            value(), dev.lost_reason()));
  }
  throw Error(Errc::timeout, dev.uri(), "signal",
              fmt::format("{}: waited {} ms without progress for value >= {}; value is {}. A queue may wait on a "
                          "signal nobody signals, or a kernel may not finish",
                          describe(), timeout.count(), target, value()));
}

}  // namespace hcq

namespace hcq::detail {

SignalImpl::~SignalImpl() {
  DeviceImpl* dev = device.get();
  SignalSlot* s = slot;
  uint64_t va = gpu_va;
  dev->defer([dev, s, va] { dev->return_signal_slot(s, va); });
}

}  // namespace hcq::detail
