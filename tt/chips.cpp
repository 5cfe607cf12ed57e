// Chip tables. Sources:
//   [K] tenstorrent/tt-kmd wormhole.c, blackhole.c (BAR layout, TLB counts, register bases,
//       WH TLB field layout, ARC reset-unit and message-queue addresses)
//   [U] tenstorrent/tt-umd device/api/umd/device/arch/{wormhole,blackhole}_implementation.hpp
//       (grid, tile coordinates, BH TLB field offsets, L1 sizes)
//   [I] tenstorrent/tt-isa-documentation WormholeB0 (L1 1464 KiB, NOC0/NOC1 mirroring, BAR sizes)
//   [S] tenstorrent/ttsim src/libttsim.cpp, tile.cpp (cross-check of all of the above: which
//       fields its BAR model accepts, tile kinds per coordinate, DRAM channel tiles)
#include "chips.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::tt {

namespace {

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;
constexpr uint64_t GiB = 1024 * MiB;
constexpr uint16_t tenstorrent_vendor = 0x1E52;  // [K] enumerate.h

// ---- Wormhole B0 ----------------------------------------------------------------------------
// Grid [U][S]: 10 x 12. DRAM in columns 0 and 5, Ethernet rows 0 and 6, PCIe (0,3), ARC (0,10).
constexpr std::string_view wh_grid[] = {
    "DEEEEDEEEE",  // y=0
    "DTTTTDTTTT",  // y=1
    ".TTTTDTTTT",  // y=2
    "PTTTTDTTTT",  // y=3
    ".TTTTDTTTT",  // y=4
    "DTTTTDTTTT",  // y=5
    "DEEEEDEEEE",  // y=6
    "DTTTTDTTTT",  // y=7
    ".TTTTDTTTT",  // y=8
    ".TTTTDTTTT",  // y=9
    "ATTTTDTTTT",  // y=10
    "DTTTTDTTTT",  // y=11
};
constexpr uint8_t wh_tensix_x[] = {1, 2, 3, 4, 6, 7, 8, 9};
constexpr uint8_t wh_tensix_y[] = {1, 2, 3, 4, 5, 7, 8, 9, 10, 11};
// [U][S] six channels, three tiles each.
constexpr DramChannel wh_dram[] = {
    {{NocXY{0, 0}, NocXY{0, 1}, NocXY{0, 11}}}, {{NocXY{0, 5}, NocXY{0, 6}, NocXY{0, 7}}},
    {{NocXY{5, 0}, NocXY{5, 1}, NocXY{5, 11}}}, {{NocXY{5, 2}, NocXY{5, 9}, NocXY{5, 10}}},
    {{NocXY{5, 3}, NocXY{5, 4}, NocXY{5, 8}}},  {{NocXY{5, 5}, NocXY{5, 6}, NocXY{5, 7}}},
};
constexpr NocXY wh_pcie[] = {{0, 3}};

// [K] wormhole.c: 156 x 1M, 10 x 2M, 20 x 16M windows in BAR0; config u64 per window at
// 0x1FC00000; low (36 - log2 size) bits hold the address, then x_end:6 y_end:6 x_start:6
// y_start:6 noc_sel:1 mcast:1 ordering:2 linked:1; [U] static_vc:1 above linked. The last 16M
// window is the kmd's.
constexpr TlbLayout wh_tlb = {
    .kinds = {{
        {.size = 1 * MiB, .count = 156, .first_index = 0, .bar = 0, .bar_offset = 0, .address_bits = 16},
        {.size = 2 * MiB, .count = 10, .first_index = 156, .bar = 0, .bar_offset = 156 * MiB, .address_bits = 15},
        {.size = 16 * MiB, .count = 20, .first_index = 166, .bar = 0, .bar_offset = 176 * MiB, .address_bits = 12},
    }},
    .kind_count = 3,
    .config_base = 0x1FC00000,
    .config_stride = 8,
    .config_words = 2,
    .kmd_reserved = 185,
    .noc_address_bits = 36,
    .fields = {.x_end = 0, .y_end = 6, .x_start = 12, .y_start = 18, .coord_bits = 6,
               .noc_sel = 24, .noc_sel_bits = 1, .mcast = 25, .ordering = 26, .ordering_bits = 2,
               .linked = 28, .static_vc = 29, .static_vc_bits = 1},
};

const ChipTable wh_table = {
    .arch = Arch::wormhole_b0,
    .name = "Wormhole B0",
    .pci_vendor = tenstorrent_vendor,
    .pci_device = 0x401E,
    .width = 10,
    .height = 12,
    .grid = wh_grid,
    .tensix_x = wh_tensix_x,
    .tensix_y = wh_tensix_y,
    .harvest_unit = HarvestUnit::tensix_row,
    .l1_size = 1464 * KiB,  // [I] L1.md: 16 banks of 91.5 KiB
    .eth_l1_size = 256 * KiB,
    .tile_registers = 0xFFB0'0000,  // [I] BabyRISCV: local data RAM, then tile control and NIUs
    .dram = wh_dram,
    .dram_channel_size = 2 * GiB,
    .arc = {0, 10},
    .pcie = wh_pcie,
    .pcie_host_noc_base = 0x8'0000'0000,  // [K][S] host memory through the PCIe tile
    .pcie_host_window = 0xFFFE'0000,      // [S] 4 GiB - 128 KiB outbound window
    .translated_tensix_origin = TranslatedXY{18, 18},  // [I] NoC/Coordinates.md, [S] remap
    .noc_aliases = {},  // translation maps 0..15 to themselves: physical coordinates always work
    .bar_size = {512 * MiB, 1 * MiB, 32 * MiB},
    .tlb = wh_tlb,
    // [K] wormhole.c: reset unit at ARC 0x80030000 (BAR0 0x1FF30000): SCRATCH[n] at +0x60 + 4n,
    // POST_CODE = SCRATCH[0] (0xC0DExxxx when ARC L2 runs), args SCRATCH[3], return SCRATCH[4],
    // message SCRATCH[5], hung when SCRATCH[6] reads all-ones, MISC_CNTL +0x100 (IRQ0 = bit 16),
    // telemetry table/data pointers at +0x1D0/+0x1D4. [S] ARC crossbar at NOC 0x8_0000_0000.
    .arc_layout = {.noc_base = 0x8'0000'0000, .csm_base = 0x1000'0000, .csm_size = 512 * KiB,
                   .protocol = ArcProtocol::scratch_registers,
                   .status_reg = 0x8003'0060, .status_mask = 0xFFFF'0000, .status_ready = 0xC0DE'0000,
                   .hung_reg = 0x8003'0078,
                   .msg_reg = 0x8003'0074, .arg_reg = 0x8003'006C, .ret_reg = 0x8003'0070, .misc_cntl_reg = 0x8003'0100,
                   .queue_ptr_reg = 0, .msi_fifo = 0,
                   .telemetry_table_reg = 0x8003'01D0, .telemetry_data_reg = 0x8003'01D4},
    // tt-umd wormhole_dma_transfer.cpp, [S] dma_reg_ptr: read channel 0 = H2D, write channel 0 =
    // D2H; completion is an IMWR of done_data to a host address. Doorbell value = channel 0.
    .dma_to_device = {.enable = 0x2C, .doorbell = 0x30, .size = 0x308, .sar_lo = 0x30C, .sar_hi = 0x310,
                      .dar_lo = 0x314, .dar_hi = 0x318, .done_lo = 0xCC, .done_hi = 0xD0, .done_data = 0xDC,
                      .doorbell_value = 0},
    .dma_to_host = EdmaChannel{.enable = 0x0C, .doorbell = 0x10, .size = 0x208, .sar_lo = 0x20C, .sar_hi = 0x210,
                               .dar_lo = 0x214, .dar_hi = 0x218, .done_lo = 0x60, .done_hi = 0x64, .done_data = 0x70,
                               .doorbell_value = 0},
};

// ---- Blackhole ------------------------------------------------------------------------------
// Grid [U][S]: 17 x 12. DRAM columns 0 and 9, Ethernet row 1, PCIe (2,0) and (11,0), ARC (8,0);
// column 8 below the ARC holds the security tile and the L2CPU (X280) tiles.
constexpr std::string_view bh_grid[] = {
    "D.P.....AD.P.....",  // y=0
    "DEEEEEEE.DEEEEEEE",  // y=1
    "DTTTTTTT.DTTTTTTT",  // y=2
    "DTTTTTTT.DTTTTTTT",  // y=3
    "DTTTTTTT.DTTTTTTT",  // y=4
    "DTTTTTTT.DTTTTTTT",  // y=5
    "DTTTTTTT.DTTTTTTT",  // y=6
    "DTTTTTTT.DTTTTTTT",  // y=7
    "DTTTTTTT.DTTTTTTT",  // y=8
    "DTTTTTTT.DTTTTTTT",  // y=9
    "DTTTTTTT.DTTTTTTT",  // y=10
    "DTTTTTTT.DTTTTTTT",  // y=11
};
constexpr uint8_t bh_tensix_x[] = {1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16};
constexpr uint8_t bh_tensix_y[] = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
constexpr DramChannel bh_dram[] = {
    {{NocXY{0, 0}, NocXY{0, 1}, NocXY{0, 11}}}, {{NocXY{0, 2}, NocXY{0, 10}, NocXY{0, 3}}},
    {{NocXY{0, 9}, NocXY{0, 4}, NocXY{0, 8}}},  {{NocXY{0, 5}, NocXY{0, 7}, NocXY{0, 6}}},
    {{NocXY{9, 0}, NocXY{9, 1}, NocXY{9, 11}}}, {{NocXY{9, 2}, NocXY{9, 10}, NocXY{9, 3}}},
    {{NocXY{9, 9}, NocXY{9, 4}, NocXY{9, 8}}},  {{NocXY{9, 5}, NocXY{9, 7}, NocXY{9, 6}}},
};
constexpr NocXY bh_pcie[] = {{2, 0}, {11, 0}};
// With translation on (Blackhole firmware always enables it; ttsim models it always on), DRAM
// tiles are named by translated coordinates; physical (0, y>=2) is refused by the translated NOC.
// [U] blackhole_implementation.hpp: DRAM translated origin (17, 12); blackhole_coordinate_manager
// .cpp fill_dram_physical_translated_mapping: the rule in bh_dram_aliases(). ttsim's
// remap_virtual_coordinate [S] implements that rule for bank 2 harvested (west column at x 18,
// banks 0,1,3,2; east at x 17, banks 4,5,7,6), although its ARC reports nothing harvested; we
// follow the simulator there, since it is the only chip we run on.
//
// The rule, in our words: each column of four banks takes one x (west 17, east 18) and fills
// y 12.. with its banks in order, three ports each. With a bank harvested, its column moves to
// x 18 and the other column to x 17, and the harvested bank and its mirror in the other column
// (same index within the column) take the last place of their columns, the others closing up.
constexpr uint8_t bh_dram_translated_x0 = 17, bh_dram_translated_y0 = 12;
constexpr size_t bh_banks_per_column = bh_dram_banks / 2;
constexpr uint8_t ttsim_bh_harvested_dram_bank = 2;

constexpr BhDramAliases make_bh_dram_aliases(std::optional<uint8_t> harvested) {
  BhDramAliases out{};
  size_t at = 0;
  for (size_t column = 0; column < 2; ++column) {
    bool harvested_here = harvested && *harvested / bh_banks_per_column == column;
    uint8_t x = static_cast<uint8_t>(bh_dram_translated_x0 + (harvested ? harvested_here : column));
    size_t last = harvested ? *harvested % bh_banks_per_column : bh_banks_per_column;  // goes last
    size_t place = 0;
    for (size_t pass = 0; pass < 2; ++pass) {  // the other banks in order, then the one that goes last
      for (size_t i = 0; i < bh_banks_per_column; ++i) {
        if ((i == last) != (pass == 1)) continue;
        for (size_t port = 0; port < bh_dram_ports; ++port, ++at) {
          auto y = static_cast<uint8_t>(bh_dram_translated_y0 + place * bh_dram_ports + port);
          out[at] = {bh_dram[column * bh_banks_per_column + i].tiles[port], NocXY{x, y}};
        }
        ++place;
      }
    }
  }
  return out;
}
constexpr BhDramAliases bh_aliases = make_bh_dram_aliases(ttsim_bh_harvested_dram_bank);

// [K] blackhole.c: 202 x 2M windows in BAR0 (the last is the kmd's), 8 x 4G in BAR4; config
// registers 12 bytes apart at BAR0 0x1FC00000. [U] field offsets: address:43 (2M) / 32 (4G),
// then x_end:6 y_end:6 x_start:6 y_start:6 noc:2 mcast:1 ordering:2 linked:1 static_vc...
// Static VC is refused: it can wedge the chip (blackhole-py; UMD programs it 0; [S] rejects it).
constexpr TlbLayout bh_tlb = {
    .kinds = {{
        {.size = 2 * MiB, .count = 202, .first_index = 0, .bar = 0, .bar_offset = 0, .address_bits = 43},
        {.size = 4 * GiB, .count = 8, .first_index = 202, .bar = 4, .bar_offset = 0, .address_bits = 32},
        {},
    }},
    .kind_count = 2,
    .config_base = 0x1FC00000,
    .config_stride = 12,
    .config_words = 3,
    .kmd_reserved = 201,
    .noc_address_bits = 64,
    .fields = {.x_end = 0, .y_end = 6, .x_start = 12, .y_start = 18, .coord_bits = 6,
               .noc_sel = 24, .noc_sel_bits = 2, .mcast = 26, .ordering = 27, .ordering_bits = 2,
               .linked = 29, .static_vc = 30, .static_vc_bits = 0},
};

const ChipTable bh_table = {
    .arch = Arch::blackhole,
    .name = "Blackhole",
    .pci_vendor = tenstorrent_vendor,
    .pci_device = 0xB140,
    .width = 17,
    .height = 12,
    .grid = bh_grid,
    .tensix_x = bh_tensix_x,
    .tensix_y = bh_tensix_y,
    .harvest_unit = HarvestUnit::tensix_column,
    .l1_size = 1536 * KiB,
    .eth_l1_size = 256 * KiB,
    .tile_registers = 0xFFB0'0000,  // [U] same map as Wormhole (soft reset at 0xFFB121B0)
    .dram = bh_dram,
    .dram_channel_size = 4 * GiB,
    .arc = {8, 0},
    .pcie = bh_pcie,
    // [S] tile.cpp: NOC-to-host windows 0-3 (2^58 bytes each) go straight to the host IOMMU.
    .pcie_host_noc_base = 0,
    .pcie_host_window = uint64_t{1} << 58,
    .translated_tensix_origin = std::nullopt,
    .noc_aliases = bh_aliases,
    .bar_size = {512 * MiB, 1 * MiB, 32 * GiB},
    .tlb = bh_tlb,
    // [K] blackhole.c: SCRATCH_RAM[n] = 0x80030400 + 4n: [2] boot status (bit 0: ready for
    // messages), [11] message queue control block, [12] telemetry data, [13] telemetry table;
    // MSI FIFO 0x800B0000. CSM 0x10000000..0x1007FFFF. NOC address = ARC address.
    .arc_layout = {.noc_base = 0, .csm_base = 0x1000'0000, .csm_size = 512 * KiB,
                   .protocol = ArcProtocol::message_queue,
                   .status_reg = 0x8003'0408, .status_mask = 0x1, .status_ready = 0x1,
                   .hung_reg = 0,
                   .msg_reg = 0, .arg_reg = 0, .ret_reg = 0, .misc_cntl_reg = 0,
                   .queue_ptr_reg = 0x8003'042C, .msi_fifo = 0x800B'0000,
                   .telemetry_table_reg = 0x8003'0434, .telemetry_data_reg = 0x8003'0430},
    // tt-umd blackhole_dma_transfer.cpp, [S]: H2D only ("D2H DMA transfer is not supported on
    // Blackhole"); doorbell value 1; completion: size reads 0.
    .dma_to_device = {.enable = 0x100, .doorbell = 0x104, .size = 0x11C, .sar_lo = 0x120, .sar_hi = 0x124,
                      .dar_lo = 0x128, .dar_hi = 0x12C, .done_lo = 0, .done_hi = 0, .done_data = 0,
                      .doorbell_value = 1},
    .dma_to_host = std::nullopt,
};

}  // namespace

