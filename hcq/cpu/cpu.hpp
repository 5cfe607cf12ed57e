// The cpu backend: the reference implementation of the hcq contract, and the default device.
//
// Memory is host memory (mmap'd chunks; the device address is the host address). Each queue has a
// ring of 32-bit command words and a worker thread that executes them in order, like a GPU's
// command processor: the command format below is this device's "packet" format, so graphs,
// patching and indirect buffers work on it exactly as on hardware.
#pragma once

#include <atomic>
#include <thread>
#include <vector>

#include "../src/backend.hpp"

namespace hcq::cpu {

// Command words: a header (opcode << 16 | total words including the header), then operands.
// 64-bit operands are two words, low first.
enum class Op : uint16_t {
  wait = 1,       // addr64, value64: stall until *addr >= value
  signal = 2,     // addr64, value64: release-store value
  timestamp = 3,  // addr64: store CLOCK_MONOTONIC nanoseconds
  barrier = 4,    // full memory fence
  exec = 5,       // entry64, grid xyz, block xyz, shared_bytes, args_bytes, kernel ptr64, args (words)
  copy = 6,       // dst64, src64, bytes64
  indirect = 7,   // addr64 of words, count32: run those words, then continue here
  skip = 8,       // (header only, count 0) the rest of the ring up to its end is unused
};
constexpr uint32_t header(Op op, uint32_t words) { return static_cast<uint32_t>(op) << 16 | words; }
constexpr uint32_t exec_fixed_words = 1 + 2 + 3 + 3 + 1 + 1 + 2;


class CpuQueue final : public detail::QueueImpl {
 public:
  CpuQueue(std::shared_ptr<detail::DeviceImpl> device, QueueKind kind, size_t ring_words);
  ~CpuQueue() override;

  void encode_wait(detail::CommandStream& s, Value addr, Value value) override;
  void encode_signal(detail::CommandStream& s, Value addr, Value value) override;
  void encode_timestamp(detail::CommandStream& s, Value addr) override;
  void encode_barrier(detail::CommandStream& s) override;
  void encode_exec(detail::CommandStream& s, const detail::KernelImpl& k, const KernelArgs& args, Dim3 grid,
                   Dim3 block) override;
  void encode_copy(detail::CommandStream& s, Value dst, Value src, uint64_t bytes) override;
  void encode_indirect(detail::CommandStream& s, detail::BoundStream& b) override;
  void push(detail::CommandStream& s) override;
  std::unique_ptr<detail::BoundStream> bind(detail::CommandStream&& s) override;

 private:
  void run() noexcept;
  // Executes words[0..count); false when the device was lost or the queue is stopping.
  bool execute(const uint32_t* words, size_t count, int depth) noexcept;
  bool wait_until(uint64_t addr, uint64_t value) noexcept;
  void trap(std::string reason) noexcept;

  std::vector<uint32_t> ring_;
  size_t mask_;
  std::atomic<uint64_t> write_{0};  // words made visible to the worker (the "doorbell")
  std::atomic<uint64_t> read_{0};   // words the worker consumed
  std::atomic<bool> stop_{false};
  std::atomic<uint32_t> doorbell_{0};  // bumped on every push; the idle worker sleeps on it
  std::vector<std::byte> shared_;   // workgroup memory
  std::thread worker_;
};

}  // namespace hcq::cpu
