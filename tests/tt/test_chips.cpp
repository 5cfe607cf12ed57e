// Chip tables and coordinate conversions (sources for the facts: tt/chips.cpp).
#include <catch2/catch.hpp>

#include <set>

#include "chips.hpp"
#include "coords.hpp"
#include "hcq/error.hpp"

using namespace hcq::tt;

namespace {

std::vector<NocXY> all_tiles(const ChipTable& t) {
  std::vector<NocXY> v;
  for (uint8_t y = 0; y < t.height; ++y)
    for (uint8_t x = 0; x < t.width; ++x) v.push_back({x, y});
  return v;
}

size_t count_kind(const ChipTable& t, TileKind k) {
  size_t n = 0;
  for (NocXY p : all_tiles(t)) n += tile_kind(t, p) == k;
  return n;
}

}  // namespace

TEST_CASE("chips: grids match the published tile counts", "[tt][chips]") {
  const ChipTable& wh = wormhole_b0();
  const ChipTable& bh = blackhole();
  CHECK(wh.grid.size() == wh.height);
  CHECK(bh.grid.size() == bh.height);
  for (auto row : wh.grid) CHECK(row.size() == wh.width);
  for (auto row : bh.grid) CHECK(row.size() == bh.width);
  CHECK(count_kind(wh, TileKind::tensix) == 80);   // 8 x 10
  CHECK(count_kind(bh, TileKind::tensix) == 140);  // 14 x 10
  CHECK(count_kind(wh, TileKind::eth) == 16);
  CHECK(count_kind(bh, TileKind::eth) == 14);
  CHECK(count_kind(wh, TileKind::dram) == 18);     // 6 channels x 3 tiles
  CHECK(count_kind(bh, TileKind::dram) == 24);     // 8 channels x 3 tiles
  CHECK(tile_kind(wh, wh.arc) == TileKind::arc);
  CHECK(tile_kind(bh, bh.arc) == TileKind::arc);
  for (NocXY p : wh.pcie) CHECK(tile_kind(wh, p) == TileKind::pcie);
  for (NocXY p : bh.pcie) CHECK(tile_kind(bh, p) == TileKind::pcie);
  CHECK(tile_kind(wh, NocXY{10, 0}) == TileKind::router_only);  // off the grid
}

TEST_CASE("chips: DRAM channels cover every DRAM tile exactly once", "[tt][chips]") {
  for (const ChipTable* t : {&wormhole_b0(), &blackhole()}) {
    std::set<std::pair<int, int>> seen;
    for (const DramChannel& ch : t->dram) {
      for (NocXY p : ch.tiles) {
        CHECK(tile_kind(*t, p) == TileKind::dram);
        CHECK(seen.insert({p.x, p.y}).second);
      }
    }
    CHECK(seen.size() == count_kind(*t, TileKind::dram));
  }
}

TEST_CASE("chips: Tensix axes agree with the grid", "[tt][chips]") {
  for (const ChipTable* t : {&wormhole_b0(), &blackhole()}) {
    for (uint8_t y : t->tensix_y)
      for (uint8_t x : t->tensix_x) CHECK(tile_kind(*t, NocXY{x, y}) == TileKind::tensix);
    CHECK(t->tensix_x.size() * t->tensix_y.size() == count_kind(*t, TileKind::tensix));
  }
}

TEST_CASE("chips: TLB windows fit below the config registers and index correctly", "[tt][chips]") {
  const TlbLayout& wh = wormhole_b0().tlb;
  CHECK(wh.window_count() == 186);
  CHECK(wh.kind_of(155)->size == 1u << 20);
  CHECK(wh.kind_of(156)->size == 2u << 20);
  CHECK(wh.kind_of(185)->size == 16u << 20);
  CHECK(wh.kind_of(186) == nullptr);
  const TlbLayout& bh = blackhole().tlb;
  CHECK(bh.window_count() == 210);
  CHECK(bh.kind_of(201)->size == 2u << 20);
  CHECK(bh.kind_of(202)->bar == 4);
  for (const ChipTable* t : {&wormhole_b0(), &blackhole()}) {
    for (const TlbKind& k : t->tlb.kind_list()) {
      if (k.bar == 0) CHECK(k.bar_offset + k.size * k.count <= t->tlb.config_base);
      CHECK(k.bar_offset + (k.bar == 0 ? k.size * k.count : k.size) <= t->bar_size[k.bar / 2]);
    }
    CHECK(t->tlb.kind_of(t->tlb.kmd_reserved) != nullptr);
  }
  CHECK(chip_for_pci(0x1E52, 0x401E) == &wormhole_b0());
  CHECK(chip_for_pci(0x1E52, 0xB140) == &blackhole());
  CHECK(chip_for_pci(0x1E52, 0xFACA) == nullptr);  // Grayskull: not supported
}

