// The model's CP and SDMA engines (am/sim/cp.cpp, sdma.cpp) against a fake sim::Context: queues
// started the way am/ip/gfx_v11.cpp and sdma_v6.cpp start them, streams built with am/pkt/, and
// every result read back from the fake memory, registers and interrupt list.
#include <catch2/catch.hpp>

#include <cstring>

#include "am/ip/psp_gfx_if.hpp"
#include "am/pkt/mqd_v11.hpp"
#include "am/pkt/pm4.hpp"
#include "am/pkt/sdma.hpp"
#include "am/registers/gc_11_0_0.hpp"
#include "am/sim/cp.hpp"
#include "am/sim/sdma.hpp"
#include "fake_context.hpp"

using namespace hcq::am;
using hcq::am::test::FakeContext;
using hcq::detail::CommandStream;
using Catch::Contains;
namespace gc = hcq::am::gc_11_0_0;

namespace {

constexpr uint64_t base = FakeContext::mem_base;

struct CpQueue {
  unsigned pipe = 0, queue = 0;
  uint64_t ring = base + 0x10000;
  uint32_t ring_bytes = 4096;
  uint64_t eop = base + 0x20000, mqd = base + 0x21000, rptr_report = base + 0x22000, wptr_poll = base + 0x22008;
  uint32_t doorbell = 3;
  uint64_t wptr = 0;  // dwords
};

// A second queue, away from the default one's ring, MQD and doorbell.
CpQueue other_queue(unsigned queue, uint32_t doorbell) {
  CpQueue b;
  b.queue = queue;
  b.ring = base + 0x40000;
  b.rptr_report = base + 0x41000;
  b.wptr_poll = base + 0x41008;
  b.mqd = base + 0x42000;
  b.doorbell = doorbell;
  return b;
}

void load_mec(FakeContext& ctx) { ctx.load_firmware(static_cast<uint32_t>(psp::FwType::rs64_mec)); }
void start(FakeContext& ctx, const CpQueue& q);

// One CP with the MEC firmware loaded and two started queues of MEC1 pipe 0: queue 0 and another.
struct TwoQueues {
  FakeContext ctx;
  sim::Cp cp;
  CpQueue a, b;
  TwoQueues(unsigned b_queue, uint32_t b_doorbell) : cp((load_mec(ctx), ctx)), b(other_queue(b_queue, b_doorbell)) {
    start(ctx, a);
    start(ctx, b);
  }
};

// The driver's sequence: select the queue, write the MQD's register image, set CP_HQD_ACTIVE.
void start(FakeContext& ctx, const CpQueue& q) {
  mqd_v11::QueueLayout l{q.mqd, q.ring, q.ring_bytes, q.eop, 4096, q.rptr_report, q.wptr_poll, q.doorbell};
  const auto m = mqd_v11::make_compute_mqd(l);
  uint32_t w[512];
  std::memcpy(w, &m, sizeof w);
  ctx.drv_write(gc::GRBM_GFX_CNTL, value(gc::GRBM_GFX_CNTL, {{"meid", 1}, {"pipeid", q.pipe}, {"queueid", q.queue}}));
  for (uint32_t i = 0; i < mqd_v11::hqd_image_dwords; ++i)
    ctx.drv_write(ctx.address(gc::CP_MQD_BASE_ADDR) + i, w[mqd_v11::hqd_image_first_dword + i]);
  ctx.drv_write(gc::CP_HQD_ACTIVE, 1);
}

void submit(FakeContext& ctx, CpQueue& q, const CommandStream& s) {
  const uint32_t ring_dwords = q.ring_bytes / 4;
  for (uint32_t w : s.words) ctx.store<uint32_t>(q.ring + (q.wptr++ % ring_dwords) * 4, w);
  ctx.ring(q.doorbell, q.wptr);
}

bool has_interrupt(FakeContext& ctx, uint32_t src) {
  for (const auto& i : ctx.interrupts())
    if (i.src == src) return true;
  return false;
}

}  // namespace

