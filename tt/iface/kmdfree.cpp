// kmd-free transport: BAR0 (and BH BAR4) through kmdfree::PciDevice; we program the TLB config
// registers at BAR0 0x1FC00000 ourselves (chips.cpp names the layout's sources), the way tt-kmd
// does in wormhole.c / blackhole.c. Untested on hardware: verified only through the same
// WindowChip code running against ttsim's BAR model (tests/tt/sim).
//
// Not done here (tt-kmd's probe does it; see docs/tt.md): the Wormhole BAR4 inbound iATU, the
// outbound iATU for host memory (device writes to host buffers assume an identity mapping, which
// is what ttsim models), ARC's PCIE_INDEX / ASTATE0 messages, and the harvesting query.
#include "kmdfree.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "hcq/error.hpp"
#include "kmd-free/pci_device.hpp"
#include "kmd-free/pci_open.hpp"
#include "window_chip.hpp"

namespace hcq::tt {

namespace {

constexpr uint32_t unicast_window = 0;
constexpr uint32_t pci_command = 0x04;             // PCI config space command register
constexpr uint32_t pci_command_bus_master = 0x04;  // its bus-master enable bit
constexpr uint32_t multicast_window = 1;

constexpr uint64_t dword = 4;

class PciBars final : public BarIo {
 public:
  explicit PciBars(kmdfree::PciDevice& dev) : dev_(dev) {}
  // Bars take dword-aligned bulk accesses: ragged ends are read-modify-write of their dword.
  void write(int bar, uint64_t offset, const void* src, size_t bytes) override {
    kmdfree::Bar& b = dev_.bar(bar);
    const auto* s = static_cast<const std::byte*>(src);
    while (bytes) {
      uint64_t head = offset % dword;
      if (head || bytes < dword) {
        size_t n = std::min<size_t>(dword - head, bytes);
        uint32_t v = b.read32(offset - head);
        std::memcpy(reinterpret_cast<std::byte*>(&v) + head, s, n);
        b.write32(offset - head, v);
        offset += n, s += n, bytes -= n;
        continue;
      }
      size_t body = bytes & ~size_t{dword - 1};
      b.write(offset, s, body);
      offset += body, s += body, bytes -= body;
    }
  }
  void read(int bar, uint64_t offset, void* dst, size_t bytes) override {
    kmdfree::Bar& b = dev_.bar(bar);
    auto* d = static_cast<std::byte*>(dst);
    while (bytes) {
      uint64_t head = offset % dword;
      if (head || bytes < dword) {
        size_t n = std::min<size_t>(dword - head, bytes);
        uint32_t v = b.read32(offset - head);
        std::memcpy(d, reinterpret_cast<std::byte*>(&v) + head, n);
        offset += n, d += n, bytes -= n;
        continue;
      }
      size_t body = bytes & ~size_t{dword - 1};
      b.read(offset, d, body);
      offset += body, d += body, bytes -= body;
    }
  }
  void write32(int bar, uint64_t offset, uint32_t value) override { dev_.bar(bar).write32(offset, value); }

 private:
  kmdfree::PciDevice& dev_;
};

class KmdfreeChip final : public WindowChip {
 public:
  KmdfreeChip(const ChipTable& table, std::unique_ptr<kmdfree::PciDevice> dev, std::unique_ptr<PciBars> bars)
      : WindowChip(table, "tt " + dev->address().str(), Harvesting{}, make_bar_window(*bars, table, unicast_window),
                   make_bar_window(*bars, table, multicast_window)),
        dev_(std::move(dev)),
        bars_(std::move(bars)) {}

  void idle() noexcept override { std::this_thread::yield(); }

  HostBuffer alloc_host(uint64_t size) override {
    auto buf = dev_->alloc_dma(size, /*contiguous=*/true);
    uint64_t bus = buf->bus_address(0);
    if (bus + size > table().pcie_host_window) {
      throw Error(Errc::unsupported, name(), "host memory",
                  fmt::format("DMA buffer at bus 0x{:x} is beyond the 0x{:x}-byte window the NOC reaches without an "
                              "outbound iATU region (not programmed by the kmd-free transport); use tt-kmd",
                              bus, table().pcie_host_window));
    }
    HostBuffer h{buf->cpu(), size, table().pcie[0], table().pcie_host_noc_base + bus};
    buffers_.push_back(std::move(buf));
    return h;
  }

  void free_host(const HostBuffer& buffer) noexcept override {
    std::erase_if(buffers_, [&](const std::unique_ptr<kmdfree::DmaBuffer>& b) { return b->cpu() == buffer.cpu; });
  }

 private:
  std::unique_ptr<kmdfree::PciDevice> dev_;
  std::unique_ptr<PciBars> bars_;
  std::vector<std::unique_ptr<kmdfree::DmaBuffer>> buffers_;
};

}  // namespace

std::unique_ptr<Chip> open_kmdfree(std::unique_ptr<kmdfree::PciDevice> device) {
  const std::string who = "tt " + device->address().str();
  const kmdfree::PciIdentity& id = device->identity();
  const ChipTable* table = chip_for_pci(id.vendor, id.device);
  if (!table) {
    throw Error(Errc::unsupported, who, "open",
                fmt::format("PCI id {:04x}:{:04x} is not a Wormhole B0 (1e52:401e) or Blackhole (1e52:b140)", id.vendor,
                            id.device));
  }
  for (const TlbKind& k : table->tlb.kind_list()) {
    uint64_t need = k.bar_offset + (k.bar == 0 ? k.size * k.count : k.size);
    if (device->bar_size(k.bar) < need) {
      if (k.bar != 0) continue;  // BH BAR4 4G windows are optional; we use 2M windows in BAR0
      throw Error(Errc::unsupported, who, "BAR",
                  fmt::format("BAR{} is 0x{:x} bytes, the TLB windows need 0x{:x}: is the device in a resized or "
                              "partial-BAR state? Check lspci -vv",
                              k.bar, device->bar_size(k.bar), need));
    }
  }
  // Bus mastering (command register bit 2) so the chip can reach host memory.
  uint32_t command = device->config_read(pci_command, 2);
  device->config_write(pci_command, command | pci_command_bus_master, 2);
  auto bars = std::make_unique<PciBars>(*device);
  return std::make_unique<KmdfreeChip>(*table, std::move(device), std::move(bars));
}

std::unique_ptr<Chip> open_kmdfree(const std::string& pci_spec) {
  // kmd-free refuses a function bound to tt-kmd (busy) unless asked to unbind: we never do that
  // behind the user's back.
  return open_kmdfree(kmdfree::open_pci(pci_spec));
}

}  // namespace hcq::tt
