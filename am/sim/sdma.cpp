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
  state_ = {};
  ibs_.clear();
  install();
}

void Sdma::install() {
  ctx_.on_write(ctx_.address(gc::SDMA0_QUEUE0_RB_CNTL), [this](uint32_t v) { rb_cntl(v); });
}

Sdma::State Sdma::state() {
  std::lock_guard lock(worker_.mutex());
  State s = state_;
  s.rptr = rptr_;
  return s;
}

void Sdma::rb_cntl(uint32_t v) {
  const auto& cntl = gc::SDMA0_QUEUE0_RB_CNTL;
  auto reg = [this](const Reg& r) { return ctx_.reg(r); };
  std::lock_guard lock(worker_.mutex());
  state_ = {};
  ibs_.clear();
  waiting_since_.reset();
  if (!cntl["rb_enable"].get(v)) return;
  if (!ctx_.firmware_loaded(static_cast<uint32_t>(psp::FwType::sdma_ucode_th0))) {
    state_.stopped = true;
    state_.why = "queue not started: the SDMA firmware (SDMA_UCODE_TH0) was not loaded through the PSP";
    return;
  }
  const uint32_t doorbell = reg(gc::SDMA0_QUEUE0_DOORBELL);
  if (!gc::SDMA0_QUEUE0_DOORBELL["enable"].get(doorbell)) {
    state_.stopped = true;
    state_.why = fmt::format("queue not started: SDMA0_QUEUE0_DOORBELL={:#010x} has enable = 0", doorbell);
    return;
  }
  ring_ = join(reg(gc::SDMA0_QUEUE0_RB_BASE), reg(gc::SDMA0_QUEUE0_RB_BASE_HI)) << 8;
  ring_bytes_ = 4u << cntl["rb_size"].get(v);
  rptr_addr_ = join(reg(gc::SDMA0_QUEUE0_RB_RPTR_ADDR_LO), reg(gc::SDMA0_QUEUE0_RB_RPTR_ADDR_HI));
  rptr_writeback_ = cntl["rptr_writeback_enable"].get(v);
  rptr_ = join(reg(gc::SDMA0_QUEUE0_RB_RPTR), reg(gc::SDMA0_QUEUE0_RB_RPTR_HI));
  wptr_ = join(reg(gc::SDMA0_QUEUE0_RB_WPTR), reg(gc::SDMA0_QUEUE0_RB_WPTR_HI));
  state_.active = true;
  const uint32_t index = gc::SDMA0_QUEUE0_DOORBELL_OFFSET["offset"].get(reg(gc::SDMA0_QUEUE0_DOORBELL_OFFSET)) / 2;
  ctx_.on_doorbell(index, [this](uint64_t wptr) {
    std::lock_guard l(worker_.mutex());
    wptr_ = wptr;
    worker_.kick_locked();
  });
  worker_.kick_locked();
}

Worker::Next Sdma::run() {
  for (size_t n = 0; n < packets_per_turn; ++n) {
    if (!state_.active || state_.stopped || (ibs_.empty() && rptr_ >= wptr_)) return Worker::Next::idle;
    if (run_one() == Step::blocked) return Worker::Next::waiting;
  }
  return Worker::Next::busy;
}

Sdma::Step Sdma::run_one() {
  while (!ibs_.empty() && ibs_.back().pos >= ibs_.back().dwords) ibs_.pop_back();
  if (ibs_.empty() && rptr_ >= wptr_) return Step::done;
  if (ibs_.empty() && (wptr_ - rptr_ > ring_bytes_ || (wptr_ - rptr_) % 4 != 0))
    return stop(fmt::format("wptr {} is not a whole number of dwords within a ring ({} bytes) of rptr {}", wptr_, ring_bytes_, rptr_));
  Packet p;
  if (!fetch(p)) return Step::stopped;
  const bool from_ring = ibs_.empty();
  const Step s = execute(p);
  if (s != Step::done) return s;
  if (from_ring) {
    rptr_ += p.size() * 4;
    if (rptr_writeback_ && rptr_addr_ != 0 && !write(rptr_addr_, &rptr_, sizeof rptr_)) return Step::stopped;
  } else {
    ibs_.back().pos += static_cast<uint32_t>(p.size());
  }
  return Step::done;
}

bool Sdma::fetch(Packet& p) {
  const bool in_ib = !ibs_.empty();
  const uint64_t avail = in_ib ? ibs_.back().dwords - ibs_.back().pos : (wptr_ - rptr_) / 4;
  auto at = [&](size_t i) {
    return in_ib ? ibs_.back().base + (ibs_.back().pos + i) * 4 : ring_ + (rptr_ + i * 4) % ring_bytes_;
  };
  uint32_t h = 0;
  if (!read(at(0), &h, 4)) return false;
  p.assign(1, h);
  size_t n = length(p);
  if (n == 0) return stop(fmt::format("unknown SDMA opcode {} (header {:#010x})", sdma::header_op(h), h)), false;
  for (size_t i = 1; i < std::min<size_t>(n, dwords_before_length) && i < avail; ++i) {
    p.push_back(0);
    if (!read(at(i), &p[i], 4)) return false;
  }
  n = length(p);
  if (n > avail) return stop(fmt::format("packet {:#010x} of {} dwords runs past the {} dwords available", h, n, avail)), false;
  for (size_t i = p.size(); i < n; ++i) {
    p.push_back(0);
    if (!read(at(i), &p[i], 4)) return false;
  }
  return true;
}

