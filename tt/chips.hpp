// Wormhole B0 and Blackhole as data: grid and tile kinds, L1, DRAM channels, TLB window layout,
// ARC and PCIe tiles, harvesting unit, BARs. Every per-arch difference the platform code needs is
// a field here; code never asks "is this a Blackhole". Sources are named in chips.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "chip.hpp"
#include "coords.hpp"

namespace hcq::tt {

// Bit positions of the TLB config fields, counted from the first bit above the address field
// (whose width depends on the window size). `static_vc_bits == 0`: the chip's windows must not
// use a static virtual channel (we refuse it).
struct TlbFieldLayout {
  uint8_t x_end, y_end, x_start, y_start, coord_bits;
  uint8_t noc_sel, noc_sel_bits;
  uint8_t mcast;
  uint8_t ordering, ordering_bits;
  uint8_t linked;
  uint8_t static_vc, static_vc_bits;
};

// One size class of TLB windows.
struct TlbKind {
  uint64_t size;          // bytes the window maps
  uint32_t count;
  uint32_t first_index;   // global window index of the first window of this kind
  uint8_t bar;            // BAR the windows live in
  uint64_t bar_offset;    // offset of the first window in that BAR
  uint8_t address_bits;   // width of the (address >> log2(size)) field
};

struct TlbLayout {
  std::array<TlbKind, 3> kinds;
  uint8_t kind_count;
  uint64_t config_base;     // BAR0 offset of window 0's config register
  uint32_t config_stride;   // bytes between windows' config registers
  uint8_t config_words;     // 32-bit words per config register
  uint32_t kmd_reserved;    // window index tt-kmd keeps for itself
  uint8_t noc_address_bits; // target addresses must fit
  TlbFieldLayout fields;

  std::span<const TlbKind> kind_list() const noexcept { return {kinds.data(), kind_count}; }
  uint32_t window_count() const noexcept;
  // The kind window `index` belongs to; nullptr when out of range.
  const TlbKind* kind_of(uint32_t index) const noexcept;
};

struct DramChannel {
  std::array<NocXY, 3> tiles;  // each channel answers on three NOC tiles
};

// A tile whose physical NOC0 coordinates the chip's NOC does not accept once firmware has enabled
// coordinate translation: requests must name `translated` instead.
struct NocAlias {
  NocXY physical;
  NocXY translated;
};

enum class HarvestUnit : uint8_t { tensix_row, tensix_column };

// ARC management core. Addresses are ARC-local (the ARC's AXI crossbar); the NOC reaches them at
// noc_base + address on the ARC tile.
enum class ArcProtocol : uint8_t {
  scratch_registers,  // Wormhole: id/args in reset-unit scratch registers, IRQ0 through MISC_CNTL
  message_queue,      // Blackhole: request/response rings in CSM, woken through the MSI FIFO
};

struct ArcLayout {
  uint64_t noc_base;
  uint32_t csm_base, csm_size;   // CSM: message queues and the telemetry table live here
  ArcProtocol protocol;
  uint32_t status_reg;           // firmware state: ready when (value & status_mask) == status_ready
  uint32_t status_mask, status_ready;
  uint32_t hung_reg;             // reads all-ones when the chip is hung (0: not used)
  // scratch_registers
  uint32_t msg_reg, arg_reg, ret_reg, misc_cntl_reg;
  // message_queue
  uint32_t queue_ptr_reg;        // holds the CSM address of the queue control block
  uint32_t msi_fifo;             // a write here wakes the queue processor
  uint32_t telemetry_table_reg;  // holds the CSM address of the telemetry table
  uint32_t telemetry_data_reg;   // holds the CSM address of the telemetry values
};

// One channel of the PCIe controller's DMA engine (BAR2 offsets): copies between host memory
// (bus addresses) and a BAR0 TLB window. `done_*` == 0: completion is `size` reading 0.
struct EdmaChannel {
  uint32_t enable, doorbell, size, sar_lo, sar_hi, dar_lo, dar_hi;
  uint32_t done_lo, done_hi, done_data;  // where and what the engine writes to host when done
  uint32_t doorbell_value;
};

struct ChipTable {
  Arch arch;
  std::string_view name;  // "Wormhole B0"
  uint16_t pci_vendor, pci_device;
  uint8_t width, height;  // NOC grid
  // NOC0 row y is grid[y], one character per x: T Tensix, D DRAM, E Ethernet, P PCIe, A ARC,
  // '.' a router-only (or other non-programmable) tile.
  std::span<const std::string_view> grid;
  std::span<const uint8_t> tensix_x;  // columns holding Tensix tiles, NOC0 order
  std::span<const uint8_t> tensix_y;  // rows holding Tensix tiles, NOC0 order
  HarvestUnit harvest_unit;
  uint64_t l1_size, eth_l1_size;
  uint64_t tile_registers;  // Tensix tile-local registers start here (RISC-V local memory, NIUs, ...)
  std::span<const DramChannel> dram;
  uint64_t dram_channel_size;
  NocXY arc;
  std::span<const NocXY> pcie;        // PCIe tiles; the first is the one the host link uses
  uint64_t pcie_host_noc_base;        // NOC address (on the PCIe tile) where host memory starts
  uint64_t pcie_host_window;          // bytes of host address space reachable from there
  // Translated Tensix coordinates: logical (x, y) at origin + (x, y) (Wormhole). nullopt: the
  // usable columns keep the NOC0 names of the first columns in order, that is logical (x, y) is
  // named (tensix_x[x], tensix_y[y]) (Blackhole; without harvesting, translated equals NOC0).
  std::optional<TranslatedXY> translated_tensix_origin;
  std::span<const NocAlias> noc_aliases;  // applied to every NOC request (WindowChip)
  uint64_t bar_size[3];               // BAR0, BAR2, BAR4
  TlbLayout tlb;
  ArcLayout arc_layout;
  EdmaChannel dma_to_device;                  // host -> device
  std::optional<EdmaChannel> dma_to_host;     // device -> host, where the engine has it
};

const ChipTable& wormhole_b0();
const ChipTable& blackhole();
// The row for a PCI vendor:device, or nullptr.
const ChipTable* chip_for_pci(uint16_t vendor, uint16_t device) noexcept;

TileKind tile_kind(const ChipTable& chip, NocXY tile) noexcept;
bool on_grid(const ChipTable& chip, NocXY tile) noexcept;
// Tensix tiles left by `harvest`, logical order (row-major over logical coordinates).
std::vector<NocXY> usable_tensix(const ChipTable& chip, Harvesting harvest);
// The coordinates a NOC request for `tile` must carry (its alias, or itself).
NocXY noc_target(const ChipTable& chip, NocXY tile) noexcept;
// How many Tensix rows (WH) or columns (BH) the harvesting unit has.
uint32_t harvest_units(const ChipTable& chip) noexcept;

// Blackhole DRAM under NOC translation: the translated name of each DRAM tile, given which of the
// 8 banks (DramChannel index) is harvested, if any (tt-umd allows at most one).
inline constexpr size_t bh_dram_banks = 8, bh_dram_ports = 3;
using BhDramAliases = std::array<NocAlias, bh_dram_banks * bh_dram_ports>;
BhDramAliases bh_dram_aliases(std::optional<uint8_t> harvested_bank);

}  // namespace hcq::tt
