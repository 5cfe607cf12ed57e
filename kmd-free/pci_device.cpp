// The parts of the PciDevice interface that every transport shares: addresses, bus mastering,
// config-space argument checks.
#include "pci_device.hpp"

#include <charconv>

#include <fmt/format.h>

#include "hcq/error.hpp"
#include "pci_common.hpp"
#include "pci_regs.hpp"

namespace hcq::kmdfree {

namespace {

constexpr unsigned max_device = 0x1f;
constexpr unsigned max_function = 7;
constexpr size_t domain_digits = 4;
constexpr size_t bus_digits = 2;
constexpr size_t device_digits = 2;

// Exactly `digits` hex digits at the front of `text`, consumed; nullopt otherwise.
std::optional<unsigned> take_hex(std::string_view& text, size_t digits) {
  if (text.size() < digits) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value, 16);
  if (ec != std::errc() || end != text.data() + digits) return std::nullopt;
  text.remove_prefix(digits);
  return value;
}

bool take_char(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<PciAddress> PciAddress::parse(std::string_view text) noexcept {
  PciAddress a;
  // "bb:dd.f" has its first ':' at index 2, "dddd:bb:dd.f" at index 4.
  if (text.find(':') == domain_digits) {
    auto domain = take_hex(text, domain_digits);
    if (!domain || !take_char(text, ':')) return std::nullopt;
    a.domain = static_cast<uint16_t>(*domain);
  }
  auto bus = take_hex(text, bus_digits);
  if (!bus || !take_char(text, ':')) return std::nullopt;
  auto device = take_hex(text, device_digits);
  if (!device || *device > max_device || !take_char(text, '.')) return std::nullopt;
  auto function = take_hex(text, 1);
  if (!function || *function > max_function || !text.empty()) return std::nullopt;
  a.bus = static_cast<uint8_t>(*bus);
  a.device = static_cast<uint8_t>(*device);
  a.function = static_cast<uint8_t>(*function);
  return a;
}

std::string PciAddress::str() const { return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", domain, bus, device, function); }

void PciDevice::set_bus_master(bool enable) {
  uint32_t command = config_read(pci_regs::command, 2);
  uint32_t updated = enable ? (command | pci_regs::command_master) : (command & ~uint32_t{pci_regs::command_master});
  if (updated != command) config_write(pci_regs::command, updated, 2);
}

namespace detail {

std::string error_device(std::string_view transport, const PciAddress& address) {
  return fmt::format("{} {}", transport, address.str());
}

void check_config_access(std::string_view device, uint32_t offset, int width, uint32_t limit) {
  if (width != 1 && width != 2 && width != 4) {
    throw Error(Errc::invalid_argument, std::string(device), "pci", fmt::format("config access width {} (must be 1, 2 or 4)", width));
  }
  if (offset % static_cast<uint32_t>(width) != 0 || offset >= limit || limit - offset < static_cast<uint32_t>(width)) {
    throw Error(Errc::invalid_argument, std::string(device), "pci",
                fmt::format("config access of {} bytes at 0x{:x}: must be aligned and below 0x{:x}", width, offset, limit));
  }
}

uint32_t config_field(const uint8_t* bytes, uint32_t offset, int width) noexcept {
  uint32_t value = 0;
  for (int i = 0; i < width; ++i) value |= uint32_t{bytes[offset + i]} << (8 * i);
  return value;
}

void set_config_field(uint8_t* bytes, uint32_t offset, uint32_t value, int width) noexcept {
  for (int i = 0; i < width; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

PciIdentity identity_from_config(const uint8_t* header, size_t bytes) {
  constexpr size_t identity_bytes = pci_regs::subsystem_id + 2;
  PciIdentity id;
  if (bytes < identity_bytes) return id;
  id.vendor = static_cast<uint16_t>(config_field(header, pci_regs::vendor_id, 2));
  id.device = static_cast<uint16_t>(config_field(header, pci_regs::device_id, 2));
  id.revision = static_cast<uint8_t>(config_field(header, pci_regs::revision_id, 1));
  id.class_code = config_field(header, pci_regs::class_prog, 3);
  id.subsystem_vendor = static_cast<uint16_t>(config_field(header, pci_regs::subsystem_vendor_id, 2));
  id.subsystem_device = static_cast<uint16_t>(config_field(header, pci_regs::subsystem_id, 2));
  return id;
}

}  // namespace detail

}  // namespace hcq::kmdfree
