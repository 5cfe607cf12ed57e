// SDMA 6 rings: one per copy queue, over both engines (see sdma_v6.hpp).
#include "am/ip/sdma_v6.hpp"

#include <atomic>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "am/registers/gc_11_0_0.hpp"

namespace hcq::am {

namespace {

namespace gc = gc_11_0_0;
static_assert(SdmaV6::queues_per_engine == gc::sdma_queues_per_engine);

constexpr uint32_t tail_bytes = 4096;          // rptr writeback at +0, wptr poll word at +8
constexpr uint32_t rptr_writeback_timer = 4;   // sdma_v6_0.c's and tinygrad's value (log2 of the interval)
constexpr unsigned ring_base_shift = 8;        // RB_BASE holds the address >> 8

// Register `r` (named for SDMA0 QUEUE0) of engine `e`, queue `q`.
Reg at(const Reg& r, unsigned e, unsigned q) {
  Reg x = r;
  x.offset += e * gc::sdma1_reg_offset + q * gc::sdma_queue_stride;
  return x;
}

}  // namespace

SdmaV6::~SdmaV6() = default;  // rings went back with their queues (the GMC may be gone by now)

void SdmaV6::init_hw() {
  std::lock_guard lock(mutex_);
  for (unsigned e = 0; e < engines; ++e) {
    gpu_.update(at(gc::SDMA0_CNTL, e, 0), {{"trap_enable", 1}});
    for (unsigned q = 0; q < queues_per_engine; ++q)
      if (!live_[e * queues_per_engine + q]) gpu_.write(at(gc::SDMA0_QUEUE0_RB_CNTL, e, q), 0);
  }
}

void SdmaV6::fini_hw() noexcept {
  try {
    std::lock_guard lock(mutex_);
    for (unsigned e = 0; e < engines; ++e)
      for (unsigned q = 0; q < queues_per_engine; ++q) {
        gpu_.write(at(gc::SDMA0_QUEUE0_RB_CNTL, e, q), 0);
        gpu_.write(at(gc::SDMA0_QUEUE0_IB_CNTL, e, q), 0);
      }
  } catch (const std::exception& e) {
    gpu_.logger()->warn("SDMA: stopping the rings failed: {}", e.what());
  }
}

std::unique_ptr<SdmaV6::Ring> SdmaV6::create_ring() {
  std::lock_guard lock(mutex_);
  unsigned slot = 0;
  while (slot < rings && live_[slot]) ++slot;
  if (slot == rings)
    gpu_.fail(Errc::busy, name(),
              fmt::format("all {} SDMA rings ({} engines x {} queues) are in use: destroy a copy queue first", rings,
                          engines, queues_per_engine));
  auto r = std::make_unique<Ring>();
  r->engine = slot / queues_per_engine;
  r->queue = slot % queues_per_engine;
  r->doorbell = first_doorbell[r->engine] + r->queue;
  r->host = gpu_.alloc_host(ring_bytes + tail_bytes);
  std::memset(r->ring(), 0, ring_bytes + tail_bytes);
  program(*r, 0);
  live_[slot] = r.get();
  return r;
}

// sdma_v6_0_gfx_resume_instance's order: ring off, pointers, base, writeback and poll addresses,
// doorbell, IB enable, then RB_CNTL with rb_enable last. The pointers (bytes, not wrapped) start at
// `rptr` and r.wptr: 0 for a new ring, where the ring was for a resumed one.
void SdmaV6::program(Ring& r, uint64_t rptr) {
  const unsigned e = r.engine, q = r.queue;
  const uint64_t rptr_addr = r.host.va + ring_bytes, wptr_addr = r.host.va + ring_bytes + 8;
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_CNTL, e, q), 0);
  gpu_.write(at(gc::SDMA0_QUEUE0_MINOR_PTR_UPDATE, e, q), 1);
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_RPTR, e, q), static_cast<uint32_t>(rptr));
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_RPTR_HI, e, q), static_cast<uint32_t>(rptr >> 32));
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_WPTR, e, q), static_cast<uint32_t>(r.wptr));
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_WPTR_HI, e, q), static_cast<uint32_t>(r.wptr >> 32));
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_BASE, e, q), static_cast<uint32_t>(r.host.va >> ring_base_shift));
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_BASE_HI, e, q), static_cast<uint32_t>(r.host.va >> (32 + ring_base_shift)));
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_RPTR_ADDR_LO, e, q), static_cast<uint32_t>(rptr_addr));
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_RPTR_ADDR_HI, e, q), static_cast<uint32_t>(rptr_addr >> 32));
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_WPTR_POLL_ADDR_LO, e, q), static_cast<uint32_t>(wptr_addr));
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_WPTR_POLL_ADDR_HI, e, q), static_cast<uint32_t>(wptr_addr >> 32));
  gpu_.write(at(gc::SDMA0_QUEUE0_DOORBELL_OFFSET, e, q),
             value(gc::SDMA0_QUEUE0_DOORBELL_OFFSET, {{"offset", r.doorbell * 2}}));
  gpu_.write(at(gc::SDMA0_QUEUE0_DOORBELL, e, q), value(gc::SDMA0_QUEUE0_DOORBELL, {{"enable", 1}}));
  gpu_.write(at(gc::SDMA0_QUEUE0_MINOR_PTR_UPDATE, e, q), 0);
  gpu_.write(at(gc::SDMA0_QUEUE0_IB_CNTL, e, q), value(gc::SDMA0_QUEUE0_IB_CNTL, {{"ib_enable", 1}}));
  const uint32_t rb_size = static_cast<uint32_t>(std::countr_zero(ring_bytes / 4));  // log2 of the ring in dwords
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_CNTL, e, q),
             value(gc::SDMA0_QUEUE0_RB_CNTL, {{"rb_enable", 1}, {"rb_size", rb_size}, {"f32_wptr_poll_enable", 1},
                                              {"rptr_writeback_enable", 1}, {"rptr_writeback_timer", rptr_writeback_timer},
                                              {"rb_priv", 1}}));
}

