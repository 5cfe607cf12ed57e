// ttsim transport. Facts from tenstorrent/ttsim docs/libttsim_api.md (the entry points, the
// once-per-process init, DMA callbacks installed before init, the clock only advancing inside
// libttsim_clock, fatal errors ending the process) and src/libttsim.cpp (BAR addresses come from
// config space; TLB config registers and windows behave as on the chip).
//
// Everything goes through the BARs as on hardware: a NOC access programs a TLB config register in
// BAR0 and then reads or writes the window. The simulator's tile back door (libttsim_tile_*) is
// not used (it is illegal on Wormhole and Blackhole anyway).
#include "ttsim.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "hcq/error.hpp"
#include "kmd-free/pci_sim.hpp"
#include "log.hpp"
#include "window_chip.hpp"

namespace hcq::tt {

namespace {

constexpr uint32_t cfg_vendor_device = 0x00;  // PCI config space
constexpr uint32_t cfg_bar0_lo = 0x10;        // BAR0/2/4 are 64-bit: lo, hi pairs
constexpr uint32_t bar_flag_bits = 0xF;
constexpr uint32_t bdf_device0 = 0;           // single-chip builds expose device 0 only
constexpr uint32_t default_idle_clocks = 1000;
// Simulated host bus addresses handed to the device for our host buffers. They must be below
// Wormhole's 4 GiB - 128 KiB outbound window (chips.cpp pcie_host_window).
constexpr uint64_t host_bus_base = 0x1000'0000;
constexpr uint64_t host_bus_limit = 0xF000'0000;
constexpr uint64_t host_page = 4096;
// Window indices we use: 0 for unicast, 1 for multicast (neither is the kmd's reserved one).
constexpr uint32_t unicast_window = 0;
constexpr uint32_t multicast_window = 1;

using InitFn = void (*)();
using ConfigRd32Fn = uint32_t (*)(uint32_t, uint32_t);
using MemRdFn = void (*)(uint64_t, void*, uint32_t);
using MemWrFn = void (*)(uint64_t, const void*, uint32_t);
using ClockFn = void (*)(uint32_t);
using DmaRdCb = void (*)(uint64_t, void*, uint32_t);
using DmaWrCb = void (*)(uint64_t, const void*, uint32_t);
using SetDmaFn = void (*)(DmaRdCb, DmaWrCb);

// ---- host memory the simulated device reaches through its DMA callbacks ------------------------
// The callbacks carry no context, so the buffers of every loaded library share one registry;
// simulated bus addresses are unique across it.
struct HostMemory {
  std::mutex mutex;
  std::map<uint64_t, std::pair<std::byte*, uint64_t>> buffers;  // bus -> (cpu, size)
  uint64_t next_bus = host_bus_base;
  kmdfree::SimHost* sim_host = nullptr;  // DMA buffers of a kmd-free function over ttsim
  std::string fault;  // first bad DMA since the last check, reported by the next Chip call
};

HostMemory& host_memory() {
  static HostMemory m;
  return m;
}

std::byte* find_host(uint64_t bus, uint64_t bytes) {
  HostMemory& m = host_memory();
  auto it = m.buffers.upper_bound(bus);
  if (it == m.buffers.begin()) return m.sim_host ? m.sim_host->dma(bus, bytes) : nullptr;
  --it;
  auto [cpu, size] = it->second;
  if (bus - it->first + bytes > size) return m.sim_host ? m.sim_host->dma(bus, bytes) : nullptr;
  return cpu + (bus - it->first);
}

// The simulator calls these from inside our own libttsim_* calls, on our thread, while we hold
// no HostMemory lock (alloc/free take it only around the map).
void dma_read(uint64_t bus, void* dst, uint32_t size) {
  HostMemory& m = host_memory();
  std::lock_guard lock(m.mutex);
  if (std::byte* p = find_host(bus, size)) {
    std::memcpy(dst, p, size);
    return;
  }
  std::memset(dst, 0xFF, size);
  if (m.fault.empty()) m.fault = fmt::format("device DMA read of {} bytes at host bus 0x{:x}, outside every host buffer", size, bus);
}

void dma_write(uint64_t bus, const void* src, uint32_t size) {
  HostMemory& m = host_memory();
  std::lock_guard lock(m.mutex);
  if (std::byte* p = find_host(bus, size)) {
    std::memcpy(p, src, size);
    return;
  }
  if (m.fault.empty()) m.fault = fmt::format("device DMA write of {} bytes at host bus 0x{:x}, outside every host buffer", size, bus);
}

// ---- one loaded libttsim.so ------------------------------------------------------------------
struct Library {
  std::string path;
  void* handle = nullptr;
  ConfigRd32Fn config_rd32 = nullptr;
  MemRdFn mem_rd = nullptr;
  MemWrFn mem_wr = nullptr;
  ClockFn clock = nullptr;
  uint64_t bar_base[3] = {};  // BAR0, BAR2, BAR4 simulator-physical bases
  const ChipTable* table = nullptr;  // null: a chip we have no table for (refused at open)
  uint32_t pci_id = 0;
  bool in_use = false;
};

std::mutex& libraries_mutex() {
  static std::mutex m;
  return m;
}

std::map<std::string, std::unique_ptr<Library>>& libraries() {
  static std::map<std::string, std::unique_ptr<Library>> libs;
  return libs;
}

template <typename Fn>
Fn symbol(void* handle, const std::string& path, const char* name) {
  void* s = dlsym(handle, name);
  if (!s) {
    throw Error(Errc::not_found, "tt ttsim:" + path, "ttsim",
                fmt::format("{} does not export {}: is it a libttsim.so from tenstorrent/ttsim?", path, name));
  }
  return reinterpret_cast<Fn>(s);
}

// Loads and initialises the library; once initialised it stays cached even when we then refuse
// the chip, since libttsim_init may not be called twice in a process.
std::unique_ptr<Library> load(const std::string& path) {
  const std::string who = "tt ttsim:" + path;
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    throw Error(Errc::not_found, who, "ttsim",
                fmt::format("cannot load {}: {}. Build it from tenstorrent/ttsim (./make.py :build) and point "
                            "HCQ_TTSIM or tt:ttsim:<path> at src/_out/release_wh/libttsim.so or release_bh",
                            path, dlerror()));
  }
  auto lib = std::make_unique<Library>();
  lib->path = path;
  lib->handle = h;
  SetDmaFn set_dma = nullptr;
  InitFn init = nullptr;
  try {
    set_dma = symbol<SetDmaFn>(h, path, "libttsim_set_pci_dma_mem_callbacks");
    init = symbol<InitFn>(h, path, "libttsim_init");
    lib->config_rd32 = symbol<ConfigRd32Fn>(h, path, "libttsim_pci_config_rd32");
    lib->mem_rd = symbol<MemRdFn>(h, path, "libttsim_pci_mem_rd_bytes");
    lib->mem_wr = symbol<MemWrFn>(h, path, "libttsim_pci_mem_wr_bytes");
    lib->clock = symbol<ClockFn>(h, path, "libttsim_clock");
  } catch (...) {
    dlclose(h);  // not initialised yet: safe to unload
    throw;
  }
  set_dma(dma_read, dma_write);  // must precede init
  init();

