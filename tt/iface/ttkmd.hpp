// tt-kmd transport: /dev/tenstorrent/N through the driver's ioctls (iface/ttkmd_abi.hpp). The
// driver owns the TLB config registers: we allocate windows (ALLOCATE_TLB), point them
// (CONFIGURE_TLB), and access them through their mmap. Untested on hardware (none here): the
// pieces below that need no device are unit-tested.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "chip.hpp"
#include "chips.hpp"
#include "iface/ttkmd_abi.hpp"
#include "tlb.hpp"

namespace hcq::tt {

// Opens /dev/tenstorrent/`index` (O_APPEND: no implicit power request), requests Tensix power
// and full clocks, and takes two TLB windows. Throws hcq::Error: not_found (no node: is tt-kmd
// loaded?), unsupported (driver API too old, unknown chip), io.
std::unique_ptr<Chip> open_ttkmd(uint32_t index);

// Asks the driver for a reset (kmd::ResetFlags) on an open node and returns the driver's result;
// throws hcq::Error(io) when the ioctl fails. The full sequence (reset, wait for the link, find the
// new node by PCI address, POST_RESET) is described in docs/tt.md; tt-kmd's tools/reset.c does it.
uint32_t ttkmd_reset(int fd, kmd::ResetFlags flags);

namespace ttkmd_detail {
std::string device_node(uint32_t index);  // "/dev/tenstorrent/N"
// The driver's window config for `config`, after checking it against the chip's layout exactly as
// our own register packing does (so BH static_vc etc. are refused before the ioctl).
kmd::NocTlbConfig noc_tlb_config(const ChipTable& chip, const TlbKind& kind, const TlbConfig& config);
// SET_POWER_STATE argument asking for `flags` (kmd::PowerFlags).
kmd::PowerState power_request(uint16_t flags);
// "0000:01:00.0" from GET_DEVICE_INFO.
std::string pci_name(const kmd::GetDeviceInfo::Out& info);
}  // namespace ttkmd_detail

}  // namespace hcq::tt
