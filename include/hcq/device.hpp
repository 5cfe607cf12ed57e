// Devices: open by URI, list what is present, allocate, make queues and signals, load programs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hcq/memory.hpp"
#include "hcq/program.hpp"
#include "hcq/queue.hpp"
#include "hcq/signal.hpp"

namespace hcq {

namespace detail {
class DeviceImpl;
}

struct DeviceProps {
  std::string name;              // "CPU reference device (x86_64)", "NVIDIA H100 80GB HBM3"
  std::string vendor;            // "cpu", "amd", "nvidia", "qualcomm", "tenstorrent"
  std::string arch;              // target the code objects are built for: "x86_64", "sm_90a", "gfx1100"
  std::string pci_address;       // "0000:01:00.0", empty when the device is not on PCI
  std::string program_format;    // what load_program() takes: "host-elf", "cubin", "amdgpu-elf", ...
  uint64_t device_memory_bytes = 0;
  uint64_t host_visible_device_memory_bytes = 0;
  uint32_t compute_units = 0;
  uint32_t max_threads_per_workgroup = 0;
  Dim3 max_workgroup_dims{};
  Dim3 max_grid_dims{};
  uint32_t max_shared_bytes = 0;   // per workgroup
  uint32_t max_kernel_args_bytes = 0;
  uint32_t compute_queues = 0;     // how many compute queues may be open at once
  uint32_t copy_queues = 0;
  uint64_t timestamp_hz = 0;       // ticks per second of Signal::timestamp_ticks()
  uint32_t signal_compare_bits = 64;  // 32 on devices whose waits compare the low half only
  uint64_t min_buffer_alignment = 0;
  // False on device models that check and record kernel launches without running the code
  // (sim:gfx1100): launches still complete and signal, but their results are not computed.
  bool executes_kernels = true;
};

// One entry of hcq::devices(): something open() would accept.
struct DeviceEntry {
  std::string uri;     // "cpu:0", "nv:0"
  std::string name;
  std::string backend;
  int priority = 0;    // higher is preferred by open() without a URI (accelerators above cpu)
};

class Device {
 public:
  Device() = default;
  explicit operator bool() const noexcept { return impl_ != nullptr; }

  const std::string& uri() const noexcept;
  const DeviceProps& props() const noexcept;

  // size > 0; alignment 0 means the device's minimum, otherwise a power of two.
  Buffer alloc(size_t size, MemoryKind kind = MemoryKind::device, size_t alignment = 0);
  Signal new_signal(uint64_t initial = 0);
  Queue queue(QueueKind kind = QueueKind::compute);
  Program load_program(std::span<const std::byte> bytes, std::string name = "<memory>");
  Program load_program_file(const std::filesystem::path& path);

  // The device timeline: the signal every runtime operation on this device may chain on.
  // Pattern: q.wait(tl, v - 1) ... .signal(tl, v = next_timeline_value()).submit();
  Signal timeline_signal() const;
  // The next value to signal on timeline_signal(); each call hands out a new one. On devices that
  // compare 32 bits it wraps before 2^31: the device synchronizes, switches to a fresh signal and
  // starts again at 1, so timeline_signal() must be asked again after each call.
  uint64_t next_timeline_value();
  // The last value handed out (0 before the first).
  uint64_t last_timeline_value() const noexcept;
  // Waits for the last timeline value; throws hcq::Error on timeout or device loss.
  void synchronize(std::chrono::milliseconds timeout = default_timeout);

  // Blocking copies between host memory and any buffer of this device, through pinned staging
  // memory and a copy queue where the buffer has no CPU mapping.
  void upload(const Buffer& dst, const void* src, size_t bytes);
  void download(void* dst, const Buffer& src, size_t bytes);

  // True when the device lost its state (a trap, a fault, a hang); the reason, or empty.
  bool lost() const noexcept;
  std::string lost_reason() const;

  const std::shared_ptr<detail::DeviceImpl>& impl() const noexcept { return impl_; }
  explicit Device(std::shared_ptr<detail::DeviceImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<detail::DeviceImpl> impl_;
};

// Opens a device. URIs: "cpu", "cpu:N", "nv:0", "am:0000:03:00.0", "sim:gfx1100",
// "tt:ttsim:/path/libttsim.so", with backend options after '?' ("cpu:1?signal_bits=32").
// Opening the same URI twice returns the same device while a handle to it is alive.
// An unknown URI gives an hcq::Error listing the accepted forms and the devices present.
Device open(std::string_view uri);
// Opens $HCQ_DEVICE if set, else the present device with the highest priority (cpu if none).
Device open_default();
// Everything open() would accept without options, best first.
std::vector<DeviceEntry> devices();
// The URI forms each compiled-in backend accepts, for help texts and errors.
std::vector<std::string> uri_forms();

}  // namespace hcq