  uint32_t id = lib->config_rd32(bdf_device0, cfg_vendor_device);
  lib->pci_id = id;
  lib->table = chip_for_pci(static_cast<uint16_t>(id & 0xFFFF), static_cast<uint16_t>(id >> 16));
  for (int i = 0; i < 3; ++i) {
    uint32_t lo = lib->config_rd32(bdf_device0, cfg_bar0_lo + 8 * i);
    uint32_t hi = lib->config_rd32(bdf_device0, cfg_bar0_lo + 8 * i + 4);
    lib->bar_base[i] = (uint64_t{hi} << 32) | (lo & ~bar_flag_bits);
  }
  return lib;
}

int bar_slot(int bar) { return bar / 2; }  // BAR0, BAR2, BAR4 -> 0, 1, 2
void release(Library& lib);

class TtsimBars final : public BarIo {
 public:
  explicit TtsimBars(Library& lib) : lib_(lib) {}
  void write(int bar, uint64_t offset, const void* src, size_t bytes) override {
    check(bar, offset, bytes);
    lib_.mem_wr(lib_.bar_base[bar_slot(bar)] + offset, src, static_cast<uint32_t>(bytes));
  }
  void read(int bar, uint64_t offset, void* dst, size_t bytes) override {
    check(bar, offset, bytes);
    lib_.mem_rd(lib_.bar_base[bar_slot(bar)] + offset, dst, static_cast<uint32_t>(bytes));
  }

