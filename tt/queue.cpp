// The tt device's queues (tt/queue.hpp): encoders, submission, and the worker that runs the words.
#include "queue.hpp"

#include <cstring>
#include <ctime>

#include "device.hpp"

namespace hcq::tt {

using detail::BoundStream;
using detail::CommandStream;

namespace {

constexpr int max_indirect_depth = 4;
constexpr uint64_t copy_piece = 1ull << 20;  // chip lock released between pieces of a large copy
constexpr auto idle_sleep = std::chrono::microseconds(50);  // a wait that spun a while stops burning a core

uint64_t now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t read64(const uint32_t* w) noexcept { return uint64_t{w[0]} | uint64_t{w[1]} << 32; }

class TtBoundStream final : public BoundStream {
 public:
  explicit TtBoundStream(std::vector<uint32_t> words) : words_(std::move(words)) {}
  std::byte* resolve(uint8_t, uint32_t offset) override { return reinterpret_cast<std::byte*>(words_.data()) + offset; }
  const std::vector<uint32_t>& words() const noexcept { return words_; }

 private:
  std::vector<uint32_t> words_;
};

}  // namespace

TtQueue::TtQueue(std::shared_ptr<detail::DeviceImpl> device, QueueKind kind) : QueueImpl(std::move(device), kind) {
  worker_ = std::thread([this] { run(); });
}

TtQueue::~TtQueue() {
  if (!drain(std::chrono::seconds(30)) && !device().lost()) {
    device().logger()->warn("{} destroyed with unfinished work ({} of {} submits done); abandoning it", name(),
                            completed(), submitted());
  }
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  bell_.notify_one();
  worker_.join();
}

TtDevice& TtQueue::tt() const noexcept { return static_cast<TtDevice&>(device()); }

// ---- encoders -------------------------------------------------------------------------------

void TtQueue::encode_wait(CommandStream& s, Value addr, Value value) {
  s.put32(header(Op::wait, 5));
  s.put_value64(addr);
  s.put_value64(value);
}

void TtQueue::encode_signal(CommandStream& s, Value addr, Value value) {
  s.put32(header(Op::signal, 5));
  s.put_value64(addr);
  s.put_value64(value);
}

void TtQueue::encode_timestamp(CommandStream& s, Value addr) {
  s.put32(header(Op::timestamp, 3));
  s.put_value64(addr);
}

void TtQueue::encode_barrier(CommandStream& s) { s.put32(header(Op::barrier, 1)); }

void TtQueue::encode_exec(CommandStream& s, const detail::KernelImpl& k, const KernelArgs& args, Dim3 grid, Dim3 block) {
  auto bytes = args.bytes();
  auto arg_words = static_cast<uint32_t>((bytes.size() + 3) / 4);
  s.put32(header(Op::exec, exec_fixed_words + arg_words));
  s.put64(reinterpret_cast<uintptr_t>(&k));
  for (uint32_t v : {grid.x, grid.y, grid.z, block.x, block.y, block.z}) s.put32(v);
  s.put32(k.info.shared_bytes + args.dynamic_shared_bytes());  // within max_shared_bytes: checked by record_exec
  s.put32(static_cast<uint32_t>(bytes.size()));
  size_t at = s.words.size();
  s.words.resize(at + arg_words);
  std::memcpy(s.words.data() + at, bytes.data(), bytes.size());
  for (const auto& p : args.patches()) {
    s.sites.push_back({p.var, 0, p.width, 0, static_cast<uint32_t>(at * 4 + p.offset), 0});
  }
}

void TtQueue::encode_copy(CommandStream& s, Value dst, Value src, uint64_t bytes) {
  s.put32(header(Op::copy, 7));
  s.put_value64(dst);
  s.put_value64(src);
  s.put64(bytes);
}

void TtQueue::encode_indirect(CommandStream& s, BoundStream& b) {
  const auto& words = static_cast<TtBoundStream&>(b).words();
  s.put32(header(Op::indirect, 4));
  s.put64(reinterpret_cast<uintptr_t>(words.data()));
  s.put32(static_cast<uint32_t>(words.size()));
}

std::unique_ptr<BoundStream> TtQueue::bind(CommandStream&& s) { return std::make_unique<TtBoundStream>(std::move(s.words)); }

void TtQueue::push(CommandStream& s) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(s.words);
  }
  bell_.notify_one();
}

// ---- the worker -----------------------------------------------------------------------------

void TtQueue::run() noexcept {
  for (;;) {
    std::vector<uint32_t> words;
    {
      std::unique_lock lock(mutex_);
      bell_.wait(lock, [&] { return stop_ || !pending_.empty(); });
      if (stop_ && pending_.empty()) return;
      words = std::move(pending_.front());
      pending_.pop_front();
    }
    if (!device().lost()) execute(words.data(), words.size(), 0);
  }
}

