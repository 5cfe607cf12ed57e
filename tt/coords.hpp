// Typed tile coordinates. A tile has one place on the die and several names for it:
//   NocXY        physical NOC0 coordinates (chip.hpp): what TLB windows and this library use.
//   Noc1XY       physical NOC1 coordinates: NOC1 runs the other way, x' = W-1-x, y' = H-1-y.
//   LogicalXY    0-based index into the usable Tensix grid: harvested rows (Wormhole) or columns
//                (Blackhole) are left out, so logical coordinates shift when harvesting changes.
//   TranslatedXY what firmware-enabled NOC coordinate translation accepts for Tensix tiles.
// Each is its own type: converting goes through the functions below, which take the chip table
// and the harvesting mask, never through an implicit conversion.
#pragma once

#include <cstdint>
#include <optional>

#include "chip.hpp"

namespace hcq::tt {

struct Noc1XY {
  uint8_t x = 0;
  uint8_t y = 0;
  friend constexpr bool operator==(Noc1XY, Noc1XY) = default;
};

struct LogicalXY {
  uint8_t x = 0;
  uint8_t y = 0;
  friend constexpr bool operator==(LogicalXY, LogicalXY) = default;
};

struct TranslatedXY {
  uint8_t x = 0;
  uint8_t y = 0;
  friend constexpr bool operator==(TranslatedXY, TranslatedXY) = default;
};

// Harvesting: bit i set means the i-th Tensix row (Wormhole) or column (Blackhole) of the table,
// counted in NOC0 order, is disabled. (The mask firmware reports is converted to this order by
// the transport that reads it.)
struct Harvesting {
  uint32_t mask = 0;
};

struct ChipTable;

Noc1XY to_noc1(const ChipTable& chip, NocXY tile);
NocXY from_noc1(const ChipTable& chip, Noc1XY tile);

// nullopt when `tile` is not a usable Tensix tile (another kind, or harvested).
std::optional<LogicalXY> to_logical(const ChipTable& chip, Harvesting harvest, NocXY tile);
// nullopt when `logical` is outside the usable grid.
std::optional<NocXY> from_logical(const ChipTable& chip, Harvesting harvest, LogicalXY logical);

// Tensix tiles only (nullopt for others). Where the chip table has no translated origin
// (Blackhole), logical (x, y) is named by the x-th Tensix column and y-th row in NOC0 order, so
// translated equals NOC0 when nothing is harvested.
std::optional<TranslatedXY> to_translated(const ChipTable& chip, Harvesting harvest, NocXY tile);
std::optional<NocXY> from_translated(const ChipTable& chip, Harvesting harvest, TranslatedXY tile);

}  // namespace hcq::tt
