// The gfx11 compute MQD (see mqd_v11.hpp).
#include "am/pkt/mqd_v11.hpp"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

namespace hcq::am::mqd_v11 {

namespace {

namespace gc = gc_11_0_0;

// tinygrad's AM values (amd.md §3a).
constexpr uint32_t mqd_header = 0xC0310800;
constexpr uint32_t all_cus = 0xffffffff;  // static_thread_mgmt: every CU of every SE
constexpr uint32_t pipe_priority = 2, queue_priority = 0xf, quantum = 0x111;
constexpr uint32_t hq_status0 = 0x20004000;
constexpr uint32_t preload_size = 0x55;
constexpr uint32_t rptr_block_size = 5;   // log2 of the rptr report granularity, in 8 dwords (guessed unit)
constexpr uint32_t min_ib_avail_size = 3;
constexpr uint32_t base_align = 256;      // PQ, EOP and MQD bases are programmed >> 8
constexpr uint32_t min_ring_bytes = 256, max_ring_bytes = 1u << 23;

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("compute MQD: " + what);
}

// log2(bytes / 4) - 1: the queue_size / eop_size encoding (size = 2^(field+1) dwords).
uint32_t size_field(uint32_t bytes) { return static_cast<uint32_t>(std::countr_zero(bytes / 4)) - 1; }

}  // namespace

ComputeMqd make_compute_mqd(const QueueLayout& q) {
  check(q.mqd % base_align == 0 && q.ring % base_align == 0 && q.eop % base_align == 0,
        "MQD, ring and EOP addresses must be 256-byte aligned");
  check(std::has_single_bit(q.ring_bytes) && q.ring_bytes >= min_ring_bytes && q.ring_bytes <= max_ring_bytes,
        "ring size must be a power of two from 256 B to 8 MiB, got " + std::to_string(q.ring_bytes));
  check(std::has_single_bit(q.eop_bytes) && q.eop_bytes >= min_ring_bytes && q.eop_bytes <= max_ring_bytes,
        "EOP size must be a power of two from 256 B to 8 MiB, got " + std::to_string(q.eop_bytes));
  check(q.rptr_report % 4 == 0 && q.wptr_poll % 8 == 0, "rptr report must be 4- and wptr poll 8-byte aligned");

  ComputeMqd m;
  std::memset(&m, 0, sizeof m);
  m.header = mqd_header;
  m.compute_static_thread_mgmt_se0 = m.compute_static_thread_mgmt_se1 = all_cus;
  m.compute_static_thread_mgmt_se2 = m.compute_static_thread_mgmt_se3 = all_cus;
  m.compute_static_thread_mgmt_se4 = m.compute_static_thread_mgmt_se5 = all_cus;
  m.compute_static_thread_mgmt_se6 = m.compute_static_thread_mgmt_se7 = all_cus;
  m.cp_mqd_base_addr_lo = static_cast<uint32_t>(q.mqd);
  m.cp_mqd_base_addr_hi = static_cast<uint32_t>(q.mqd >> 32);
  m.cp_hqd_vmid = 0;
  m.cp_hqd_persistent_state = value(gc::CP_HQD_PERSISTENT_STATE, {{"preload_req", 1}, {"preload_size", preload_size}});
  m.cp_hqd_pipe_priority = pipe_priority;
  m.cp_hqd_queue_priority = queue_priority;
  m.cp_hqd_quantum = quantum;
  m.cp_hqd_pq_base_lo = static_cast<uint32_t>(q.ring >> 8);
  m.cp_hqd_pq_base_hi = static_cast<uint32_t>(q.ring >> 40);
  m.cp_hqd_pq_rptr_report_addr_lo = static_cast<uint32_t>(q.rptr_report);
  m.cp_hqd_pq_rptr_report_addr_hi = static_cast<uint32_t>(q.rptr_report >> 32);
  m.cp_hqd_pq_wptr_poll_addr_lo = static_cast<uint32_t>(q.wptr_poll);
  m.cp_hqd_pq_wptr_poll_addr_hi = static_cast<uint32_t>(q.wptr_poll >> 32);
  // The doorbell_offset field counts dwords: a 64-bit slot is two.
  m.cp_hqd_pq_doorbell_control =
      value(gc::CP_HQD_PQ_DOORBELL_CONTROL, {{"doorbell_offset", q.doorbell_index * 2}, {"doorbell_en", 1}});
  m.cp_hqd_pq_control = value(gc::CP_HQD_PQ_CONTROL, {{"queue_size", size_field(q.ring_bytes)},
                                                      {"rptr_block_size", rptr_block_size}});
  m.cp_hqd_ib_control = value(gc::CP_HQD_IB_CONTROL, {{"min_ib_avail_size", min_ib_avail_size}});
  m.cp_hqd_hq_status0 = hq_status0;
  m.cp_mqd_control = value(gc::CP_MQD_CONTROL, {{"priv_state", 1}});
  m.cp_hqd_eop_base_addr_lo = static_cast<uint32_t>(q.eop >> 8);
  m.cp_hqd_eop_base_addr_hi = static_cast<uint32_t>(q.eop >> 40);
  m.cp_hqd_eop_control = value(gc::CP_HQD_EOP_CONTROL, {{"eop_size", size_field(q.eop_bytes)}});
  return m;
}

}  // namespace hcq::am::mqd_v11
