// PCI discovery for hcq-smi: which functions are accelerators, their ids and BARs (libpciaccess
// on the machine itself, the sysfs tree under --sysfs-root otherwise), their names (the PCI ID
// database, then our chip table) and the link, NUMA and driver facts only sysfs has.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fs.hpp"
#include "model.hpp"

namespace hcq::smi {

struct Bar {
  int index = 0;
  uint64_t size = 0;
  bool io = false;
  bool prefetchable = false;
  bool is64 = false;
};

struct PciFunction {
  std::string bdf;  // "0000:01:00.0"
  uint16_t vendor_id = 0, device_id = 0, subvendor_id = 0, subdevice_id = 0;
  uint8_t revision = 0;
  uint32_t class_code = 0;  // 24 bits: class, subclass, prog-if
  std::vector<Bar> bars;    // present BARs only
  std::string source;       // "libpciaccess" or "sysfs"
};

// Every PCI function under <sys>/bus/pci/devices. A function whose ids cannot be read is skipped
// and named in `problems`.
std::vector<PciFunction> scan_sysfs(const Roots& roots, std::vector<std::string>* problems = nullptr);
// Every PCI function libpciaccess sees (always the real /sys). Throws hcq::Error when
// pci_system_init fails.
std::vector<PciFunction> scan_pciaccess();

// The vendor of an accelerator function, or nullopt for anything else (audio functions, bridges,
// NVSwitches, other vendors).
std::optional<Vendor> accelerator_vendor(const PciFunction& f);

// "0:16M 1:128G(64,pf) 3:32M"
std::string bars_text(const std::vector<Bar>& bars);
// "32.0 GT/s PCIe" -> 5; nullopt for an unknown rate.
std::optional<int> pcie_gen_from_speed(std::string_view speed);

// Names from a pci.ids file (Debian's pci.ids package).
struct PciNames {
  std::optional<std::string> vendor, device, subsystem;
};
PciNames lookup_pci_ids(const std::string& path, uint16_t vendor, uint16_t device, uint16_t subvendor,
                        uint16_t subdevice, std::string* problem = nullptr);

// Our chip table (tools/smi/pci.cpp): architecture and generation by vendor and device id, for
// chips the PCI ID database lacks or names without the architecture.
struct ChipInfo {
  std::string architecture;  // "Hopper", "gfx1100", "Wormhole"
  std::string generation;    // "GH100", "RDNA3", "Wormhole B0"
  std::string name;          // fallback name when pci.ids has none
};
std::optional<ChipInfo> chip_info(uint16_t vendor, uint16_t device, const std::string& pci_ids_device_name);

// Fills a record's identity and bus fields: ids, BARs, pci.ids names, chip table, link gen and
// width, NUMA node and the owning kernel driver (or a kmd-free lock holder, or "none").
void read_pci(const Roots& roots, const PciFunction& f, Record& r);

}  // namespace hcq::smi