uint32_t TlbLayout::window_count() const noexcept {
  uint32_t n = 0;
  for (const TlbKind& k : kind_list()) n += k.count;
  return n;
}

const TlbKind* TlbLayout::kind_of(uint32_t index) const noexcept {
  for (const TlbKind& k : kind_list()) {
    if (index >= k.first_index && index < k.first_index + k.count) return &k;
  }
  return nullptr;
}

const ChipTable& wormhole_b0() { return wh_table; }
const ChipTable& blackhole() { return bh_table; }

const ChipTable* chip_for_pci(uint16_t vendor, uint16_t device) noexcept {
  for (const ChipTable* t : {&wh_table, &bh_table}) {
    if (t->pci_vendor == vendor && t->pci_device == device) return t;
  }
  return nullptr;
}

bool on_grid(const ChipTable& chip, NocXY tile) noexcept { return tile.x < chip.width && tile.y < chip.height; }

TileKind tile_kind(const ChipTable& chip, NocXY tile) noexcept {
  if (!on_grid(chip, tile)) return TileKind::router_only;
  switch (chip.grid[tile.y][tile.x]) {
    case 'T': return TileKind::tensix;
    case 'D': return TileKind::dram;
    case 'E': return TileKind::eth;
    case 'P': return TileKind::pcie;
    case 'A': return TileKind::arc;
    default: return TileKind::router_only;
  }
}

