// TLB config golden values, worked out by hand from the field layouts:
//   Wormhole: tt-kmd wormhole.c construct_tlb_config (address >> log2(size) in the low 36-log2(size)
//   bits, then x_end:6 y_end:6 x_start:6 y_start:6 noc_sel:1 mcast:1 ordering:2 linked:1) and
//   tt-umd wormhole_implementation.hpp (static_vc above linked).
//   Blackhole: tt-umd blackhole_implementation.hpp TLB_2M_OFFSET / TLB_4G_OFFSET (bit offsets of
//   x_end 43/32, y_end 49/38, x_start 55/44, y_start 61/50, noc_sel 67/56, mcast 69/58,
//   ordering 70/59), cross-checked against ttsim's tlb_translate() decoder.
// Ordering field values (tt-umd tlb_data): relaxed 0, strict 1, posted 2.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "chips.hpp"
#include "hcq/error.hpp"
#include "tlb.hpp"

using namespace hcq::tt;

namespace Catch {
template <>
struct StringMaker<TlbWords> {
  static std::string convert(const TlbWords& w) {
    std::string s = "{";
    for (uint32_t i = 0; i < w.count; ++i) s += (i ? ", 0x" : "0x") + fmt::format("{:08x}", w.word[i]);
    return s + "}";
  }
};
}  // namespace Catch

namespace {

TlbWords words(uint32_t a, uint32_t b) { return TlbWords{{a, b, 0}, 2}; }
TlbWords words(uint32_t a, uint32_t b, uint32_t c) { return TlbWords{{a, b, c}, 3}; }

TlbWords encode(const ChipTable& chip, uint32_t window, const TlbConfig& c) {
  return encode_tlb(chip.tlb, *chip.tlb.kind_of(window), c);
}

}  // namespace

TEST_CASE("tlb: Wormhole 1M window, unicast, strict", "[tt][tlb]") {
  // addr 0x300000 >> 20 = 3; fields << 16: x_end 1 -> bit 16, y_end 1 -> bit 22, ordering 1 -> bit 42.
  auto w = encode(wormhole_b0(), 0, TlbConfig::unicast({1, 1}, 0x300000, Ordering::strict));
  CHECK(w == words(0x00410003, 0x00000400));
}

TEST_CASE("tlb: Wormhole 16M window at the tile registers, posted", "[tt][tlb]") {
  // addr 0xFF000000 >> 24 = 0xFF in 12 bits; x_end -> bit 12, y_end -> bit 18, ordering field at
  // bit 38 holds 2 (posted), so bit 39 is set: high word 0x80.
  auto w = encode(wormhole_b0(), 166, TlbConfig::unicast({1, 1}, 0xFF000000, Ordering::posted));
  CHECK(w == words(0x000410FF, 0x00000080));
}

TEST_CASE("tlb: Wormhole 2M window, multicast rectangle", "[tt][tlb]") {
  // addr 0x400000 >> 21 = 2; base bit 15: x_end 9 -> 9<<15, y_end 11 -> 11<<21, x_start 1 -> bit 27,
  // y_start 1 -> bit 33, mcast -> bit 40.
  auto w = encode(wormhole_b0(), 156, TlbConfig::multicast({1, 1}, {9, 11}, 0x400000));
  CHECK(w == words(0x09648002, 0x00000102));
}

TEST_CASE("tlb: Wormhole noc_sel, linked and static_vc bits", "[tt][tlb]") {
  TlbConfig noc1 = TlbConfig::unicast({1, 1}, 0);
  noc1.noc = 1;
  TlbConfig linked = TlbConfig::unicast({1, 1}, 0);
  linked.linked = true;
  TlbConfig vc = TlbConfig::unicast({1, 1}, 0);
  vc.static_vc = 1;
  CHECK(encode(wormhole_b0(), 0, noc1) == words(0x00410000, 0x00000100));    // bit 40
  CHECK(encode(wormhole_b0(), 0, linked) == words(0x00410000, 0x00001000));  // bit 44
  CHECK(encode(wormhole_b0(), 0, vc) == words(0x00410000, 0x00002000));      // bit 45
}

