// PM4 type-3 packets for gfx11 compute queues: a budgeted builder over a CommandStream and a
// decoder for trace logs and tests.
//
// Facts: Linux drivers/gpu/drm/amd/amdgpu/nvd.h (PACKET3 header, opcodes, RELEASE_MEM /
// ACQUIRE_MEM / WAIT_REG_MEM / WRITE_DATA fields) and gfx_v11_0.c (which bits a fence, a
// mem-sync and an IB use), as /work/shared/reference/amd.md §4 lists them. Our own tables.
//
//   Pm4 p(stream);
//   auto budget = p.reserve(Pm4::release_mem_dwords);
//   p.release_mem(addr, value, pm4::DataSel::value64);
//
// Words may be graph variables (hcq::Value): each becomes a PatchSite in the stream.
#pragma once

#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

#include "backend.hpp"
#include "word_budget.hpp"

namespace hcq::am::pm4 {

// ---------------------------------------------------------------------------------------------
// Header: PACKET3(op, n) = 3 << 30 | (n & 0x3fff) << 16 | op << 8, n = body dwords - 1.
inline constexpr uint32_t type3 = 3u << 30;
inline constexpr uint32_t max_count = 0x3fff;     // n field; 0x3fff on a NOP = "header only" (1 dword)
inline constexpr uint32_t max_body_dwords = 0x3fff;  // largest body we build (n = 0x3ffe)

enum class Op : uint8_t {
  nop = 0x10,
  dispatch_direct = 0x15,
  write_data = 0x37,
  wait_reg_mem = 0x3c,
  indirect_buffer = 0x3f,
  event_write = 0x46,
  release_mem = 0x49,
  dma_data = 0x50,
  acquire_mem = 0x58,
  set_sh_reg = 0x76,
};
const char* name(Op op) noexcept;  // "RELEASE_MEM"; nullptr for an opcode we do not know

constexpr uint32_t header(Op op, uint32_t body_dwords) {
  assert(body_dwords >= 1 && body_dwords <= max_body_dwords);
  return type3 | ((body_dwords - 1) & max_count) << 16 | uint32_t{static_cast<uint8_t>(op)} << 8;
}
constexpr uint32_t header_type(uint32_t h) { return h >> 30; }
constexpr uint32_t header_op(uint32_t h) { return (h >> 8) & 0xff; }
constexpr uint32_t header_count(uint32_t h) { return (h >> 16) & max_count; }
// One-dword NOP (the ring filler gfx_v11_0.c uses: PACKET3(PACKET3_NOP, 0x3FFF)).
inline constexpr uint32_t nop1 = type3 | max_count << 16 | uint32_t{static_cast<uint8_t>(Op::nop)} << 8;

// SET_SH_REG carries register - sh_reg_start; registers are absolute dword addresses as the CP
// sees them (gc base + offset; am::Gpu::address()).
inline constexpr uint32_t sh_reg_start = 0x2c00, sh_reg_end = 0x3000;

// ---------------------------------------------------------------------------------------------
// Events (EVENT_TYPE values, nvd.h / the kernel's soc15 event list).
inline constexpr uint32_t event_cs_partial_flush = 7, event_cache_flush_and_inv_ts = 20;
inline constexpr uint32_t event_index_cs_partial_flush = 4, event_index_end_of_pipe = 5;

// RELEASE_MEM dw1 (gfx10+).
namespace release {
inline constexpr uint32_t event_type(uint32_t x) { return x & 0x3f; }
inline constexpr uint32_t event_index(uint32_t x) { return (x & 0xf) << 8; }
inline constexpr uint32_t gcr_glm_wb = 1u << 12, gcr_glm_inv = 1u << 13, gcr_glv_inv = 1u << 14,
                          gcr_gl1_inv = 1u << 15, gcr_gl2_us = 1u << 16, gcr_gl2_inv = 1u << 20,
                          gcr_gl2_wb = 1u << 21, gcr_seq = 1u << 22;
inline constexpr uint32_t execute = 1u << 28;
// What gfx_v11_0_ring_emit_fence flushes before a fence write.
inline constexpr uint32_t fence_flush =
    gcr_seq | gcr_gl2_wb | gcr_gl2_inv | gcr_gl2_us | gcr_gl1_inv | gcr_glv_inv | gcr_glm_inv | gcr_glm_wb;
// dw2
inline constexpr uint32_t dst_sel(uint32_t x) { return (x & 3) << 16; }
inline constexpr uint32_t int_sel(uint32_t x) { return (x & 7) << 24; }
inline constexpr uint32_t data_sel(uint32_t x) { return (x & 7) << 29; }
inline constexpr uint32_t get_data_sel(uint32_t dw2) { return dw2 >> 29; }
inline constexpr uint32_t get_int_sel(uint32_t dw2) { return (dw2 >> 24) & 7; }
inline constexpr uint32_t dst_sel_memory = 0;
inline constexpr uint32_t int_sel_none = 0, int_sel_after_write_confirm = 2;
}  // namespace release
enum class DataSel : uint8_t { none = 0, value32 = 1, value64 = 2, gpu_clock = 3 };

// ACQUIRE_MEM GCR_CNTL (gfx10+): the invalidations gfx_v11_0_emit_mem_sync asks for.
namespace acquire {
inline constexpr uint32_t gli_inv(uint32_t x) { return x & 3; }
inline constexpr uint32_t glm_wb = 1u << 4, glm_inv = 1u << 5, glk_wb = 1u << 6, glk_inv = 1u << 7,
                          glv_inv = 1u << 8, gl1_inv = 1u << 9, gl2_inv = 1u << 14, gl2_wb = 1u << 15;
inline constexpr uint32_t full_range = 0xffffffff, full_range_hi = 0xffffff;  // size lo / hi
inline constexpr uint32_t poll_interval = 0xa;
inline constexpr uint32_t mem_sync = gli_inv(1) | glm_inv | glm_wb | glk_inv | glv_inv | gl1_inv | gl2_inv | gl2_wb;
}  // namespace acquire

// WAIT_REG_MEM dw1.
namespace wait {
inline constexpr uint32_t function(uint32_t x) { return x & 7; }
inline constexpr uint32_t mem_space(uint32_t x) { return (x & 1) << 4; }
inline constexpr uint32_t operation(uint32_t x) { return (x & 3) << 6; }
inline constexpr uint32_t engine(uint32_t x) { return (x & 3) << 8; }
inline constexpr uint32_t poll_interval = 4;  // the kernel's value (x 16 clocks, guessed unit)
}  // namespace wait
// Compare functions: (value & mask) <op> reference.
enum class Compare : uint8_t { always = 0, lt = 1, le = 2, eq = 3, ne = 4, ge = 5, gt = 6 };

// WRITE_DATA dw1.
namespace write {
inline constexpr uint32_t dst_sel(uint32_t x) { return (x & 0xf) << 8; }
inline constexpr uint32_t dst_sel_register = 0, dst_sel_memory = 5;
inline constexpr uint32_t addr_incr_off = 1u << 16;  // every word to the same address
inline constexpr uint32_t wr_confirm = 1u << 20;
}  // namespace write

// INDIRECT_BUFFER dw3.
namespace ib {
inline constexpr uint32_t valid = 1u << 23;
inline constexpr uint32_t size_mask = 0xfffff;  // IB_SIZE [19:0] in dwords
inline constexpr uint32_t vmid(uint32_t x) { return (x & 0xf) << 24; }
}  // namespace ib

// DMA_DATA (gfx10+; read in nvd.h PACKET3_DMA_DATA_*: DST_SEL << 20, SRC_SEL << 29 with 3 = "using
// L2", CP_SYNC bit 31, "COMMAND [31:26] | BYTE_COUNT [25:0]"): dw1 control, dw6 command.
namespace dma {
inline constexpr uint32_t dst_sel(uint32_t x) { return (x & 3) << 20; }
inline constexpr uint32_t src_sel(uint32_t x) { return (x & 3) << 29; }
inline constexpr uint32_t sel_addr_tc_l2 = 3;  // through the L2, like the kernel's buffer copies
inline constexpr uint32_t cp_sync = 1u << 31;  // the CP waits for the copy before the next packet
inline constexpr uint32_t byte_count_mask = (1u << 26) - 1;
inline constexpr uint32_t max_chunk = 1u << 20;  // what one packet of ours moves
inline constexpr uint32_t get_dst_sel(uint32_t c) { return (c >> 20) & 3; }
inline constexpr uint32_t get_src_sel(uint32_t c) { return (c >> 29) & 3; }
}  // namespace dma

// COMPUTE_DISPATCH_INITIATOR as tinygrad and the kernel's compute path set it.
namespace dispatch {
inline constexpr uint32_t compute_shader_en = 1u << 0, force_start_at_000 = 1u << 2, cs_w32_en = 1u << 15;
}

// ---------------------------------------------------------------------------------------------
// One data word: a constant, or the low or high half of a hcq::Value.
struct Word {
  Value value;
  uint8_t shift = 0;
  constexpr Word(uint32_t c) noexcept : value(c) {}  // NOLINT(google-explicit-constructor)
  constexpr Word(Value v, uint8_t s) noexcept : value(v), shift(s) {}
  static constexpr Word lo(Value v) noexcept { return Word(v, 0); }
  static constexpr Word hi(Value v) noexcept { return Word(v, 32); }
};

class Pm4 {
 public:
  // Dword sizes of each packet, for budgets (the kernel's emit_frame_size idea).
  static constexpr size_t release_mem_dwords = 8, acquire_mem_dwords = 8, wait_reg_mem_dwords = 7,
                          event_write_dwords = 2, dispatch_direct_dwords = 5, indirect_buffer_dwords = 4,
                          dma_data_dwords = 7;
  static constexpr size_t write_data_dwords(size_t n) { return 4 + n; }
  static constexpr size_t set_sh_reg_dwords(size_t n) { return 2 + n; }

