// The cpu device and its backend entry ("cpu", "cpu:N").
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <thread>

#include "cpu.hpp"
#include "cpu_program.hpp"

namespace hcq::cpu {

namespace {

constexpr uint32_t max_devices = 8;
constexpr size_t ring_words = 1u << 20;

std::string host_arch() {
  utsname u{};
  uname(&u);
  return u.machine;
}

uint64_t parse_number(const detail::UriParts& uri, const std::string& key, uint64_t fallback) {
  auto it = uri.options.find(key);
  if (it == uri.options.end()) return fallback;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || end != it->second.data() + it->second.size()) {
    throw Error(Errc::invalid_argument, uri.text, "open", fmt::format("option {}={} is not a number", key, it->second));
  }
  return v;
}

uint32_t parse_index(const detail::UriParts& uri) {
  if (uri.rest.empty()) return 0;
  uint32_t index = 0;
  auto [end, ec] = std::from_chars(uri.rest.data(), uri.rest.data() + uri.rest.size(), index);
  if (ec != std::errc() || end != uri.rest.data() + uri.rest.size() || index >= max_devices) {
    throw Error(Errc::not_found, uri.text, "open",
                fmt::format("'{}' is not a cpu device: use cpu or cpu:N with N from 0 to {}", uri.text, max_devices - 1));
  }
  return index;
}

class CpuDevice final : public detail::DeviceImpl {
 public:
  CpuDevice(const detail::UriParts& uri, uint32_t index) : DeviceImpl(canonical(uri), "cpu") {
    for (const auto& [key, value] : uri.options) {
      if (key != "signal_bits" && key != "timeline_start") {
        throw Error(Errc::invalid_argument, uri_, "open",
                    fmt::format("unknown option '{}'; the cpu device takes signal_bits=32|64 and timeline_start=N", key));
      }
    }
    uint64_t bits = parse_number(uri, "signal_bits", 64);
    if (bits != 32 && bits != 64) {
      throw Error(Errc::invalid_argument, uri_, "open", fmt::format("signal_bits={} (use 32 or 64)", bits));
    }
    timeline_start_ = parse_number(uri, "timeline_start", 0);
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    props_.name = fmt::format("CPU reference device {} ({})", index, host_arch());
    props_.vendor = "cpu";
    props_.arch = host_arch();
    props_.program_format = "host-elf";
    props_.device_memory_bytes = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
    props_.host_visible_device_memory_bytes = props_.device_memory_bytes;
    props_.compute_units = std::max(1u, std::thread::hardware_concurrency());
    props_.max_threads_per_workgroup = 1024;
    props_.max_workgroup_dims = {1024, 1024, 64};
    props_.max_grid_dims = {0x7fffffff, 65535, 65535};
    props_.max_shared_bytes = 64 * 1024;
    props_.max_kernel_args_bytes = 4096;
    props_.compute_queues = 64;
    props_.copy_queues = 64;
    props_.timestamp_hz = 1000000000;
    props_.signal_compare_bits = static_cast<uint32_t>(bits);
    props_.min_buffer_alignment = 64;
    init_common();
  }

  ~CpuDevice() override { fini_common(); }

  static std::string canonical(const detail::UriParts& uri) {
    std::string out = fmt::format("cpu:{}", parse_index(uri));
    char sep = '?';
    for (const auto& [k, v] : uri.options) {
      out += fmt::format("{}{}={}", sep, k, v);
      sep = '&';
    }
    return out;
  }

  detail::Chunk map_chunk(MemoryKind kind, uint64_t size) override {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      throw Error(Errc::out_of_memory, uri_, "memory",
                  fmt::format("mmap of {} bytes for {} memory failed: {}", size, to_string(kind), std::strerror(errno)));
    }
    auto* b = static_cast<std::byte*>(p);
    return detail::Chunk{reinterpret_cast<uintptr_t>(b), b, size, size};
  }

  void unmap_chunk(MemoryKind, const detail::Chunk& chunk) noexcept override { munmap(chunk.cpu, chunk.size); }

  std::shared_ptr<detail::QueueImpl> create_queue(QueueKind kind, std::shared_ptr<DeviceImpl> self) override {
    return std::make_shared<CpuQueue>(std::move(self), kind, ring_words);
  }

  std::shared_ptr<detail::ProgramImpl> load_program(std::span<const std::byte> bytes, const std::string& name) override {
    return load_host_elf(self(false), bytes, name);
  }

  // Every cpu device lives in this process's memory.
  bool can_reach(const DeviceImpl& other) const noexcept override { return dynamic_cast<const CpuDevice*>(&other); }
  // Every device keeps its signals in host memory with a CPU mapping: the worker uses that.
  std::optional<uint64_t> signal_address(const detail::SignalImpl& s, std::string*) override {
    return reinterpret_cast<uintptr_t>(s.slot);
  }
};

}  // namespace

}  // namespace hcq::cpu

namespace hcq::detail {

Backend make_cpu_backend() {
  Backend b;
  b.scheme = "cpu";
  b.uri_forms = {"cpu", "cpu:N (N < 8)", "cpu:N?signal_bits=32&timeline_start=V (testing the 32-bit signal path)"};
  b.enumerate = [] {
    return std::vector<DeviceEntry>{{"cpu:0", fmt::format("CPU reference device 0 ({})", cpu::host_arch()), "cpu", 0}};
  };
  b.open = [](const UriParts& uri) -> std::shared_ptr<DeviceImpl> {
    return std::make_shared<cpu::CpuDevice>(uri, cpu::parse_index(uri));
  };
  b.canonical = [](const UriParts& uri) { return cpu::CpuDevice::canonical(uri); };
  return b;
}

}  // namespace hcq::detail
