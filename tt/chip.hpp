// tt::Chip: one Tenstorrent chip (Wormhole B0 or Blackhole) reached over a transport (tt-kmd,
// kmd-free sysfs BARs, or ttsim). Everything above it (Tensix bring-up, launches, the hcq backend)
// talks to the chip only through NOC reads and writes at typed coordinates.
//
// This header is the contract between the platform side (transports, chip tables, TLB windows, ARC,
// telemetry) and the compute side (firmware, ELF loading, launch, the hcq backend): add to it, do
// not change what a member means.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hcq::tt {

enum class Arch : uint8_t { wormhole_b0, blackhole };

// Physical NOC0 coordinates of a tile. Logical (harvesting-aware) coordinates are a different type
// (LogicalXY in coords.hpp) so the two cannot be mixed.
struct NocXY {
  uint8_t x = 0;
  uint8_t y = 0;
  friend constexpr bool operator==(NocXY, NocXY) = default;
};

enum class TileKind : uint8_t { tensix, dram, eth, pcie, arc, router_only, harvested };

enum class Ordering : uint8_t { relaxed, strict, posted };  // the TLB window ordering modes

struct ChipTable;  // chips.hpp: grid, tile kinds, L1 size, DRAM channels, TLB layout, ARC/PCIe tiles

class Chip {
 public:
  virtual ~Chip() = default;
  virtual Arch arch() const noexcept = 0;
  virtual const ChipTable& table() const noexcept = 0;
  // "tt 0000:01:00.0" or "tt ttsim:/path/libttsim_wh.so": for messages.
  virtual const std::string& name() const noexcept = 0;
  // The Tensix tiles usable on this chip (harvested ones removed), in logical order.
  virtual std::span<const NocXY> tensix() const noexcept = 0;
  // DRAM tiles, one per channel (the NOC endpoint used for that channel).
  virtual std::span<const NocXY> dram() const noexcept = 0;

  // NOC accesses at a tile's local address (L1, DRAM, or a tile register such as the soft reset).
  // Throws hcq::Error on a transport failure; sizes are any, alignment 4 for the 32-bit forms.
  virtual void noc_write(NocXY tile, uint64_t addr, const void* src, size_t bytes, Ordering order = Ordering::posted) = 0;
  virtual void noc_read(NocXY tile, uint64_t addr, void* dst, size_t bytes) = 0;
  void noc_write32(NocXY tile, uint64_t addr, uint32_t value) { noc_write(tile, addr, &value, 4, Ordering::strict); }
  uint32_t noc_read32(NocXY tile, uint64_t addr) {
    uint32_t v = 0;
    noc_read(tile, addr, &v, 4);
    return v;
  }
  // The same bytes to every tile in `tiles` (a multicast where the chip and transport allow it).
  virtual void noc_broadcast(std::span<const NocXY> tiles, uint64_t addr, const void* src, size_t bytes) = 0;

  // Called by every poll loop between reads: a simulator advances its clock here, hardware does
  // nothing (or yields).
  virtual void idle() noexcept = 0;

  // Host memory the chip can reach over PCIe (DMA buffers for the copy queue and for signals the
  // host polls): the NOC address a Tensix core uses for byte `offset` of `buffer`.
  struct HostBuffer {
    std::byte* cpu = nullptr;
    uint64_t size = 0;
    NocXY pcie_tile;
    uint64_t noc_address = 0;  // address on pcie_tile
  };
  virtual HostBuffer alloc_host(uint64_t size) = 0;
  virtual void free_host(const HostBuffer& buffer) noexcept = 0;
};

// Opens "tt:N" (tt-kmd /dev/tenstorrent/N), "tt:0000:01:00.0" (kmd-free), "tt:ttsim:/path/libttsim.so"
// (or $HCQ_TTSIM). Throws hcq::Error (not_found) with what to do.
std::unique_ptr<Chip> open_chip(std::string_view spec);

}  // namespace hcq::tt
