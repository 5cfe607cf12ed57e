// The hwmon directories a driver registers under its PCI device (<pci_dir>/hwmon/hwmonN): the
// sensors amdgpu and tt-kmd both publish in the kernel's hwmon units (Documentation/hwmon/
// sysfs-interface.rst): millidegrees Celsius, microwatts, RPM, PWM duty 0-255.
//
// Which files exist per driver:
// - amdgpu (drivers/gpu/drm/amd/pm/amdgpu_pm.c, "DOC: hwmon" and hwmon_attributes_visible):
//   temp1/2/3 labelled "edge"/"junction"/"mem"; GC 9.4.3/9.4.4/9.5.0 (MI300 class) hide temp1
//   (edge), so the junction sensor is the die temperature there. power1_average and/or
//   power1_input ("not all products support both"; SMU 13.0.0 parts such as Navi 31 have only
//   the average, SMU 13.0.6 (MI300) only the input). power1_cap prints an empty line when the
//   SMU does not answer. pwm1, fan1_input unless the board has no fan.
// - tt-kmd (wormhole.c / blackhole.c, telemetry.c tt_hwmon_read): temp1_input (ASIC, from 16.16
//   fixed point), temp1_max, power1_input and power1_max in whole watts times 10^6, fan1_input on
//   Blackhole only; no pwm1.
#include <cerrno>
#include <cmath>

#include <fmt/format.h>

#include "reader_util.hpp"
#include "readers.hpp"

namespace hcq::smi {

namespace {

constexpr const char* src = "hwmon";

// An integer hwmon file divided by `divisor` (1000 for millidegrees, 10^6 for microwatts).
// Division, not scaled_attr's multiplication, keeps round readings exact (45000 -> 45.0).
// An empty file counts as absent: amdgpu's power1_cap prints "\n" when the SMU has no limit.
std::optional<Value> number(const std::string& path, double divisor) {
  Read rd = read_attr(path);
  if (!rd.text) return rd.err == ENOENT ? std::nullopt : std::optional(missing_from(rd, src));
  if (rd.text->empty()) return std::nullopt;
  if (auto v = parse_int(*rd.text)) return Value::of(static_cast<double>(*v) / divisor, src);
  return Value::none(Missing::read_error, src, fmt::format("{}: {} is not an integer", path, excerpt(*rd.text)));
}

// The first of `files` in `dir` that the driver provides; "not supported" naming them all when
// none does.
Value first_of(const std::string& dir, std::initializer_list<std::string> files, double divisor) {
  std::vector<std::string> tried;
  for (const auto& file : files) {
    if (auto v = number(dir + "/" + file, divisor)) return *v;
    tried.push_back(file);
  }
  return Value::none(Missing::not_supported, src, fmt::format("no {} in {}", join(tried, " or "), dir));
}

// The tempN_input whose tempN_label says `label` ("edge", "mem"), as a file name.
std::optional<std::string> labelled_temp(const std::string& dir, std::string_view label) {
  for (const auto& name : list_dir(dir)) {
    if (name.rfind("temp", 0) != 0 || name.size() < 11 || name.compare(name.size() - 6, 6, "_label") != 0) continue;
    Read rd = read_attr(dir + "/" + name);
    if (rd.text && *rd.text == label) return name.substr(0, name.size() - 6) + "_input";
  }
  return std::nullopt;
}

void read_temperatures(const std::string& dir, Record& r) {
  if (auto edge = labelled_temp(dir, "edge")) {
    r.put(F::temperature_c, first_of(dir, {*edge}, 1000.0));
  } else if (exists(dir + "/temp1_input")) {
    // tt-kmd's ASIC sensor, and any driver that labels nothing.
    r.put(F::temperature_c, first_of(dir, {"temp1_input"}, 1000.0));
  } else if (auto junction = labelled_temp(dir, "junction")) {
    bool was_present = r.at(F::temperature_c).present();
    r.put(F::temperature_c, first_of(dir, {*junction}, 1000.0));
    if (!was_present && r.at(F::temperature_c).present()) {
      r.notes.push_back(fmt::format("temperature_c is the junction (hotspot) sensor {}/{}: this GPU has no edge sensor", dir, *junction));
    }
  } else {
    r.put(F::temperature_c, Value::none(Missing::not_supported, src, fmt::format("no temp1_input or edge/junction label in {}", dir)));
  }

  if (auto mem = labelled_temp(dir, "mem")) {
    r.put(F::temperature_memory_c, first_of(dir, {*mem}, 1000.0));
  } else {
    r.put(F::temperature_memory_c, Value::none(Missing::not_supported, src, fmt::format("no temperature labelled 'mem' in {}", dir)));
  }
}

// pwm1 is a 0-255 duty cycle; whole percent is all the precision 256 steps carry.
Value fan_percent(const std::string& dir) {
  std::string path = dir + "/pwm1";
  Read rd = read_attr(path);
  if (!rd.text) return missing_from(rd, src);
  auto pwm = parse_int(*rd.text);
  if (!pwm || *pwm < 0 || *pwm > 255) {
    return Value::none(Missing::read_error, src, fmt::format("{}: {} is not a duty cycle 0-255", path, excerpt(*rd.text)));
  }
  return Value::of(static_cast<int64_t>(std::lround(static_cast<double>(*pwm) * 100.0 / 255.0)), src);
}

void read_one(const std::string& dir, Record& r) {
  read_temperatures(dir, r);
  // Instantaneous power first: it is what the other vendors' "power draw" means.
  r.put(F::power_draw_w, first_of(dir, {"power1_input", "power1_average"}, 1e6));
  r.put(F::power_limit_w, first_of(dir, {"power1_cap", "power1_max"}, 1e6));
  r.put(F::fan_rpm, int_attr(dir + "/fan1_input", src));
  r.put(F::fan_pct, fan_percent(dir));
}

}  // namespace

void read_hwmon(const std::string& pci_dir, Record& r) {
  std::vector<std::string> dirs;
  for (const auto& name : list_dir(pci_dir + "/hwmon")) {
    if (name.rfind("hwmon", 0) == 0) dirs.push_back(pci_dir + "/hwmon/" + name);
  }
  if (dirs.empty()) {
    put_all(r, {F::temperature_c, F::temperature_memory_c, F::power_draw_w, F::power_limit_w, F::fan_rpm, F::fan_pct},
            Value::none(Missing::not_supported, src, fmt::format("no hwmon directory under {}", pci_dir)));
    return;
  }
  // One per driver normally; with several, the first that answers a field wins (Record::put).
  for (const auto& dir : dirs) read_one(dir, r);
}

}  // namespace hcq::smi
