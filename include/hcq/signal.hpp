// Signals: a 64-bit value and a timestamp in memory that both the CPU and the device reach.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hcq {

namespace detail {
struct SignalImpl;
}

enum class WaitStatus : uint8_t { signaled, timeout, device_lost };
std::string_view to_string(WaitStatus status) noexcept;

// Layout of one signal slot in memory (16 bytes): the value at +0 and the raw device timestamp at +8.
// Devices that compare 32 bits (see DeviceProps::signal_compare_bits) write and compare the low half.
struct SignalSlot {
  uint64_t value;
  uint64_t timestamp;
};
static_assert(sizeof(SignalSlot) == 16);

inline constexpr std::chrono::milliseconds default_timeout{30000};

class Signal {
 public:
  Signal() = default;
  explicit operator bool() const noexcept { return impl_ != nullptr; }

  uint64_t value() const noexcept;
  // Sets the value from the CPU (a host-side signal: unblocks queues that wait on it).
  void set_value(uint64_t value) noexcept;
  // The raw timestamp a queue's timestamp() wrote, in device ticks, and converted to nanoseconds.
  uint64_t timestamp_ticks() const noexcept;
  uint64_t timestamp_ns() const noexcept;
  uint64_t value_address() const noexcept;      // device virtual address of the value
  uint64_t timestamp_address() const noexcept;  // value_address() + 8

  // Waits on the CPU until value() >= value (compared in the owning device's width). Never spins
  // forever: returns timeout after `timeout` without progress, device_lost when the owning device trapped.
  WaitStatus wait(uint64_t value, std::chrono::milliseconds timeout = default_timeout) const;
  // Like wait(), but throws hcq::Error naming the signal, the value expected and the value seen.
  void wait_or_throw(uint64_t value, std::chrono::milliseconds timeout = default_timeout) const;
  // "cpu:0 signal 3 @0x7f12a0001030", for messages.
  std::string describe() const;

  const std::shared_ptr<detail::SignalImpl>& impl() const noexcept { return impl_; }
  explicit Signal(std::shared_ptr<detail::SignalImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<detail::SignalImpl> impl_;
};

}  // namespace hcq
