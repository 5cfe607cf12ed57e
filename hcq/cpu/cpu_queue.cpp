// The cpu device's queues: encoders for the command format in cpu.hpp, a ring, and the worker
// thread that plays the command processor.
#include <cstring>
#include <ctime>

#include "cpu.hpp"
#include "hcq/cpu_kernel.h"

namespace hcq::cpu {

using detail::BoundStream;
using detail::CommandStream;

namespace {

constexpr int max_indirect_depth = 4;
constexpr auto ring_full_timeout = std::chrono::seconds(10);

uint64_t now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t read64(const uint32_t* w) noexcept { return uint64_t{w[0]} | uint64_t{w[1]} << 32; }

// A graph's words in host memory; patch sites point straight into them.
class CpuBoundStream final : public BoundStream {
 public:
  explicit CpuBoundStream(std::vector<uint32_t> words) : words_(std::move(words)) {}
  std::byte* resolve(uint8_t, uint32_t offset) override { return reinterpret_cast<std::byte*>(words_.data()) + offset; }
  const std::vector<uint32_t>& words() const noexcept { return words_; }

 private:
  std::vector<uint32_t> words_;
};

// One command in words, by name, for trace logs.
std::string describe(const uint32_t* c, size_t available) {
  auto op = static_cast<Op>(c[0] >> 16);
  uint32_t n = c[0] & 0xffff;
  if (n == 0 || n > available) return fmt::format("malformed header 0x{:08x}", c[0]);
  switch (op) {
    case Op::wait: return fmt::format("WAIT *0x{:x} >= {}", read64(c + 1), read64(c + 3));
    case Op::signal: return fmt::format("SIGNAL *0x{:x} = {}", read64(c + 1), read64(c + 3));
    case Op::timestamp: return fmt::format("TIMESTAMP -> 0x{:x}", read64(c + 1));
    case Op::barrier: return "BARRIER";
    case Op::exec: {
      const auto* k = reinterpret_cast<const detail::KernelImpl*>(read64(c + 11));
      return fmt::format("EXEC {} grid {}x{}x{} block {}x{}x{} shared {} args {} bytes", k->info.name, c[3], c[4], c[5],
                         c[6], c[7], c[8], c[9], c[10]);
    }
    case Op::copy: return fmt::format("COPY 0x{:x} <- 0x{:x}, {} bytes", read64(c + 1), read64(c + 3), read64(c + 5));
    case Op::indirect: return fmt::format("INDIRECT 0x{:x}, {} words", read64(c + 1), c[3]);
    case Op::skip: return "SKIP";
  }
  return fmt::format("unknown command 0x{:08x}", c[0]);
}

}  // namespace

CpuQueue::CpuQueue(std::shared_ptr<detail::DeviceImpl> device, QueueKind kind, size_t ring_words)
    : QueueImpl(std::move(device), kind), ring_(ring_words), mask_(ring_words - 1) {
  shared_.resize(this->device().props().max_shared_bytes);
  worker_ = std::thread([this] { run(); });
}

CpuQueue::~CpuQueue() {
  if (!drain(std::chrono::seconds(5)) && !device().lost()) {
    device().logger()->warn("{} destroyed with unfinished work ({} of {} submits done); abandoning it", name(),
                            completed(), submitted());
  }
  stop_.store(true, std::memory_order_release);
  doorbell_.fetch_add(1, std::memory_order_release);
  doorbell_.notify_one();
  worker_.join();
}

// ---- encoders -------------------------------------------------------------------------------

void CpuQueue::encode_wait(CommandStream& s, Value addr, Value value) {
  s.put32(header(Op::wait, 5));
  s.put_value64(addr);
  s.put_value64(value);
}

void CpuQueue::encode_signal(CommandStream& s, Value addr, Value value) {
  s.put32(header(Op::signal, 5));
  s.put_value64(addr);
  s.put_value64(value);
}

void CpuQueue::encode_timestamp(CommandStream& s, Value addr) {
  s.put32(header(Op::timestamp, 3));
  s.put_value64(addr);
}

void CpuQueue::encode_barrier(CommandStream& s) { s.put32(header(Op::barrier, 1)); }

void CpuQueue::encode_exec(CommandStream& s, const detail::KernelImpl& k, const KernelArgs& args, Dim3 grid,
                           Dim3 block) {
  auto bytes = args.bytes();
  auto arg_words = static_cast<uint32_t>((bytes.size() + 3) / 4);
  s.put32(header(Op::exec, exec_fixed_words + arg_words));
  s.put64(k.entry);
  for (uint32_t v : {grid.x, grid.y, grid.z, block.x, block.y, block.z}) s.put32(v);
  s.put32(k.info.shared_bytes + args.dynamic_shared_bytes());  // within max_shared_bytes: checked by record_exec
  s.put32(static_cast<uint32_t>(bytes.size()));
  s.put64(reinterpret_cast<uintptr_t>(&k));
  size_t at = s.words.size();
  s.words.resize(at + arg_words);
  std::memcpy(s.words.data() + at, bytes.data(), bytes.size());
  for (const auto& p : args.patches()) {
    s.sites.push_back({p.var, 0, p.width, 0, static_cast<uint32_t>(at * 4 + p.offset), 0});
  }
}

void CpuQueue::encode_copy(CommandStream& s, Value dst, Value src, uint64_t bytes) {
  s.put32(header(Op::copy, 7));
  s.put_value64(dst);
  s.put_value64(src);
  s.put64(bytes);
}

void CpuQueue::encode_indirect(CommandStream& s, BoundStream& b) {
  const auto& words = static_cast<CpuBoundStream&>(b).words();
  s.put32(header(Op::indirect, 4));
  s.put64(reinterpret_cast<uintptr_t>(words.data()));
  s.put32(static_cast<uint32_t>(words.size()));
}

std::unique_ptr<BoundStream> CpuQueue::bind(CommandStream&& s) {
  return std::make_unique<CpuBoundStream>(std::move(s.words));
}

// ---- submission -----------------------------------------------------------------------------

// Copies the stream into the ring without splitting it across the ring's end (a skip command
// fills the tail instead), then rings the doorbell.
void CpuQueue::push(CommandStream& s) {
  const size_t n = s.words.size();
  const size_t capacity = ring_.size();
  if (n >= capacity) {
    throw Error(Errc::invalid_argument, device().uri(), name(),
                fmt::format("a submit of {} command words does not fit the ring of {}; submit more often", n, capacity));
  }
  if (device().logger()->should_log(spdlog::level::trace)) {
    for (size_t i = 0; i < n; i += std::max<uint32_t>(1, s.words[i] & 0xffff)) {
      device().logger()->trace("{}: {}", name(), describe(&s.words[i], n - i));
    }
  }
  uint64_t w = write_.load(std::memory_order_relaxed);
  size_t tail = capacity - (w & mask_);
  size_t need = n <= tail ? n : n + tail;
  auto deadline = std::chrono::steady_clock::now() + ring_full_timeout;
  while (w + need - read_.load(std::memory_order_acquire) > capacity) {
    if (device().lost()) throw Error(Errc::device_lost, device().uri(), name(), "device lost: " + device().lost_reason());
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(Errc::timeout, device().uri(), name(),
                  fmt::format("the ring stayed full for 10 s ({} of {} submits done); a wait may never be satisfied",
                              completed(), submitted()));
    }
    std::this_thread::yield();
  }
  if (n > tail) {
    ring_[w & mask_] = header(Op::skip, 0);
    w += tail;
  }
  std::memcpy(&ring_[w & mask_], s.words.data(), n * 4);
  write_.store(w + n, std::memory_order_release);
  doorbell_.fetch_add(1, std::memory_order_release);
  doorbell_.notify_one();
}

