// Queues whose commands a host thread executes, for devices without a command processor that
// reads our streams (the cpu reference device, Tenstorrent chips). The command words, the ring
// and the worker that plays the command processor are shared here; a backend supplies only what
// differs: how to run a kernel, how to copy, where a signal word lives, and the clock.
//
// Command words: a header (opcode << 16 | total words including the header), then operands.
// 64-bit operands are two words, low first. Graphs bind these words in host memory and patch
// them in place, so patching and indirect buffers work as on hardware.
#pragma once

#include <atomic>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "backend.hpp"

namespace hcq::detail {

namespace host_cmd {

enum class Op : uint16_t {
  wait = 1,       // addr64, value64: stall until the signal word at addr reaches value
  signal = 2,     // addr64, value64: write the signal word
  timestamp = 3,  // addr64: store the backend's clock (HostQueue::now_ns)
  barrier = 4,    // full memory fence; commands run in order, so nothing else to do
  exec = 5,       // kernel64 (KernelImpl*), grid xyz, block xyz, shared_bytes, args_bytes, args (words)
  copy = 6,       // dst64, src64, bytes64 (device addresses)
  indirect = 7,   // addr64 of words, count32: run those words, then continue here
  skip = 8,       // (header only, count 0) the rest of the ring up to its end is unused
};
constexpr uint32_t header(Op op, uint32_t words) { return static_cast<uint32_t>(op) << 16 | words; }
constexpr uint32_t exec_fixed_words = 1 + 2 + 3 + 3 + 1 + 1;
constexpr int max_indirect_depth = 4;

// One command in words, by name, for trace logs.
std::string describe(const uint32_t* c, size_t available);

}  // namespace host_cmd

// An exec command as the worker hands it to the backend. `args` points into the command words
// (4-byte aligned only).
struct HostExec {
  const KernelImpl* kernel = nullptr;
  uint32_t grid[3] = {};
  uint32_t block[3] = {};
  uint32_t shared_bytes = 0;
  std::span<const std::byte> args;
};

class HostQueue : public QueueImpl {
 public:
  HostQueue(std::shared_ptr<DeviceImpl> device, QueueKind kind, size_t ring_words);
  ~HostQueue() override;

  void encode_wait(CommandStream& s, Value addr, Value value) final;
  void encode_signal(CommandStream& s, Value addr, Value value) final;
  void encode_timestamp(CommandStream& s, Value addr) final;
  void encode_barrier(CommandStream& s) final;
  void encode_exec(CommandStream& s, const KernelImpl& k, const KernelArgs& args, Dim3 grid, Dim3 block) final;
  void encode_copy(CommandStream& s, Value dst, Value src, uint64_t bytes) final;
  void encode_indirect(CommandStream& s, BoundStream& b) final;
  void push(CommandStream& s) final;
  std::unique_ptr<BoundStream> bind(CommandStream&& s) final;

 protected:
  // The derived constructor calls start() last; the derived destructor calls stop() first, so
  // that the worker never runs a hook of a half-built or half-destroyed object.
  void start();
  void stop(std::chrono::milliseconds drain_timeout) noexcept;

  // Backend hooks, called on the worker thread. A hook that fails calls trap() and returns false.
  virtual bool run_exec(const HostExec& e) noexcept = 0;
  virtual bool run_copy(uint64_t dst, uint64_t src, uint64_t bytes) noexcept = 0;
  // The CPU address of the 64-bit signal word at `addr` (a wait, signal or timestamp operand), or
  // nullptr after trap(). By default the address is a CPU address.
  virtual uint64_t* signal_word(uint64_t addr) noexcept { return reinterpret_cast<uint64_t*>(addr); }
  // Timestamps: CLOCK_MONOTONIC nanoseconds unless the backend has a better clock.
  virtual uint64_t now_ns() noexcept;

  // Marks the device lost with this queue's name and `reason`.
  void trap(std::string reason) noexcept;
  bool stopping() const noexcept { return stop_.load(std::memory_order_acquire); }

 private:
  void run() noexcept;
  // Executes words[0..count); false when the device was lost or the queue is stopping.
  bool execute(const uint32_t* words, size_t count, int depth) noexcept;
  bool execute_one(const uint32_t* c, uint32_t n, int depth) noexcept;
  bool wait_until(uint64_t addr, uint64_t value) noexcept;

  std::vector<uint32_t> ring_;
  size_t mask_;
  std::atomic<uint64_t> write_{0};  // words made visible to the worker (the "doorbell")
  std::atomic<uint64_t> read_{0};   // words the worker consumed
  std::atomic<bool> stop_{false};
  std::atomic<uint32_t> doorbell_{0};  // bumped on every push; the idle worker sleeps on it
  std::thread worker_;
};

}  // namespace hcq::detail
