// The model's command processor (see cp.hpp).
#include "am/sim/cp.hpp"

#include <algorithm>
#include <ranges>

#include <fmt/format.h>

#include "am/ip/psp_gfx_if.hpp"
#include "am/pkt/pm4.hpp"
#include "am/registers/gc_11_0_0.hpp"
#include "am/registers/soc21_ih.hpp"
#include "log.hpp"

namespace hcq::am::sim {

namespace {

namespace gc = gc_11_0_0;
using Packet = std::vector<uint32_t>;

constexpr uint32_t max_threads_per_group = 1024;
constexpr uint32_t max_vgpr_granule_wave32 = 31;  // (n + 1) * 8 VGPRs: 256 per wave32
constexpr uint32_t max_lds_granules = 128;        // 512-byte units: 64 KiB per workgroup
constexpr uint32_t max_user_sgprs = gc::compute_user_data_count;
constexpr size_t packets_per_turn = 64;           // then the next queue gets a turn
constexpr uint32_t copy_chunk_bytes = 64 * 1024;  // DMA_DATA moves this much per Context access
constexpr uint32_t me_mec1 = 1;                   // GRBM_GFX_CNTL.meid of the first MEC
static_assert(Cp::hqd_dwords == gc::hqd_last - gc::hqd_first + 1);

uint32_t image_key(uint32_t me, uint32_t pipe, uint32_t queue) { return (me * Cp::pipes + pipe) * Cp::queues_per_pipe + queue; }

bool compare(uint32_t function, uint32_t v, uint32_t ref) {
  switch (static_cast<pm4::Compare>(function)) {
    case pm4::Compare::always: return true;
    case pm4::Compare::lt: return v < ref;
    case pm4::Compare::le: return v <= ref;
    case pm4::Compare::eq: return v == ref;
    case pm4::Compare::ne: return v != ref;
    case pm4::Compare::ge: return v >= ref;
    case pm4::Compare::gt: return v > ref;
  }
  return false;
}

uint64_t join(uint32_t lo, uint32_t hi) { return uint64_t{hi} << 32 | lo; }

}  // namespace

std::string_view to_string(CpError e) noexcept {
  switch (e) {
    case CpError::none: return "none";
    case CpError::bad_opcode: return "bad opcode";
    case CpError::bad_packet: return "bad packet";
    case CpError::vm_fault: return "VM fault";
    case CpError::wait_timeout: return "WAIT_REG_MEM timeout";
    case CpError::bad_dispatch: return "bad dispatch";
  }
  return "?";
}

Cp::Cp(Context& ctx, CpOptions options) : ctx_(ctx), options_(options) {
  install();
  worker_.start([this] { return run(); });
}

Cp::~Cp() { worker_.stop(); }

void Cp::reset() {
  std::lock_guard lock(worker_.mutex());
  queues_.clear();
  images_.clear();
  dispatches_.clear();
  install();
}

// Banked first, so that the ACTIVE / DEQUEUE_REQUEST hooks below see the selected image updated.
void Cp::install() {
  const uint32_t first = ctx_.address(gc::CP_MQD_BASE_ADDR);
  for (uint32_t i = 0; i < hqd_dwords; ++i) {
    ctx_.on_write(first + i, [this, i](uint32_t v) {
      const uint32_t key = selected();
      std::lock_guard lock(worker_.mutex());
      images_[key][i] = v;
    });
    ctx_.on_read(first + i, [this, i] {
      const uint32_t key = selected();
      std::lock_guard lock(worker_.mutex());
      return images_[key][i];
    });
  }
  ctx_.on_write(ctx_.address(gc::CP_HQD_ACTIVE), [this](uint32_t v) {
    if (v & 1) activate();
    else dequeue();
  });
  ctx_.on_write(ctx_.address(gc::CP_HQD_DEQUEUE_REQUEST), [this](uint32_t v) {
    if (v != 0) dequeue();
  });
  ctx_.on_read(ctx_.address(gc::GRBM_STATUS), [this] { return grbm_status(); });
}

// GRBM_STATUS as gfx_v11_0_is_idle reads it: the CP (and so the GUI) is busy while a queue has packets
// it has not finished: work before its write pointer, an IB in progress, or a WAIT_REG_MEM that has
// not passed. A queue stopped by an error with work left counts as busy too (it will not finish).
uint32_t Cp::grbm_status() {
  std::lock_guard lock(worker_.mutex());
  const bool busy = std::ranges::any_of(std::views::values(queues_), [](const Hqd& q) {
    return q.active && (!q.ibs.empty() || q.rptr < q.wptr);
  });
  const auto& f = gc::GRBM_STATUS;
  return busy ? f["gui_active"](1) | f["cp_busy"](1) : 0;
}

uint32_t Cp::selected() const {
  const uint32_t sel = ctx_.reg(gc::GRBM_GFX_CNTL);
  const auto& f = gc::GRBM_GFX_CNTL;
  return image_key(f["meid"].get(sel), f["pipeid"].get(sel), f["queueid"].get(sel));
}

uint32_t& Cp::hqd(uint32_t image, const Reg& r) { return images_[image][r.offset - gc::hqd_first]; }

// The queue GRBM_GFX_CNTL selects starts from its HQD register image (MQD dwords 0x80..0xb7).
void Cp::activate() {
  const uint32_t sel = ctx_.reg(gc::GRBM_GFX_CNTL);
  if (gc::GRBM_GFX_CNTL["meid"].get(sel) != me_mec1) return;  // only MEC1's compute queues are modelled
  std::lock_guard lock(worker_.mutex());
  const unsigned pipe = gc::GRBM_GFX_CNTL["pipeid"].get(sel), queue = gc::GRBM_GFX_CNTL["queueid"].get(sel);
  const uint32_t key = pipe * queues_per_pipe + queue, image = image_key(me_mec1, pipe, queue);
  auto reg = [&](const Reg& r) {
    const bool banked = r.seg == gc::seg0 && r.offset >= gc::hqd_first && r.offset <= gc::hqd_last;
    return banked ? hqd(image, r) : ctx_.reg(r);
  };
  Hqd& q = queues_[key] = Hqd{};
  q.pipe = pipe;
  q.queue = queue;
  const uint32_t cntl = reg(gc::CP_MEC_RS64_CNTL);
  std::string refused;
  if (!ctx_.firmware_loaded(static_cast<uint32_t>(psp::FwType::rs64_mec)))
    refused = "the MEC firmware (RS64_MEC) was not loaded through the PSP";
  else if (gc::CP_MEC_RS64_CNTL["mec_halt"].get(cntl) || (cntl >> gc::CP_MEC_RS64_CNTL["mec_pipe0_reset"].lo >> pipe) & 1)
    refused = fmt::format("the MEC is halted or pipe {} is in reset (CP_MEC_RS64_CNTL={:#010x})", pipe, cntl);
  const uint32_t doorbell = reg(gc::CP_HQD_PQ_DOORBELL_CONTROL);
  if (refused.empty() && !gc::CP_HQD_PQ_DOORBELL_CONTROL["doorbell_en"].get(doorbell))
    refused = fmt::format("CP_HQD_PQ_DOORBELL_CONTROL={:#010x} has doorbell_en = 0", doorbell);
  if (!refused.empty()) {
    q.error = CpError::bad_packet;
    q.why = "queue not started: " + refused;
    hqd(image, gc::CP_HQD_ACTIVE) = 0;
    hqd(image, gc::CP_HQD_ERROR) = static_cast<uint32_t>(q.error);
    return;
  }
  q.ring = join(reg(gc::CP_HQD_PQ_BASE), reg(gc::CP_HQD_PQ_BASE_HI)) << 8;
  q.ring_dwords = 2u << gc::CP_HQD_PQ_CONTROL["queue_size"].get(reg(gc::CP_HQD_PQ_CONTROL));
  q.rptr_report = join(reg(gc::CP_HQD_PQ_RPTR_REPORT_ADDR), reg(gc::CP_HQD_PQ_RPTR_REPORT_ADDR_HI));
  q.doorbell = gc::CP_HQD_PQ_DOORBELL_CONTROL["doorbell_offset"].get(doorbell) / 2;
  // CP_HQD_PQ_RPTR is a position in the ring, the write pointer counts on: the queue starts with
  // what lies between them (nothing when they meet, as on a resumed queue).
  q.wptr = join(reg(gc::CP_HQD_PQ_WPTR_LO), reg(gc::CP_HQD_PQ_WPTR_HI));
  q.rptr = q.wptr - (q.wptr % q.ring_dwords + q.ring_dwords - reg(gc::CP_HQD_PQ_RPTR) % q.ring_dwords) % q.ring_dwords;
  q.active = true;
  hqd(image, gc::CP_HQD_ERROR) = 0;
  ctx_.on_doorbell(q.doorbell, [this, key](uint64_t wptr) {
    std::lock_guard l(worker_.mutex());
    if (auto it = queues_.find(key); it != queues_.end() && it->second.active) {
      it->second.wptr = wptr;
      const uint32_t image = image_key(me_mec1, it->second.pipe, it->second.queue);
      hqd(image, gc::CP_HQD_PQ_WPTR_LO) = static_cast<uint32_t>(wptr);
      hqd(image, gc::CP_HQD_PQ_WPTR_HI) = static_cast<uint32_t>(wptr >> 32);
      worker_.kick_locked();
    }
  });
  worker_.kick_locked();
}

void Cp::dequeue() {
  const uint32_t sel = ctx_.reg(gc::GRBM_GFX_CNTL), image = selected();
  std::lock_guard lock(worker_.mutex());
  const uint32_t key = gc::GRBM_GFX_CNTL["pipeid"].get(sel) * queues_per_pipe + gc::GRBM_GFX_CNTL["queueid"].get(sel);
  if (auto it = queues_.find(key); it != queues_.end() && gc::GRBM_GFX_CNTL["meid"].get(sel) == me_mec1) {
    it->second.active = false;
    it->second.ibs.clear();
  }
  hqd(image, gc::CP_HQD_ACTIVE) = 0;
  hqd(image, gc::CP_HQD_DEQUEUE_REQUEST) = 0;
}

std::vector<Dispatch> Cp::dispatches() {
  std::lock_guard lock(worker_.mutex());
  return dispatches_;
}

std::optional<Cp::QueueState> Cp::queue_state(unsigned pipe, unsigned queue) {
  std::lock_guard lock(worker_.mutex());
  auto it = queues_.find(pipe * queues_per_pipe + queue);
  if (it == queues_.end()) return std::nullopt;
  return QueueState{it->second.active, it->second.error, it->second.why, it->second.rptr};
}

Worker::Next Cp::run() {
  auto hqds = std::views::values(queues_);
  return take_turns(
      hqds, packets_per_turn,
      [](const Hqd& q) { return q.active && q.error == CpError::none && !(q.ibs.empty() && q.rptr >= q.wptr); },
      [this](Hqd& q) { return run_one(q) == Step::blocked; });
}

Cp::Step Cp::run_one(Hqd& q) {
  while (!q.ibs.empty() && q.ibs.back().pos >= q.ibs.back().dwords) q.ibs.pop_back();
  if (q.ibs.empty() && q.rptr >= q.wptr) return Step::done;
  if (q.ibs.empty() && q.wptr - q.rptr > q.ring_dwords)
    return stop(q, CpError::bad_packet, fmt::format("wptr {} is more than a ring ({} dwords) ahead of rptr {}", q.wptr,
                                                    q.ring_dwords, q.rptr), gc::srcid::cp_bad_opcode_error);
  Packet p;
  uint32_t consumed = 0;
  if (!fetch(q, p, consumed)) return Step::stopped;
  const size_t source = q.ibs.size();  // 0: the ring, else ibs[source - 1]
  const Step s = execute(q, p);
  if (s != Step::done) return s;
  if (source == 0) {
    q.rptr += consumed;
    const uint32_t report = static_cast<uint32_t>(q.rptr % q.ring_dwords);
    hqd(image_key(me_mec1, q.pipe, q.queue), gc::CP_HQD_PQ_RPTR) = report;
    if (q.rptr_report != 0 && !write(q, q.rptr_report, &report, sizeof report)) return Step::stopped;
  } else {
    q.ibs[source - 1].pos += consumed;
  }
  return Step::done;
}

// Reads the packet at the queue's current position: from the ring (wrapping) or the top IB.
bool Cp::fetch(Hqd& q, Packet& p, uint32_t& consumed) {
  const bool in_ib = !q.ibs.empty();
  const uint64_t avail = in_ib ? q.ibs.back().dwords - q.ibs.back().pos : q.wptr - q.rptr;
  auto at = [&](uint32_t i) {
    return in_ib ? q.ibs.back().base + (uint64_t{q.ibs.back().pos} + i) * 4 : q.ring + ((q.rptr + i) % q.ring_dwords) * 4;
  };
  uint32_t h = 0;
  if (!read32(q, at(0), h)) return false;
  p.assign(1, h);
  if (h == pm4::nop1) return consumed = 1, true;
  if (pm4::header_type(h) != 3) {
    stop(q, CpError::bad_opcode, fmt::format("type-{} header {:#010x}: only type-3 packets are supported", pm4::header_type(h), h),
         gc::srcid::cp_bad_opcode_error);
    return false;
  }
  consumed = pm4::header_count(h) + 2;
  if (consumed > avail) {
    stop(q, CpError::bad_packet, fmt::format("packet {:#010x} of {} dwords runs past the {} dwords {}", h, consumed, avail,
                                             in_ib ? "left in its IB" : "before wptr"), gc::srcid::cp_bad_opcode_error);
    return false;
  }
  p.resize(consumed);
  for (uint32_t i = 1; i < consumed; ++i)
    if (!read32(q, at(i), p[i])) return false;
  return true;
}

Cp::Step Cp::execute(Hqd& q, const Packet& p) {
  if (p.size() == 1 && p[0] == pm4::nop1) return Step::done;
  const auto op = static_cast<pm4::Op>(pm4::header_op(p[0]));
  auto need = [&](size_t n) { return p.size() >= n; };
  auto malformed = [&] {
    return stop(q, CpError::bad_packet, fmt::format("{} with {} body dwords", pm4::name(op), p.size() - 1),
                gc::srcid::cp_bad_opcode_error);
  };
  switch (op) {
    case pm4::Op::nop:
    case pm4::Op::event_write: return need(2) ? Step::done : malformed();
    case pm4::Op::acquire_mem: return need(8) ? Step::done : malformed();
    case pm4::Op::release_mem: return p.size() == 8 ? release_mem(q, p) : malformed();
    case pm4::Op::wait_reg_mem: return p.size() == 7 ? wait_reg_mem(q, p) : malformed();
    case pm4::Op::dispatch_direct: return p.size() == 5 ? dispatch(q, p) : malformed();
    case pm4::Op::write_data: {
      if (!need(5) || ((p[1] >> 8) & 0xf) != pm4::write::dst_sel_memory) return malformed();
      const uint64_t addr = join(p[2], p[3]);
      const bool same = p[1] & pm4::write::addr_incr_off;
      for (size_t i = 4; i < p.size(); ++i)
        if (!write(q, same ? addr : addr + (i - 4) * 4, &p[i], 4)) return Step::stopped;
      return Step::done;
    }
    case pm4::Op::dma_data: {
      if (p.size() != 7 || pm4::dma::get_src_sel(p[1]) != pm4::dma::sel_addr_tc_l2 ||
          pm4::dma::get_dst_sel(p[1]) != pm4::dma::sel_addr_tc_l2)
        return malformed();
      return copy(q, join(p[4], p[5]), join(p[2], p[3]), p[6] & pm4::dma::byte_count_mask);
    }
    case pm4::Op::set_sh_reg: {
      const uint64_t reg = uint64_t{pm4::sh_reg_start} + p[1];
      if (!need(3) || reg + (p.size() - 2) > pm4::sh_reg_end) return malformed();
      for (size_t i = 2; i < p.size(); ++i) ctx_.set_reg(static_cast<uint32_t>(reg + i - 2), p[i]);
      return Step::done;
    }
    case pm4::Op::indirect_buffer: {
      const uint32_t dwords = p.size() == 4 ? p[3] & pm4::ib::size_mask : 0;
      if (dwords == 0 || !(p[3] & pm4::ib::valid) || (p[1] & 3) != 0) return malformed();
      if (q.ibs.size() >= max_ib_depth)
        return stop(q, CpError::bad_packet, fmt::format("INDIRECT_BUFFER nested deeper than {}", max_ib_depth),
                    gc::srcid::cp_bad_opcode_error);
      q.ibs.push_back({join(p[1], p[2]), dwords, 0});
      return Step::done;
    }
  }
  return stop(q, CpError::bad_opcode, fmt::format("unknown PM4 opcode {:#04x} (header {:#010x})", pm4::header_op(p[0]), p[0]),
              gc::srcid::cp_bad_opcode_error);
}

Cp::Step Cp::wait_reg_mem(Hqd& q, const Packet& p) {
  const uint32_t function = p[1] & 7, mem = (p[1] >> 4) & 1, operation = (p[1] >> 6) & 3;
  if (operation != 0 || function > static_cast<uint32_t>(pm4::Compare::gt))
    return stop(q, CpError::bad_packet, fmt::format("WAIT_REG_MEM dw1 {:#x}: only wait operations are supported", p[1]),
                gc::srcid::cp_bad_opcode_error);
  uint32_t v = 0;
  if (mem) {
    if (!read32(q, join(p[2], p[3]), v)) return Step::stopped;
  } else {
    v = ctx_.reg(p[2]);
  }
  if (compare(function, v & p[5], p[4])) {
    q.waiting_since.reset();
    return Step::done;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!q.waiting_since) q.waiting_since = now;
  if (now - *q.waiting_since < options_.wait_timeout) return Step::blocked;
  return stop(q, CpError::wait_timeout,
              fmt::format("WAIT_REG_MEM on {} {:#x} (value {:#x} & mask {:#x}, function {}, reference {:#x}) did not pass in {} ms",
                          mem ? "memory" : "register", mem ? join(p[2], p[3]) : p[2], v, p[5], function, p[4],
                          options_.wait_timeout.count()),
              gc::srcid::cp_wait_reg_mem_poll_timeout);
}

Cp::Step Cp::release_mem(Hqd& q, const Packet& p) {
  const uint32_t index = (p[1] >> 8) & 0xf, data_sel = pm4::release::get_data_sel(p[2]);
  const uint32_t dst_sel = (p[2] >> 16) & 3;
  const uint64_t addr = join(p[3], p[4]);
  if (index != pm4::event_index_end_of_pipe || dst_sel != pm4::release::dst_sel_memory ||
      data_sel > static_cast<uint32_t>(pm4::DataSel::gpu_clock) || addr % (data_sel == 1 ? 4 : 8) != 0)
    return stop(q, CpError::bad_packet,
                fmt::format("RELEASE_MEM event_index {} dst_sel {} data_sel {} address {:#x}", index, dst_sel, data_sel, addr),
                gc::srcid::cp_bad_opcode_error);
  const uint64_t value = data_sel == static_cast<uint32_t>(pm4::DataSel::gpu_clock) ? ctx_.gpu_clock() : join(p[5], p[6]);
  if (data_sel != 0 && !write(q, addr, &value, data_sel == 1 ? 4 : 8)) return Step::stopped;
  if (pm4::release::get_int_sel(p[2]) != pm4::release::int_sel_none) {
    const uint32_t context[4] = {p[7], q.pipe, q.queue, 0};
    ctx_.interrupt(ih::client_grbm_cp, gc::srcid::cp_eop_interrupt, context);
  }
  return Step::done;
}

// DISPATCH_DIRECT: the registers SET_SH_REG gave it must describe a launch the hardware could run.
Cp::Step Cp::dispatch(Hqd& q, const Packet& p) {
  auto reg = [this](const Reg& r) { return ctx_.reg(r); };
  Dispatch d;
  d.pipe = q.pipe;
  d.queue = q.queue;
  d.groups = {p[1], p[2], p[3]};
  d.initiator = p[4];
  d.pgm = join(reg(gc::COMPUTE_PGM_LO), reg(gc::COMPUTE_PGM_HI)) << 8;
  d.rsrc1 = reg(gc::COMPUTE_PGM_RSRC1);
  d.rsrc2 = reg(gc::COMPUTE_PGM_RSRC2);
  d.rsrc3 = reg(gc::COMPUTE_PGM_RSRC3);
  d.tmpring_size = reg(gc::COMPUTE_TMPRING_SIZE);
  d.scratch_base = join(reg(gc::COMPUTE_DISPATCH_SCRATCH_BASE_LO), reg(gc::COMPUTE_DISPATCH_SCRATCH_BASE_HI)) << 8;
  const Field& nt = gc::COMPUTE_NUM_THREAD_X["num_thread_full"];
  d.threads = {nt.get(reg(gc::COMPUTE_NUM_THREAD_X)), nt.get(reg(gc::COMPUTE_NUM_THREAD_Y)), nt.get(reg(gc::COMPUTE_NUM_THREAD_Z))};
  d.user_sgprs = gc::COMPUTE_PGM_RSRC2["user_sgpr"].get(d.rsrc2);
  const uint32_t user0 = ctx_.address(gc::COMPUTE_USER_DATA_0);
  for (uint32_t i = 0; i < d.user_data.size(); ++i) d.user_data[i] = ctx_.reg(user0 + i);

  std::string bad;
  const uint64_t threads = uint64_t{d.threads[0]} * d.threads[1] * d.threads[2];
  if (!(d.initiator & pm4::dispatch::compute_shader_en))
    bad = fmt::format("DISPATCH_INITIATOR {:#x} has compute_shader_en = 0", d.initiator);
  else if (d.groups[0] == 0 || d.groups[1] == 0 || d.groups[2] == 0)
    bad = fmt::format("a grid of {}x{}x{} workgroups", d.groups[0], d.groups[1], d.groups[2]);
  else if (threads == 0 || threads > max_threads_per_group)
    bad = fmt::format("COMPUTE_NUM_THREAD {}x{}x{}: 1 to {} threads per workgroup", d.threads[0], d.threads[1], d.threads[2],
                      max_threads_per_group);
  else if (d.pgm == 0)
    bad = "COMPUTE_PGM_LO/HI is 0: no program";
  else if (gc::COMPUTE_PGM_RSRC1["vgprs"].get(d.rsrc1) > max_vgpr_granule_wave32)
    bad = fmt::format("COMPUTE_PGM_RSRC1 {:#x}: more than 256 VGPRs per wave", d.rsrc1);
  else if (d.user_sgprs > max_user_sgprs)
    bad = fmt::format("COMPUTE_PGM_RSRC2 {:#x}: {} user SGPRs, at most {}", d.rsrc2, d.user_sgprs, max_user_sgprs);
  else if (gc::COMPUTE_PGM_RSRC2["lds_size"].get(d.rsrc2) > max_lds_granules)
    bad = fmt::format("COMPUTE_PGM_RSRC2 {:#x}: LDS beyond 64 KiB", d.rsrc2);
  else if (gc::COMPUTE_PGM_RSRC2["scratch_en"].get(d.rsrc2) && d.scratch_base == 0)
    bad = "scratch enabled with COMPUTE_DISPATCH_SCRATCH_BASE 0";
  if (!bad.empty()) return stop(q, CpError::bad_dispatch, bad, gc::srcid::cp_bad_opcode_error);
  uint32_t probe = 0;
  if (!read32(q, d.pgm, probe)) return Step::stopped;  // the program must be mapped
  // The CP does not see the kernel descriptor, so which user SGPRs hold the kernarg pointer is not
  // known here: the first nonzero 64-bit pair is taken (the launcher's layout: a zero private
  // segment descriptor, then the dispatch packet or kernarg pointer), and it must be mapped.
  for (uint32_t i = 0; i + 1 < d.user_sgprs && d.kernarg == 0; i += 2) d.kernarg = join(d.user_data[i], d.user_data[i + 1]);
  if (d.kernarg != 0 && !read32(q, d.kernarg, probe)) return Step::stopped;
  dispatches_.push_back(d);
  return Step::done;
}

Cp::Step Cp::copy(Hqd& q, uint64_t dst, uint64_t src, uint32_t bytes) {
  std::vector<std::byte> buf(std::min<uint32_t>(bytes, copy_chunk_bytes));
  for (uint32_t done = 0; done < bytes;) {
    const uint32_t n = std::min<uint32_t>(bytes - done, copy_chunk_bytes);
    if (!ctx_.read(Client::cp, 0, src + done, buf.data(), n))
      return stop(q, CpError::vm_fault, fmt::format("DMA_DATA read of {} bytes at {:#x} faulted", n, src + done), gc::srcid::cp_gpf);
    if (!write(q, dst + done, buf.data(), n)) return Step::stopped;
    done += n;
  }
  return Step::done;
}

bool Cp::read32(Hqd& q, uint64_t va, uint32_t& out) {
  if (ctx_.read(Client::cp, 0, va, &out, 4)) return true;
  stop(q, CpError::vm_fault, fmt::format("read of {:#x} faulted", va), gc::srcid::cp_gpf);
  return false;
}

bool Cp::write(Hqd& q, uint64_t va, const void* src, size_t bytes) {
  if (ctx_.write(Client::cp, 0, va, src, bytes)) return true;
  stop(q, CpError::vm_fault, fmt::format("write of {} bytes at {:#x} faulted", bytes, va), gc::srcid::cp_gpf);
  return false;
}

Cp::Step Cp::stop(Hqd& q, CpError e, std::string why, uint32_t src_id) {
  q.error = e;
  q.why = fmt::format("pipe {} queue {} at rptr {}: {}", q.pipe, q.queue, q.rptr, why);
  hqd(image_key(me_mec1, q.pipe, q.queue), gc::CP_HQD_ERROR) = static_cast<uint32_t>(e);
  log::get("am")->warn("sim CP: {} ({})", q.why, to_string(e));
  const uint32_t context[4] = {static_cast<uint32_t>(e), q.pipe, q.queue, static_cast<uint32_t>(q.rptr)};
  ctx_.interrupt(ih::client_grbm_cp, src_id, context);
  return Step::stopped;
}

EngineFactory cp_factory(CpOptions options) {
  return [options](Context& ctx) { return std::make_unique<Cp>(ctx, options); };
}

}  // namespace hcq::am::sim
