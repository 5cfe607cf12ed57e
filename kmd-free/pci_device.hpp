// A PCI function driven from userspace: config space, BARs, DMA-able host memory, interrupts, reset.
//
// Transports only: this knows PCI, not GPUs. Implementations (pci_sysfs.cpp, pci_vfio.cpp,
// pci_sim.cpp) differ in how they reach the function; drivers (am/, tt/) see only this interface.
// Register reads and writes go through `Bar` so that a simulated function's model sees every
// access; on real hardware a Bar is a mapped `resourceN` and the calls are volatile loads/stores.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hcq::kmdfree {

// domain:bus:device.function
struct PciAddress {
  uint16_t domain = 0;
  uint8_t bus = 0;
  uint8_t device = 0;
  uint8_t function = 0;

  // "0000:03:00.0" or "03:00.0" (domain 0); nullopt for anything else.
  static std::optional<PciAddress> parse(std::string_view text) noexcept;
  std::string str() const;  // always "dddd:bb:dd.f"
  auto operator<=>(const PciAddress&) const = default;
};

// What a function says it is (config space 0x00..0x2f), read once at open.
struct PciIdentity {
  uint16_t vendor = 0;
  uint16_t device = 0;
  uint8_t revision = 0;
  uint32_t class_code = 0;  // 24 bits: base class, subclass, programming interface
  uint16_t subsystem_vendor = 0;
  uint16_t subsystem_device = 0;
};

// One memory BAR. Reads and writes are naturally aligned and at most 8 bytes; an access outside
// the BAR is a programming error (asserted in debug builds, ignored in release).
class Bar {
 public:
  virtual ~Bar() = default;
  virtual uint64_t size() const noexcept = 0;
  virtual uint32_t read32(uint64_t offset) noexcept = 0;
  virtual void write32(uint64_t offset, uint32_t value) noexcept = 0;
  virtual uint64_t read64(uint64_t offset) noexcept = 0;
  virtual void write64(uint64_t offset, uint64_t value) noexcept = 0;
  // Bulk copies (VRAM through a large BAR, firmware uploads): the fastest way the transport has.
  virtual void read(uint64_t offset, void* dst, size_t bytes) noexcept = 0;
  virtual void write(uint64_t offset, const void* src, size_t bytes) noexcept = 0;
  // A CPU pointer to the BAR where plain loads and stores reach it (a real mapping, or a
  // simulated BAR that is only memory, such as VRAM); null where every access must go through
  // the calls above (a simulated register BAR).
  virtual std::byte* direct() noexcept = 0;
};

// Host memory the device can reach by DMA. `bus_address(offset)` is what the device must be
// given (an IOVA under VFIO, a physical address without an IOMMU, a simulated bus address).
class DmaBuffer {
 public:
  virtual ~DmaBuffer() = default;
  virtual std::byte* cpu() noexcept = 0;
  virtual uint64_t size() const noexcept = 0;
  // Bus address of the byte at `offset`. Pages are 4 KiB; a contiguous buffer has
  // bus_address(o) == bus_address(0) + o for every o.
  virtual uint64_t bus_address(uint64_t offset) const noexcept = 0;
  virtual bool contiguous() const noexcept = 0;
};

enum class ResetKind {
  function,   // FLR or the kernel's chosen method (sysfs `reset`)
  bus,        // secondary bus reset of the parent bridge
};

class PciDevice {
 public:
  virtual ~PciDevice() = default;

  virtual const PciAddress& address() const noexcept = 0;
  virtual const PciIdentity& identity() const noexcept = 0;
  // "sysfs", "vfio", "sim": for messages and hcq-smi.
  virtual std::string_view transport() const noexcept = 0;

  // Config space; `width` is 1, 2 or 4 and `offset` is aligned to it. Throws hcq::Error (io) when
  // the transport cannot reach config space.
  virtual uint32_t config_read(uint32_t offset, int width) = 0;
  virtual void config_write(uint32_t offset, uint32_t value, int width) = 0;

  // Memory BARs by index (0..5). Throws hcq::Error (not_found) for an index that is not a
  // memory BAR; the first call maps it, later calls return the same object.
  virtual Bar& bar(int index) = 0;
  virtual bool has_bar(int index) const noexcept = 0;
  virtual uint64_t bar_size(int index) const noexcept = 0;  // 0 when absent

  // DMA-able host memory. `contiguous` asks for one physically (or IOVA-) contiguous range;
  // throws hcq::Error (out_of_memory / unsupported) when the transport cannot provide it.
  virtual std::unique_ptr<DmaBuffer> alloc_dma(uint64_t size, bool contiguous) = 0;

  // Interrupts (MSI/MSI-X through VFIO eventfds, or a simulated line). Transports without them
  // return false from has_interrupts() and drivers poll.
  virtual bool has_interrupts() const noexcept = 0;
  // Waits for interrupt vector `vector`; true when it fired, false on timeout.
  virtual bool wait_interrupt(uint32_t vector, std::chrono::milliseconds timeout) = 0;

  // Bus mastering (command register bit 2); drivers clear it before a reset and set it after.
  void set_bus_master(bool enable);

  // Resets the function; throws hcq::Error (unsupported) where the transport has no way to.
  virtual void reset(ResetKind kind) = 0;
};

}  // namespace hcq::kmdfree
