// PCI configuration space offsets and bits this folder uses. Facts from the PCI Local Bus
// Specification 3.0 (type 0 header) and PCI Express Base Specification (extended space), as the
// Linux UAPI header include/uapi/linux/pci_regs.h also names them; written here in our own table.
#pragma once

#include <cstdint>

namespace hcq::kmdfree::pci_regs {

inline constexpr uint32_t vendor_id = 0x00;         // 16 bits
inline constexpr uint32_t device_id = 0x02;         // 16 bits
inline constexpr uint32_t command = 0x04;           // 16 bits
inline constexpr uint32_t revision_id = 0x08;       // 8 bits
inline constexpr uint32_t class_prog = 0x09;        // 24 bits: prog-if, subclass, base class (low to high)
inline constexpr uint32_t header_type = 0x0e;       // 8 bits
inline constexpr uint32_t base_address_0 = 0x10;    // six dwords
inline constexpr uint32_t subsystem_vendor_id = 0x2c;
inline constexpr uint32_t subsystem_id = 0x2e;

inline constexpr uint16_t command_memory = 1u << 1;      // memory space enable
inline constexpr uint16_t command_master = 1u << 2;      // bus master enable
inline constexpr uint16_t command_intx_disable = 1u << 10;

inline constexpr uint32_t legacy_size = 256;         // conventional config space
inline constexpr uint32_t extended_size = 4096;      // PCI Express extended config space
inline constexpr int bar_count = 6;

}  // namespace hcq::kmdfree::pci_regs
