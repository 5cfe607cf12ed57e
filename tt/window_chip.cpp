#include "window_chip.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::tt {

namespace {

class BarWindow final : public WindowPort {
 public:
  BarWindow(BarIo& io, const ChipTable& chip, uint32_t index, const TlbKind& kind)
      : io_(io), chip_(chip), index_(index), kind_(kind) {}
  const TlbKind& kind() const noexcept override { return kind_; }
  uint32_t index() const noexcept override { return index_; }
  void configure(const TlbConfig& config) override {
    TlbWords w = encode_tlb(chip_.tlb, kind_, config);
    uint64_t reg = chip_.tlb.config_base + uint64_t{chip_.tlb.config_stride} * index_;
    for (uint32_t i = 0; i < w.count; ++i) io_.write32(0, reg + 4 * i, w.word[i]);
  }
  void write(uint64_t offset, const void* src, size_t bytes) override { io_.write(kind_.bar, base() + offset, src, bytes); }
  void read(uint64_t offset, void* dst, size_t bytes) override { io_.read(kind_.bar, base() + offset, dst, bytes); }

 private:
  uint64_t base() const { return kind_.bar_offset + kind_.size * (index_ - kind_.first_index); }
  BarIo& io_;
  const ChipTable& chip_;
  uint32_t index_;
  const TlbKind& kind_;
};

}  // namespace

std::unique_ptr<WindowPort> make_bar_window(BarIo& io, const ChipTable& chip, uint32_t index) {
  const TlbKind* kind = chip.tlb.kind_of(index);
  if (!kind) {
    throw Error(Errc::invalid_argument, "tt", "TLB",
                fmt::format("window {} does not exist on {} ({} windows)", index, chip.name, chip.tlb.window_count()));
  }
  return std::make_unique<BarWindow>(io, chip, index, *kind);
}

WindowChip::WindowChip(const ChipTable& table, std::string name, Harvesting harvest, std::unique_ptr<WindowPort> unicast,
                       std::unique_ptr<WindowPort> multicast)
    : log_(log::device("tt", name)),
      table_(table),
      name_(std::move(name)),
      harvest_(harvest),
      tensix_(usable_tensix(table, harvest)),
      unicast_(std::move(unicast)),
      multicast_(std::move(multicast)) {
  for (const DramChannel& ch : table.dram) dram_.push_back(ch.tiles[0]);
}

void WindowChip::check_tile(NocXY tile, const char* what) const {
  if (!on_grid(table_, tile)) {
    throw Error(Errc::invalid_argument, name_, "NOC",
                fmt::format("{} at tile ({},{}): outside the {}x{} {} grid", what, tile.x, tile.y, table_.width,
                            table_.height, table_.name));
  }
}

// Tensix: L1 or the tile registers; DRAM: inside the channel. Other tiles are not checked.
void WindowChip::check_range(NocXY tile, uint64_t addr, size_t bytes, const char* what) const {
  check_tile(tile, what);
  const uint64_t end = addr + bytes;
  bool bad = end < addr;
  switch (tile_kind(table_, tile)) {
    case TileKind::tensix: bad |= addr < table_.l1_size ? end > table_.l1_size : addr < table_.tile_registers; break;
    case TileKind::dram: bad |= end > table_.dram_channel_size; break;
    default: break;
  }
  if (bad) {
    throw Error(Errc::invalid_argument, name_, "NOC",
                fmt::format("{} of {} bytes at ({},{}) address 0x{:x}: outside L1 (0x{:x} bytes) and the tile "
                            "registers (from 0x{:x}), or past the DRAM channel (0x{:x} bytes)",
                            what, bytes, tile.x, tile.y, addr, table_.l1_size, table_.tile_registers, table_.dram_channel_size));
  }
}

void WindowChip::point(WindowPort& port, std::optional<TlbConfig>& cached, const TlbConfig& config) {
  if (cached && *cached == config) return;
  port.configure(config);
  cached = config;
  log_->trace("TLB window {} -> {}", port.index(), describe(config));
}

