// Push-buffer builder for NVIDIA channels, and the GPFIFO entry that points the host at a buffer.
//
// A push buffer is a stream of 32-bit words: a method header (registers/host.hpp), then the data
// words it announces. PushBuf appends to a hcq::detail::CommandStream, so data words may be graph
// variables: each becomes a PatchSite at its byte offset in the stream, rewritten on replay.
//
//   PushBuf pb(stream);
//   auto budget = pb.reserve(6);                       // debug builds: asserts <= 6 words appended
//   pb.inc(reg::subc_compute, reg::compute::set_report_semaphore_payload_lower,
//          {Word::lo(value), Word::hi(value), Word::lo(addr), Word::hi(addr),
//           reg::compute::report_semaphore_execute_release64});
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "backend.hpp"
#include "hcq/error.hpp"
#include "hcq/program.hpp"
#include "registers/host.hpp"
#include "word_budget.hpp"

namespace hcq::nv {

// ---------------------------------------------------------------------------------------------
// Method headers (registers/host.hpp has the format). `method` is the byte offset of the method
// (0x2B4), a multiple of 4 below 0x4000; `subc` is 0..7. Out-of-range arguments are programming
// errors, asserted in debug builds.

constexpr uint32_t method_header(reg::host::SecOp op, uint32_t subc, uint32_t method, uint32_t count) {
  namespace h = reg::host;
  assert(subc < h::subchannels && method % 4 == 0 && method <= h::max_method && count <= h::max_method_count);
  return h::dma_sec_op(static_cast<uint32_t>(op)) | h::dma_method_count(count) | h::dma_method_subchannel(subc) |
         h::dma_method_address(method >> 2);
}
// `count` words follow, to method, method + 4, ...
constexpr uint32_t inc_header(uint32_t subc, uint32_t method, uint32_t count) {
  return method_header(reg::host::SecOp::inc_method, subc, method, count);
}
// `count` words follow, all to `method`.
constexpr uint32_t non_inc_header(uint32_t subc, uint32_t method, uint32_t count) {
  return method_header(reg::host::SecOp::non_inc_method, subc, method, count);
}
// `count` words follow: the first to `method`, the rest to method + 4.
constexpr uint32_t one_inc_header(uint32_t subc, uint32_t method, uint32_t count) {
  return method_header(reg::host::SecOp::one_inc, subc, method, count);
}
constexpr bool fits_immediate(uint32_t data) { return data <= reg::host::max_immediate; }
// No data words: `data` (13 bits) is carried in the header itself.
constexpr uint32_t immd_header(uint32_t subc, uint32_t method, uint32_t data) {
  assert(fits_immediate(data));
  return method_header(reg::host::SecOp::immd_data, subc, method, data);
}

// ---------------------------------------------------------------------------------------------
// GPFIFO entry (registers/host.hpp, GP_ENTRY*): run `dwords` words of push buffer at `va` as a
// SUBROUTINE-level fetch. As one little-endian u64 that is (va & ~3) | 1 << 41 | dwords << 42:
// entry0 holds VA 31:2, entry1 VA 39:32 in 7:0, LEVEL in bit 9 and LENGTH in 30:10.
// Throws hcq::Error (Errc::internal; a backend bug, not a user error) when `va` is at or above
// 2^40, is not 4-byte aligned, or `dwords` is 0 or more than LENGTH holds (2^21 - 1).
constexpr uint64_t gp_entry(uint64_t va, uint32_t dwords) {
  namespace h = reg::host;
  if (va >> h::gp_entry_va_bits != 0 || va % 4 != 0 || dwords == 0 || dwords > h::gp_entry_max_length)
    throw Error(Errc::internal, "", "GPFIFO",
                "a GPFIFO entry needs a 4-byte aligned push buffer below 2^40 and 1 to 2^21-1 dwords");
  const uint32_t entry0 = h::gp_entry0_get(static_cast<uint32_t>(va) >> 2);
  const uint32_t entry1 = h::gp_entry1_get_hi(static_cast<uint32_t>(va >> 32)) |
                          h::gp_entry1_level(h::gp_entry1_level_subroutine) | h::gp_entry1_length(dwords);
  return uint64_t{entry1} << 32 | entry0;
}

// ---------------------------------------------------------------------------------------------
// One data word of a method: a constant, or the low or high 32 bits of a hcq::Value (a constant
// or a graph variable; a variable becomes a patch site).
struct Word {
  Value value;
  uint8_t shift = 0;  // 0: bits 31:0 of value, 32: bits 63:32

