// SDMA v6 packets (gfx11's copy engine): a budgeted builder over a CommandStream and a decoder.
//
// Facts: Linux drivers/gpu/drm/amd/amdgpu/sdma_v6_0_0_pkt_open.h (opcodes, sub-opcodes, field
// places) and sdma_v6_0.c (how the kernel fills them), as /work/shared/reference/amd.md §4 lists
// them. Our own tables. Ring pointers (wptr/rptr) of SDMA queues count bytes, not dwords.
#pragma once

#include <cassert>
#include <cstdint>
#include <span>
#include <string>

#include "backend.hpp"
#include "word_budget.hpp"

namespace hcq::am::sdma {

enum class Op : uint8_t {
  nop = 0,
  copy = 1,
  write = 2,
  indirect = 4,
  fence = 5,
  trap = 6,
  poll_regmem = 8,
  const_fill = 11,
  timestamp = 13,
};
const char* name(Op op) noexcept;

inline constexpr uint32_t sub_copy_linear = 0, sub_write_linear = 0, sub_timestamp_get_global = 2;
constexpr uint32_t header(Op op, uint32_t sub_op = 0) { return uint32_t{static_cast<uint8_t>(op)} | (sub_op & 0xff) << 8; }
constexpr uint32_t header_op(uint32_t h) { return h & 0xff; }
constexpr uint32_t header_sub_op(uint32_t h) { return (h >> 8) & 0xff; }

// NOP dw0 count [29:16]: extra dwords that follow the header.
inline constexpr uint32_t nop_count(uint32_t n) { return (n & 0x3fff) << 16; }
inline constexpr uint32_t get_nop_count(uint32_t h) { return (h >> 16) & 0x3fff; }
// COPY_LINEAR dw1 count [29:0] = bytes - 1. The kernel caps one packet at copy_max_bytes.
inline constexpr uint32_t copy_count_mask = 0x3fffffff;
inline constexpr uint64_t copy_max_bytes = 0x400000;  // sdma_v6_0.c sdma_v6_0_buffer_funcs.copy_max_bytes
// FENCE dw0: mtype [18:16] (3 = UC, what tinygrad uses on gfx10+).
inline constexpr uint32_t fence_mtype(uint32_t x) { return (x & 7) << 16; }
inline constexpr uint32_t mtype_uc = 3;
// POLL_REGMEM dw0 / dw5.
inline constexpr uint32_t poll_hdp_flush = 1u << 26;
inline constexpr uint32_t poll_func(uint32_t x) { return (x & 7) << 28; }
inline constexpr uint32_t poll_mem_space = 1u << 31;
inline constexpr uint32_t get_poll_func(uint32_t h) { return (h >> 28) & 7; }
inline constexpr uint32_t poll_interval(uint32_t x) { return x & 0xffff; }
inline constexpr uint32_t poll_retry_count(uint32_t x) { return (x & 0xfff) << 16; }
inline constexpr uint32_t poll_default_interval = 4, poll_retry_forever = 0xfff;
// TRAP dw1 int_context [27:0].
inline constexpr uint32_t trap_int_context_mask = 0x0fffffff;
// CONST_FILL dw0 fillsize [31:30] (SDMA_PKT_CONSTANT_FILL_HEADER_fillsize_shift 30, mask 3 in
// sdma_v6_0_0_pkt_open.h); dw4 count = bytes - 1 (sdma_v6_0.c sdma_v6_0_emit_fill_buffer). We send
// fillsize 2 for a dword pattern; the kernel sends 0 (it only clears): what 2 means is not in the
// header (the model takes 2 as dwords).
inline constexpr uint32_t fill_size_dword = 2u << 30;
// INDIRECT dw0 vmid [19:16].
inline constexpr uint32_t indirect_vmid(uint32_t x) { return (x & 0xf) << 16; }

// The compare functions POLL_REGMEM takes: (value & mask) <op> reference.
enum class Compare : uint8_t { always = 0, lt = 1, le = 2, eq = 3, ne = 4, ge = 5, gt = 6 };

class Sdma {
 public:
  static constexpr size_t copy_dwords = 7, fence_dwords = 4, poll_dwords = 6, trap_dwords = 2, timestamp_dwords = 3,
                          const_fill_dwords = 5, indirect_dwords = 6;
  static constexpr size_t write_dwords(size_t n) { return 4 + n; }

  explicit Sdma(detail::CommandStream& s) noexcept : s_(s) {}
  Sdma(const Sdma&) = delete;
  Sdma& operator=(const Sdma&) = delete;

  void nop(uint32_t extra_dwords = 0);
  // One COPY_LINEAR of 1..copy_max_bytes bytes (split larger copies into several).
  void copy_linear(Value dst, Value src, uint32_t bytes);
  // Writes the 32-bit `data` at `addr` (4-byte aligned) once everything before it completed.
  void fence(Value addr, Value data, uint8_t shift = 0);
  void poll_mem(Value addr, Value ref, uint32_t mask, Compare cmp, uint8_t shift = 0);
  void trap(uint32_t int_context = 0);
  void timestamp(Value addr);  // the global timestamp, 8-byte aligned address
  void write(Value addr, std::span<const uint32_t> data);
  void const_fill(Value dst, uint32_t value, uint32_t bytes);
  // Returns the word index of the IB address low word (a DataReloc target).
  size_t indirect(Value addr, uint32_t dwords);

  [[nodiscard]] detail::WordBudget reserve(size_t n) const noexcept { return detail::WordBudget(s_, n); }

 private:
  void addr(Value a) {
    s_.put_value32(a, 0);
    s_.put_value32(a, 32);
  }
  detail::CommandStream& s_;
};

// One line per packet; stops at a truncated packet or an unknown opcode (whose length is unknown).
std::string decode(std::span<const uint32_t> words);
// The length in dwords of the packet whose header is words[0], or 0 when unknown or truncated.
size_t packet_dwords(std::span<const uint32_t> words);

}  // namespace hcq::am::sdma