void WindowChip::noc_write(NocXY tile, uint64_t addr, const void* src, size_t bytes, Ordering order) {
  check_range(tile, addr, bytes, "NOC write");
  check_transport();
  const uint64_t size = unicast_->kind().size;
  const auto* p = static_cast<const std::byte*>(src);
  while (bytes) {
    uint64_t base = addr & ~(size - 1);
    uint64_t off = addr - base;
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(bytes, size - off));
    point(*unicast_, unicast_config_, TlbConfig::unicast(noc_target(table_, tile), base, order));
    unicast_->write(off, p, chunk);
    addr += chunk, p += chunk, bytes -= chunk;
  }
  check_transport();
}

void WindowChip::noc_read(NocXY tile, uint64_t addr, void* dst, size_t bytes) {
  check_range(tile, addr, bytes, "NOC read");
  check_transport();
  const uint64_t size = unicast_->kind().size;
  auto* p = static_cast<std::byte*>(dst);
  while (bytes) {
    uint64_t base = addr & ~(size - 1);
    uint64_t off = addr - base;
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(bytes, size - off));
    point(*unicast_, unicast_config_, TlbConfig::unicast(noc_target(table_, tile), base, Ordering::strict));
    unicast_->read(off, p, chunk);
    addr += chunk, p += chunk, bytes -= chunk;
  }
  check_transport();
}

std::optional<std::pair<NocXY, NocXY>> WindowChip::rectangle(std::span<const NocXY> tiles) const {
  if (tiles.empty() || harvest_.mask) return std::nullopt;  // a rectangle would hit harvested tiles
  NocXY lo = tiles[0], hi = tiles[0];
  for (NocXY t : tiles) {
    if (tile_kind(table_, t) != TileKind::tensix) return std::nullopt;
    lo = {std::min(lo.x, t.x), std::min(lo.y, t.y)};
    hi = {std::max(hi.x, t.x), std::max(hi.y, t.y)};
  }
  // The NOC delivers a multicast to every Tensix tile in the rectangle: it must be exactly `tiles`.
  size_t inside = 0;
  for (NocXY t : tensix_) inside += (t.x >= lo.x && t.x <= hi.x && t.y >= lo.y && t.y <= hi.y) ? 1 : 0;
  std::vector<NocXY> sorted(tiles.begin(), tiles.end());
  std::sort(sorted.begin(), sorted.end(), [](NocXY a, NocXY b) { return a.y != b.y ? a.y < b.y : a.x < b.x; });
  size_t unique = std::unique(sorted.begin(), sorted.end()) - sorted.begin();
  if (inside != unique) return std::nullopt;
  return std::pair{lo, hi};
}

void WindowChip::noc_broadcast(std::span<const NocXY> tiles, uint64_t addr, const void* src, size_t bytes) {
  for (NocXY t : tiles) check_range(t, addr, bytes, "NOC broadcast");
  // A multicast window cannot be read, so a ragged end (read-modify-write on transports with
  // dword-only BAR access) is never sent through it: such writes go tile by tile.
  constexpr uint64_t dword = 4;
  const bool dword_aligned = addr % dword == 0 && bytes % dword == 0;
  auto rect = multicast_ && dword_aligned ? rectangle(tiles) : std::nullopt;
  if (!rect) {
    for (NocXY t : tiles) noc_write(t, addr, src, bytes, Ordering::posted);
    return;
  }
  check_transport();
  const uint64_t size = multicast_->kind().size;
  const auto* p = static_cast<const std::byte*>(src);
  while (bytes) {
    uint64_t base = addr & ~(size - 1);
    uint64_t off = addr - base;
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(bytes, size - off));
    point(*multicast_, multicast_config_,
          TlbConfig::multicast(rect->first, rect->second, base, Ordering::posted));
    multicast_->write(off, p, chunk);
    addr += chunk, p += chunk, bytes -= chunk;
  }
  check_transport();
}

}  // namespace hcq::tt
