// The model's SDMA engine (see sdma.hpp).
#include "am/sim/sdma.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "am/ip/psp_gfx_if.hpp"
#include "am/pkt/sdma.hpp"
#include "am/registers/gc_11_0_0.hpp"
#include "am/registers/soc21_ih.hpp"
#include "log.hpp"

namespace hcq::am::sim {

namespace {

namespace gc = gc_11_0_0;
using Packet = std::vector<uint32_t>;
static_assert(Sdma::queues_per_engine == gc::sdma_queues_per_engine);

constexpr size_t packets_per_turn = 64;
constexpr size_t chunk_bytes = 64 * 1024;  // copies and fills move this much per Context access
constexpr size_t dwords_before_length = 4;  // WRITE_LINEAR's length is in dword 3

uint64_t join(uint32_t lo, uint32_t hi) { return uint64_t{hi} << 32 | lo; }

// The packet length from its first dwords (`have` of them read), 0 for an unknown opcode.
size_t length(const Packet& p) {
  using sdma::Sdma;
  switch (static_cast<sdma::Op>(sdma::header_op(p[0]))) {
    case sdma::Op::nop: return 1 + sdma::get_nop_count(p[0]);
    case sdma::Op::copy: return Sdma::copy_dwords;
    case sdma::Op::fence: return Sdma::fence_dwords;
    case sdma::Op::poll_regmem: return Sdma::poll_dwords;
    case sdma::Op::trap: return Sdma::trap_dwords;
    case sdma::Op::timestamp: return Sdma::timestamp_dwords;
    case sdma::Op::const_fill: return Sdma::const_fill_dwords;
    case sdma::Op::indirect: return Sdma::indirect_dwords;
    case sdma::Op::write: return p.size() > 3 ? Sdma::write_dwords(size_t{p[3]} + 1) : dwords_before_length;
  }
  return 0;
}

bool compare(uint32_t function, uint32_t v, uint32_t ref) {
  switch (static_cast<sdma::Compare>(function)) {
    case sdma::Compare::always: return true;
    case sdma::Compare::lt: return v < ref;
    case sdma::Compare::le: return v <= ref;
    case sdma::Compare::eq: return v == ref;
    case sdma::Compare::ne: return v != ref;
    case sdma::Compare::ge: return v >= ref;
    case sdma::Compare::gt: return v > ref;
  }
  return false;
}

}  // namespace

Sdma::Sdma(Context& ctx, SdmaOptions options) : ctx_(ctx), options_(options) {
  install();
  worker_.start([this] { return run(); });
}

Sdma::~Sdma() { worker_.stop(); }

void Sdma::reset() {
  std::lock_guard lock(worker_.mutex());
  install();
}

void Sdma::install() {
  for (unsigned i = 0; i < queues_.size(); ++i) {
    Queue& q = queues_[i] = Queue{};
    q.engine = i / queues_per_engine;
    q.queue = i % queues_per_engine;
    ctx_.on_write(address(q, gc::SDMA0_QUEUE0_RB_CNTL), [this, &q](uint32_t v) { rb_cntl(q, v); });
  }
  for (unsigned e = 0; e < engines; ++e)
    ctx_.on_read(ctx_.address(gc::SDMA0_STATUS_REG) + e * gc::sdma1_reg_offset, [this, e] { return status(e); });
}

// SDMA0_STATUS_REG as sdma_v6_0_is_idle reads it: the engine is idle when none of its queues has
// packets left (before its write pointer, in an IB, or a POLL_REGMEM that has not passed); a queue
// stopped by an error with work left keeps it busy.
uint32_t Sdma::status(unsigned engine) {
  std::lock_guard lock(worker_.mutex());
  bool busy = false, in_ib = false;
  for (const Queue& q : queues_) {
    if (q.engine != engine || !q.state.active) continue;
    busy |= !q.ibs.empty() || q.rptr < q.wptr;
    in_ib |= !q.ibs.empty();
  }
  const auto& f = gc::SDMA0_STATUS_REG;
  const uint32_t idle_bits = f["idle"](1) | f["reg_idle"](1) | f["rb_empty"](1) | f["rb_cmd_idle"](1) | f["block_idle"](1);
  return (busy ? 0 : idle_bits) | f["inside_ib"](in_ib ? 1 : 0);
}

// The queue's own copy of a register named for SDMA0 QUEUE0 (sdma_v6_0.c: SDMA1 at +0x600; queue n
// at n * (SDMA0_QUEUE1_RB_CNTL - SDMA0_QUEUE0_RB_CNTL)).
uint32_t Sdma::address(const Queue& q, const Reg& r) const {
  return ctx_.address(r) + q.engine * gc::sdma1_reg_offset + q.queue * gc::sdma_queue_stride;
}

Sdma::State Sdma::state(unsigned engine, unsigned queue) {
  std::lock_guard lock(worker_.mutex());
  const Queue& q = queues_.at(engine * queues_per_engine + queue);
  State s = q.state;
  s.rptr = q.rptr;
  return s;
}

void Sdma::rb_cntl(Queue& q, uint32_t v) {
  const auto& cntl = gc::SDMA0_QUEUE0_RB_CNTL;
  auto reg = [&](const Reg& r) { return ctx_.reg(address(q, r)); };
  std::lock_guard lock(worker_.mutex());
  q.state = {};
  q.ibs.clear();
  q.waiting_since.reset();
  if (!cntl["rb_enable"].get(v)) return;
  if (!ctx_.firmware_loaded(static_cast<uint32_t>(psp::FwType::sdma_ucode_th0))) {
    q.state.stopped = true;
    q.state.why = "queue not started: the SDMA firmware (SDMA_UCODE_TH0) was not loaded through the PSP";
    return;
  }
  const uint32_t doorbell = reg(gc::SDMA0_QUEUE0_DOORBELL);
  if (!gc::SDMA0_QUEUE0_DOORBELL["enable"].get(doorbell)) {
    q.state.stopped = true;
    q.state.why = fmt::format("queue not started: SDMA{}_QUEUE{}_DOORBELL={:#010x} has enable = 0", q.engine, q.queue, doorbell);
    return;
  }
  q.ring = join(reg(gc::SDMA0_QUEUE0_RB_BASE), reg(gc::SDMA0_QUEUE0_RB_BASE_HI)) << 8;
  q.ring_bytes = 4u << cntl["rb_size"].get(v);
  q.rptr_addr = join(reg(gc::SDMA0_QUEUE0_RB_RPTR_ADDR_LO), reg(gc::SDMA0_QUEUE0_RB_RPTR_ADDR_HI));
  q.rptr_writeback = cntl["rptr_writeback_enable"].get(v);
  q.rptr = join(reg(gc::SDMA0_QUEUE0_RB_RPTR), reg(gc::SDMA0_QUEUE0_RB_RPTR_HI));
  q.wptr = join(reg(gc::SDMA0_QUEUE0_RB_WPTR), reg(gc::SDMA0_QUEUE0_RB_WPTR_HI));
  q.state.active = true;
  const uint32_t index = gc::SDMA0_QUEUE0_DOORBELL_OFFSET["offset"].get(reg(gc::SDMA0_QUEUE0_DOORBELL_OFFSET)) / 2;
  ctx_.on_doorbell(index, [this, &q](uint64_t wptr) {
    std::lock_guard l(worker_.mutex());
    q.wptr = wptr;
    worker_.kick_locked();
  });
  worker_.kick_locked();
}

// Each queue gets up to packets_per_turn packets, then the next one; a blocked queue waits its turn.
Worker::Next Sdma::run() {
  return take_turns(
      queues_, packets_per_turn,
      [](const Queue& q) { return q.state.active && !q.state.stopped && !(q.ibs.empty() && q.rptr >= q.wptr); },
      [this](Queue& q) { return run_one(q) == Step::blocked; });
}

Sdma::Step Sdma::run_one(Queue& q) {
  while (!q.ibs.empty() && q.ibs.back().pos >= q.ibs.back().dwords) q.ibs.pop_back();
  if (q.ibs.empty() && q.rptr >= q.wptr) return Step::done;
  if (q.ibs.empty() && (q.wptr - q.rptr > q.ring_bytes || (q.wptr - q.rptr) % 4 != 0))
    return stop(q, fmt::format("wptr {} is not a whole number of dwords within a ring ({} bytes) of rptr {}", q.wptr,
                               q.ring_bytes, q.rptr));
  Packet p;
  if (!fetch(q, p)) return Step::stopped;
  const bool from_ring = q.ibs.empty();
  const Step s = execute(q, p);
  if (s != Step::done) return s;
  if (from_ring) {
    q.rptr += p.size() * 4;
    if (q.rptr_writeback && q.rptr_addr != 0 && !write(q, q.rptr_addr, &q.rptr, sizeof q.rptr)) return Step::stopped;
  } else {
    q.ibs.back().pos += static_cast<uint32_t>(p.size());
  }
  return Step::done;
}

bool Sdma::fetch(Queue& q, Packet& p) {
  const bool in_ib = !q.ibs.empty();
  const uint64_t avail = in_ib ? q.ibs.back().dwords - q.ibs.back().pos : (q.wptr - q.rptr) / 4;
  auto at = [&](size_t i) {
    return in_ib ? q.ibs.back().base + (q.ibs.back().pos + i) * 4 : q.ring + (q.rptr + i * 4) % q.ring_bytes;
  };
  uint32_t h = 0;
  if (!read(q, at(0), &h, 4)) return false;
  p.assign(1, h);
  size_t n = length(p);
  if (n == 0) return stop(q, fmt::format("unknown SDMA opcode {} (header {:#010x})", sdma::header_op(h), h)), false;
  for (size_t i = 1; i < std::min<size_t>(n, dwords_before_length) && i < avail; ++i) {
    p.push_back(0);
    if (!read(q, at(i), &p[i], 4)) return false;
  }
  n = length(p);
  if (n > avail) return stop(q, fmt::format("packet {:#010x} of {} dwords runs past the {} dwords available", h, n, avail)), false;
  for (size_t i = p.size(); i < n; ++i) {
    p.push_back(0);
    if (!read(q, at(i), &p[i], 4)) return false;
  }
  return true;
}

Sdma::Step Sdma::execute(Queue& q, const Packet& p) {
  switch (static_cast<sdma::Op>(sdma::header_op(p[0]))) {
    case sdma::Op::nop: return Step::done;
    case sdma::Op::copy:
      if (sdma::header_sub_op(p[0]) != sdma::sub_copy_linear) return stop(q, fmt::format("COPY sub-op {} (only linear)", sdma::header_sub_op(p[0])));
      return copy(q, join(p[5], p[6]), join(p[3], p[4]), uint64_t{p[1] & sdma::copy_count_mask} + 1);
    case sdma::Op::fence: return write(q, join(p[1], p[2]), &p[3], 4) ? Step::done : Step::stopped;
    case sdma::Op::poll_regmem: return poll(q, p);
    case sdma::Op::trap: {
      const uint32_t context[4] = {p[1] & sdma::trap_int_context_mask, q.engine, q.queue, 0};
      ++q.state.traps;
      ctx_.interrupt(ih::client_gfx, gc::srcid::sdma_trap, context);
      return Step::done;
    }
    case sdma::Op::timestamp: {
      const uint64_t addr = join(p[1], p[2]), t = ctx_.gpu_clock();
      if (addr % 8 != 0) return stop(q, fmt::format("TIMESTAMP address {:#x} is not 8-byte aligned", addr));
      return write(q, addr, &t, 8) ? Step::done : Step::stopped;
    }
    case sdma::Op::write: return write(q, join(p[1], p[2]), &p[4], (p.size() - 4) * 4) ? Step::done : Step::stopped;
    case sdma::Op::const_fill:
      if ((p[0] & (3u << 30)) != sdma::fill_size_dword) return stop(q, "CONST_FILL with a fill size other than a dword");
      return fill(q, join(p[1], p[2]), p[3], uint64_t{p[4]} + 1);
    case sdma::Op::indirect: {
      if (!gc::SDMA0_QUEUE0_IB_CNTL["ib_enable"].get(ctx_.reg(address(q, gc::SDMA0_QUEUE0_IB_CNTL))))
        return stop(q, "INDIRECT with IB_CNTL.ib_enable = 0");
      if (!q.ibs.empty()) return stop(q, "INDIRECT inside an indirect buffer");
      if (p[3] == 0) return stop(q, "INDIRECT of 0 dwords");
      q.ibs.push_back({join(p[1], p[2]), p[3], 0});
      return Step::done;
    }
  }
  return stop(q, fmt::format("unknown SDMA opcode {}", sdma::header_op(p[0])));
}

Sdma::Step Sdma::poll(Queue& q, const Packet& p) {
  const uint32_t function = sdma::get_poll_func(p[0]);
  uint32_t v = 0;
  if (p[0] & sdma::poll_mem_space) {
    if (!read(q, join(p[1], p[2]), &v, 4)) return Step::stopped;
  } else {
    v = ctx_.reg(p[1] >> 2);  // a register's byte address
  }
  if (compare(function, v & p[4], p[3])) {
    q.waiting_since.reset();
    return Step::done;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!q.waiting_since) q.waiting_since = now;
  if (now - *q.waiting_since < options_.poll_timeout) return Step::blocked;
  return stop(q, fmt::format("POLL_REGMEM at {:#x} (value {:#x} & mask {:#x}, function {}, reference {:#x}) did not pass in {} ms",
                          join(p[1], p[2]), v, p[4], function, p[3], options_.poll_timeout.count()));
}

Sdma::Step Sdma::copy(Queue& q, uint64_t dst, uint64_t src, uint64_t bytes) {
  std::vector<std::byte> buf(std::min<uint64_t>(bytes, chunk_bytes));
  for (uint64_t done = 0; done < bytes;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes - done, chunk_bytes));
    if (!read(q, src + done, buf.data(), n) || !write(q, dst + done, buf.data(), n)) return Step::stopped;
    done += n;
  }
  return Step::done;
}

