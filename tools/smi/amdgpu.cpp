// AMD GPUs owned by the amdgpu kernel driver: its sysfs attributes on the PCI device, its hwmon
// directory and the KFD topology. Facts below are from Linux drivers/gpu/drm/amd (6.x):
// - amdgpu/amdgpu_vram_mgr.c: mem_info_vram_total / _used, bytes as "%llu".
// - pm/amdgpu_pm.c: gpu_busy_percent / mem_busy_percent ("%d", percent); unique_id ("%016llx",
//   empty when the ASIC has none); pp_dpm_sclk / pp_dpm_mclk, one level per line
//   "N: <clock>Mhz" with " *" on the current one (swsmu print_clk_levels; fine-grained tables
//   show min, current and max; some SMUs print a deep-sleep level as "S: <clock>Mhz *");
//   hwmon freq1_input "sclk" / freq2_input "mclk" in Hz.
// - amdgpu/amdgpu_fru_eeprom.c: product_name and serial_number from the board FRU (server and
//   workstation boards; absent on most consumer cards).
// - amdgpu/amdgpu_atombios.c: vbios_version, the VBIOS part number string.
// - amdgpu/amdgpu_ucode.c: fw_version/<block>_fw_version, "0x%08x"; 0 for blocks this ASIC does
//   not load.
// - amdgpu/amdgpu_ras.c: ras/features "feature mask: 0x%x" (bit 0 is AMDGPU_RAS_BLOCK__UMC, the
//   memory controller's ECC); ras/<block>_err_count "ue: N\nce: N" (UMC adds "de: N", deferred).
// - amdkfd/kfd_topology.c, kfd_device.c: topology/nodes/N/properties, "name value" lines;
//   location_id = PCI bus << 8 | devfn (partitioned parts OR a node id into bits above 16 or
//   into the low bits on older kernels), gfx_target_version = major*10000 + minor*100 + stepping
//   (90010 is gfx90a, 90402 gfx942, 110000 gfx1100).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "reader_util.hpp"
#include "readers.hpp"