  constexpr Word(uint32_t constant) noexcept : value(constant) {}  // NOLINT(google-explicit-constructor)
  // {value, 0} or {value, 32}; Word::lo(v) / Word::hi(v) say the same.
  constexpr Word(Value v, uint8_t s) noexcept : value(v), shift(s) { assert(s == 0 || s == 32); }
  static constexpr Word lo(Value v) noexcept { return Word(v, 0); }
  static constexpr Word hi(Value v) noexcept { return Word(v, 32); }
};

class PushBuf {
 public:
  explicit PushBuf(detail::CommandStream& stream) noexcept : s_(stream) {}
  PushBuf(const PushBuf&) = delete;
  PushBuf& operator=(const PushBuf&) = delete;
#ifndef NDEBUG
  ~PushBuf() { assert(pending_ == 0 && "a method header announced more data words than were appended"); }
#endif

  // Incrementing method: data[i] goes to method + 4 i. More than 8191 words are split into
  // several headers.
  void inc(uint32_t subc, uint32_t method, std::initializer_list<Word> data) {
    inc(subc, method, std::span<const Word>(data.begin(), data.size()));
  }
  void inc(uint32_t subc, uint32_t method, std::span<const Word> data);
  void inc(uint32_t subc, uint32_t method, std::span<const uint32_t> data);
  // The same as inc(); reads better where the words are halves of Values: {{addr, 32}, {addr, 0}}.
  void inc_values(uint32_t subc, uint32_t method, std::initializer_list<Word> data) { inc(subc, method, data); }
  // Non-incrementing method: every word goes to `method` (inline data uploads).
  void non_inc(uint32_t subc, uint32_t method, std::initializer_list<Word> data) {
    non_inc(subc, method, std::span<const Word>(data.begin(), data.size()));
  }
  void non_inc(uint32_t subc, uint32_t method, std::span<const Word> data);
  void non_inc(uint32_t subc, uint32_t method, std::span<const uint32_t> data);
  // One constant word: an immediate header when it fits in 13 bits, else a 1-word inc.
  void immediate(uint32_t subc, uint32_t method, uint32_t data);

  // A host semaphore operation (any subchannel): SEM_ADDR_LO/HI = addr (4-byte aligned),
  // SEM_PAYLOAD_LO/HI = payload, SEM_EXECUTE = execute (e.g. reg::host::sem_execute_release64).
  // One 6-word method; addr and payload may be graph variables.
  void host_semaphore(uint32_t subc, Value addr, Value payload, uint32_t execute) {
    inc(subc, reg::host::sem_addr_lo, {Word::lo(addr), Word::hi(addr), Word::lo(payload), Word::hi(payload), execute});
  }

  // Low level: a header announcing `count` data words, then exactly that many data() calls
  // (debug builds assert the count at the next header, at the end of a budget and in ~PushBuf).
  void begin(reg::host::SecOp op, uint32_t subc, uint32_t method, uint32_t count);
  void data(Word w);

  // A budget: `auto b = pb.reserve(n);` asserts, in debug builds, when b goes out of scope, that
  // at most n words were appended since and that no method is left short of data. In release
  // builds it is an empty object.
  class Budget {
   public:
    Budget(const PushBuf& pb, size_t n) noexcept : words_(pb.s_, n)
#ifndef NDEBUG
        , pb_(pb)
#endif
    {
    }
#ifndef NDEBUG
    ~Budget() { assert(pb_.pending_ == 0 && "a method header announced more data words than were appended"); }
#else
    ~Budget() {}  // user-provided, so an unused `auto b = reserve(n)` does not warn
#endif
    Budget(const Budget&) = delete;
    Budget& operator=(const Budget&) = delete;

   private:
    detail::WordBudget words_;  // checked after ~Budget's own assertion
#ifndef NDEBUG
    const PushBuf& pb_;
#endif
  };
  [[nodiscard]] Budget reserve(size_t n) const noexcept { return Budget(*this, n); }

  detail::CommandStream& stream() noexcept { return s_; }
  size_t size() const noexcept { return s_.words.size(); }

 private:
  detail::CommandStream& s_;
#ifndef NDEBUG
  uint32_t pending_ = 0;  // data words still owed to the last header
#endif
};

}  // namespace hcq::nv
