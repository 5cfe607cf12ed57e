// Buffers: device memory, pinned host memory and host-visible device memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace hcq {

namespace detail {
struct BufferImpl;
class DeviceImpl;
}  // namespace detail

enum class MemoryKind : uint8_t {
  device,               // device-local; no CPU mapping in the contract (move data with copies)
  host,                 // pinned host memory the device reaches over the bus; always CPU-mapped
  device_host_visible,  // device-local memory the CPU can map (a BAR window); always CPU-mapped
};

std::string_view to_string(MemoryKind kind) noexcept;

// A buffer handle. Copies share the same memory; the memory is returned to the device's allocator
// when the last handle goes away *and* every queue of the device has finished the work that was
// submitted before that moment, so dropping a handle while a kernel still uses it is safe.
class Buffer {
 public:
  Buffer() = default;

  explicit operator bool() const noexcept { return impl_ != nullptr; }
  // The device's virtual address of the first byte of this view.
  uint64_t gpu_address() const noexcept;
  // CPU pointer to the first byte of this view, or nullptr for MemoryKind::device.
  void* cpu_ptr() const noexcept;
  size_t size() const noexcept { return size_; }
  size_t offset() const noexcept { return offset_; }
  MemoryKind kind() const noexcept;
  // A view of `size` bytes at `offset` inside this one; throws hcq::Error when it does not fit.
  Buffer view(size_t offset, size_t size) const;

  template <class T>
  T* as() const noexcept { return static_cast<T*>(cpu_ptr()); }

  bool same_memory(const Buffer& other) const noexcept { return impl_ == other.impl_; }
  const std::shared_ptr<detail::BufferImpl>& impl() const noexcept { return impl_; }
  explicit Buffer(std::shared_ptr<detail::BufferImpl> impl);

 private:
  std::shared_ptr<detail::BufferImpl> impl_;
  size_t offset_ = 0;
  size_t size_ = 0;
};

}  // namespace hcq
