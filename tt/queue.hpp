// The tt device's queues: our command words, run in order by a host worker thread that plays the
// command processor (tt/device.hpp says why). Words: a header (opcode << 16 | total words), then
// operands; 64-bit operands are two words, low first.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "../hcq/src/backend.hpp"

namespace hcq::tt {

class TtDevice;

enum class Op : uint16_t {
  wait = 1,       // addr64 (signal value: CPU address, or device address of host memory), value64
  signal = 2,     // addr64, value64
  timestamp = 3,  // addr64: CLOCK_MONOTONIC nanoseconds
  barrier = 4,    // every earlier command has finished (they run in order): nothing to do
  exec = 5,       // kernel64 (KernelImpl*), grid xyz, block xyz, shared_bytes, args_bytes, args (words)
  copy = 6,       // dst64, src64, bytes64 (device addresses)
  indirect = 7,   // addr64 of words, count32
};
constexpr uint32_t header(Op op, uint32_t words) { return static_cast<uint32_t>(op) << 16 | words; }
constexpr uint32_t exec_fixed_words = 1 + 2 + 3 + 3 + 1 + 1;

class TtQueue final : public detail::QueueImpl {
 public:
  TtQueue(std::shared_ptr<detail::DeviceImpl> device, QueueKind kind);
  ~TtQueue() override;

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
  bool execute(const uint32_t* words, size_t count, int depth) noexcept;
  uint64_t* cpu_word(uint64_t addr) noexcept;
  bool wait_until(uint64_t addr, uint64_t value) noexcept;
  bool exec(const uint32_t* c, uint32_t n) noexcept;
  bool copy(uint64_t dst, uint64_t src, uint64_t bytes) noexcept;
  void trap(std::string reason) noexcept;
  TtDevice& tt() const noexcept;

  std::mutex mutex_;
  std::condition_variable bell_;
  std::deque<std::vector<uint32_t>> pending_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace hcq::tt