namespace hcq::smi {

namespace {

constexpr const char* src = "sysfs";

// What only amdgpu can say; without it these are "no driver".
constexpr std::initializer_list<F> amdgpu_fields = {
    F::serial,           F::driver_version,       F::memory_total_bytes, F::memory_used_bytes,
    F::temperature_c,    F::temperature_memory_c, F::power_draw_w,       F::power_limit_w,
    F::clock_core_mhz,   F::clock_core_max_mhz,   F::clock_memory_mhz,   F::clock_memory_max_mhz,
    F::utilization_pct,  F::utilization_memory_pct, F::fan_rpm,          F::fan_pct,
    F::firmware,         F::ecc_enabled,          F::ecc_errors_corrected, F::ecc_errors_uncorrected,
};

// --- KFD topology: the gfx target -------------------------------------------------------------

std::map<std::string, int64_t> read_properties(const std::string& path) {
  std::map<std::string, int64_t> props;
  Read rd = read_attr(path);
  if (!rd.text) return props;
  size_t pos = 0;
  while (pos < rd.text->size()) {
    size_t eol = rd.text->find('\n', pos);
    if (eol == std::string::npos) eol = rd.text->size();
    auto parts = split_ws(std::string_view(*rd.text).substr(pos, eol - pos));
    if (parts.size() == 2) {
      if (auto v = parse_int(parts[1])) props.emplace(std::string(parts[0]), *v);
    }
    pos = eol + 1;
  }
  return props;
}

// "0000:03:00.0" -> domain and PCI_DEVID (bus << 8 | device << 3 | function).
std::optional<std::pair<int64_t, int64_t>> pci_devid(const std::string& bdf) {
  unsigned domain = 0, bus = 0, dev = 0, fn = 0;
  char tail = 0;
  if (std::sscanf(bdf.c_str(), "%x:%x:%x.%x%c", &domain, &bus, &dev, &fn, &tail) != 4) return std::nullopt;
  return std::pair<int64_t, int64_t>{domain, (bus << 8) | (dev << 3) | fn};
}

// The gfx target ("gfx1100") of the KFD node for this PCI function, or why there is none.
Value kfd_architecture(const std::string& sys, const std::string& bdf) {
  const std::string nodes = sys + "/class/kfd/kfd/topology/nodes";
  auto id = pci_devid(bdf);
  if (!id) return Value::none(Missing::read_error, "kfd", fmt::format("'{}' is not a PCI address", bdf));
  for (const auto& node : list_dir(nodes)) {
    auto p = read_properties(nodes + "/" + node + "/properties");
    auto gfx = p.find("gfx_target_version"), loc = p.find("location_id"), dom = p.find("domain");
    if (gfx == p.end() || gfx->second == 0 || loc == p.end()) continue;  // 0: a CPU node
    if ((loc->second & 0xffff) != id->second || (dom != p.end() && dom->second != id->first)) continue;
    int64_t v = gfx->second;
    return Value::of(fmt::format("gfx{}{:x}{:x}", v / 10000, (v / 100) % 100, v % 100), "kfd");
  }
  return Value::none(Missing::not_supported, "kfd", fmt::format("no node for {} in {}", bdf, nodes));
}

// --- clocks ------------------------------------------------------------------------------------

// hwmon freqN_input (Hz) when its label is `label`, as MHz.
Value hwmon_clock(const std::string& dir, const std::string& freq, std::string_view label) {
  for (const auto& name : list_dir(dir + "/hwmon")) {
    std::string base = dir + "/hwmon/" + name + "/" + freq;
    Read lbl = read_attr(base + "_label");
    if (lbl.text && *lbl.text != label) continue;
    Value hz = int_attr(base + "_input", "hwmon");
    if (auto v = hz.integer()) return Value::of(hz_to_mhz(*v), "hwmon");
    if (hz.why != Missing::not_supported) return hz;
  }
  return Value::none(Missing::not_supported, "hwmon", fmt::format("no {}_input ({}) in {}/hwmon", freq, label, dir));
}

struct DpmLevel {
  int64_t mhz = 0;
  bool current = false;
};

// "1: 2500Mhz *", "S: 19Mhz *"
std::optional<DpmLevel> parse_level(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto parts = split_ws(line.substr(colon + 1));
  if (parts.empty() || parts.size() > 2 || (parts.size() == 2 && parts[1] != "*")) return std::nullopt;
  std::string_view clock = parts[0];
  if (clock.size() < 4) return std::nullopt;
  std::string unit(clock.substr(clock.size() - 3));
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
  auto mhz = parse_int(clock.substr(0, clock.size() - 3));
  if (unit != "mhz" || !mhz) return std::nullopt;
  return DpmLevel{*mhz, parts.size() == 2};
}

struct DpmClocks {
  Value current, max;
};

// A pp_dpm_* table: the level marked '*' and the highest level. A line that is not a level makes
// both a read error: a truncated table may have lost its top levels.
DpmClocks read_dpm(const std::string& path) {
  Read rd = read_attr(path);
  if (!rd.text) return {missing_from(rd, src), missing_from(rd, src)};
  if (rd.text->empty()) {
    Value v = Value::none(Missing::not_supported, src, fmt::format("{} is empty", path));
    return {v, v};
  }
  std::optional<int64_t> current, max;
  size_t pos = 0;
  while (pos < rd.text->size()) {
    size_t eol = rd.text->find('\n', pos);
    if (eol == std::string::npos) eol = rd.text->size();
    std::string_view line = trim(std::string_view(*rd.text).substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty()) continue;
    auto level = parse_level(line);
    if (!level) {
      Value bad = Value::none(Missing::read_error, src, fmt::format("{}: {} is not a level like '1: 2500Mhz *'", path, excerpt(line)));
      return {bad, bad};
    }
    max = std::max(max.value_or(level->mhz), level->mhz);
    if (level->current) current = level->mhz;
  }
  return {current ? Value::of(*current, src) : Value::none(Missing::not_supported, src, fmt::format("no level marked '*' in {}", path)),
          Value::of(*max, src)};
}

void read_clocks(const std::string& dir, Record& r) {
  DpmClocks sclk = read_dpm(dir + "/pp_dpm_sclk"), mclk = read_dpm(dir + "/pp_dpm_mclk");
  // hwmon's clock is the SMU's average over its metrics window; the '*' level is the nearest
  // table entry, so it is only the fallback.
  r.put(F::clock_core_mhz, hwmon_clock(dir, "freq1", "sclk"));
  r.put(F::clock_core_mhz, sclk.current);
  r.put(F::clock_core_max_mhz, sclk.max);
  r.put(F::clock_memory_mhz, hwmon_clock(dir, "freq2", "mclk"));
  r.put(F::clock_memory_mhz, mclk.current);
  r.put(F::clock_memory_max_mhz, mclk.max);
}

// unique_id (the ASIC's own id, GFX9 and newer), else the board FRU's serial_number.
Value serial(const std::string& dir) {
  for (const char* file : {"unique_id", "serial_number"}) {
    Value v = text_attr(dir + "/" + file, src);
    if (v.present() || v.why != Missing::not_supported) return v;
  }
  return Value::none(Missing::not_supported, src, fmt::format("no unique_id or serial_number in {}", dir));
}

// --- firmware, ECC -----------------------------------------------------------------------------

// "vbios 113-D7020100-102, me 0x000007d0, ..." from vbios_version and fw_version/*_fw_version.
Value firmware(const std::string& dir, Record& r) {
  std::vector<std::string> parts;
  Value vbios = text_attr(dir + "/vbios_version", src);
  if (auto* t = vbios.text()) {
    parts.push_back("vbios " + *t);
  } else if (exists(dir + "/vbios_version")) {
    r.notes.push_back(vbios.detail);  // there but empty or unreadable
  }
  const std::string fw_dir = dir + "/fw_version";
  constexpr std::string_view suffix = "_fw_version";
  for (const auto& name : list_dir(fw_dir)) {
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    Read rd = read_attr(fw_dir + "/" + name);
    auto v = rd.text ? parse_int(*rd.text, 0) : std::nullopt;
    if (!v) {
      r.notes.push_back(fmt::format("{}/{}: unreadable firmware version", fw_dir, name));
      continue;
    }
    if (*v == 0) continue;  // a block this ASIC does not have
    parts.push_back(fmt::format("{} {}", name.substr(0, name.size() - suffix.size()), *rd.text));
  }
  if (parts.empty()) return Value::none(Missing::not_supported, src, fmt::format("no vbios_version or {}", fw_dir));
  return Value::of(join(parts, ", "), src);
}

struct ErrorCounts {
  Value corrected, uncorrected;
};

// The sums of "ce:" and "ue:" over ras/*_err_count. One unreadable file spoils both sums.
ErrorCounts error_counts(const std::string& ras) {
  int64_t ue = 0, ce = 0;
  int files = 0;
  for (const auto& name : list_dir(ras)) {
    if (name.size() < 10 || name.compare(name.size() - 10, 10, "_err_count") != 0) continue;
    const std::string path = ras + "/" + name;
    Read rd = read_attr(path);
    if (!rd.text) return {missing_from(rd, src), missing_from(rd, src)};
    std::optional<int64_t> u, c;
    auto words = split_ws(*rd.text);
    for (size_t i = 0; i + 1 < words.size(); i += 2) {
      if (words[i] == "ue:") u = parse_int(words[i + 1]);
      if (words[i] == "ce:") c = parse_int(words[i + 1]);
    }
    if (!u || !c || *u < 0 || *c < 0 || __builtin_add_overflow(ue, *u, &ue) || __builtin_add_overflow(ce, *c, &ce)) {
      Value bad = Value::none(Missing::read_error, src, fmt::format("{}: {} is not 'ue: N ce: N'", path, excerpt(*rd.text)));
      return {bad, bad};
    }
    ++files;
  }
  if (files == 0) {
    Value none = Value::none(Missing::not_supported, src, fmt::format("no *_err_count in {}", ras));
    return {none, none};
  }
  return {Value::of(ce, src), Value::of(ue, src)};
}

void read_ecc(const std::string& dir, Record& r) {
  const std::string ras = dir + "/ras";
  if (!exists(ras)) {
    put_all(r, {F::ecc_enabled, F::ecc_errors_corrected, F::ecc_errors_uncorrected},
            Value::none(Missing::not_supported, src, fmt::format("no {}: amdgpu has no RAS for this GPU", ras)));
    return;
  }
  Read feat = read_attr(ras + "/features");
  constexpr std::string_view prefix = "feature mask:";
  if (!feat.text) {
    r.put(F::ecc_enabled, missing_from(feat, src));
  } else if (auto mask = feat.text->rfind(prefix, 0) == 0 ? parse_int(feat.text->substr(prefix.size()), 0) : std::nullopt) {
    r.put(F::ecc_enabled, Value::of(int64_t{(*mask & 1) != 0}, src));
  } else {
    r.put(F::ecc_enabled, Value::none(Missing::read_error, src,
                                      fmt::format("{}/features: {} is not 'feature mask: 0x...'", ras, excerpt(*feat.text))));
  }
  ErrorCounts counts = error_counts(ras);
  r.put(F::ecc_errors_corrected, counts.corrected);
  r.put(F::ecc_errors_uncorrected, counts.uncorrected);
}

}  // namespace

void read_amdgpu(const Context& ctx, const PciFunction& f, Record& r) {
  if (auto why = not_owned_by(r, "amdgpu")) {
    put_all(r, amdgpu_fields, Value::none(Missing::no_driver, src, *why));
    return;
  }
  const std::string dir = ctx.roots.sys + "/bus/pci/devices/" + f.bdf;

  // read_pci ran first and put the PCI ID database's name and our chip table's architecture;
  // the board's own FRU name and the KFD's gfx target are better, so they replace them.
  if (auto name = text_attr(dir + "/product_name", src); name.present()) r.at(F::name) = name;
  if (auto arch = kfd_architecture(ctx.roots.sys, f.bdf); arch.present()) {
    r.at(F::architecture) = arch;
  } else {
    r.put(F::architecture, arch);  // keeps the chip table's value; replaces only its reason
  }

  r.put(F::serial, serial(dir));
  // In-tree amdgpu has no module version (read_pci takes /sys/module/amdgpu/version when a DKMS
  // build provides one); the kernel release names the driver then.
  r.put(F::driver_version, text_attr(ctx.roots.proc + "/sys/kernel/osrelease", "proc"));
  r.put(F::memory_total_bytes, int_attr(dir + "/mem_info_vram_total", src));
  r.put(F::memory_used_bytes, int_attr(dir + "/mem_info_vram_used", src));
  r.put(F::utilization_pct, int_attr(dir + "/gpu_busy_percent", src));
  r.put(F::utilization_memory_pct, int_attr(dir + "/mem_busy_percent", src));
  read_clocks(dir, r);
  r.put(F::firmware, firmware(dir, r));
  read_ecc(dir, r);
  read_hwmon(dir, r);
}

}  // namespace hcq::smi
