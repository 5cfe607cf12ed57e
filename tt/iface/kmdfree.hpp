// kmd-free transport: the chip's BARs through kmdfree::PciDevice (sysfs resource files or VFIO),
// with the TLB config registers programmed by us instead of tt-kmd.
#pragma once

#include <memory>
#include <string>

#include "chip.hpp"

namespace hcq::kmdfree {
class PciDevice;
}

namespace hcq::tt {

// Takes over `device` (a Wormhole B0 or Blackhole function). Throws hcq::Error (unsupported) for
// another chip, or a BAR0 smaller than the TLB windows need.
std::unique_ptr<Chip> open_kmdfree(std::unique_ptr<kmdfree::PciDevice> device);
// By kmd-free spec: "0000:01:00.0" (sysfs resource files) or "vfio:0000:01:00.0".
std::unique_ptr<Chip> open_kmdfree(const std::string& pci_spec);

}  // namespace hcq::tt
