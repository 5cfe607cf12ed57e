// Host-executed queues (host_queue.hpp): encoders for the command words, the ring, and the
// worker thread that plays the command processor.
#include "host_queue.hpp"

#include <cstring>
#include <ctime>

namespace hcq::detail {

using namespace host_cmd;

namespace {

constexpr auto ring_full_timeout = std::chrono::seconds(10);
constexpr uint32_t wait_spin_rounds = 4000;                 // then a wait sleeps between looks
constexpr auto wait_sleep = std::chrono::microseconds(50);  // so that a long wait stops burning a core
constexpr int idle_spin_rounds = 20000;                     // back-to-back submits cost no wake-up

uint64_t read64(const uint32_t* w) noexcept { return uint64_t{w[0]} | uint64_t{w[1]} << 32; }

// A graph's words in host memory; patch sites point straight into them.
class HostBoundStream final : public BoundStream {
 public:
  explicit HostBoundStream(std::vector<uint32_t> words) : words_(std::move(words)) {}
  std::byte* resolve(uint8_t, uint32_t offset) override { return reinterpret_cast<std::byte*>(words_.data()) + offset; }
  const std::vector<uint32_t>& words() const noexcept { return words_; }

 private:
  std::vector<uint32_t> words_;
};

}  // namespace

std::string host_cmd::describe(const uint32_t* c, size_t available) {
  auto op = static_cast<Op>(c[0] >> 16);
  uint32_t n = c[0] & 0xffff;
  if (op == Op::skip) return "SKIP";
  if (n == 0 || n > available) return fmt::format("malformed header 0x{:08x}", c[0]);
  switch (op) {
    case Op::wait: return fmt::format("WAIT *0x{:x} >= {}", read64(c + 1), read64(c + 3));
    case Op::signal: return fmt::format("SIGNAL *0x{:x} = {}", read64(c + 1), read64(c + 3));
    case Op::timestamp: return fmt::format("TIMESTAMP -> 0x{:x}", read64(c + 1));
    case Op::barrier: return "BARRIER";
    case Op::exec: {
      const auto* k = reinterpret_cast<const KernelImpl*>(read64(c + 1));
      return fmt::format("EXEC {} grid {}x{}x{} block {}x{}x{} shared {} args {} bytes", k->info.name, c[3], c[4], c[5],
                         c[6], c[7], c[8], c[9], c[10]);
    }
    case Op::copy: return fmt::format("COPY 0x{:x} <- 0x{:x}, {} bytes", read64(c + 1), read64(c + 3), read64(c + 5));
    case Op::indirect: return fmt::format("INDIRECT 0x{:x}, {} words", read64(c + 1), c[3]);
    case Op::skip: break;
  }
  return fmt::format("unknown command 0x{:08x}", c[0]);
}

HostQueue::HostQueue(std::shared_ptr<DeviceImpl> device, QueueKind kind, size_t ring_words)
    : QueueImpl(std::move(device), kind), ring_(ring_words), mask_(ring_words - 1) {}

HostQueue::~HostQueue() { stop(std::chrono::milliseconds(0)); }

void HostQueue::start() { worker_ = std::thread([this] { run(); }); }

void HostQueue::stop(std::chrono::milliseconds drain_timeout) noexcept {
  if (!worker_.joinable()) return;
  if (!drain(drain_timeout) && !device().lost()) {
    device().logger()->warn("{} destroyed with unfinished work ({} of {} submits done); abandoning it", name(),
                            completed(), submitted());
  }
  stop_.store(true, std::memory_order_release);
  doorbell_.fetch_add(1, std::memory_order_release);
  doorbell_.notify_one();
  worker_.join();
}

uint64_t HostQueue::now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

void HostQueue::trap(std::string reason) noexcept { device().mark_lost(fmt::format("{}: {}", name(), reason)); }

// ---- encoders -------------------------------------------------------------------------------

void HostQueue::encode_wait(CommandStream& s, Value addr, Value value) {
  s.put32(header(Op::wait, 5));
  s.put_value64(addr);
  s.put_value64(value);
}

void HostQueue::encode_signal(CommandStream& s, Value addr, Value value) {
  s.put32(header(Op::signal, 5));
  s.put_value64(addr);
  s.put_value64(value);
}

void HostQueue::encode_timestamp(CommandStream& s, Value addr) {
  s.put32(header(Op::timestamp, 3));
  s.put_value64(addr);
}

void HostQueue::encode_barrier(CommandStream& s) { s.put32(header(Op::barrier, 1)); }

void HostQueue::encode_exec(CommandStream& s, const KernelImpl& k, const KernelArgs& args, Dim3 grid, Dim3 block) {
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

void HostQueue::encode_copy(CommandStream& s, Value dst, Value src, uint64_t bytes) {
  s.put32(header(Op::copy, 7));
  s.put_value64(dst);
  s.put_value64(src);
  s.put64(bytes);
}

void HostQueue::encode_indirect(CommandStream& s, BoundStream& b) {
  const auto& words = static_cast<HostBoundStream&>(b).words();
  s.put32(header(Op::indirect, 4));
  s.put64(reinterpret_cast<uintptr_t>(words.data()));
  s.put32(static_cast<uint32_t>(words.size()));
}

std::unique_ptr<BoundStream> HostQueue::bind(CommandStream&& s) {
  return std::make_unique<HostBoundStream>(std::move(s.words));
}

// ---- submission -----------------------------------------------------------------------------

// Copies the stream into the ring without splitting it across the ring's end (a skip command
// fills the tail instead), then rings the doorbell.
void HostQueue::push(CommandStream& s) {
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

void HostQueue::run() noexcept {
  uint32_t bell = doorbell_.load(std::memory_order_acquire);
  while (!stopping()) {
    uint64_t r = read_.load(std::memory_order_relaxed);
    uint64_t w = write_.load(std::memory_order_acquire);
    if (r == w) {
      for (int i = 0; i < idle_spin_rounds && write_.load(std::memory_order_acquire) == r && !stopping(); ++i) {
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

bool HostQueue::wait_until(uint64_t addr, uint64_t value) noexcept {
  uint64_t* slot = signal_word(addr);
  if (!slot) return false;
  for (uint32_t round = 0;; ++round) {
    uint64_t v = std::atomic_ref<uint64_t>(*slot).load(std::memory_order_acquire);
    if (device().signal_reached(v, value)) return true;
    if (stopping() || device().lost()) return false;
    if (round < wait_spin_rounds) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(wait_sleep);
    }
  }
}

bool HostQueue::execute(const uint32_t* words, size_t count, int depth) noexcept {
  size_t i = 0;
  while (i < count) {
    const uint32_t* c = words + i;
    uint32_t n = c[0] & 0xffff;
    if (static_cast<Op>(c[0] >> 16) == Op::skip) return true;
    if (n == 0 || n > count - i) {
      trap(fmt::format("malformed command word 0x{:08x} at word {} of {}", c[0], i, count));
      return false;
    }
    if (!execute_one(c, n, depth)) return false;
    i += n;
  }
  return true;
}

bool HostQueue::execute_one(const uint32_t* c, uint32_t n, int depth) noexcept {
  switch (static_cast<Op>(c[0] >> 16)) {
    case Op::wait: return wait_until(read64(c + 1), read64(c + 3));
    case Op::signal: {
      uint64_t* w = signal_word(read64(c + 1));
      if (w) device().write_signal(reinterpret_cast<SignalSlot*>(w), read64(c + 3));
      return w != nullptr;
    }
    case Op::timestamp: {
      uint64_t* w = signal_word(read64(c + 1));
      if (w) std::atomic_ref<uint64_t>(*w).store(now_ns(), std::memory_order_release);
      return w != nullptr;
    }
    case Op::barrier: std::atomic_thread_fence(std::memory_order_seq_cst); return true;
    case Op::exec: {
      HostExec e;
      e.kernel = reinterpret_cast<const KernelImpl*>(read64(c + 1));
      std::copy(c + 3, c + 6, e.grid);
      std::copy(c + 6, c + 9, e.block);
      e.shared_bytes = c[9];
      uint32_t args_bytes = c[10];
      if (args_bytes > (n - exec_fixed_words) * 4) {
        trap(fmt::format("malformed exec command: {} bytes of arguments in {} words", args_bytes, n));
        return false;
      }
      e.args = std::as_bytes(std::span(c + exec_fixed_words, n - exec_fixed_words)).first(args_bytes);
      return run_exec(e);
    }
    case Op::copy: return run_copy(read64(c + 1), read64(c + 3), read64(c + 5));
    case Op::indirect:
      if (depth >= max_indirect_depth) {
        trap(fmt::format("indirect buffers nested deeper than {}", max_indirect_depth));
        return false;
      }
      return execute(reinterpret_cast<const uint32_t*>(read64(c + 1)), c[3], depth + 1);
    case Op::skip: return true;
  }
  trap(fmt::format("unknown command word 0x{:08x}", c[0]));
  return false;
}

}  // namespace hcq::detail
