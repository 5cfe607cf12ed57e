// SDMA v6 builder and decoder (see sdma.hpp).
#include "am/pkt/sdma.hpp"

#include <fmt/format.h>

namespace hcq::am::sdma {

const char* name(Op op) noexcept {
  switch (op) {
    case Op::nop: return "NOP";
    case Op::copy: return "COPY_LINEAR";
    case Op::write: return "WRITE_LINEAR";
    case Op::indirect: return "INDIRECT";
    case Op::fence: return "FENCE";
    case Op::trap: return "TRAP";
    case Op::poll_regmem: return "POLL_REGMEM";
    case Op::const_fill: return "CONST_FILL";
    case Op::timestamp: return "TIMESTAMP";
  }
  return nullptr;
}

void Sdma::nop(uint32_t extra_dwords) {
  s_.put32(header(Op::nop) | nop_count(extra_dwords));
  for (uint32_t i = 0; i < extra_dwords; ++i) s_.put32(0);
}

void Sdma::copy_linear(Value dst, Value src, uint32_t bytes) {
  assert(bytes > 0 && bytes <= copy_max_bytes);
  s_.put32(header(Op::copy, sub_copy_linear));
  s_.put32((bytes - 1) & copy_count_mask);
  s_.put32(0);  // parameters: default cache policies, no swap
  addr(src);
  addr(dst);
}

void Sdma::fence(Value a, Value data, uint8_t shift) {
  s_.put32(header(Op::fence) | fence_mtype(mtype_uc));
  addr(a);
  s_.put_value32(data, shift);
}

void Sdma::poll_mem(Value a, Value ref, uint32_t mask, Compare cmp, uint8_t shift) {
  s_.put32(header(Op::poll_regmem) | poll_func(static_cast<uint32_t>(cmp)) | poll_mem_space);
  addr(a);
  s_.put_value32(ref, shift);
  s_.put32(mask);
  s_.put32(poll_interval(poll_default_interval) | poll_retry_count(poll_retry_forever));
}

void Sdma::trap(uint32_t int_context) {
  s_.put32(header(Op::trap));
  s_.put32(int_context & trap_int_context_mask);
}

void Sdma::timestamp(Value a) {
  s_.put32(header(Op::timestamp, sub_timestamp_get_global));
  addr(a);
}

void Sdma::write(Value a, std::span<const uint32_t> data) {
  assert(!data.empty());
  s_.put32(header(Op::write, sub_write_linear));
  addr(a);
  s_.put32(static_cast<uint32_t>(data.size() - 1));
  for (uint32_t w : data) s_.put32(w);
}

void Sdma::const_fill(Value dst, uint32_t value, uint32_t bytes) {
  assert(bytes > 0 && bytes % 4 == 0);
  s_.put32(header(Op::const_fill) | fill_size_dword);
  addr(dst);
  s_.put32(value);
  s_.put32(bytes - 1);
}

size_t Sdma::indirect(Value a, uint32_t dwords) {
  s_.put32(header(Op::indirect) | indirect_vmid(0));
  const size_t at = s_.words.size();
  addr(a);
  s_.put32(dwords);
  s_.put32(0);  // CSA address lo/hi: no preemption save area
  s_.put32(0);
  return at;
}

size_t packet_dwords(std::span<const uint32_t> w) {
  if (w.empty()) return 0;
  size_t n = 0;
  switch (static_cast<Op>(header_op(w[0]))) {
    case Op::nop: n = 1 + get_nop_count(w[0]); break;
    case Op::copy: n = Sdma::copy_dwords; break;
    case Op::fence: n = Sdma::fence_dwords; break;
    case Op::poll_regmem: n = Sdma::poll_dwords; break;
    case Op::trap: n = Sdma::trap_dwords; break;
    case Op::timestamp: n = Sdma::timestamp_dwords; break;
    case Op::const_fill: n = Sdma::const_fill_dwords; break;
    case Op::indirect: n = Sdma::indirect_dwords; break;
    case Op::write:
      if (w.size() < 4) return 0;
      n = Sdma::write_dwords(size_t{w[3]} + 1);
      break;
    default: return 0;
  }
  return n <= w.size() ? n : 0;
}

namespace {

uint64_t a64(std::span<const uint32_t> w, size_t i) { return uint64_t{w[i + 1]} << 32 | w[i]; }

std::string fields(Op op, std::span<const uint32_t> w) {
  switch (op) {
    case Op::copy: return fmt::format(" bytes={} src={:#x} dst={:#x}", (w[1] & copy_count_mask) + 1u, a64(w, 3), a64(w, 5));
    case Op::fence: return fmt::format(" addr={:#x} data={:#x}", a64(w, 1), w[3]);
    case Op::poll_regmem:
      return fmt::format(" func={} addr={:#x} ref={:#x} mask={:#x}", get_poll_func(w[0]), a64(w, 1), w[3], w[4]);
    case Op::trap: return fmt::format(" context={:#x}", w[1]);
    case Op::timestamp: return fmt::format(" addr={:#x}", a64(w, 1));
    case Op::const_fill: return fmt::format(" dst={:#x} value={:#x} bytes={}", a64(w, 1), w[3], w[4] + 1ull);
    case Op::indirect: return fmt::format(" addr={:#x} dwords={}", a64(w, 1), w[3]);
    case Op::write: return fmt::format(" addr={:#x} dwords={}", a64(w, 1), w[3] + 1ull);
    default: return fmt::format(" ({} dwords)", w.size());
  }
}

}  // namespace

std::string decode(std::span<const uint32_t> words) {
  std::string out;
  for (size_t i = 0; i < words.size();) {
    const size_t n = packet_dwords(words.subspan(i));
    const char* nm = name(static_cast<Op>(header_op(words[i])));
    if (n == 0) {
      out += fmt::format("{} packet {:#010x} at dword {}\n", nm ? "truncated" : "unknown", words[i], i);
      break;
    }
    out += nm;
    out += fields(static_cast<Op>(header_op(words[i])), words.subspan(i, n));
    out += '\n';
    i += n;
  }
  return out;
}

}  // namespace hcq::am::sdma