  explicit Pm4(detail::CommandStream& s) noexcept : s_(s) {}
  Pm4(const Pm4&) = delete;
  Pm4& operator=(const Pm4&) = delete;

  void nop(uint32_t body_dwords);
  // WRITE_DATA of `data` to memory at `addr` (4-byte aligned), with write confirm.
  void write_data(Value addr, std::span<const Word> data);
  void write_data(Value addr, std::initializer_list<Word> data) { write_data(addr, std::span(data.begin(), data.size())); }
  // Waits until (mem32[addr] & mask) <cmp> ref (a 32-bit compare).
  void wait_mem(Value addr, Word ref, uint32_t mask, Compare cmp);
  // Waits until (register & mask) <cmp> ref; `reg` is an absolute dword address.
  void wait_reg(uint32_t reg, uint32_t ref, uint32_t mask, Compare cmp);
  // End-of-pipe: flush caches, then write `value` (value32/value64) or the GPU clock at `addr`.
  void release_mem(Value addr, Value value, DataSel sel, uint32_t int_sel = release::int_sel_none,
                   uint32_t int_ctxid = 0);
  void acquire_mem(uint32_t gcr_cntl = acquire::mem_sync);
  void event_write(uint32_t event, uint32_t index);
  // SET_SH_REG of consecutive registers from absolute dword address `reg`.
  void set_sh_reg(uint32_t reg, std::span<const Word> values);
  void set_sh_reg(uint32_t reg, std::initializer_list<Word> values) { set_sh_reg(reg, std::span(values.begin(), values.size())); }
  // DMA_DATA: copies 1..dma::max_chunk bytes from `src` to `dst` through the L2, CP-synchronous.
  void dma_data(Value dst, Value src, uint32_t bytes);
  void dispatch_direct(uint32_t x, uint32_t y, uint32_t z, uint32_t initiator);
  // INDIRECT_BUFFER: `dwords` at `addr` (4-byte aligned), VMID 0. Returns the stream word index of
  // the address low word (a DataReloc target when the IB lives in the stream's side data).
  size_t indirect_buffer(Value addr, uint32_t dwords);

  [[nodiscard]] detail::WordBudget reserve(size_t n) const noexcept { return detail::WordBudget(s_, n); }
  detail::CommandStream& stream() noexcept { return s_; }

 private:
  void put(Word w) { s_.put_value32(w.value, w.shift); }
  detail::CommandStream& s_;
};

// ---------------------------------------------------------------------------------------------
// Decoding, for trace logs and tests: one line per packet ("RELEASE_MEM event=20 index=5
// data_sel=2 addr=0x1000 data=0x5"). Stops with a "truncated"/"bad header" line on malformed
// input; never reads past `words`.
std::string decode(std::span<const uint32_t> words);

}  // namespace hcq::am::pm4
