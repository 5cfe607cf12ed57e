// The gfx1100 model's SDMA engines: both engines' eight ring queues (QUEUE0..QUEUE7, each with its
// own registers at engine * 0x600 + queue * 0x58 from SDMA0_QUEUE0_*, as am/ip/sdma_v6.cpp programs
// them). A queue is started by its RB_CNTL.rb_enable and fed by its doorbell (a byte write pointer);
// the queues take turns (a queue blocked on a poll does not hold up the others). Each runs
// COPY_LINEAR, FENCE, POLL_REGMEM (memory or register; a poll longer than
// SdmaOptions::poll_timeout hangs the queue), TIMESTAMP (GET_GLOBAL), TRAP (an IH entry),
// WRITE_LINEAR, NOP, INDIRECT and CONST_FILL (am/pkt/sdma.hpp). Ring pointers count bytes.
//
// Memory goes through Context::read/write as VMID 0 (client SDMA0/SDMA1): a bad address is a VM
// fault. A TRAP raises GFX_11_0_0__SRCID__SDMA_TRAP with context {int_context, engine, queue, 0}.
// The engine refuses to start a queue before the PSP loaded the SDMA firmware. A queue that meets
// an unknown opcode, a malformed packet or a fault stops; why is in state() for tests.
#pragma once

#include <array>
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
  static constexpr unsigned engines = 2, queues_per_engine = 8;

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
  State state(unsigned engine = 0, unsigned queue = 0);

 private:
  struct Frame {
    uint64_t base;
    uint32_t dwords;
    uint32_t pos;
  };
  struct Queue {
    unsigned engine = 0, queue = 0;
    uint64_t ring = 0;
    uint32_t ring_bytes = 0;
    uint64_t rptr_addr = 0;
    bool rptr_writeback = false;
    uint64_t rptr = 0, wptr = 0;
    std::vector<Frame> ibs;
    std::optional<std::chrono::steady_clock::time_point> waiting_since;
    State state;
  };
  using Packet = std::vector<uint32_t>;
  enum class Step { done, blocked, stopped };

  void install();
  uint32_t address(const Queue& q, const Reg& queue0_reg) const;
  void rb_cntl(Queue& q, uint32_t value);
  uint32_t status(unsigned engine);
  Worker::Next run();
  Step run_one(Queue& q);
  bool fetch(Queue& q, Packet& p);
  Step execute(Queue& q, const Packet& p);
  Step poll(Queue& q, const Packet& p);
  Step copy(Queue& q, uint64_t dst, uint64_t src, uint64_t bytes);
  Step fill(Queue& q, uint64_t dst, uint32_t value, uint64_t bytes);
  bool read(Queue& q, uint64_t va, void* dst, size_t bytes);
  bool write(Queue& q, uint64_t va, const void* src, size_t bytes);
  Step stop(Queue& q, std::string why);

  Context& ctx_;
  SdmaOptions options_;
  std::array<Queue, engines * queues_per_engine> queues_;
  Worker worker_;
};

EngineFactory sdma_factory(SdmaOptions options = {});

}  // namespace hcq::am::sim
