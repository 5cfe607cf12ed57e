// Helpers shared by the transports (not part of the driver-facing interface).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pci_device.hpp"

namespace hcq::kmdfree::detail {

// "<transport> <bdf>", the device field of every hcq::Error a transport throws.
std::string error_device(std::string_view transport, const PciAddress& address);

// Throws hcq::Error (invalid_argument) unless `width` is 1, 2 or 4, `offset` is aligned to it and
// the access lies below `limit`.
void check_config_access(std::string_view device, uint32_t offset, int width, uint32_t limit);

// The identity fields of a type 0 header from its first 0x30 bytes.
PciIdentity identity_from_config(const uint8_t* header, size_t bytes);

// Little-endian field of `width` bytes at `offset` in a config image.
uint32_t config_field(const uint8_t* bytes, uint32_t offset, int width) noexcept;
void set_config_field(uint8_t* bytes, uint32_t offset, uint32_t value, int width) noexcept;

}  // namespace hcq::kmdfree::detail

namespace hcq::kmdfree::detail {

// A sysfs attribute's text without the trailing newline; nullopt when it cannot be read.
std::optional<std::string> read_text(const std::string& path);
// "0x1002" / "1002" (hex) as sysfs writes ids; nullopt for anything else.
std::optional<uint64_t> parse_hex(std::string_view text);
// vendor/device/class/revision/subsystem_* of a function's sysfs directory.
std::optional<PciIdentity> read_sysfs_identity(const std::string& dir);
// The kernel driver bound to the function (the `driver` link's target name), empty when none.
std::string bound_driver(const std::string& dir);
// Writes `text` to a sysfs attribute; the errno on failure, 0 on success.
int write_text(const std::string& path, std::string_view text);

}  // namespace hcq::kmdfree::detail