Sdma::Step Sdma::fill(Queue& q, uint64_t dst, uint32_t value, uint64_t bytes) {
  if (bytes % 4 != 0 || dst % 4 != 0) return stop(q, fmt::format("CONST_FILL of {} bytes at {:#x}: dwords only", bytes, dst));
  std::vector<uint32_t> buf(std::min<uint64_t>(bytes, chunk_bytes) / 4, value);
  for (uint64_t done = 0; done < bytes;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes - done, chunk_bytes));
    if (!write(q, dst + done, buf.data(), n)) return Step::stopped;
    done += n;
  }
  return Step::done;
}

bool Sdma::read(Queue& q, uint64_t va, void* dst, size_t bytes) {
  if (ctx_.read(q.engine == 0 ? Client::sdma0 : Client::sdma1, 0, va, dst, bytes)) return true;
  stop(q, fmt::format("read of {} bytes at {:#x} faulted", bytes, va));
  return false;
}

bool Sdma::write(Queue& q, uint64_t va, const void* src, size_t bytes) {
  if (ctx_.write(q.engine == 0 ? Client::sdma0 : Client::sdma1, 0, va, src, bytes)) return true;
  stop(q, fmt::format("write of {} bytes at {:#x} faulted", bytes, va));
  return false;
}

Sdma::Step Sdma::stop(Queue& q, std::string why) {
  q.state.stopped = true;
  q.state.why = fmt::format("SDMA{} queue {} at rptr {}: {}", q.engine, q.queue, q.rptr, why);
  log::get("am")->warn("sim SDMA: {}", q.state.why);
  return Step::stopped;
}

EngineFactory sdma_factory(SdmaOptions options) {
  return [options](Context& ctx) { return std::make_unique<Sdma>(ctx, options); };
}

}  // namespace hcq::am::sim
