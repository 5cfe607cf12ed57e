// A simulated PCI function: every BAR access calls into an in-process device model.
//
// Device models (am/sim/ for gfx1100, later others) implement SimModel; SimPciDevice is the
// PciDevice a driver opens for "sim:<model>" URIs. DMA buffers get simulated bus addresses from a
// private range, and the model reaches them through SimHost::dma(), the way a real device's DMA
// engine reaches host memory through the IOMMU: an address nobody allocated is a fault, never a
// stray host access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pci_device.hpp"

namespace hcq::kmdfree {

// What SimPciDevice offers the model behind it.
class SimHost {
 public:
  virtual ~SimHost() = default;
  // Host memory at bus address [bus, bus + bytes), or null when any of it is not inside one DMA
  // buffer the driver allocated (the model turns that into its own fault).
  virtual std::byte* dma(uint64_t bus, uint64_t bytes) noexcept = 0;
  // Raises interrupt `vector` (wakes wait_interrupt()).
  virtual void interrupt(uint32_t vector) noexcept = 0;
};

struct SimBarSpec {
  int index = 0;
  uint64_t size = 0;
  // Memory-backed BARs (VRAM) are plain memory owned by the model: SimPciDevice hands out
  // direct() pointers into it and the model is not called per access. Register BARs call
  // read/write for every access.
  bool memory_backed = false;
};

class SimModel {
 public:
  virtual ~SimModel() = default;
  virtual PciIdentity identity() const = 0;
  virtual std::vector<SimBarSpec> bars() const = 0;
  // Called once by SimPciDevice before any other access.
  virtual void attach(SimHost& host) = 0;

  // Config space beyond the identity (capabilities, command register): a plain 256-byte array
  // unless the model overrides these.
  virtual uint32_t config_read(uint32_t offset, int width);
  virtual void config_write(uint32_t offset, uint32_t value, int width);

  // Register BAR accesses. May be called from several threads; the model locks as it needs.
  virtual uint32_t read32(int bar, uint64_t offset) = 0;
  virtual void write32(int bar, uint64_t offset, uint32_t value) = 0;
  // 64-bit accesses (doorbells) by default are two 32-bit ones, low half first.
  virtual uint64_t read64(int bar, uint64_t offset);
  virtual void write64(int bar, uint64_t offset, uint64_t value);
  // The memory of a memory-backed BAR.
  virtual std::byte* memory(int bar) = 0;

  // A function-level reset: back to power-on state (memory contents may survive, as VRAM does).
  virtual void reset() = 0;

 protected:
  std::byte config_[256] = {};
};

// Models by name, for "sim:<name>" URIs. Each model's library registers itself (see
// am/sim/register.cpp); no global constructors: the registry is filled by explicit calls.
struct SimModelInfo {
  std::string name;         // "gfx1100"
  std::string description;  // "AMD Radeon RX 7900 XTX (Navi 31) device model"
  std::function<std::unique_ptr<SimModel>(const std::vector<std::pair<std::string, std::string>>& options)> create;
};
void register_sim_model(SimModelInfo info);
const std::vector<SimModelInfo>& sim_models();

// Opens a simulated function at a made-up address in domain 0xffff (so it never collides with a
// real one), e.g. ffff:00:00.0 for the first.
std::unique_ptr<PciDevice> open_sim(std::unique_ptr<SimModel> model);

}  // namespace hcq::kmdfree