Sdma::Step Sdma::execute(const Packet& p) {
  switch (static_cast<sdma::Op>(sdma::header_op(p[0]))) {
    case sdma::Op::nop: return Step::done;
    case sdma::Op::copy:
      if (sdma::header_sub_op(p[0]) != sdma::sub_copy_linear) return stop(fmt::format("COPY sub-op {} (only linear)", sdma::header_sub_op(p[0])));
      return copy(join(p[5], p[6]), join(p[3], p[4]), uint64_t{p[1] & sdma::copy_count_mask} + 1);
    case sdma::Op::fence: return write(join(p[1], p[2]), &p[3], 4) ? Step::done : Step::stopped;
    case sdma::Op::poll_regmem: return poll(p);
    case sdma::Op::trap: {
      const uint32_t context[4] = {p[1] & sdma::trap_int_context_mask, 0, 0, 0};
      ++state_.traps;
      ctx_.interrupt(ih::client_gfx, gc::srcid::sdma_trap, context);
      return Step::done;
    }
    case sdma::Op::timestamp: {
      const uint64_t addr = join(p[1], p[2]), t = ctx_.gpu_clock();
      if (addr % 8 != 0) return stop(fmt::format("TIMESTAMP address {:#x} is not 8-byte aligned", addr));
      return write(addr, &t, 8) ? Step::done : Step::stopped;
    }
    case sdma::Op::write: return write(join(p[1], p[2]), &p[4], (p.size() - 4) * 4) ? Step::done : Step::stopped;
    case sdma::Op::const_fill:
      if ((p[0] & (3u << 30)) != sdma::fill_size_dword) return stop("CONST_FILL with a fill size other than a dword");
      return fill(join(p[1], p[2]), p[3], uint64_t{p[4]} + 1);
    case sdma::Op::indirect: {
      if (!gc::SDMA0_QUEUE0_IB_CNTL["ib_enable"].get(ctx_.reg(gc::SDMA0_QUEUE0_IB_CNTL)))
        return stop("INDIRECT with SDMA0_QUEUE0_IB_CNTL.ib_enable = 0");
      if (!ibs_.empty()) return stop("INDIRECT inside an indirect buffer");
      if (p[3] == 0) return stop("INDIRECT of 0 dwords");
      ibs_.push_back({join(p[1], p[2]), p[3], 0});
      return Step::done;
    }
  }
  return stop(fmt::format("unknown SDMA opcode {}", sdma::header_op(p[0])));
}

Sdma::Step Sdma::poll(const Packet& p) {
  const uint32_t function = sdma::get_poll_func(p[0]);
  uint32_t v = 0;
  if (p[0] & sdma::poll_mem_space) {
    if (!read(join(p[1], p[2]), &v, 4)) return Step::stopped;
  } else {
    v = ctx_.reg(p[1] >> 2);  // a register's byte address
  }
  if (compare(function, v & p[4], p[3])) {
    waiting_since_.reset();
    return Step::done;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!waiting_since_) waiting_since_ = now;
  if (now - *waiting_since_ < options_.poll_timeout) return Step::blocked;
  return stop(fmt::format("POLL_REGMEM at {:#x} (value {:#x} & mask {:#x}, function {}, reference {:#x}) did not pass in {} ms",
                          join(p[1], p[2]), v, p[4], function, p[3], options_.poll_timeout.count()));
}

Sdma::Step Sdma::copy(uint64_t dst, uint64_t src, uint64_t bytes) {
  std::vector<std::byte> buf(std::min<uint64_t>(bytes, chunk_bytes));
  for (uint64_t done = 0; done < bytes;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes - done, chunk_bytes));
    if (!read(src + done, buf.data(), n) || !write(dst + done, buf.data(), n)) return Step::stopped;
    done += n;
  }
  return Step::done;
}

Sdma::Step Sdma::fill(uint64_t dst, uint32_t value, uint64_t bytes) {
  if (bytes % 4 != 0 || dst % 4 != 0) return stop(fmt::format("CONST_FILL of {} bytes at {:#x}: dwords only", bytes, dst));
  std::vector<uint32_t> buf(std::min<uint64_t>(bytes, chunk_bytes) / 4, value);
  for (uint64_t done = 0; done < bytes;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes - done, chunk_bytes));
    if (!write(dst + done, buf.data(), n)) return Step::stopped;
    done += n;
  }
  return Step::done;
}

bool Sdma::read(uint64_t va, void* dst, size_t bytes) {
  if (ctx_.read(Client::sdma0, 0, va, dst, bytes)) return true;
  stop(fmt::format("read of {} bytes at {:#x} faulted", bytes, va));
  return false;
}

bool Sdma::write(uint64_t va, const void* src, size_t bytes) {
  if (ctx_.write(Client::sdma0, 0, va, src, bytes)) return true;
  stop(fmt::format("write of {} bytes at {:#x} faulted", bytes, va));
  return false;
}

Sdma::Step Sdma::stop(std::string why) {
  state_.stopped = true;
  state_.why = fmt::format("SDMA0 queue 0 at rptr {}: {}", rptr_, why);
  log::get("am")->warn("sim SDMA: {}", state_.why);
  return Step::stopped;
}

EngineFactory sdma_factory(SdmaOptions options) {
  return [options](Context& ctx) { return std::make_unique<Sdma>(ctx, options); };
}

}  // namespace hcq::am::sim
