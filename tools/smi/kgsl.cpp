// Qualcomm Adreno GPUs under the KGSL driver: a platform device, not PCI, with its attributes on
// /sys/class/kgsl/kgsl-3d0. Facts from qualcomm-linux/kgsl (kgsl_pwrctrl.c, adreno_sysfs.c,
// adreno.c):
// - gpu_model: the device tree's qcom,gpu-model, else socinfo's part name, else
//   "Adreno<core><major><minor>v<patch+1>" from the chip id ("Adreno740v2"); printed without a
//   newline.
// - gpuclk: the active power level's frequency in Hz. max_gpuclk: the frequency of the level the
//   thermal limit allows (Hz), lower than the top level under thermal mitigation.
//   freq_table_mhz: every level's frequency in MHz, highest first, space separated.
// - gpu_busy_percentage: "N %", busy over total of the last sampling window.
// - temp: the hottest of the device tree's qcom,tzone-names thermal zones, from
//   thermal_zone_get_temp, so millidegrees Celsius; 0 when no zone answered (the maximum
//   starts at 0).
// - reset_count: GPU recoveries since boot.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "reader_util.hpp"
#include "readers.hpp"

namespace hcq::smi {

namespace {

constexpr const char* src = "sysfs";

// "Adreno740v2", "Adreno 740", "Adreno (TM) 740" -> 740; nullopt without a three-digit model
// number ("Adreno X1-85" names no generation this way).
std::optional<int> model_number(std::string_view model) {
  size_t at = model.find("Adreno");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = model.substr(at + 6);
  rest.remove_prefix(std::min(rest.size(), rest.find_first_of("0123456789")));
  size_t n = 0;
  while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) ++n;
  if (n != 3) return std::nullopt;
  return static_cast<int>(*parse_int(rest.substr(0, 3)));
}

// Name "Adreno 740" and architecture "a7xx" (the generation is the model's first digit, as
// freedreno's a6xx/a7xx/a8xx split names them).
void identity(const std::string& dir, Record& r) {
  Value model = text_attr(dir + "/gpu_model", src);
  const std::string* raw = model.text();
  if (!raw) {
    put_all(r, {F::name, F::architecture}, model);
    return;
  }
  r.notes.push_back(fmt::format("gpu_model {}", *raw));
  auto number = model_number(*raw);
  if (!number) {
    r.put(F::name, model);
    r.put(F::architecture,
          Value::none(Missing::not_supported, src, fmt::format("no Adreno model number in gpu_model {}", excerpt(*raw))));
    return;
  }
  r.put(F::name, Value::of(fmt::format("Adreno {}", *number), src));
  r.put(F::architecture, Value::of(fmt::format("a{}xx", *number / 100), src));
}

// The highest level of freq_table_mhz; max_gpuclk (Hz) is the thermal cap, so only the fallback.
void max_clock(const std::string& dir, Record& r) {
  Read table = read_attr(dir + "/freq_table_mhz");
  std::optional<int64_t> top;
  if (table.text) {
    for (auto word : split_ws(*table.text)) {
      auto mhz = parse_int(word);
      if (!mhz) {
        r.put(F::clock_core_max_mhz, Value::none(Missing::read_error, src,
                                                 fmt::format("{}/freq_table_mhz: {} is not a list of MHz", dir, excerpt(*table.text))));
        return;
      }
      top = std::max(top.value_or(*mhz), *mhz);
    }
  }
  Value cap = int_attr(dir + "/max_gpuclk", src);
  if (top) {
    r.put(F::clock_core_max_mhz, Value::of(*top, src));
    if (auto hz = cap.integer(); hz && hz_to_mhz(*hz) < *top) {
      r.notes.push_back(fmt::format("thermal limit: clock capped at {} MHz", hz_to_mhz(*hz)));
    }
  } else if (auto hz = cap.integer()) {
    r.put(F::clock_core_max_mhz, Value::of(hz_to_mhz(*hz), src));
  } else {
    r.put(F::clock_core_max_mhz, table.text ? cap : missing_from(table, src));
  }
}

// "37 %" -> 37
Value busy_percent(const std::string& path) {
  Read rd = read_attr(path);
  if (!rd.text) return missing_from(rd, src);
  std::string_view t = trim(*rd.text);
  if (!t.empty() && t.back() == '%') t.remove_suffix(1);
  if (auto v = parse_int(t); v && *v >= 0 && *v <= 100) return Value::of(*v, src);
  return Value::none(Missing::read_error, src, fmt::format("{}: {} is not 'N %'", path, excerpt(*rd.text)));
}

Value temperature(const std::string& path) {
  Value v = int_attr(path, src);
  auto mdeg = v.integer();
  if (!mdeg) return v;
  if (*mdeg == 0) return Value::none(Missing::not_supported, src, fmt::format("{} is 0: no thermal zone answered", path));
  return Value::of(static_cast<double>(*mdeg) / 1000.0, src);
}

}  // namespace

std::optional<Record> read_kgsl(const Context& ctx) {
  const std::string dir = ctx.roots.sys + "/class/kgsl/kgsl-3d0";
  if (!exists(dir)) return std::nullopt;
  Record r;
  r.vendor = Vendor::qualcomm;
  r.uri_note = "libhcq's qcom backend is not built yet";
  r.put(F::vendor, Value::of(std::string(vendor_text(r.vendor)), src));
  r.put(F::driver, Value::of(std::string("kgsl"), src));
  r.put(F::driver_version, Value::none(Missing::not_supported, src, "kgsl publishes no version"));
  put_all(r, {F::vendor_id, F::device_id, F::subsystem_id, F::revision, F::pcie_gen_current, F::pcie_gen_max,
              F::pcie_width_current, F::pcie_width_max, F::bars, F::numa_node},
          Value::none(Missing::not_supported, src, "platform device"));
  put_all(r, {F::memory_total_bytes, F::memory_used_bytes},
          Value::none(Missing::not_supported, src, "the GPU shares system memory"));

  identity(dir, r);
  Value hz = int_attr(dir + "/gpuclk", src);
  r.put(F::clock_core_mhz, hz.integer() ? Value::of(hz_to_mhz(*hz.integer()), src) : hz);
  max_clock(dir, r);
  r.put(F::utilization_pct, busy_percent(dir + "/gpu_busy_percentage"));
  r.put(F::temperature_c, temperature(dir + "/temp"));
  if (auto resets = int_attr(dir + "/reset_count", src).integer(); resets && *resets > 0) {
    r.notes.push_back(fmt::format("{} GPU resets since boot (reset_count)", *resets));
  }
  // Everything else (power, fan, ECC, serial, memory clock) KGSL does not publish.
  for (auto& v : r.values) {
    if (!v.present() && v.source == "-") v = Value::none(Missing::not_supported, src, "kgsl publishes no such attribute");
  }
  return r;
}

}  // namespace hcq::smi
