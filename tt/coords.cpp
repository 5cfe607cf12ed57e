// Coordinate conversions (coords.hpp). NOC0 <-> NOC1 mirroring from the ISA documentation
// (NoC/Coordinates.md: NOC1 origin is the bottom-right corner); logical coordinates skip harvested
// rows (Wormhole) or columns (Blackhole); Wormhole translated Tensix coordinates start at (18, 18)
// and follow logical order (tt-isa-documentation NoC/Coordinates.md, ttsim remap_virtual_coordinate);
// Blackhole's usable columns take the NOC0 names of the first columns (tt-umd
// blackhole_coordinate_manager.cpp translate_tensix_coords; ttsim models no harvesting, where
// translated equals NOC0).
#include "coords.hpp"

#include <vector>

#include "chips.hpp"

namespace hcq::tt {

namespace {

struct UsableAxes {
  std::vector<uint8_t> x;  // NOC0 columns with usable Tensix, logical order
  std::vector<uint8_t> y;  // NOC0 rows with usable Tensix, logical order
};

std::vector<uint8_t> without_harvested(std::span<const uint8_t> axis, uint32_t mask) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < axis.size(); ++i) {
    if (!(i < 32 && (mask >> i) & 1u)) out.push_back(axis[i]);
  }
  return out;
}

UsableAxes usable_axes(const ChipTable& chip, Harvesting harvest) {
  bool rows = chip.harvest_unit == HarvestUnit::tensix_row;
  UsableAxes a;
  a.x = rows ? std::vector<uint8_t>(chip.tensix_x.begin(), chip.tensix_x.end()) : without_harvested(chip.tensix_x, harvest.mask);
  a.y = rows ? without_harvested(chip.tensix_y, harvest.mask) : std::vector<uint8_t>(chip.tensix_y.begin(), chip.tensix_y.end());
  return a;
}

std::optional<uint8_t> index_of(std::span<const uint8_t> axis, uint8_t v) {
  for (size_t i = 0; i < axis.size(); ++i) {
    if (axis[i] == v) return static_cast<uint8_t>(i);
  }
  return std::nullopt;
}

}  // namespace

Noc1XY to_noc1(const ChipTable& chip, NocXY tile) {
  return Noc1XY{static_cast<uint8_t>(chip.width - 1 - tile.x), static_cast<uint8_t>(chip.height - 1 - tile.y)};
}

NocXY from_noc1(const ChipTable& chip, Noc1XY tile) {
  return NocXY{static_cast<uint8_t>(chip.width - 1 - tile.x), static_cast<uint8_t>(chip.height - 1 - tile.y)};
}

std::optional<LogicalXY> to_logical(const ChipTable& chip, Harvesting harvest, NocXY tile) {
  if (tile_kind(chip, tile) != TileKind::tensix) return std::nullopt;
  UsableAxes a = usable_axes(chip, harvest);
  auto lx = index_of(a.x, tile.x);
  auto ly = index_of(a.y, tile.y);
  if (!lx || !ly) return std::nullopt;
  return LogicalXY{*lx, *ly};
}

std::optional<NocXY> from_logical(const ChipTable& chip, Harvesting harvest, LogicalXY logical) {
  UsableAxes a = usable_axes(chip, harvest);
  if (logical.x >= a.x.size() || logical.y >= a.y.size()) return std::nullopt;
  return NocXY{a.x[logical.x], a.y[logical.y]};
}

std::optional<TranslatedXY> to_translated(const ChipTable& chip, Harvesting harvest, NocXY tile) {
  auto l = to_logical(chip, harvest, tile);
  if (!l) return std::nullopt;
  if (!chip.translated_tensix_origin) return TranslatedXY{chip.tensix_x[l->x], chip.tensix_y[l->y]};
  const TranslatedXY& o = *chip.translated_tensix_origin;
  return TranslatedXY{static_cast<uint8_t>(o.x + l->x), static_cast<uint8_t>(o.y + l->y)};
}

std::optional<NocXY> from_translated(const ChipTable& chip, Harvesting harvest, TranslatedXY tile) {
  if (!chip.translated_tensix_origin) {  // the names of the first columns and rows, in order
    auto lx = index_of(chip.tensix_x, tile.x);
    auto ly = index_of(chip.tensix_y, tile.y);
    if (!lx || !ly) return std::nullopt;
    return from_logical(chip, harvest, LogicalXY{*lx, *ly});
  }
  const TranslatedXY& o = *chip.translated_tensix_origin;
  if (tile.x < o.x || tile.y < o.y) return std::nullopt;
  return from_logical(chip, harvest, LogicalXY{static_cast<uint8_t>(tile.x - o.x), static_cast<uint8_t>(tile.y - o.y)});
}

}  // namespace hcq::tt