TEST_CASE("sim cp: no queue runs before the MEC firmware is loaded", "[am][sim][cp]") {
  FakeContext ctx;
  sim::Cp cp(ctx);
  CpQueue q;
  start(ctx, q);
  CHECK(ctx.drv_read(gc::CP_HQD_ACTIVE) == 0);
  auto st = cp.queue_state(0, 0);
  REQUIRE(st);
  CHECK_FALSE(st->active);
  CHECK_THAT(st->why, Contains("MEC firmware"));
}

TEST_CASE("sim cp: WRITE_DATA, RELEASE_MEM value and timestamp, rptr report", "[am][sim][cp]") {
  FakeContext ctx;
  load_mec(ctx);
  sim::Cp cp(ctx);
  CpQueue q;
  start(ctx, q);
  REQUIRE(ctx.drv_read(gc::CP_HQD_ACTIVE) == 1);
  CommandStream s;
  pm4::Pm4 p(s);
  p.write_data(base + 0x30000, {0x11u, 0x22u});
  p.acquire_mem();
  p.dma_data(base + 0x30100, base + 0x30000, 8);
  p.release_mem(base + 0x30010, 0x1122334455667788ull, pm4::DataSel::value64);
  p.release_mem(base + 0x30020, 0, pm4::DataSel::gpu_clock, pm4::release::int_sel_after_write_confirm, 9);
  submit(ctx, q, s);
  REQUIRE(ctx.eventually([&] { return ctx.load<uint64_t>(base + 0x30020) != 0; }));
  CHECK(ctx.load<uint32_t>(base + 0x30000) == 0x11);
  CHECK(ctx.load<uint32_t>(base + 0x30004) == 0x22);
  CHECK(ctx.load<uint64_t>(base + 0x30100) == 0x0000002200000011ull);  // DMA_DATA's copy
  CHECK(ctx.load<uint64_t>(base + 0x30010) == 0x1122334455667788ull);
  CHECK(ctx.load<uint64_t>(base + 0x30020) > 1000);  // the fake clock starts at 1000
  CHECK(ctx.eventually([&] { return ctx.load<uint32_t>(q.rptr_report) == s.words.size(); }));
  CHECK(has_interrupt(ctx, gc::srcid::cp_eop_interrupt));
}

