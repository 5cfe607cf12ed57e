// The gfx1100 model's SDMA engine 0, queue 0 (the one queue the driver uses; am/ip/sdma_v6.cpp):
// started by SDMA0_QUEUE0_RB_CNTL.rb_enable, fed by its doorbell (a byte write pointer), it runs
// COPY_LINEAR, FENCE, POLL_REGMEM (memory or register; a poll longer than
// SdmaOptions::poll_timeout hangs the queue), TIMESTAMP (GET_GLOBAL), TRAP (an IH entry),
// WRITE_LINEAR, NOP, INDIRECT and CONST_FILL (am/pkt/sdma.hpp). Ring pointers count bytes.
//
// Memory goes through Context::read/write as VMID 0 (client SDMA0): a bad address is a VM fault.
// The engine refuses to start a queue before the PSP loaded the SDMA firmware. A queue that meets
// an unknown opcode, a malformed packet or a fault stops; why is in state() for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "am/sim/context.hpp"
#include "am/sim/model.hpp"
#include "am/sim/worker.hpp"

namespace hcq::am::sim {

struct SdmaOptions {
  std::chrono::milliseconds poll_timeout{30000};
};

class Sdma final : public Engine {
 public:
  static constexpr unsigned max_ib_depth = 1;  // SDMA IBs do not nest

  explicit Sdma(Context& ctx, SdmaOptions options = {});
  ~Sdma() override;
  void reset() override;
  uint64_t busy_ns() const override { return worker_.busy_ns(); }

  struct State {
    bool active = false;
    bool stopped = false;
    std::string why;
    uint64_t rptr = 0;  // bytes, not wrapped
    uint64_t traps = 0;
  };
  State state();

 private:
  struct Frame {
    uint64_t base;
    uint32_t dwords;
    uint32_t pos;
  };
  enum class Step { done, blocked, stopped };

  void install();
  void rb_cntl(uint32_t value);
  Worker::Next run();
  Step run_one();
  bool fetch(std::vector<uint32_t>& p);
  Step execute(const std::vector<uint32_t>& p);
  Step poll(const std::vector<uint32_t>& p);
  Step copy(uint64_t dst, uint64_t src, uint64_t bytes);
  Step fill(uint64_t dst, uint32_t value, uint64_t bytes);
  bool read(uint64_t va, void* dst, size_t bytes);
  bool write(uint64_t va, const void* src, size_t bytes);
  Step stop(std::string why);

  Context& ctx_;
  SdmaOptions options_;
  uint64_t ring_ = 0;
  uint32_t ring_bytes_ = 0;
  uint64_t rptr_addr_ = 0;
  bool rptr_writeback_ = false;
  uint64_t rptr_ = 0, wptr_ = 0;
  std::vector<Frame> ibs_;
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
  State state_;
  Worker worker_;
};

EngineFactory sdma_factory(SdmaOptions options = {});

}  // namespace hcq::am::sim
