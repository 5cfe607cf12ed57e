// SDMA copy queues (see queue.hpp): each owns one SDMA ring (an engine's queue, SdmaV6::create_ring)
// and the stream's words go straight into it; the write pointer counts bytes.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "am/pkt/sdma.hpp"
#include "am/queue.hpp"

namespace hcq::am {

namespace {

constexpr auto ring_timeout = std::chrono::seconds(10);
constexpr uint64_t max_nop_dwords = 0x4000;  // a NOP's count field (14 bits) holds the dwords after its header

Value offset(Value v, uint64_t by) {
  v.constant += by;
  return v;
}

}  // namespace

AmCopyQueue::AmCopyQueue(std::shared_ptr<detail::DeviceImpl> self, AmDevice& device)
    : QueueImpl(std::move(self), QueueKind::copy), am_(device), sdma_(*device.gpu().block<SdmaV6>()) {
  ring_ = sdma_.create_ring();
  am_.logger()->debug("{}: SDMA{} queue {} (doorbell {:#x})", name(), ring_->engine, ring_->queue, ring_->doorbell);
}

AmCopyQueue::~AmCopyQueue() { sdma_.destroy_ring(std::move(ring_)); }

void AmCopyQueue::encode_wait(detail::CommandStream& s, Value addr, Value value) {
  sdma::Sdma q(s);
  auto b = q.reserve(sdma::Sdma::poll_dwords);
  q.poll_mem(addr, value, 0xffffffffu, sdma::Compare::ge);
}

// A 64-bit value as two fences, the high half first: a waiter compares the low half (32 bits).
void AmCopyQueue::encode_signal(detail::CommandStream& s, Value addr, Value value) {
  sdma::Sdma q(s);
  auto b = q.reserve(2 * sdma::Sdma::fence_dwords);
  q.fence(offset(addr, 4), value, 32);
  q.fence(addr, value, 0);
}

void AmCopyQueue::encode_timestamp(detail::CommandStream& s, Value addr) {
  sdma::Sdma q(s);
  auto b = q.reserve(sdma::Sdma::timestamp_dwords);
  q.timestamp(addr);
}

void AmCopyQueue::encode_barrier(detail::CommandStream&) {}  // one SDMA queue runs its packets in order

void AmCopyQueue::encode_exec(detail::CommandStream&, const detail::KernelImpl&, const KernelArgs&, Dim3, Dim3) {
  fail(Errc::unsupported, "exec: copy queues cannot run kernels");
}

void AmCopyQueue::encode_copy(detail::CommandStream& s, Value dst, Value src, uint64_t bytes) {
  sdma::Sdma q(s);
  for (uint64_t done = 0; done < bytes;) {
    const auto n = static_cast<uint32_t>(std::min<uint64_t>(bytes - done, sdma::copy_max_bytes));
    q.copy_linear(offset(dst, done), offset(src, done), n);
    done += n;
  }
}

void AmCopyQueue::encode_indirect(detail::CommandStream& s, detail::BoundStream& b) {
  auto& bound = static_cast<detail::PlacedStream&>(b);
  sdma::Sdma q(s);
  auto budget = q.reserve(sdma::Sdma::indirect_dwords);
  q.indirect(bound.words_va(), bound.dwords());
}

std::unique_ptr<detail::BoundStream> AmCopyQueue::bind(detail::CommandStream&& s) {
  return bind_stream(am_, std::move(s));
}

void AmCopyQueue::push(detail::CommandStream& s) {
  const uint64_t ring = SdmaV6::ring_bytes;
  const uint64_t bytes = s.words.size() * 4;
  if (bytes + 8 > ring / 2)
    throw Error(Errc::unsupported, am_.uri(), name(), fmt::format("a copy submit of {} KiB: the SDMA ring holds {} KiB", bytes >> 10, ring >> 10));
  SdmaV6::Ring& r = *ring_;
  uint64_t& wptr = r.wptr;
  // A stream never wraps: what is left of the ring becomes one NOP.
  const uint64_t left = ring - wptr % ring;
  const uint64_t pad = left < bytes ? left : 0;
  const auto end = std::chrono::steady_clock::now() + ring_timeout;
  while (wptr + pad + bytes - r.rptr() > ring - 8) {
    if (std::chrono::steady_clock::now() > end)
      throw Error(Errc::timeout, am_.uri(), name(),
                  fmt::format("no room in SDMA{} queue {}'s ring after {} s (wptr {}, rptr {}): is the engine stuck on a wait?",
                              r.engine, r.queue, ring_timeout.count(), wptr, r.rptr()));
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  auto* words = reinterpret_cast<uint32_t*>(r.ring());
  for (uint64_t left_pad = pad; left_pad > 0;) {  // NOPs of at most max_nop_dwords each
    const uint64_t n = std::min<uint64_t>(left_pad / 4, max_nop_dwords);
    words[(wptr % ring) / 4] = sdma::header(sdma::Op::nop) | sdma::nop_count(static_cast<uint32_t>(n - 1));
    wptr += n * 4;
    left_pad -= n * 4;
  }
  std::memcpy(r.ring() + wptr % ring, s.words.data(), bytes);
  if (am_.logger()->should_log(spdlog::level::trace))
    am_.logger()->trace("{}: submit {} at SDMA{} queue {} ring byte {}:\n{}", name(), submitted(), r.engine, r.queue, wptr,
                        sdma::decode(s.words));
  wptr += bytes;
  sdma_.kick(r, wptr);
}

}  // namespace hcq::am