TEST_CASE("sim cp: a waiting queue does not hold up another; the wait ends when memory changes", "[am][sim][cp]") {
  TwoQueues t(1, 4);
  auto& [ctx, cp, a, b] = t;
  CommandStream sa, sb;
  pm4::Pm4 pa(sa), pb(sb);
  pa.wait_mem(base + 0x50000, 5, 0xffffffffu, pm4::Compare::ge);
  pa.write_data(base + 0x50010, {1u});
  pb.write_data(base + 0x50020, {2u});
  submit(ctx, a, sa);
  submit(ctx, b, sb);
  REQUIRE(ctx.eventually([&] { return ctx.load<uint32_t>(base + 0x50020) == 2; }));
  CHECK(ctx.load<uint32_t>(base + 0x50010) == 0);
  ctx.store<uint32_t>(base + 0x50000, 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(ctx.load<uint32_t>(base + 0x50010) == 0);  // 4 is not >= 5: still waiting
  ctx.store<uint32_t>(base + 0x50000, 5);
  CHECK(ctx.eventually([&] { return ctx.load<uint32_t>(base + 0x50010) == 1; }));
}

TEST_CASE("sim cp: each HQD has its own register image, selected by GRBM_GFX_CNTL", "[am][sim][cp]") {
  TwoQueues t(5, 8);
  auto& [ctx, cp, a, b] = t;
  auto select = [&](const CpQueue& q) {
    ctx.drv_write(gc::GRBM_GFX_CNTL, value(gc::GRBM_GFX_CNTL, {{"meid", 1}, {"pipeid", q.pipe}, {"queueid", q.queue}}));
  };
  select(a);
  CHECK(ctx.drv_read(gc::CP_HQD_PQ_BASE) == static_cast<uint32_t>(a.ring >> 8));
  CHECK(ctx.drv_read(gc::CP_HQD_ACTIVE) == 1);
  select(b);
  CHECK(ctx.drv_read(gc::CP_HQD_PQ_BASE) == static_cast<uint32_t>(b.ring >> 8));
  CHECK(ctx.drv_read(gc::CP_HQD_ACTIVE) == 1);
  // A queue nobody programmed reads as zeros.
  ctx.drv_write(gc::GRBM_GFX_CNTL, value(gc::GRBM_GFX_CNTL, {{"meid", 1}, {"pipeid", 1}, {"queueid", 2}}));
  CHECK(ctx.drv_read(gc::CP_HQD_PQ_BASE) == 0);

  // b stops on a bad opcode: its CP_HQD_ERROR says so, a's stays clear and a keeps running.
  CommandStream bad;
  bad.put32(pm4::type3 | 0x99u << 8);  // opcode 0x99, one body dword
  bad.put32(0);
  submit(ctx, b, bad);
  REQUIRE(ctx.eventually([&] { return cp.queue_state(0, 5)->error == sim::CpError::bad_opcode; }));
  select(b);
  CHECK(ctx.drv_read(gc::CP_HQD_ERROR) == static_cast<uint32_t>(sim::CpError::bad_opcode));
  select(a);
  CHECK(ctx.drv_read(gc::CP_HQD_ERROR) == 0);
  CommandStream ok;
  pm4::Pm4(ok).write_data(base + 0x50000, {7u});
  submit(ctx, a, ok);
  CHECK(ctx.eventually([&] { return ctx.load<uint32_t>(base + 0x50000) == 7; }));

  // Dequeuing the selected queue (a) leaves b's image alone.
  ctx.drv_write(gc::CP_HQD_DEQUEUE_REQUEST, 2);
  CHECK(ctx.drv_read(gc::CP_HQD_ACTIVE) == 0);
  CHECK_FALSE(cp.queue_state(0, 0)->active);
  select(b);
  CHECK(ctx.drv_read(gc::CP_HQD_ACTIVE) == 1);
}

TEST_CASE("sim cp: a wait past the timeout hangs the queue, visible in CP_HQD_ERROR and the IH", "[am][sim][cp]") {
  FakeContext ctx;
  load_mec(ctx);
  sim::Cp cp(ctx, {.wait_timeout = std::chrono::milliseconds(30)});
  CpQueue q;
  start(ctx, q);
  CommandStream s;
  pm4::Pm4 p(s);
  p.wait_reg(ctx.address(gc::CP_STAT), 1, 1, pm4::Compare::eq);  // a register that never becomes 1
  submit(ctx, q, s);
  REQUIRE(ctx.eventually([&] { return cp.queue_state(0, 0)->error != sim::CpError::none; }));
  CHECK(cp.queue_state(0, 0)->error == sim::CpError::wait_timeout);
  CHECK_THAT(cp.queue_state(0, 0)->why, Contains("WAIT_REG_MEM on register"));
  CHECK(ctx.drv_read(gc::CP_HQD_ERROR) == static_cast<uint32_t>(sim::CpError::wait_timeout));
  CHECK(has_interrupt(ctx, gc::srcid::cp_wait_reg_mem_poll_timeout));
}

TEST_CASE("sim cp: unknown opcodes, malformed packets and faults stop the queue", "[am][sim][cp]") {
  FakeContext ctx;
  load_mec(ctx);
  sim::Cp cp(ctx);
  CpQueue q;
  start(ctx, q);
  CommandStream s;
  s.put32(pm4::type3 | 0x99u << 8);  // opcode 0x99, one body dword
  s.put32(0);
  submit(ctx, q, s);
  REQUIRE(ctx.eventually([&] { return cp.queue_state(0, 0)->error == sim::CpError::bad_opcode; }));
  CHECK_THAT(cp.queue_state(0, 0)->why, Contains("unknown PM4 opcode 0x99"));
  CHECK(has_interrupt(ctx, gc::srcid::cp_bad_opcode_error));

  // Restart the queue (dequeue, start again) and fault on an unmapped fence address.
  ctx.drv_write(gc::CP_HQD_DEQUEUE_REQUEST, 1);
  CHECK(ctx.drv_read(gc::CP_HQD_ACTIVE) == 0);
  q.wptr = 0;
  start(ctx, q);
  CommandStream f;
  pm4::Pm4(f).release_mem(0x7000000000ull, 1, pm4::DataSel::value32);
  submit(ctx, q, f);
  REQUIRE(ctx.eventually([&] { return cp.queue_state(0, 0)->error == sim::CpError::vm_fault; }));
  REQUIRE_FALSE(ctx.faults().empty());
  CHECK(ctx.faults().back().va == 0x7000000000ull);
  CHECK(ctx.faults().back().client == sim::Client::cp);
}

TEST_CASE("sim cp: indirect buffers, chained", "[am][sim][cp]") {
  FakeContext ctx;
  load_mec(ctx);
  sim::Cp cp(ctx);
  CpQueue q;
  start(ctx, q);
  const uint64_t ib1 = base + 0x60000, ib2 = base + 0x61000;
  CommandStream s2;
  pm4::Pm4(s2).write_data(base + 0x62000, {7u});
  ctx.store_words(ib2, s2.words);
  CommandStream s1;
  pm4::Pm4 p1(s1);
  p1.write_data(base + 0x62004, {6u});
  p1.indirect_buffer(ib2, static_cast<uint32_t>(s2.words.size()));  // the chain: IB1 ends in IB2
  ctx.store_words(ib1, s1.words);
  CommandStream r;
  pm4::Pm4 pr(r);
  pr.indirect_buffer(ib1, static_cast<uint32_t>(s1.words.size()));
  pr.write_data(base + 0x62008, {8u});
  submit(ctx, q, r);
  REQUIRE(ctx.eventually([&] { return ctx.load<uint32_t>(base + 0x62008) == 8; }));
  CHECK(ctx.load<uint32_t>(base + 0x62004) == 6);
  CHECK(ctx.load<uint32_t>(base + 0x62000) == 7);
  CHECK(cp.queue_state(0, 0)->error == sim::CpError::none);
}

TEST_CASE("sim cp: DISPATCH_DIRECT is checked and recorded", "[am][sim][cp]") {
  FakeContext ctx;
  load_mec(ctx);
  sim::Cp cp(ctx);
  CpQueue q;
  start(ctx, q);
  const uint64_t code = base + 0x70000, kernarg = base + 0x71000;
  auto launch = [&](uint32_t threads_x, uint64_t pgm) {
    CommandStream s;
    pm4::Pm4 p(s);
    p.set_sh_reg(ctx.address(gc::COMPUTE_PGM_LO), {static_cast<uint32_t>(pgm >> 8), static_cast<uint32_t>(pgm >> 40)});
    p.set_sh_reg(ctx.address(gc::COMPUTE_PGM_RSRC1), {0x3u, value(gc::COMPUTE_PGM_RSRC2, {{"user_sgpr", 2}, {"tgid_x_en", 1}})});
    p.set_sh_reg(ctx.address(gc::COMPUTE_NUM_THREAD_X), {threads_x, 1u, 1u});
    p.set_sh_reg(ctx.address(gc::COMPUTE_USER_DATA_0), {static_cast<uint32_t>(kernarg), static_cast<uint32_t>(kernarg >> 32)});
    p.dispatch_direct(8, 1, 1, pm4::dispatch::compute_shader_en | pm4::dispatch::cs_w32_en);
    submit(ctx, q, s);
  };
  launch(64, code);
  REQUIRE(ctx.eventually([&] { return cp.dispatches().size() == 1; }));
  const auto d = cp.dispatches()[0];
  CHECK(d.pgm == code);
  CHECK(d.kernarg == kernarg);
  CHECK(d.groups == std::array<uint32_t, 3>{8, 1, 1});
  CHECK(d.threads == std::array<uint32_t, 3>{64, 1, 1});
  CHECK(d.rsrc1 == 3);
  CHECK(d.user_sgprs == 2);

  launch(64, 0x7700000000ull);  // code that is not mapped: a VM fault, not a dispatch
  REQUIRE(ctx.eventually([&] { return cp.queue_state(0, 0)->error == sim::CpError::vm_fault; }));
  CHECK(ctx.faults().back().va == 0x7700000000ull);

  ctx.drv_write(gc::CP_HQD_DEQUEUE_REQUEST, 1);
  q.wptr = 0;
  start(ctx, q);
  launch(0, code);  // no threads in a workgroup
  REQUIRE(ctx.eventually([&] { return cp.queue_state(0, 0)->error == sim::CpError::bad_dispatch; }));
  CHECK_THAT(cp.queue_state(0, 0)->why, Contains("COMPUTE_NUM_THREAD 0x1x1"));
  CHECK(has_interrupt(ctx, gc::srcid::cp_bad_opcode_error));
  CHECK(cp.dispatches().size() == 1);
}

// --- SDMA ---------------------------------------------------------------------------------------

namespace {

struct SdmaQueue {
  unsigned engine = 0, queue = 0;
  uint64_t ring = base + 0x80000;
  uint32_t ring_bytes = 4096;
  uint64_t rptr_addr = base + 0x81000;
  uint32_t doorbell = 0x100;
  uint64_t wptr = 0;  // bytes
};

// The queue's copy of an SDMA0_QUEUE0_* register: engine 1 at +0x600, queue n at +n * 0x58
// (gc_11_0_0_offset.h: SDMA1_QUEUE0_RB_CNTL 0x680, SDMA0_QUEUE1_RB_CNTL 0x0d8).
uint32_t at(FakeContext& ctx, const SdmaQueue& q, const Reg& r) { return ctx.address(r) + q.engine * 0x600 + q.queue * 0x58; }

void start(FakeContext& ctx, const SdmaQueue& q) {
  ctx.drv_write(at(ctx, q, gc::SDMA0_QUEUE0_RB_BASE), static_cast<uint32_t>(q.ring >> 8));
  ctx.drv_write(at(ctx, q, gc::SDMA0_QUEUE0_RB_BASE_HI), static_cast<uint32_t>(q.ring >> 40));
  ctx.drv_write(at(ctx, q, gc::SDMA0_QUEUE0_RB_RPTR_ADDR_LO), static_cast<uint32_t>(q.rptr_addr));
  ctx.drv_write(at(ctx, q, gc::SDMA0_QUEUE0_RB_RPTR_ADDR_HI), static_cast<uint32_t>(q.rptr_addr >> 32));
  ctx.drv_write(at(ctx, q, gc::SDMA0_QUEUE0_DOORBELL_OFFSET), value(gc::SDMA0_QUEUE0_DOORBELL_OFFSET, {{"offset", q.doorbell * 2}}));
  ctx.drv_write(at(ctx, q, gc::SDMA0_QUEUE0_DOORBELL), value(gc::SDMA0_QUEUE0_DOORBELL, {{"enable", 1}}));
  ctx.drv_write(at(ctx, q, gc::SDMA0_QUEUE0_IB_CNTL), 1);
  ctx.drv_write(at(ctx, q, gc::SDMA0_QUEUE0_RB_CNTL),
                value(gc::SDMA0_QUEUE0_RB_CNTL, {{"rb_enable", 1}, {"rb_size", 10},  // 1024 dwords
                                                 {"rptr_writeback_enable", 1}}));
}

// An SDMA model with its firmware loaded, polls timing out after `poll_ms`, and queue 0 started.
struct OneSdmaQueue {
  FakeContext ctx;
  sim::Sdma e;
  SdmaQueue q;
  explicit OneSdmaQueue(int poll_ms)
      : e((ctx.load_firmware(static_cast<uint32_t>(psp::FwType::sdma_ucode_th0)), ctx),
          {.poll_timeout = std::chrono::milliseconds(poll_ms)}) {
    start(ctx, q);
  }
};

void submit(FakeContext& ctx, SdmaQueue& q, const CommandStream& s) {
  for (uint32_t w : s.words) {
    ctx.store<uint32_t>(q.ring + q.wptr % q.ring_bytes, w);
    q.wptr += 4;
  }
  ctx.ring(q.doorbell, q.wptr);
}

}  // namespace

TEST_CASE("sim sdma: refuses to start without its firmware", "[am][sim][sdma]") {
  FakeContext ctx;
  sim::Sdma e(ctx);
  SdmaQueue q;
  start(ctx, q);
  CHECK_FALSE(e.state().active);
  CHECK_THAT(e.state().why, Contains("SDMA firmware"));
}

TEST_CASE("sim sdma: copy, fill, write, fence, timestamp, trap; rptr in bytes", "[am][sim][sdma]") {
  FakeContext ctx;
  ctx.load_firmware(static_cast<uint32_t>(psp::FwType::sdma_ucode_th0));
  sim::Sdma e(ctx);
  SdmaQueue q;
  start(ctx, q);
  REQUIRE(e.state().active);
  for (uint32_t i = 0; i < 1024; ++i) ctx.store<uint32_t>(base + 0x90000 + i * 4, i * 3);
  CommandStream s;
  sdma::Sdma b(s);
  b.copy_linear(base + 0xa0000, base + 0x90000, 4096);
  b.const_fill(base + 0xa2000, 0xabcdabcdu, 64);
  const uint32_t data[] = {5, 6};
  b.write(base + 0xa3000, data);
  b.timestamp(base + 0xa3010);
  b.trap(0x77);
  b.fence(base + 0xa3020, 0x1234);
  submit(ctx, q, s);
  REQUIRE(ctx.eventually([&] { return ctx.load<uint32_t>(base + 0xa3020) == 0x1234; }));
  CHECK(ctx.load<uint32_t>(base + 0xa0000 + 4 * 1000) == 3000);
  CHECK(ctx.load<uint32_t>(base + 0xa2000 + 60) == 0xabcdabcdu);
  CHECK(ctx.load<uint32_t>(base + 0xa2000 + 64) == 0);
  CHECK(ctx.load<uint32_t>(base + 0xa3004) == 6);
  CHECK(ctx.load<uint64_t>(base + 0xa3010) > 1000);
  CHECK(e.state().traps == 1);
  CHECK(has_interrupt(ctx, gc::srcid::sdma_trap));
  bool trap_seen = false;  // GFX_11_0_0__SRCID__SDMA_TRAP = 49, client SOC21_IH_CLIENTID_GFX
  for (const auto& i : ctx.interrupts())
    if (i.src == 49) trap_seen = i.context == std::array<uint32_t, 4>{0x77, 0, 0, 0};
  CHECK(trap_seen);
  CHECK(ctx.eventually([&] { return ctx.load<uint64_t>(q.rptr_addr) == s.words.size() * 4; }));
}

TEST_CASE("sim sdma: POLL_REGMEM waits, indirect buffers run, bad packets stop the queue", "[am][sim][sdma]") {
  OneSdmaQueue t(2000);
  auto& [ctx, e, q] = t;
  CommandStream ib;
  sdma::Sdma(ib).fence(base + 0xb0010, 9);
  ctx.store_words(base + 0xb1000, ib.words);
  CommandStream s;
  sdma::Sdma b(s);
  b.poll_mem(base + 0xb0000, 3, 0xffffffffu, sdma::Compare::eq);
  b.indirect(base + 0xb1000, static_cast<uint32_t>(ib.words.size()));
  b.fence(base + 0xb0014, 10);
  submit(ctx, q, s);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(ctx.load<uint32_t>(base + 0xb0010) == 0);
  ctx.store<uint32_t>(base + 0xb0000, 3);
  REQUIRE(ctx.eventually([&] { return ctx.load<uint32_t>(base + 0xb0014) == 10; }));
  CHECK(ctx.load<uint32_t>(base + 0xb0010) == 9);

  CommandStream bad;
  bad.put32(0x3f);  // opcode 63: not an SDMA v6 packet
  submit(ctx, q, bad);
  REQUIRE(ctx.eventually([&] { return e.state().stopped; }));
  CHECK_THAT(e.state().why, Contains("unknown SDMA opcode 63"));
}

TEST_CASE("sim sdma: every engine queue has its own ring; a polling queue does not hold up the others", "[am][sim][sdma]") {
  FakeContext ctx;
  ctx.load_firmware(static_cast<uint32_t>(psp::FwType::sdma_ucode_th0));
  sim::Sdma e(ctx);
  SdmaQueue a, b, c;
  b.engine = 1;
  b.queue = 0;
  b.ring = base + 0xc0000;
  b.rptr_addr = base + 0xc1000;
  b.doorbell = 0x10a;
  c.engine = 0;
  c.queue = 7;
  c.ring = base + 0xc2000;
  c.rptr_addr = base + 0xc3000;
  c.doorbell = 0x107;
  start(ctx, a);
  start(ctx, b);
  start(ctx, c);
  REQUIRE(e.state(1, 0).active);
  REQUIRE(e.state(0, 7).active);
  CHECK_FALSE(e.state(1, 7).active);
  // a waits for b, b waits for c: submitted in that order, they finish only if each runs on its own.
  CommandStream sa, sb, sc;
  sdma::Sdma(sa).poll_mem(base + 0xd0004, 1, 0xffffffffu, sdma::Compare::eq);
  sdma::Sdma(sa).fence(base + 0xd0000, 1);
  sdma::Sdma(sb).poll_mem(base + 0xd0008, 1, 0xffffffffu, sdma::Compare::eq);
  sdma::Sdma(sb).fence(base + 0xd0004, 1);
  sdma::Sdma(sc).fence(base + 0xd0008, 1);
  sdma::Sdma(sc).trap(5);
  submit(ctx, a, sa);
  submit(ctx, b, sb);
  submit(ctx, c, sc);
  REQUIRE(ctx.eventually([&] { return ctx.load<uint32_t>(base + 0xd0000) == 1; }));
  CHECK(ctx.load<uint64_t>(b.rptr_addr) == sb.words.size() * 4);
  bool trap_from_c = false;
  for (const auto& i : ctx.interrupts())
    trap_from_c |= i.src == gc::srcid::sdma_trap && i.context == std::array<uint32_t, 4>{5, 0, 7, 0};
  CHECK(trap_from_c);
  // Stopping one ring leaves the others running.
  ctx.drv_write(at(ctx, b, gc::SDMA0_QUEUE0_RB_CNTL), 0);
  CHECK_FALSE(e.state(1, 0).active);
  CommandStream more;
  sdma::Sdma(more).fence(base + 0xd0010, 3);
  submit(ctx, c, more);
  CHECK(ctx.eventually([&] { return ctx.load<uint32_t>(base + 0xd0010) == 3; }));
}

// What the backend did before each copy queue got its own ring: both queues' streams went into
// SDMA0 QUEUE0's ring in submit order. The same a-waits-for-b pattern then hangs: a's poll blocks
// b's fence behind it in the one ring until the poll times out.
TEST_CASE("sim sdma: two streams that wait on each other in one shared ring hang", "[am][sim][sdma]") {
  OneSdmaQueue t(300);
  auto& [ctx, e, shared] = t;
  CommandStream sa, sb;
  sdma::Sdma(sa).poll_mem(base + 0xd0004, 1, 0xffffffffu, sdma::Compare::eq);
  sdma::Sdma(sa).fence(base + 0xd0000, 1);
  sdma::Sdma(sb).fence(base + 0xd0004, 1);
  submit(ctx, shared, sa);
  submit(ctx, shared, sb);
  REQUIRE(ctx.eventually([&] { return e.state().stopped; }));
  CHECK_THAT(e.state().why, Contains("POLL_REGMEM"));
  CHECK(ctx.load<uint32_t>(base + 0xd0004) == 0);  // b's fence never ran
  CHECK(ctx.load<uint32_t>(base + 0xd0000) == 0);
}
