// A Chip reached through TLB windows: every transport (ttsim, kmd-free BARs, tt-kmd mmaps) gives
// us a few windows it owns; WindowChip turns NOC reads and writes at (tile, address) into window
// configurations plus window accesses, exactly as on hardware.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chip.hpp"
#include "chips.hpp"
#include "coords.hpp"
#include "log.hpp"
#include "tlb.hpp"

namespace hcq::tt {

// One TLB window owned by this process.
class WindowPort {
 public:
  virtual ~WindowPort() = default;
  virtual const TlbKind& kind() const noexcept = 0;
  virtual uint32_t index() const noexcept = 0;
  // Programs the window's config register (or asks the driver to).
  virtual void configure(const TlbConfig& config) = 0;
  // Accesses [offset, offset + bytes) of the window; the caller keeps it inside the window.
  virtual void write(uint64_t offset, const void* src, size_t bytes) = 0;
  virtual void read(uint64_t offset, void* dst, size_t bytes) = 0;
};

// Raw BAR accesses, for transports where we program the TLB config registers ourselves.
class BarIo {
 public:
  virtual ~BarIo() = default;
  virtual void write(int bar, uint64_t offset, const void* src, size_t bytes) = 0;
  virtual void read(int bar, uint64_t offset, void* dst, size_t bytes) = 0;
  // Register writes (TLB config): one 32-bit store where the transport can do that.
  virtual void write32(int bar, uint64_t offset, uint32_t value) { write(bar, offset, &value, sizeof value); }
  uint32_t read32(int bar, uint64_t offset) {
    uint32_t v = 0;
    read(bar, offset, &v, sizeof v);
    return v;
  }
};

// Window `index` of `chip`, configured by writing its config register in BAR0 through `io`.
std::unique_ptr<WindowPort> make_bar_window(BarIo& io, const ChipTable& chip, uint32_t index);

class WindowChip : public Chip {
 public:
  // `unicast` serves noc_read/noc_write; `multicast` (may be null) serves noc_broadcast.
  WindowChip(const ChipTable& table, std::string name, Harvesting harvest, std::unique_ptr<WindowPort> unicast,
             std::unique_ptr<WindowPort> multicast);

  Arch arch() const noexcept override { return table_.arch; }
  const ChipTable& table() const noexcept override { return table_; }
  const std::string& name() const noexcept override { return name_; }
  std::span<const NocXY> tensix() const noexcept override { return tensix_; }
  std::span<const NocXY> dram() const noexcept override { return dram_; }
  Harvesting harvesting() const noexcept { return harvest_; }

  void noc_write(NocXY tile, uint64_t addr, const void* src, size_t bytes, Ordering order = Ordering::posted) override;
  void noc_read(NocXY tile, uint64_t addr, void* dst, size_t bytes) override;
  void noc_broadcast(std::span<const NocXY> tiles, uint64_t addr, const void* src, size_t bytes) override;

 protected:
  // Transports call this before every access: throws when the transport saw a fault (for
  // example a DMA callback at an address no buffer covers).
  virtual void check_transport() {}
  log::Logger log_;

 private:
  void check_tile(NocXY tile, const char* what) const;
  void check_range(NocXY tile, uint64_t addr, size_t bytes, const char* what) const;
  void point(WindowPort& port, std::optional<TlbConfig>& cached, const TlbConfig& config);
  // The multicast rectangle covering exactly `tiles`, when there is one.
  std::optional<std::pair<NocXY, NocXY>> rectangle(std::span<const NocXY> tiles) const;

  const ChipTable& table_;
  std::string name_;
  Harvesting harvest_;
  std::vector<NocXY> tensix_;
  std::vector<NocXY> dram_;
  std::unique_ptr<WindowPort> unicast_, multicast_;
  std::optional<TlbConfig> unicast_config_, multicast_config_;
};

}  // namespace hcq::tt