 private:
  // The simulator ends the process on a bad access, so catch ours before it sees them.
  void check(int bar, uint64_t offset, size_t bytes) const {
    uint64_t size = (bar == 0 || bar == 2 || bar == 4) ? lib_.table->bar_size[bar_slot(bar)] : 0;
    if (bytes == 0 || bytes > UINT32_MAX || offset + bytes > size) {
      throw Error(Errc::internal, "tt ttsim:" + lib_.path, "BAR",
                  fmt::format("access of {} bytes at BAR{} + 0x{:x} is outside the BAR (0x{:x} bytes)", bytes, bar,
                              offset, size));
    }
  }
  Library& lib_;
};

class TtsimChip final : public WindowChip {
 public:
  TtsimChip(Library& lib, std::unique_ptr<TtsimBars> bars)
      : WindowChip(*lib.table, "tt ttsim:" + lib.path, Harvesting{}, make_bar_window(*bars, *lib.table, unicast_window),
                   make_bar_window(*bars, *lib.table, multicast_window)),
        lib_(lib),
        bars_(std::move(bars)) {}
  ~TtsimChip() override { release(lib_); }

  void idle() noexcept override { lib_.clock(idle_clocks_); }

  HostBuffer alloc_host(uint64_t size) override {
    HostMemory& m = host_memory();
    uint64_t rounded = (size + host_page - 1) & ~(host_page - 1);
    std::lock_guard lock(m.mutex);
    if (size == 0 || m.next_bus + rounded > host_bus_limit) {
      throw Error(Errc::out_of_memory, name(), "host memory",
                  fmt::format("cannot map {} bytes of host memory for the simulated device ({} bytes of simulated "
                              "bus space left); free host buffers first",
                              size, host_bus_limit - m.next_bus));
    }
    auto* cpu = static_cast<std::byte*>(std::aligned_alloc(host_page, rounded));
    if (!cpu) throw Error(Errc::out_of_memory, name(), "host memory", fmt::format("aligned_alloc({}) failed", rounded));
    std::memset(cpu, 0, rounded);
    uint64_t bus = m.next_bus;
    m.next_bus += rounded;
    m.buffers[bus] = {cpu, size};
    return HostBuffer{cpu, size, table().pcie[0], table().pcie_host_noc_base + bus};
  }

  void free_host(const HostBuffer& buffer) noexcept override {
    HostMemory& m = host_memory();
    std::lock_guard lock(m.mutex);
    uint64_t bus = buffer.noc_address - table().pcie_host_noc_base;
    auto it = m.buffers.find(bus);
    if (it == m.buffers.end() || it->second.first != buffer.cpu) return;
    uint64_t rounded = (it->second.second + host_page - 1) & ~(host_page - 1);
    if (bus + rounded == m.next_bus) m.next_bus = bus;  // give back the top of the bump range
    std::free(it->second.first);
    m.buffers.erase(it);
  }

  void set_idle_clocks(uint32_t clocks) noexcept { idle_clocks_ = clocks ? clocks : 1; }

