// TLB config packing. The register is the window's target address shifted right by log2(window
// size) in the low `address_bits` bits, then the fields of TlbFieldLayout (chips.cpp names the
// sources for each chip's layout).
#include "tlb.hpp"

#include <bit>

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::tt {

namespace {

constexpr uint32_t ordering_relaxed = 0;  // tt-umd tlb_data::Relaxed
constexpr uint32_t ordering_strict = 1;   // tt-umd tlb_data::Strict
constexpr uint32_t ordering_posted = 2;   // tt-umd tlb_data::Posted

// A 128-bit register image built from (value, bit position, width) fields.
struct Bits128 {
  uint64_t lo = 0, hi = 0;
  void put(uint64_t value, uint32_t pos, uint32_t width) {
    for (uint32_t i = 0; i < width; ++i) {
      if (!((value >> i) & 1u)) continue;
      uint32_t bit = pos + i;
      if (bit < 64) lo |= uint64_t{1} << bit;
      else hi |= uint64_t{1} << (bit - 64);
    }
  }
};

[[noreturn]] void refuse(const std::string& what) {
  throw Error(Errc::invalid_argument, "tt", "TLB", what);
}

void check_fits(const char* field, uint64_t value, uint32_t bits) {
  if (bits < 64 && value >> bits) refuse(fmt::format("{} = {} does not fit in {} bits", field, value, bits));
}

}  // namespace

uint32_t ordering_field(Ordering order) noexcept {
  switch (order) {
    case Ordering::strict: return ordering_strict;
    case Ordering::posted: return ordering_posted;
    case Ordering::relaxed: break;
  }
  return ordering_relaxed;
}

TlbWords encode_tlb(const TlbLayout& layout, const TlbKind& kind, const TlbConfig& c) {
  const TlbFieldLayout& f = layout.fields;
  const uint32_t shift = static_cast<uint32_t>(std::countr_zero(kind.size));
  if (c.address & (kind.size - 1))
    refuse(fmt::format("address 0x{:x} is not aligned to the 0x{:x}-byte window", c.address, kind.size));
  if (layout.noc_address_bits < 64 && c.address >> layout.noc_address_bits)
    refuse(fmt::format("address 0x{:x} is wider than the chip's {}-bit NOC addresses", c.address, layout.noc_address_bits));
  if (!c.mcast && (c.start.x || c.start.y))
    refuse(fmt::format("unicast config has a start corner ({},{}); only multicast uses it", c.start.x, c.start.y));
  if (c.static_vc && f.static_vc_bits == 0)
    refuse("static_vc is refused on this chip: it can wedge the NOC (set it to 0)");
  check_fits("x_end", c.end.x, f.coord_bits);
  check_fits("y_end", c.end.y, f.coord_bits);
  check_fits("x_start", c.start.x, f.coord_bits);
  check_fits("y_start", c.start.y, f.coord_bits);
  check_fits("noc", c.noc, f.noc_sel_bits);
  check_fits("static_vc", c.static_vc, f.static_vc_bits);

  const uint32_t base = kind.address_bits;
  Bits128 r;
  r.put(c.address >> shift, 0, kind.address_bits);
  r.put(c.end.x, base + f.x_end, f.coord_bits);
  r.put(c.end.y, base + f.y_end, f.coord_bits);
  r.put(c.start.x, base + f.x_start, f.coord_bits);
  r.put(c.start.y, base + f.y_start, f.coord_bits);
  r.put(c.noc, base + f.noc_sel, f.noc_sel_bits);
  r.put(c.mcast ? 1 : 0, base + f.mcast, 1);
  r.put(ordering_field(c.ordering), base + f.ordering, f.ordering_bits);
  r.put(c.linked ? 1 : 0, base + f.linked, 1);
  r.put(c.static_vc, base + f.static_vc, f.static_vc_bits);

  TlbWords w;
  w.count = layout.config_words;
  const uint64_t parts[2] = {r.lo, r.hi};
  for (uint32_t i = 0; i < w.count; ++i) w.word[i] = static_cast<uint32_t>(parts[i / 2] >> (32 * (i % 2)));
  // Bits above the register's words would be lost silently: refuse instead.
  uint32_t used = base + f.static_vc + f.static_vc_bits;
  if (used > 32u * w.count) refuse(fmt::format("config needs {} bits, register has {}", used, 32u * w.count));
  return w;
}

std::string describe(const TlbConfig& c) {
  static constexpr const char* orders[] = {"relaxed", "strict", "posted"};
  std::string where = c.mcast ? fmt::format("({},{})..({},{})", c.start.x, c.start.y, c.end.x, c.end.y)
                              : fmt::format("({},{})", c.end.x, c.end.y);
  return fmt::format("{} addr 0x{:x} noc{} {}{}", where, c.address, c.noc, orders[static_cast<int>(c.ordering)],
                     c.mcast ? " mcast" : "");
}

}  // namespace hcq::tt
