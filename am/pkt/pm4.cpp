// PM4 builder and decoder (see pm4.hpp).
#include "am/pkt/pm4.hpp"

#include <fmt/format.h>

namespace hcq::am::pm4 {

const char* name(Op op) noexcept {
  switch (op) {
    case Op::nop: return "NOP";
    case Op::dispatch_direct: return "DISPATCH_DIRECT";
    case Op::write_data: return "WRITE_DATA";
    case Op::wait_reg_mem: return "WAIT_REG_MEM";
    case Op::indirect_buffer: return "INDIRECT_BUFFER";
    case Op::event_write: return "EVENT_WRITE";
    case Op::release_mem: return "RELEASE_MEM";
    case Op::acquire_mem: return "ACQUIRE_MEM";
    case Op::dma_data: return "DMA_DATA";
    case Op::set_sh_reg: return "SET_SH_REG";
  }
  return nullptr;
}

void Pm4::nop(uint32_t body_dwords) {
  s_.put32(header(Op::nop, body_dwords));
  for (uint32_t i = 0; i < body_dwords; ++i) s_.put32(0);
}

void Pm4::write_data(Value addr, std::span<const Word> data) {
  assert(!data.empty() && data.size() + 3 <= max_body_dwords);
  s_.put32(header(Op::write_data, static_cast<uint32_t>(3 + data.size())));
  s_.put32(write::dst_sel(write::dst_sel_memory) | write::wr_confirm);
  put(Word::lo(addr));
  put(Word::hi(addr));
  for (const Word& w : data) put(w);
}

void Pm4::wait_mem(Value addr, Word ref, uint32_t mask, Compare cmp) {
  s_.put32(header(Op::wait_reg_mem, 6));
  s_.put32(wait::function(static_cast<uint32_t>(cmp)) | wait::mem_space(1));
  put(Word::lo(addr));
  put(Word::hi(addr));
  put(ref);
  s_.put32(mask);
  s_.put32(wait::poll_interval);
}

void Pm4::wait_reg(uint32_t reg, uint32_t ref, uint32_t mask, Compare cmp) {
  s_.put32(header(Op::wait_reg_mem, 6));
  s_.put32(wait::function(static_cast<uint32_t>(cmp)) | wait::mem_space(0));
  s_.put32(reg);
  s_.put32(0);
  s_.put32(ref);
  s_.put32(mask);
  s_.put32(wait::poll_interval);
}

void Pm4::release_mem(Value addr, Value value, DataSel sel, uint32_t int_sel, uint32_t int_ctxid) {
  s_.put32(header(Op::release_mem, 7));
  s_.put32(release::fence_flush | release::event_type(event_cache_flush_and_inv_ts) |
           release::event_index(event_index_end_of_pipe));
  s_.put32(release::dst_sel(release::dst_sel_memory) | release::int_sel(int_sel) |
           release::data_sel(static_cast<uint32_t>(sel)));
  put(Word::lo(addr));
  put(Word::hi(addr));
  put(Word::lo(value));
  put(Word::hi(value));
  s_.put32(int_ctxid);
}

void Pm4::acquire_mem(uint32_t gcr_cntl) {
  s_.put32(header(Op::acquire_mem, 7));
  s_.put32(0);  // COHER_CNTL: unused on gfx10+
  s_.put32(acquire::full_range);
  s_.put32(acquire::full_range_hi);
  s_.put32(0);  // base lo
  s_.put32(0);  // base hi
  s_.put32(acquire::poll_interval);
  s_.put32(gcr_cntl);
}

void Pm4::event_write(uint32_t event, uint32_t index) {
  s_.put32(header(Op::event_write, 1));
  s_.put32(release::event_type(event) | release::event_index(index));
}

void Pm4::set_sh_reg(uint32_t reg, std::span<const Word> values) {
  assert(reg >= sh_reg_start && reg + values.size() <= sh_reg_end && !values.empty());
  s_.put32(header(Op::set_sh_reg, static_cast<uint32_t>(1 + values.size())));
  s_.put32(reg - sh_reg_start);
  for (const Word& w : values) put(w);
}

void Pm4::dma_data(Value dst, Value src, uint32_t bytes) {
  assert(bytes > 0 && bytes <= dma::max_chunk);
  s_.put32(header(Op::dma_data, 6));
  s_.put32(dma::dst_sel(dma::sel_addr_tc_l2) | dma::src_sel(dma::sel_addr_tc_l2) | dma::cp_sync);
  put(Word::lo(src));
  put(Word::hi(src));
  put(Word::lo(dst));
  put(Word::hi(dst));
  s_.put32(bytes & dma::byte_count_mask);
}

void Pm4::dispatch_direct(uint32_t x, uint32_t y, uint32_t z, uint32_t initiator) {
  s_.put32(header(Op::dispatch_direct, 4));
  s_.put32(x);
  s_.put32(y);
  s_.put32(z);
  s_.put32(initiator);
}

size_t Pm4::indirect_buffer(Value addr, uint32_t dwords) {
  assert(dwords > 0 && dwords <= ib::size_mask);
  s_.put32(header(Op::indirect_buffer, 3));
  const size_t at = s_.words.size();
  put(Word::lo(addr));
  put(Word::hi(addr));
  s_.put32(ib::valid | ib::vmid(0) | dwords);
  return at;
}

namespace {

uint64_t addr64(std::span<const uint32_t> b, size_t i) { return uint64_t{b[i + 1]} << 32 | b[i]; }

std::string body_text(Op op, std::span<const uint32_t> b) {
  switch (op) {
    case Op::release_mem:
      if (b.size() < 7) break;
      return fmt::format(" event={} index={} data_sel={} int_sel={} addr={:#x} data={:#x}", b[0] & 0x3f,
                         (b[0] >> 8) & 0xf, release::get_data_sel(b[1]), release::get_int_sel(b[1]), addr64(b, 2),
                         addr64(b, 4));
    case Op::wait_reg_mem:
      if (b.size() < 6) break;
      return fmt::format(" {} func={} addr={:#x} ref={:#x} mask={:#x}", (b[0] >> 4) & 1 ? "mem" : "reg", b[0] & 7,
                         addr64(b, 1), b[3], b[4]);
    case Op::write_data:
      if (b.size() < 4) break;
      return fmt::format(" dst_sel={} addr={:#x} words={}", (b[0] >> 8) & 0xf, addr64(b, 1), b.size() - 3);
    case Op::set_sh_reg:
      if (b.empty()) break;
      return fmt::format(" reg={:#x} values={}", b[0] + sh_reg_start, b.size() - 1);
    case Op::dispatch_direct:
      if (b.size() < 4) break;
      return fmt::format(" groups={}x{}x{} initiator={:#x}", b[0], b[1], b[2], b[3]);
    case Op::indirect_buffer:
      if (b.size() < 3) break;
      return fmt::format(" addr={:#x} dwords={}", addr64(b, 0), b[2] & ib::size_mask);
    case Op::dma_data:
      if (b.size() < 6) break;
      return fmt::format(" src={:#x} dst={:#x} bytes={}", addr64(b, 1), addr64(b, 3), b[5] & dma::byte_count_mask);
    case Op::event_write:
      if (b.empty()) break;
      return fmt::format(" event={} index={}", b[0] & 0x3f, (b[0] >> 8) & 0xf);
    default: return fmt::format(" ({} dwords)", b.size());
  }
  return " (short body)";
}

}  // namespace

std::string decode(std::span<const uint32_t> words) {
  std::string out;
  for (size_t i = 0; i < words.size();) {
    const uint32_t h = words[i];
    if (h == nop1) {
      out += "NOP (1 dword)\n";
      ++i;
      continue;
    }
    if (header_type(h) != 3) {
      out += fmt::format("bad header {:#010x} at dword {}\n", h, i);
      break;
    }
    const size_t n = header_count(h) + 1u;
    if (i + 1 + n > words.size()) {
      out += fmt::format("truncated packet {:#010x} at dword {}: {} body dwords, {} left\n", h, i, n, words.size() - i - 1);
      break;
    }
    const auto op = static_cast<Op>(header_op(h));
    const char* nm = name(op);
    out += nm ? nm : fmt::format("OP_{:#04x}", header_op(h));
    out += body_text(nm ? op : Op{}, words.subspan(i + 1, n));
    out += '\n';
    i += 1 + n;
  }
  return out;
}

}  // namespace hcq::am::pm4