// Signal operands are CPU addresses (what TtDevice::signal_address gives, for signals of any
// device) or device addresses of this device's host memory (the front end's progress signals use
// gpu_va): those carry a NOC tile in bits 48..59, which no user-space CPU address has.
uint64_t* TtQueue::cpu_word(uint64_t addr) noexcept {
  if (addr >> device_address_xy_shift == 0) return reinterpret_cast<uint64_t*>(addr);
  auto* p = reinterpret_cast<uint64_t*>(tt().host_pointer(addr, sizeof(uint64_t)));
  if (!p) trap(fmt::format("signal address 0x{:x} is in no host memory of this device", addr));
  return p;
}

bool TtQueue::wait_until(uint64_t addr, uint64_t value) noexcept {
  auto* slot = cpu_word(addr);
  if (!slot) return false;
  for (uint32_t round = 0;; ++round) {
    uint64_t v = std::atomic_ref<uint64_t>(*slot).load(std::memory_order_acquire);
    if (device().signal_reached(v, value)) return true;
    if (device().lost()) return false;
    {
      std::lock_guard lock(mutex_);
      if (stop_) return false;
    }
    if (round < 4000) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(idle_sleep);
    }
  }
}

void TtQueue::trap(std::string reason) noexcept { device().mark_lost(fmt::format("{}: {}", name(), reason)); }

bool TtQueue::exec(const uint32_t* c, uint32_t n) noexcept {
  const auto* kernel = reinterpret_cast<const detail::KernelImpl*>(read64(c + 1));
  const auto* program = static_cast<const TtProgram*>(kernel->program);
  uint32_t args_bytes = c[10];
  if (args_bytes > (n - exec_fixed_words) * 4) {
    trap("malformed exec command");
    return false;
  }
  KernelLaunch k;
  k.name = kernel->info.name;
  k.image = &program->image;
  k.image_id = program->image_id;
  k.entry = static_cast<uint32_t>(kernel->entry);
  k.args = std::as_bytes(std::span(c + exec_fixed_words, n - exec_fixed_words)).first(args_bytes);
  std::copy(c + 3, c + 6, k.grid);
  std::copy(c + 6, c + 9, k.block);
  k.shared_bytes = c[9];
  try {
    std::lock_guard lock(tt().chip_mutex());
    LaunchResult r = tt().launcher().launch(k);
    if (r.trapped) {
      trap(fmt::format("kernel '{}' trapped (returned {}) in workgroup {} on {}", k.name, r.code, r.workgroup,
                       tt().launcher().core_name(r.core)));
      return false;
    }
  } catch (const std::exception& e) {
    trap(e.what());
    return false;
  }
  return true;
}

// Host <-> DRAM through the chip, host <-> host by memmove; DRAM <-> DRAM through a host bounce.
bool TtQueue::copy(uint64_t dst, uint64_t src, uint64_t bytes) noexcept {
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
  } catch (const std::exception& e) {
    trap(fmt::format("copy of {} bytes 0x{:x} <- 0x{:x}: {}", bytes, dst, src, e.what()));
    return false;
  }
  return true;
}

bool TtQueue::execute(const uint32_t* words, size_t count, int depth) noexcept {
  size_t i = 0;
  while (i < count) {
    const uint32_t* c = words + i;
    auto op = static_cast<Op>(c[0] >> 16);
    uint32_t n = c[0] & 0xffff;
    if (n == 0 || n > count - i) {
      trap(fmt::format("malformed command word 0x{:08x} at word {} of {}", c[0], i, count));
      return false;
    }
    bool ok = true;
    switch (op) {
      case Op::wait: ok = wait_until(read64(c + 1), read64(c + 3)); break;
      case Op::signal:
        if (uint64_t* w = cpu_word(read64(c + 1))) {
          device().write_signal(reinterpret_cast<SignalSlot*>(w), read64(c + 3));
        } else {
          return false;
        }
        break;
      case Op::timestamp:
        if (uint64_t* w = cpu_word(read64(c + 1))) {
          std::atomic_ref<uint64_t>(*w).store(now_ns(), std::memory_order_release);
        } else {
          return false;
        }
        break;
      case Op::barrier: std::atomic_thread_fence(std::memory_order_seq_cst); break;
      case Op::exec: ok = exec(c, n); break;
      case Op::copy: ok = copy(read64(c + 1), read64(c + 3), read64(c + 5)); break;
      case Op::indirect:
        if (depth >= max_indirect_depth) {
          trap(fmt::format("indirect buffers nested deeper than {}", max_indirect_depth));
          return false;
        }
        ok = execute(reinterpret_cast<const uint32_t*>(read64(c + 1)), c[3], depth + 1);
        break;
      default: trap(fmt::format("unknown command word 0x{:08x} at word {}", c[0], i)); return false;
    }
    if (!ok) return false;
    i += n;
  }
  return true;
}

}  // namespace hcq::tt
