// SDMA 6 engine 0, queue 0 (see sdma_v6.hpp).
#include "am/ip/sdma_v6.hpp"

#include <atomic>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "am/registers/gc_11_0_0.hpp"

namespace hcq::am {

namespace {

namespace gc = gc_11_0_0;

constexpr uint32_t tail_bytes = 4096;          // rptr writeback at +0, wptr poll word at +8
constexpr uint32_t rptr_writeback_timer = 4;   // tinygrad's value (log2 of the writeback interval)
constexpr unsigned ring_base_shift = 8;        // RB_BASE holds the address >> 8

}  // namespace

SdmaV6::~SdmaV6() = default;  // the ring went back in fini_hw (the GMC may be gone by now)

void SdmaV6::init_hw() {
  std::lock_guard lock(mutex_);
  if (!host_.buffer) host_ = gpu_.alloc_host(ring_bytes + tail_bytes);
  std::memset(ring(), 0, ring_bytes + tail_bytes);
  wptr_ = 0;
  const uint64_t rptr_addr = host_.va + ring_bytes, wptr_addr = host_.va + ring_bytes + 8;
  gpu_.update(gc::SDMA0_CNTL, {{"trap_enable", 1}});
  gpu_.write(gc::SDMA0_QUEUE0_RB_CNTL, 0);
  gpu_.write(gc::SDMA0_QUEUE0_MINOR_PTR_UPDATE, 1);
  gpu_.write(gc::SDMA0_QUEUE0_RB_RPTR, 0);
  gpu_.write(gc::SDMA0_QUEUE0_RB_RPTR_HI, 0);
  gpu_.write(gc::SDMA0_QUEUE0_RB_WPTR, 0);
  gpu_.write(gc::SDMA0_QUEUE0_RB_WPTR_HI, 0);
  gpu_.write(gc::SDMA0_QUEUE0_RB_BASE, static_cast<uint32_t>(host_.va >> ring_base_shift));
  gpu_.write(gc::SDMA0_QUEUE0_RB_BASE_HI, static_cast<uint32_t>(host_.va >> (32 + ring_base_shift)));
  gpu_.write(gc::SDMA0_QUEUE0_RB_RPTR_ADDR_LO, static_cast<uint32_t>(rptr_addr));
  gpu_.write(gc::SDMA0_QUEUE0_RB_RPTR_ADDR_HI, static_cast<uint32_t>(rptr_addr >> 32));
  gpu_.write(gc::SDMA0_QUEUE0_RB_WPTR_POLL_ADDR_LO, static_cast<uint32_t>(wptr_addr));
  gpu_.write(gc::SDMA0_QUEUE0_RB_WPTR_POLL_ADDR_HI, static_cast<uint32_t>(wptr_addr >> 32));
  gpu_.write(gc::SDMA0_QUEUE0_DOORBELL_OFFSET, value(gc::SDMA0_QUEUE0_DOORBELL_OFFSET, {{"offset", doorbell_index * 2}}));
  gpu_.write(gc::SDMA0_QUEUE0_DOORBELL, value(gc::SDMA0_QUEUE0_DOORBELL, {{"enable", 1}}));
  gpu_.write(gc::SDMA0_QUEUE0_MINOR_PTR_UPDATE, 0);
  gpu_.write(gc::SDMA0_QUEUE0_IB_CNTL, value(gc::SDMA0_QUEUE0_IB_CNTL, {{"ib_enable", 1}}));
  const uint32_t rb_size = static_cast<uint32_t>(std::countr_zero(ring_bytes / 4));  // log2 of the ring in dwords
  gpu_.write(gc::SDMA0_QUEUE0_RB_CNTL,
             value(gc::SDMA0_QUEUE0_RB_CNTL, {{"rb_enable", 1}, {"rb_size", rb_size}, {"f32_wptr_poll_enable", 1},
                                              {"rptr_writeback_enable", 1}, {"rptr_writeback_timer", rptr_writeback_timer},
                                              {"rb_priv", 1}}));
}

void SdmaV6::fini_hw() noexcept {
  try {
    std::lock_guard lock(mutex_);
    gpu_.write(gc::SDMA0_QUEUE0_RB_CNTL, 0);
    gpu_.write(gc::SDMA0_QUEUE0_IB_CNTL, 0);
    if (host_.buffer) gpu_.free_host(host_);
  } catch (const std::exception& e) {
    gpu_.logger()->warn("SDMA: stopping queue 0 failed: {}", e.what());
  }
}

void SdmaV6::kick(uint64_t wptr) {
  *reinterpret_cast<volatile uint64_t*>(ring() + ring_bytes + 8) = wptr;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  gpu_.doorbells().write64(uint64_t{doorbell_index} * 8, wptr);
}

}  // namespace hcq::am