TEST_CASE("tlb: Blackhole 2M window, unicast, strict", "[tt][tlb]") {
  // addr 0xA00000 >> 21 = 5; x_end 2 at bit 43 -> word1 bit 12 (2<<11), y_end 2 at bit 49 -> 2<<17,
  // ordering 1 at bit 70 -> word2 bit 6.
  auto w = encode(blackhole(), 0, TlbConfig::unicast({2, 2}, 0xA00000, Ordering::strict));
  CHECK(w == words(0x00000005, 0x00041000, 0x00000040));
}

TEST_CASE("tlb: Blackhole 2M window, 64-bit address", "[tt][tlb]") {
  // 1<<63 >> 21 = 1<<42: word1 bit 10.
  auto w = encode(blackhole(), 7, TlbConfig::unicast({0, 0}, uint64_t{1} << 63));
  CHECK(w == words(0, 0x00000400, 0));
}

TEST_CASE("tlb: Blackhole 2M multicast, y_start across the word boundary", "[tt][tlb]") {
  // x_end 16 -> 16<<11, y_end 11 -> 11<<17, x_start 1 -> bit 23 (word1), y_start 9 = 0b1001: low
  // three bits at word1 29..31 (1<<29), top bit in word2 bit 0; mcast word2 bit 5; posted (2) at
  // word2 bits 6..7.
  auto w = encode(blackhole(), 3, TlbConfig::multicast({1, 9}, {16, 11}, 0, Ordering::posted));
  CHECK(w == words(0, 0x8000 + 0x160000 + 0x800000 + 0x20000000, 0x01 | 0x20 | 0x80));
}

TEST_CASE("tlb: Blackhole 4G window", "[tt][tlb]") {
  // addr 0x3_0000_0000 >> 32 = 3; x_end 1 at bit 32 -> word1 bit 0; y_end 2 at bit 38 -> word1 2<<6.
  auto w = encode(blackhole(), 202, TlbConfig::unicast({1, 2}, 0x3'0000'0000));
  CHECK(w == words(3, 0x81, 0));
}

TEST_CASE("tlb: bad configs are refused with the field named", "[tt][tlb]") {
  auto refused = [](const ChipTable& chip, uint32_t window, const TlbConfig& c, const char* field) {
    try {
      encode(chip, window, c);
      FAIL("accepted");
    } catch (const hcq::Error& e) {
      CHECK(e.code() == hcq::Errc::invalid_argument);
      CHECK_THAT(e.what(), Catch::Contains(field));
    }
  };
  auto with = [](TlbConfig c, auto change) {
    change(c);
    return c;
  };
  refused(blackhole(), 0, with(TlbConfig::unicast({1, 2}, 0), [](TlbConfig& c) { c.static_vc = 1; }), "static_vc");
  refused(wormhole_b0(), 0, TlbConfig::unicast({1, 1}, 0x1234), "aligned");
  refused(wormhole_b0(), 166, TlbConfig::unicast({1, 1}, uint64_t{1} << 36), "36-bit");
  refused(wormhole_b0(), 0, with(TlbConfig::unicast({1, 1}, 0), [](TlbConfig& c) { c.start = {1, 1}; }), "start corner");
  refused(wormhole_b0(), 0, TlbConfig::unicast({64, 1}, 0), "x_end");
  refused(blackhole(), 0, with(TlbConfig::unicast({1, 1}, 0), [](TlbConfig& c) { c.noc = 4; }), "noc");
  refused(wormhole_b0(), 0, with(TlbConfig::unicast({1, 1}, 0), [](TlbConfig& c) { c.static_vc = 2; }), "static_vc");
}

TEST_CASE("tlb: ordering field values", "[tt][tlb]") {
  CHECK(ordering_field(Ordering::relaxed) == 0);
  CHECK(ordering_field(Ordering::strict) == 1);
  CHECK(ordering_field(Ordering::posted) == 2);
  CHECK(describe(TlbConfig::unicast({3, 4}, 0x1000, Ordering::posted)) == "(3,4) addr 0x1000 noc0 posted");
}
