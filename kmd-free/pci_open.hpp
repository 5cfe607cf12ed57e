// Opening PCI functions: by transport, by one spec string, and finding them in sysfs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device_lock.hpp"
#include "pci_device.hpp"

namespace hcq::kmdfree {

inline constexpr const char* default_sysfs_root = "/sys/bus/pci/devices";

struct OpenOptions {
  std::string sysfs_root = default_sysfs_root;  // tests point this at a fake tree
  std::string lock_dir = default_lock_dir;
  std::string pagemap = "/proc/self/pagemap";   // DMA bus addresses without an IOMMU
  std::string vfio_dir = "/dev/vfio";
  // A function bound to a kernel driver is refused (busy) unless this is set; then it is unbound
  // from that driver first.
  bool unbind_driver = false;
  // Bit i: map BAR i write-combined (resource<i>_wc; sysfs only, where the kernel offers it).
  unsigned write_combining_bars = 0;
};

// "0000:03:00.0" or "03:00.0" through sysfs resourceN files (root; no IOMMU protection);
// "vfio:0000:03:00.0" through VFIO; "sim:<model>" opens a registered device model. Throws
// hcq::Error (invalid_argument) for anything else.
std::unique_ptr<PciDevice> open_pci(std::string_view spec, const OpenOptions& options = {});
std::unique_ptr<PciDevice> open_sysfs(const PciAddress& address, const OpenOptions& options = {});
std::unique_ptr<PciDevice> open_vfio(const PciAddress& address, const OpenOptions& options = {});

// A function as sysfs lists it.
struct PciFunction {
  PciAddress address;
  PciIdentity identity;
  std::string driver;  // bound kernel driver, empty when none
};

// What to list: every field that is set must match. `class_mask` selects the bits of the 24-bit
// class code that are compared (0xff0000: base class only).
struct PciMatch {
  std::optional<uint16_t> vendor;
  std::optional<uint16_t> device;
  std::optional<uint32_t> class_code;
  uint32_t class_mask = 0xffffff;
};

// Functions under `sysfs_root` that match, sorted by address. Entries that are not PCI
// addresses or whose identity files are unreadable are skipped; a missing root gives none.
std::vector<PciFunction> enumerate_pci(const PciMatch& match = {}, const std::string& sysfs_root = default_sysfs_root);

}  // namespace hcq::kmdfree