void SdmaV6::stop(const Ring& r) {
  gpu_.write(at(gc::SDMA0_QUEUE0_RB_CNTL, r.engine, r.queue), 0);
  gpu_.write(at(gc::SDMA0_QUEUE0_IB_CNTL, r.engine, r.queue), 0);
  gpu_.write(at(gc::SDMA0_QUEUE0_DOORBELL, r.engine, r.queue), 0);
}

void SdmaV6::destroy_ring(std::unique_ptr<Ring> r) noexcept {
  if (!r) return;
  try {
    std::lock_guard lock(mutex_);
    stop(*r);
    live_[r->engine * queues_per_engine + r->queue] = nullptr;
  } catch (const std::exception& e) {
    gpu_.logger()->warn("SDMA: stopping engine {} queue {} failed: {}", r->engine, r->queue, e.what());
  }
  gpu_.free_host(r->host);
}

void SdmaV6::resume() {
  init_hw();
  std::lock_guard lock(mutex_);
  for (Ring* r : live_)
    if (r) program(*r, r->rptr());
}

IpBlock::IdleState SdmaV6::idle_state() {
  IdleState s;
  for (unsigned e = 0; e < engines; ++e) {
    const uint32_t v = gpu_.read(at(gc::SDMA0_STATUS_REG, e, 0));
    s.idle = s.idle && gc::SDMA0_STATUS_REG["idle"].get(v) != 0;
    s.status += fmt::format("{}SDMA{}_STATUS_REG = {}", e ? ", " : "", e, Gpu::decode(gc::SDMA0_STATUS_REG, v));
  }
  return s;
}

void SdmaV6::kick(Ring& r, uint64_t wptr) {
  *reinterpret_cast<volatile uint64_t*>(r.ring() + ring_bytes + 8) = wptr;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  gpu_.doorbells().write64(uint64_t{r.doorbell} * 8, wptr);
}

}  // namespace hcq::am
