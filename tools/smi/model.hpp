// hcq-smi's data model: one record per accelerator, a fixed catalogue of fields, and for every
// field either a value or the reason there is none, always with the source it came from.
//
// Readers (pci.cpp, procs.cpp, one file per vendor) fill records; output.cpp prints them. The
// catalogue below is the JSON/CSV schema: docs/smi.md documents it, and its order is the CSV
// column order. Units are in the key (`_c`, `_w`, `_mhz`, `_bytes`, `_pct`).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hcq::smi {

inline constexpr int schema_version = 2;

// Why a field has no value. The text is what users see ("n/a: needs root").
enum class Missing {
  not_supported,  // the device, driver or our reader does not provide it
  needs_root,     // the source exists but the OS refused us (EACCES/EPERM)
  device_busy,    // the device or driver answered "busy" (EBUSY/EAGAIN, RM in use)
  no_driver,      // no kernel driver (and not this stack) owns the device, so nobody can say
  read_error,     // the source exists but could not be read or parsed; the detail says how
  simulated,      // a simulated device has no such sensor
};
std::string_view missing_text(Missing m);

struct Value {
  std::variant<std::monostate, int64_t, double, std::string> data;
  std::string source;  // "sysfs", "hwmon", "rm", "nvml", "pci.ids", "proc", ...
  Missing why = Missing::not_supported;
  std::string detail;  // for a missing value: what was tried ("no power1_average in hwmon3")

  bool present() const noexcept { return !std::holds_alternative<std::monostate>(data); }
  std::optional<int64_t> integer() const;
  std::optional<double> number() const;  // integers too
  const std::string* text() const;
  // "n/a: needs root" plus the detail in parentheses when there is one.
  std::string missing_message() const;

  static Value of(int64_t v, std::string source) { return {v, std::move(source), {}, {}}; }
  static Value of(double v, std::string source) { return {v, std::move(source), {}, {}}; }
  static Value of(std::string v, std::string source) { return {std::move(v), std::move(source), {}, {}}; }
  static Value none(Missing why, std::string source, std::string detail = {}) {
    return {std::monostate{}, std::move(source), why, std::move(detail)};
  }
};

// The catalogue. Add a field here, in fields[] below and in docs/smi.md; nowhere else.
enum class F : uint8_t {
  name,
  vendor,
  vendor_id,
  device_id,
  subsystem_id,
  revision,
  architecture,
  generation,
  driver,
  driver_version,
  serial,
  pcie_gen_current,
  pcie_gen_max,
  pcie_width_current,
  pcie_width_max,
  bars,
  numa_node,
  memory_total_bytes,
  memory_used_bytes,
  temperature_c,
  temperature_memory_c,
  power_draw_w,
  power_limit_w,
  clock_core_mhz,
  clock_core_max_mhz,
  clock_memory_mhz,
  clock_memory_max_mhz,
  utilization_pct,
  utilization_memory_pct,
  fan_rpm,
  fan_pct,
  firmware,
  ecc_enabled,
  ecc_errors_corrected,
  ecc_errors_uncorrected,
  count_,
};
inline constexpr size_t field_count = static_cast<size_t>(F::count_);

struct FieldInfo {
  F id;
  std::string_view key;  // JSON key and --fields name
  std::string_view help;
};
std::span<const FieldInfo> fields();
const FieldInfo& info(F f);
// The field named `key`, or nullopt.
std::optional<F> field_by_key(std::string_view key);

enum class Vendor { amd, nvidia, tenstorrent, qualcomm, simulated };
std::string_view vendor_text(Vendor v);

struct Process {
  int64_t pid = 0;
  std::string name;  // /proc/PID/comm
  std::string user;  // from /proc/PID/status Uid, numeric when there is no passwd entry
  std::string node;  // what it holds: "/dev/nvidia0", "lock /run/lock/hcq/0000:01:00.0.lock"
  std::optional<int64_t> memory_bytes;  // when the driver reports it per process
  std::string memory_source;
};

struct Record {
  Vendor vendor = Vendor::simulated;
  std::string bdf;  // "0000:01:00.0"; empty for platform devices (Adreno) and simulated ones
  std::string uri;  // how libhcq opens it ("nv:0"); empty when no backend in this build drives it
  std::string uri_note;  // why uri is empty
  std::vector<Value> values = std::vector<Value>(field_count, Value::none(Missing::not_supported, "-"));
  std::vector<Process> processes;
  Value processes_status = Value::of(std::string("complete"), "proc");  // or why the list may be short
  std::vector<std::string> notes;  // observations that fit no field ("hwmon1/temp2_input: not a number")

  Value& at(F f) { return values[static_cast<size_t>(f)]; }
  const Value& at(F f) const { return values[static_cast<size_t>(f)]; }
  // Stores `v` unless the field already has a value (the first source that answers wins; readers
  // run best source first). A missing `v` replaces a missing one, so the last reason tried shows.
  void put(F f, Value v);
};

}  // namespace hcq::smi
