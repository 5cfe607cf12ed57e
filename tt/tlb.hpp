// TLB window configuration: the register words that point a BAR window at a NOC tile (or a
// multicast rectangle) and an address, for any window kind in a chip table (chips.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "chip.hpp"
#include "chips.hpp"

namespace hcq::tt {

struct TlbConfig {
  uint64_t address = 0;  // NOC address of the window's first byte: aligned to the window size
  NocXY end;             // the target tile, or the multicast rectangle's far corner
  NocXY start;           // multicast rectangle's near corner (must be 0,0 for unicast)
  uint8_t noc = 0;       // 0 or 1
  bool mcast = false;
  Ordering ordering = Ordering::relaxed;
  bool linked = false;   // "never safe" per the ISA documentation; accepted, not used by us
  uint8_t static_vc = 0; // 0 = no static virtual channel
  friend bool operator==(const TlbConfig&, const TlbConfig&) = default;

  static TlbConfig unicast(NocXY tile, uint64_t address, Ordering ordering = Ordering::relaxed) {
    TlbConfig c;
    c.address = address, c.end = tile, c.ordering = ordering;
    return c;
  }
  static TlbConfig multicast(NocXY start, NocXY end, uint64_t address, Ordering ordering = Ordering::relaxed) {
    TlbConfig c;
    c.address = address, c.start = start, c.end = end, c.mcast = true, c.ordering = ordering;
    return c;
  }
};

// Register value of a window's config, low word first (WH: 2 words, BH: 3 words).
struct TlbWords {
  std::array<uint32_t, 3> word{};
  uint8_t count = 0;
  friend bool operator==(const TlbWords&, const TlbWords&) = default;
};

// Field value of an ordering mode (tt-umd tlb_data: relaxed 0, strict 1, posted 2).
uint32_t ordering_field(Ordering order) noexcept;

// Packs `config` for a window of `kind`. Throws hcq::Error (invalid_argument) naming the field
// when the address is misaligned or too wide, a coordinate does not fit, a unicast config carries
// a start corner, or static_vc is asked of a chip that refuses it.
TlbWords encode_tlb(const TlbLayout& layout, const TlbKind& kind, const TlbConfig& config);

// "(x,y)->(x,y) addr 0x... noc0 mcast strict": for trace logs and messages.
std::string describe(const TlbConfig& config);

}  // namespace hcq::tt
