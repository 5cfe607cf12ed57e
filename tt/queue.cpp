// The tt device's queues (tt/queue.hpp): launches, copies and signal addresses for the shared
// host-executed queue.
#include "queue.hpp"

#include <cstring>

#include "device.hpp"

namespace hcq::tt {

namespace {

constexpr size_t ring_words = 1u << 18;              // 1 MiB of command words per queue
constexpr auto drain_timeout = std::chrono::seconds(30);  // a launch may take up to its own timeout
constexpr uint64_t copy_piece = 1ull << 20;          // chip lock released between pieces of a large copy

}  // namespace

TtQueue::TtQueue(std::shared_ptr<detail::DeviceImpl> device, QueueKind kind)
    : HostQueue(std::move(device), kind, ring_words) {
  start();
}

TtQueue::~TtQueue() { stop(drain_timeout); }

TtDevice& TtQueue::tt() const noexcept { return static_cast<TtDevice&>(device()); }

// Signal operands are CPU addresses (what TtDevice::signal_address gives, for signals of any
// device) or device addresses of this device's host memory (the front end's progress signals use
// gpu_va): those carry a NOC tile in bits 48..59, which no user-space CPU address has.
uint64_t* TtQueue::signal_word(uint64_t addr) noexcept {
  if (addr >> device_address_xy_shift == 0) return reinterpret_cast<uint64_t*>(addr);
  auto* p = reinterpret_cast<uint64_t*>(tt().host_pointer(addr, sizeof(uint64_t)));
  if (!p) trap(fmt::format("signal address 0x{:x} is in no host memory of this device", addr));
  return p;
}

// A launch that fails loses this hcq device: the commands after it in the stream (signals other
// queues wait for) must not run as if the kernel had. The Launcher has already reset and rebooted
// cores that timed out, so the chip needs no reset: opening its URI again gives a working device.
bool TtQueue::run_exec(const detail::HostExec& e) noexcept {
  const auto* program = static_cast<const TtProgram*>(e.kernel->program);
  KernelLaunch k;
  k.name = e.kernel->info.name;
  k.image = &program->image;
  k.image_id = program->image_id;
  k.entry = static_cast<uint32_t>(e.kernel->entry);
  k.args = e.args;
  std::copy(e.grid, e.grid + 3, k.grid);
  std::copy(e.block, e.block + 3, k.block);
  k.shared_bytes = e.shared_bytes;
  try {
    LaunchResult r = tt().launcher().launch(k);  // takes the chip lock itself, between polls
    if (r.trapped) {
      trap(fmt::format("kernel '{}' trapped (returned {}) in workgroup {} on {}", k.name, r.code, r.workgroup,
                       tt().launcher().core_name(r.core)));
      return false;
    }
  } catch (const Error& err) {
    std::string after = err.code() == Errc::timeout
                            ? fmt::format("; this hcq device is lost (the rest of its queues' work cannot run): "
                                          "release it and hcq::open(\"{}\") again",
                                          device().uri())
                            : std::string();
    trap(err.what() + after);
    return false;
  } catch (const std::exception& err) {
    trap(err.what());
    return false;
  }
  return true;
}

// Host <-> DRAM through the chip, host <-> host by memmove; DRAM <-> DRAM through a host bounce.
bool TtQueue::run_copy(uint64_t dst, uint64_t src, uint64_t bytes) noexcept {
  std::byte* hd = tt().host_pointer(dst, bytes);
  std::byte* hs = tt().host_pointer(src, bytes);
  bool dd = !hd && tt().is_dram(dst, bytes), ds = !hs && tt().is_dram(src, bytes);
  if ((!hd && !dd) || (!hs && !ds)) {
    trap(fmt::format("copy of {} bytes 0x{:x} <- 0x{:x}: an address is in no memory of this device", bytes, dst, src));
    return false;
  }
  if (hd && hs) {
    std::memmove(hd, hs, bytes);
    return true;
  }
  std::vector<std::byte> bounce(hd || hs ? 0 : std::min(bytes, copy_piece));
  NocXY src_tile = device_address_tile(src), dst_tile = device_address_tile(dst);
  uint64_t src_at = src & device_address_local_mask, dst_at = dst & device_address_local_mask;
  try {
    for (uint64_t off = 0; off < bytes; off += copy_piece) {
      uint64_t n = std::min(copy_piece, bytes - off);
      std::lock_guard lock(tt().chip_mutex());
      Chip& chip = tt().chip();
      if (hd) {
        chip.noc_read(src_tile, src_at + off, hd + off, n);
      } else if (hs) {
        chip.noc_write(dst_tile, dst_at + off, hs + off, n, Ordering::posted);
      } else {
        chip.noc_read(src_tile, src_at + off, bounce.data(), n);
        chip.noc_write(dst_tile, dst_at + off, bounce.data(), n, Ordering::posted);
      }
    }
    if (!hd && bytes != 0) {
      // Posted writes have landed once a read on the same path returns: a signal after this copy
      // must not let a kernel read DRAM before them.
      std::lock_guard lock(tt().chip_mutex());
      (void)tt().chip().noc_read32(dst_tile, (dst_at + bytes - 1) & ~uint64_t{3});
    }
  } catch (const std::exception& e) {
    trap(fmt::format("copy of {} bytes 0x{:x} <- 0x{:x}: {}", bytes, dst, src, e.what()));
    return false;
  }
  return true;
}

}  // namespace hcq::tt