TEST_CASE("coords: NOC1 mirrors NOC0 and round-trips", "[tt][coords]") {
  CHECK(to_noc1(wormhole_b0(), NocXY{1, 1}) == Noc1XY{8, 10});
  CHECK(to_noc1(blackhole(), NocXY{1, 2}) == Noc1XY{15, 9});
  for (const ChipTable* t : {&wormhole_b0(), &blackhole()})
    for (NocXY p : all_tiles(*t)) CHECK(from_noc1(*t, to_noc1(*t, p)) == p);
}

TEST_CASE("coords: logical coordinates without harvesting", "[tt][coords]") {
  const ChipTable& wh = wormhole_b0();
  CHECK(to_logical(wh, {}, NocXY{1, 1}) == LogicalXY{0, 0});
  CHECK(to_logical(wh, {}, NocXY{6, 7}) == LogicalXY{4, 5});
  CHECK(to_logical(wh, {}, NocXY{5, 1}) == std::nullopt);  // a DRAM tile
  CHECK(from_logical(wh, {}, LogicalXY{7, 9}) == NocXY{9, 11});
  CHECK(from_logical(wh, {}, LogicalXY{8, 0}) == std::nullopt);
  const ChipTable& bh = blackhole();
  CHECK(to_logical(bh, {}, NocXY{10, 2}) == LogicalXY{7, 0});
  CHECK(from_logical(bh, {}, LogicalXY{13, 9}) == NocXY{16, 11});
  for (const ChipTable* t : {&wh, &bh}) {
    auto cores = usable_tensix(*t, {});
    CHECK(cores.size() == t->tensix_x.size() * t->tensix_y.size());
    for (NocXY c : cores) CHECK(from_logical(*t, {}, *to_logical(*t, {}, c)) == c);
  }
}

TEST_CASE("coords: harvesting a Wormhole row shifts logical rows", "[tt][coords]") {
  const ChipTable& wh = wormhole_b0();
  const Harvesting first_row{0x1};  // row y=1
  CHECK(to_logical(wh, first_row, NocXY{1, 1}) == std::nullopt);
  CHECK(to_logical(wh, first_row, NocXY{1, 2}) == LogicalXY{0, 0});
  CHECK(from_logical(wh, first_row, LogicalXY{0, 0}) == NocXY{1, 2});
  CHECK(from_logical(wh, first_row, LogicalXY{0, 8}) == NocXY{1, 11});
  CHECK(from_logical(wh, first_row, LogicalXY{0, 9}) == std::nullopt);
  CHECK(usable_tensix(wh, first_row).size() == 72);  // n150
  // Translated Tensix coordinates start at (18,18) and follow logical order.
  CHECK(to_translated(wh, {}, NocXY{1, 1}) == TranslatedXY{18, 18});
  CHECK(to_translated(wh, first_row, NocXY{1, 2}) == TranslatedXY{18, 18});
  CHECK(to_translated(wh, first_row, NocXY{1, 1}) == std::nullopt);
  for (NocXY c : usable_tensix(wh, first_row)) CHECK(from_translated(wh, first_row, *to_translated(wh, first_row, c)) == c);
}

TEST_CASE("coords: harvesting Blackhole columns shifts logical columns", "[tt][coords]") {
  const ChipTable& bh = blackhole();
  const Harvesting two_columns{0x1 | 0x80};  // x=1 and x=10
  CHECK(to_logical(bh, two_columns, NocXY{1, 2}) == std::nullopt);
  CHECK(to_logical(bh, two_columns, NocXY{2, 2}) == LogicalXY{0, 0});
  CHECK(to_logical(bh, two_columns, NocXY{11, 3}) == LogicalXY{6, 1});
  CHECK(from_logical(bh, two_columns, LogicalXY{11, 9}) == NocXY{16, 11});
  CHECK(usable_tensix(bh, two_columns).size() == 120);  // p100a
  // tt-umd translate_tensix_coords: the usable columns take the names of the first ones, in order.
  CHECK(to_translated(bh, two_columns, NocXY{2, 2}) == TranslatedXY{1, 2});
  CHECK(to_translated(bh, two_columns, NocXY{11, 3}) == TranslatedXY{7, 3});  // logical column 6 -> 7th name
  CHECK(to_translated(bh, two_columns, NocXY{16, 11}) == TranslatedXY{14, 11});
  CHECK(to_translated(bh, two_columns, NocXY{1, 2}) == std::nullopt);  // harvested
  CHECK(from_translated(bh, two_columns, TranslatedXY{1, 2}) == NocXY{2, 2});
  CHECK(from_translated(bh, two_columns, TranslatedXY{15, 2}) == std::nullopt);  // names left over
  for (NocXY c : usable_tensix(bh, two_columns)) CHECK(from_translated(bh, two_columns, *to_translated(bh, two_columns, c)) == c);
  for (NocXY c : usable_tensix(bh, {})) CHECK(to_translated(bh, {}, c) == TranslatedXY{c.x, c.y});  // what ttsim models
}