NocXY noc_target(const ChipTable& chip, NocXY tile) noexcept {
  for (const NocAlias& a : chip.noc_aliases) {
    if (a.physical == tile) return a.translated;
  }
  return tile;
}

BhDramAliases bh_dram_aliases(std::optional<uint8_t> harvested_bank) {
  if (harvested_bank && *harvested_bank >= bh_dram_banks) {
    throw Error(Errc::invalid_argument, "blackhole", "dram",
                fmt::format("DRAM bank {} cannot be harvested: Blackhole has banks 0..{}", *harvested_bank,
                            bh_dram_banks - 1));
  }
  return make_bh_dram_aliases(harvested_bank);
}

uint32_t harvest_units(const ChipTable& chip) noexcept {
  return static_cast<uint32_t>(chip.harvest_unit == HarvestUnit::tensix_row ? chip.tensix_y.size()
                                                                            : chip.tensix_x.size());
}

std::vector<NocXY> usable_tensix(const ChipTable& chip, Harvesting harvest) {
  std::vector<NocXY> out;
  for (uint8_t ly = 0;; ++ly) {
    bool any = false;
    for (uint8_t lx = 0;; ++lx) {
      auto t = from_logical(chip, harvest, LogicalXY{lx, ly});
      if (!t) break;
      out.push_back(*t);
      any = true;
    }
    if (!any) break;
  }
  return out;
}

}  // namespace hcq::tt
