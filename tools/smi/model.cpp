#include "model.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace hcq::smi {

namespace {

constexpr FieldInfo catalogue[] = {
    {F::name, "name", "marketing name: the driver's own, else the PCI ID database's"},
    {F::vendor, "vendor", "amd, nvidia, tenstorrent, qualcomm or simulated"},
    {F::vendor_id, "vendor_id", "PCI vendor id"},
    {F::device_id, "device_id", "PCI device id"},
    {F::subsystem_id, "subsystem_id", "PCI subsystem vendor:device, as \"vvvv:dddd\""},
    {F::revision, "revision", "PCI revision id"},
    {F::architecture, "architecture", "chip architecture (gfx1100, Hopper, Wormhole, a7xx)"},
    {F::generation, "generation", "product generation (RDNA3, GH100, Wormhole B0)"},
    {F::driver, "driver", "who owns the device: a kernel driver's name, \"libhcq kmd-free (pid N)\" or \"none\""},
    {F::driver_version, "driver_version", "version of the owning driver"},
    {F::serial, "serial", "UUID or board serial number"},
    {F::pcie_gen_current, "pcie_gen_current", "PCIe link generation now (1-6)"},
    {F::pcie_gen_max, "pcie_gen_max", "highest PCIe generation the device supports"},
    {F::pcie_width_current, "pcie_width_current", "PCIe lanes now"},
    {F::pcie_width_max, "pcie_width_max", "PCIe lanes the device supports"},
    {F::bars, "bars", "memory BARs with sizes, \"0:16M 1:128G 3:32M\""},
    {F::numa_node, "numa_node", "NUMA node of the PCIe root port (-1: none)"},
    {F::memory_total_bytes, "memory_total_bytes", "device memory total"},
    {F::memory_used_bytes, "memory_used_bytes", "device memory in use"},
    {F::temperature_c, "temperature_c", "main die temperature (GPU core / edge / ASIC)"},
    {F::temperature_memory_c, "temperature_memory_c", "memory temperature"},
    {F::power_draw_w, "power_draw_w", "power draw now (board or socket, as the source defines it)"},
    {F::power_limit_w, "power_limit_w", "enforced power limit"},
    {F::clock_core_mhz, "clock_core_mhz", "graphics/SM/AI clock now"},
    {F::clock_core_max_mhz, "clock_core_max_mhz", "highest graphics/SM/AI clock"},
    {F::clock_memory_mhz, "clock_memory_mhz", "memory clock now"},
    {F::clock_memory_max_mhz, "clock_memory_max_mhz", "highest memory clock"},
    {F::utilization_pct, "utilization_pct", "share of time the compute/graphics engine was busy"},
    {F::utilization_memory_pct, "utilization_memory_pct", "share of time the memory controller was busy"},
    {F::fan_rpm, "fan_rpm", "fan speed"},
    {F::fan_pct, "fan_pct", "fan duty cycle"},
    {F::firmware, "firmware", "firmware versions, \"name version\" pairs separated by \", \""},
    {F::ecc_enabled, "ecc_enabled", "1 when ECC is on"},
    {F::ecc_errors_corrected, "ecc_errors_corrected", "corrected ECC errors since driver load"},
    {F::ecc_errors_uncorrected, "ecc_errors_uncorrected", "uncorrected ECC errors since driver load"},
};
static_assert(std::size(catalogue) == field_count, "every field needs a catalogue entry");

constexpr bool catalogue_in_order() {
  for (size_t i = 0; i < std::size(catalogue); ++i) {
    if (static_cast<size_t>(catalogue[i].id) != i) return false;
  }
  return true;
}
static_assert(catalogue_in_order(), "catalogue order must follow enum F");

}  // namespace

std::string_view missing_text(Missing m) {
  switch (m) {
    case Missing::not_supported: return "n/a: not supported";
    case Missing::needs_root: return "n/a: needs root";
    case Missing::device_busy: return "n/a: device busy";
    case Missing::no_driver: return "n/a: no driver";
    case Missing::read_error: return "n/a: read error";
    case Missing::simulated: return "n/a: simulated device";
  }
  return "n/a";
}

std::optional<int64_t> Value::integer() const {
  if (auto* i = std::get_if<int64_t>(&data)) return *i;
  return std::nullopt;
}

std::optional<double> Value::number() const {
  if (auto* i = std::get_if<int64_t>(&data)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&data)) return *d;
  return std::nullopt;
}

const std::string* Value::text() const { return std::get_if<std::string>(&data); }

std::string Value::missing_message() const {
  std::string s(missing_text(why));
  if (!detail.empty()) s += fmt::format(" ({})", detail);
  return s;
}

std::span<const FieldInfo> fields() { return catalogue; }

const FieldInfo& info(F f) { return catalogue[static_cast<size_t>(f)]; }

std::optional<F> field_by_key(std::string_view key) {
  for (const auto& f : catalogue) {
    if (f.key == key) return f.id;
  }
  return std::nullopt;
}

std::string_view vendor_text(Vendor v) {
  switch (v) {
    case Vendor::amd: return "amd";
    case Vendor::nvidia: return "nvidia";
    case Vendor::tenstorrent: return "tenstorrent";
    case Vendor::qualcomm: return "qualcomm";
    case Vendor::simulated: return "simulated";
  }
  return "?";
}

void Record::put(F f, Value v) {
  Value& cur = at(f);
  if (cur.present()) return;
  if (auto* d = std::get_if<double>(&v.data); d && !std::isfinite(*d)) {
    v = Value::none(Missing::read_error, v.source, "not a finite number");
  }
  cur = std::move(v);
}

}  // namespace hcq::smi