 protected:
  void check_transport() override {
    HostMemory& m = host_memory();
    std::string fault;
    {
      std::lock_guard lock(m.mutex);
      fault.swap(m.fault);
    }
    if (!fault.empty()) {
      throw Error(Errc::device_lost, name(), "DMA",
                  fault + ": a kernel or the copy engine used a stale or wrong host address; check the NOC "
                          "address it was given (alloc_host().noc_address)");
    }
  }

 private:
  Library& lib_;
  std::unique_ptr<TtsimBars> bars_;
  uint32_t idle_clocks_ = default_idle_clocks;
};


// The loaded library for `so_path`, marked in use; throws when it is taken or not a chip we know.
Library& acquire(const std::string& so_path) {
  std::lock_guard lock(libraries_mutex());
  auto& libs = libraries();
  auto it = libs.find(so_path);
  if (it == libs.end()) it = libs.emplace(so_path, load(so_path)).first;
  Library& lib = *it->second;
  if (!lib.table) {
    throw Error(Errc::unsupported, "tt ttsim:" + so_path, "ttsim",
                fmt::format("simulated PCI id {:04x}:{:04x} is neither Wormhole B0 (1e52:401e) nor Blackhole "
                            "(1e52:b140); use the wh or bh build of ttsim",
                            lib.pci_id & 0xFFFF, lib.pci_id >> 16));
  }
  if (lib.in_use) {
    throw Error(Errc::busy, "tt ttsim:" + so_path, "ttsim",
                "this simulator is already open in this process (libttsim is a single-instance library); close "
                "the other Chip first");
  }
  lib.in_use = true;
  return lib;
}

void release(Library& lib) {
  std::lock_guard lock(libraries_mutex());
  lib.in_use = false;
}

class TtsimPciModel final : public kmdfree::SimModel {
 public:
  explicit TtsimPciModel(Library& lib) : lib_(lib) {}
  ~TtsimPciModel() override {
    {
      std::lock_guard lock(host_memory().mutex);
      host_memory().sim_host = nullptr;
    }
    release(lib_);
  }
  kmdfree::PciIdentity identity() const override {
    kmdfree::PciIdentity id;
    id.vendor = lib_.table->pci_vendor;
    id.device = lib_.table->pci_device;
    return id;
  }
  std::vector<kmdfree::SimBarSpec> bars() const override {
    std::vector<kmdfree::SimBarSpec> b;
    for (int slot = 0; slot < 3; ++slot) b.push_back({2 * slot, lib_.table->bar_size[slot], false});
    return b;
  }
  void attach(kmdfree::SimHost& host) override {
    std::lock_guard lock(host_memory().mutex);
    host_memory().sim_host = &host;
  }
  uint32_t read32(int bar, uint64_t offset) override {
    uint32_t v = 0;
    lib_.mem_rd(lib_.bar_base[bar_slot(bar)] + offset, &v, sizeof v);
    return v;
  }
  void write32(int bar, uint64_t offset, uint32_t value) override {
    lib_.mem_wr(lib_.bar_base[bar_slot(bar)] + offset, &value, sizeof value);
  }
  std::byte* memory(int) override { return nullptr; }
  void reset() override {}  // ttsim has no reset: the function keeps its state

 private:
  Library& lib_;
};

}  // namespace

std::unique_ptr<Chip> open_ttsim(const std::string& so_path) {
  Library& lib = acquire(so_path);
  try {
    auto bars = std::make_unique<TtsimBars>(lib);
    auto chip = std::make_unique<TtsimChip>(lib, std::move(bars));
    log::device("tt", chip->name())->info("opened {} in ttsim ({})", lib.table->name, so_path);
    return chip;
  } catch (...) {
    release(lib);
    throw;
  }
}

std::unique_ptr<kmdfree::SimModel> ttsim_pci_model(const std::string& so_path) {
  return std::make_unique<TtsimPciModel>(acquire(so_path));
}

}  // namespace hcq::tt