TEST_CASE("chips: Blackhole DRAM tiles are named by translated coordinates", "[tt][chips]") {
  const ChipTable& bh = blackhole();
  CHECK(noc_target(bh, NocXY{0, 0}) == NocXY{18, 12});
  CHECK(noc_target(bh, NocXY{0, 2}) == NocXY{18, 15});
  CHECK(noc_target(bh, NocXY{9, 8}) == NocXY{17, 23});
  CHECK(noc_target(bh, NocXY{1, 2}) == NocXY{1, 2});  // Tensix: unchanged
  std::set<std::pair<int, int>> targets;
  for (const NocAlias& a : bh.noc_aliases) {
    CHECK(tile_kind(bh, a.physical) == TileKind::dram);
    CHECK(targets.insert({a.translated.x, a.translated.y}).second);
  }
  CHECK(targets.size() == count_kind(bh, TileKind::dram));
  // ttsim's remap_virtual_coordinate, translated y 12..23 -> physical row, for x 18 (column 0) and
  // x 17 (column 9): tt-umd's rule with bank 2 harvested.
  constexpr uint8_t ttsim_rows[] = {0, 1, 11, 2, 10, 3, 5, 7, 6, 9, 4, 8};
  for (uint8_t k = 0; k < 12; ++k) {
    CHECK(noc_target(bh, NocXY{0, ttsim_rows[k]}) == NocXY{18, static_cast<uint8_t>(12 + k)});
    CHECK(noc_target(bh, NocXY{9, ttsim_rows[k]}) == NocXY{17, static_cast<uint8_t>(12 + k)});
  }
  const ChipTable& wh = wormhole_b0();
  for (NocXY p : all_tiles(wh)) CHECK(noc_target(wh, p) == p);
}

TEST_CASE("chips: Blackhole DRAM translation follows the harvested bank", "[tt][chips]") {
  auto target = [](const BhDramAliases& a, NocXY physical) {
    for (const NocAlias& x : a) {
      if (x.physical == physical) return x.translated;
    }
    FAIL("no alias for (" << int(physical.x) << "," << int(physical.y) << ")");
    return physical;
  };
  // Nothing harvested (tt-umd): west banks 0..3 at x 17, east 4..7 at x 18, y 12.. in bank order.
  BhDramAliases none = bh_dram_aliases(std::nullopt);
  constexpr uint8_t bank_order_rows[] = {0, 1, 11, 2, 10, 3, 9, 4, 8, 5, 7, 6};
  for (uint8_t k = 0; k < 12; ++k) {
    CHECK(target(none, NocXY{0, bank_order_rows[k]}) == NocXY{17, static_cast<uint8_t>(12 + k)});
    CHECK(target(none, NocXY{9, bank_order_rows[k]}) == NocXY{18, static_cast<uint8_t>(12 + k)});
  }
  // East bank 5 harvested: it goes last at x 18; its mirror (bank 1) goes last at x 17.
  BhDramAliases east = bh_dram_aliases(5);
  CHECK(target(east, NocXY{0, 0}) == NocXY{17, 12});   // bank 0
  CHECK(target(east, NocXY{0, 9}) == NocXY{17, 15});   // bank 2 closes up
  CHECK(target(east, NocXY{0, 2}) == NocXY{17, 21});   // bank 1, the mirror, last
  CHECK(target(east, NocXY{9, 2}) == NocXY{18, 21});   // bank 5, harvested, last
  CHECK(target(east, NocXY{9, 9}) == NocXY{18, 15});   // bank 6
  for (uint8_t h = 0; h < 8; ++h) {
    std::set<std::pair<int, int>> names;
    for (const NocAlias& a : bh_dram_aliases(h)) CHECK(names.insert({a.translated.x, a.translated.y}).second);
    CHECK(names.size() == 24);
  }
  CHECK_THROWS_AS(bh_dram_aliases(8), hcq::Error);
}