// ---- the worker -----------------------------------------------------------------------------

void CpuQueue::run() noexcept {
  uint32_t bell = doorbell_.load(std::memory_order_acquire);
  while (!stop_.load(std::memory_order_acquire)) {
    uint64_t r = read_.load(std::memory_order_relaxed);
    uint64_t w = write_.load(std::memory_order_acquire);
    if (r == w) {
      // Spin a little before sleeping: back-to-back submits then cost no wake-up.
      for (int i = 0; i < 20000 && write_.load(std::memory_order_acquire) == r && !stop_.load(); ++i) {
        if ((i & 255) == 255) std::this_thread::yield();
      }
      if (write_.load(std::memory_order_acquire) == r) {
        doorbell_.wait(bell, std::memory_order_acquire);
        bell = doorbell_.load(std::memory_order_acquire);
      }
      continue;
    }
    size_t pos = r & mask_;
    size_t count = std::min<uint64_t>(w - r, ring_.size() - pos);
    if (!device().lost()) execute(&ring_[pos], count, 0);
    read_.store(r + count, std::memory_order_release);
  }
}

bool CpuQueue::wait_until(uint64_t addr, uint64_t value) noexcept {
  auto* slot = reinterpret_cast<uint64_t*>(addr);
  for (uint32_t round = 0;; ++round) {
    uint64_t v = std::atomic_ref<uint64_t>(*slot).load(std::memory_order_acquire);
    if (device().signal_reached(v, value)) return true;
    if (stop_.load(std::memory_order_acquire) || device().lost()) return false;
    if (round < 4000) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
}

void CpuQueue::trap(std::string reason) noexcept { device().mark_lost(fmt::format("{}: {}", name(), reason)); }

bool CpuQueue::execute(const uint32_t* words, size_t count, int depth) noexcept {
  alignas(16) std::byte args[4096];
  size_t i = 0;
  while (i < count) {
    const uint32_t* c = words + i;
    auto op = static_cast<Op>(c[0] >> 16);
    uint32_t n = c[0] & 0xffff;
    if (op == Op::skip) return true;
    if (n == 0 || n > count - i) {
      trap(fmt::format("malformed command word 0x{:08x} at word {} of {}", c[0], i, count));
      return false;
    }
    switch (op) {
      case Op::wait:
        if (!wait_until(read64(c + 1), read64(c + 3))) return false;
        break;
      case Op::signal:
        device().write_signal(reinterpret_cast<SignalSlot*>(read64(c + 1)), read64(c + 3));
        break;
      case Op::timestamp:
        std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(read64(c + 1))).store(now_ns(), std::memory_order_release);
        break;
      case Op::barrier:
        std::atomic_thread_fence(std::memory_order_seq_cst);
        break;
      case Op::exec: {
        auto entry = reinterpret_cast<hcq_cpu_kernel_fn>(read64(c + 1));
        hcq_cpu_dispatch d{};
        for (int k = 0; k < 3; ++k) {
          d.grid[k] = c[3 + k];
          d.block[k] = c[6 + k];
        }
        d.shared_bytes = c[9];
        d.shared = shared_.data();
        uint32_t args_bytes = c[10];
        const auto* kernel = reinterpret_cast<const detail::KernelImpl*>(read64(c + 11));
        if (args_bytes > sizeof(args) || args_bytes > (n - exec_fixed_words) * 4 || d.shared_bytes > shared_.size()) {
          trap(fmt::format("malformed exec command at word {}", i));
          return false;
        }
        std::memcpy(args, c + exec_fixed_words, args_bytes);
        for (d.workgroup[2] = 0; d.workgroup[2] < d.grid[2]; ++d.workgroup[2]) {
          for (d.workgroup[1] = 0; d.workgroup[1] < d.grid[1]; ++d.workgroup[1]) {
            for (d.workgroup[0] = 0; d.workgroup[0] < d.grid[0]; ++d.workgroup[0]) {
              if (int rc = entry(&d, args); rc != 0) {
                trap(fmt::format("kernel '{}' trapped (returned {}) in workgroup ({},{},{})", kernel->info.name, rc,
                                 d.workgroup[0], d.workgroup[1], d.workgroup[2]));
                return false;
              }
            }
          }
        }
        break;
      }
      case Op::copy:
        std::memmove(reinterpret_cast<void*>(read64(c + 1)), reinterpret_cast<const void*>(read64(c + 3)),
                     read64(c + 5));
        break;
      case Op::indirect:
        if (depth >= max_indirect_depth) {
          trap(fmt::format("indirect buffers nested deeper than {}", max_indirect_depth));
          return false;
        }
        if (!execute(reinterpret_cast<const uint32_t*>(read64(c + 1)), c[3], depth + 1)) return false;
        break;
      default:
        trap(fmt::format("unknown command word 0x{:08x} at word {}", c[0], i));
        return false;
    }
    i += n;
  }
  return true;
}

}  // namespace hcq::cpu
