#include "pci.hpp"

#include <pciaccess.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "device_lock.hpp"
#include "hcq/error.hpp"

namespace hcq::smi {

namespace {

constexpr uint16_t vendor_amd = 0x1002;
constexpr uint16_t vendor_nvidia = 0x10de;
constexpr uint16_t vendor_tenstorrent = 0x1e52;

// PCI resource flags in sysfs `resource` (include/linux/ioport.h).
constexpr uint64_t ioresource_io = 0x100;
constexpr uint64_t ioresource_prefetch = 0x2000;
constexpr uint64_t ioresource_mem_64 = 0x100000;

std::optional<uint16_t> hex_attr(const std::string& path) {
  Read r = read_attr(path);
  if (!r.text) return std::nullopt;
  auto v = parse_int(*r.text, 0);
  if (!v || *v < 0 || *v > 0xffffff) return std::nullopt;
  return static_cast<uint16_t>(*v);
}

std::vector<Bar> parse_resource(const std::string& text) {
  std::vector<Bar> bars;
  size_t pos = 0;
  for (int index = 0; index < 6 && pos < text.size(); ++index) {
    size_t eol = text.find('\n', pos);
    std::string_view line(text.data() + pos, (eol == std::string::npos ? text.size() : eol) - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    auto parts = split_ws(line);
    if (parts.size() < 3) continue;
    auto start = parse_int(parts[0], 0), end = parse_int(parts[1], 0), flags = parse_int(parts[2], 0);
    if (!start || !end || !flags || *end <= *start) continue;
    bars.push_back({index, static_cast<uint64_t>(*end - *start + 1), (*flags & ioresource_io) != 0,
                    (*flags & ioresource_prefetch) != 0, (*flags & ioresource_mem_64) != 0});
  }
  return bars;
}

std::string size_text(uint64_t b) {
  constexpr const char* units[] = {"", "K", "M", "G", "T"};
  size_t u = 0;
  while (u + 1 < std::size(units) && b >= 1024 && b % 1024 == 0) {
    b /= 1024;
    ++u;
  }
  return fmt::format("{}{}", b, units[u]);
}

// NVIDIA chip codes as the PCI ID database writes them ("GH100", "AD102GL") -> architecture.
struct NvFamily {
  const char* prefix;
  const char* architecture;
};
constexpr NvFamily nv_families[] = {
    {"GB1", "Blackwell"}, {"GB2", "Blackwell"}, {"GH1", "Hopper"}, {"AD1", "Ada Lovelace"}, {"GA1", "Ampere"},
    {"TU1", "Turing"},    {"GV1", "Volta"},     {"GP1", "Pascal"},
};

// NVIDIA device-id ranges for chips an older PCI ID database lacks (Debian 12's is from 2023).
// Ranges read off pci.ids entries of each family (e.g. 2330 GH100, 2684 AD102, 2b85 GB202).
struct NvRange {
  uint16_t first, last;
  const char* architecture;
  const char* generation;
};
constexpr NvRange nv_ranges[] = {
    {0x2900, 0x29ff, "Blackwell", "GB100"}, {0x2b00, 0x2fff, "Blackwell", "GB20x"},
    {0x2300, 0x23ff, "Hopper", "GH100"},    {0x2680, 0x28ff, "Ada Lovelace", "AD10x"},
    {0x20b0, 0x20ff, "Ampere", "GA100"},    {0x2200, 0x25ff, "Ampere", "GA10x"},
};

// AMD device ids -> gfx target (the architecture our `am` backend and code objects name) and
// generation. Ids from Linux amdgpu_drv.c's pciidlist and the PCI ID database; gfx targets from
// the ROCm/LLVM processor tables (AMDGPUUsage).
struct AmdChip {
  uint16_t device;
  const char* gfx;
  const char* generation;
  const char* name;
};
constexpr AmdChip amd_chips[] = {
    {0x744c, "gfx1100", "RDNA3", "Navi 31 [Radeon RX 7900 XT/7900 XTX]"},
    {0x7448, "gfx1100", "RDNA3", "Navi 31 [Radeon Pro W7900]"},
    {0x745e, "gfx1100", "RDNA3", "Navi 31 [Radeon Pro W7800]"},
    {0x747e, "gfx1101", "RDNA3", "Navi 32 [Radeon RX 7700 XT/7800 XT]"},
    {0x7480, "gfx1102", "RDNA3", "Navi 33 [Radeon RX 7600/7600 XT]"},
    {0x7550, "gfx1201", "RDNA4", "Navi 48 [Radeon RX 9070/9070 XT]"},
    {0x7590, "gfx1200", "RDNA4", "Navi 44 [Radeon RX 9060 XT]"},
    {0x74a1, "gfx942", "CDNA3", "Aqua Vanjaram [Instinct MI300X]"},
    {0x74a5, "gfx942", "CDNA3", "Aqua Vanjaram [Instinct MI325X]"},
    {0x740c, "gfx90a", "CDNA2", "Aldebaran [Instinct MI250X/MI250]"},
    {0x740f, "gfx90a", "CDNA2", "Aldebaran [Instinct MI210]"},
};

// Tenstorrent device ids (tt-kmd's PCI id table; absent from Debian 12's pci.ids).
struct TtChip {
  uint16_t device;
  const char* architecture;
  const char* generation;
};
constexpr TtChip tt_chips[] = {
    {0xfaca, "Grayskull", "Grayskull"},
    {0x401e, "Wormhole", "Wormhole B0"},
    {0xb140, "Blackhole", "Blackhole"},
};

// "GH100[H100 SXM5 80GB]" -> "GH100"; "Navi 31 [Radeon ...]" -> "Navi 31".
std::string chip_code(const std::string& device_name) {
  auto cut = device_name.find('[');
  return std::string(trim(std::string_view(device_name).substr(0, cut)));
}

}  // namespace

std::vector<PciFunction> scan_sysfs(const Roots& roots, std::vector<std::string>* problems) {
  std::vector<PciFunction> out;
  std::string base = roots.sys + "/bus/pci/devices";
  for (const auto& bdf : list_dir(base)) {
    std::string dir = base + "/" + bdf;
    PciFunction f;
    f.bdf = bdf;
    f.source = "sysfs";
    auto vendor = hex_attr(dir + "/vendor"), device = hex_attr(dir + "/device");
    if (!vendor || !device) {
      if (problems) problems->push_back(fmt::format("{}: vendor/device unreadable, skipped", dir));
      continue;
    }
    f.vendor_id = *vendor;
    f.device_id = *device;
    f.subvendor_id = hex_attr(dir + "/subsystem_vendor").value_or(0);
    f.subdevice_id = hex_attr(dir + "/subsystem_device").value_or(0);
    f.revision = static_cast<uint8_t>(hex_attr(dir + "/revision").value_or(0));
    Read cls = read_attr(dir + "/class");
    if (cls.text) f.class_code = static_cast<uint32_t>(parse_int(*cls.text, 0).value_or(0));
    Read res = read_attr(dir + "/resource");
    if (res.text) f.bars = parse_resource(*res.text);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<PciFunction> scan_pciaccess() {
  if (int rc = pci_system_init(); rc != 0) {
    throw Error(Errc::io, "", "pci",
                fmt::format("libpciaccess could not read the PCI bus: {}; use --sysfs-root to read a saved tree", std::strerror(rc)));
  }
  std::vector<PciFunction> out;
  pci_device_iterator* it = pci_slot_match_iterator_create(nullptr);
  while (pci_device* d = pci_device_next(it)) {
    PciFunction f;
    f.bdf = fmt::format("{:04x}:{:02x}:{:02x}.{:x}", d->domain, d->bus, d->dev, d->func);
    f.vendor_id = d->vendor_id;
    f.device_id = d->device_id;
    f.subvendor_id = d->subvendor_id;
    f.subdevice_id = d->subdevice_id;
    f.revision = d->revision;
    f.class_code = d->device_class;
    f.source = "libpciaccess";
    // Region sizes come from sysfs `resource` inside libpciaccess; probing is read-only.
    if (pci_device_probe(d) == 0) {
      for (int i = 0; i < 6; ++i) {
        const pci_mem_region& m = d->regions[i];
        if (m.size == 0) continue;
        f.bars.push_back({i, m.size, m.is_IO != 0, m.is_prefetchable != 0, m.is_64 != 0});
      }
    }
    out.push_back(std::move(f));
  }
  pci_iterator_destroy(it);
  pci_system_cleanup();
  std::sort(out.begin(), out.end(), [](const PciFunction& a, const PciFunction& b) { return a.bdf < b.bdf; });
  return out;
}

std::optional<Vendor> accelerator_vendor(const PciFunction& f) {
  uint32_t base_class = f.class_code >> 16;
  bool display = base_class == 0x03, accelerator = base_class == 0x12;
  switch (f.vendor_id) {
    case vendor_amd: return display || accelerator ? std::optional(Vendor::amd) : std::nullopt;
    case vendor_nvidia: return display || accelerator ? std::optional(Vendor::nvidia) : std::nullopt;
    case vendor_tenstorrent: return Vendor::tenstorrent;
    default: return std::nullopt;
  }
}

std::string bars_text(const std::vector<Bar>& bars) {
  std::string s;
  for (const auto& b : bars) {
    if (!s.empty()) s += ' ';
    s += fmt::format("{}:{}", b.index, size_text(b.size));
    if (b.io) s += "(io)";
  }
  return s;
}

std::optional<int> pcie_gen_from_speed(std::string_view speed) {
  auto parts = split_ws(speed);
  if (parts.empty()) return std::nullopt;
  auto gts = parse_double(parts[0]);
  if (!gts) return std::nullopt;
  // Per-lane rates by generation (PCI Express Base Specification): 2.5, 5, 8, 16, 32, 64 GT/s.
  constexpr double rates[] = {2.5, 5.0, 8.0, 16.0, 32.0, 64.0};
  for (size_t i = 0; i < std::size(rates); ++i) {
    if (*gts > rates[i] * 0.99 && *gts < rates[i] * 1.01) return static_cast<int>(i + 1);
  }
  return std::nullopt;
}

PciNames lookup_pci_ids(const std::string& path, uint16_t vendor, uint16_t device, uint16_t subvendor,
                        uint16_t subdevice, std::string* problem) {
  PciNames names;
  std::ifstream in(path);
  if (!in) {
    if (problem) *problem = fmt::format("cannot read {}", path);
    return names;
  }
  std::string want_vendor = fmt::format("{:04x}", vendor), want_device = fmt::format("{:04x}", device),
              want_sub = fmt::format("{:04x} {:04x}", subvendor, subdevice);
  bool in_vendor = false, in_device = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != '\t') {
      if (in_vendor) break;  // the next vendor: done
      if (line.size() > 6 && line.compare(0, 4, want_vendor) == 0 && line[4] == ' ') {
        in_vendor = true;
        names.vendor = std::string(trim(std::string_view(line).substr(4)));
      }
      if (line.compare(0, 2, "C ") == 0) break;  // the class list follows the vendors
      continue;
    }
    if (!in_vendor) continue;
    if (line.size() > 1 && line[1] != '\t') {
      if (in_device) break;
      if (line.size() > 6 && line.compare(1, 4, want_device) == 0 && line[5] == ' ') {
        in_device = true;
        names.device = std::string(trim(std::string_view(line).substr(5)));
      }
      continue;
    }
    if (in_device && line.size() > 12 && line.compare(2, 9, want_sub) == 0) {
      names.subsystem = std::string(trim(std::string_view(line).substr(11)));
    }
  }
  return names;
}

std::optional<ChipInfo> chip_info(uint16_t vendor, uint16_t device, const std::string& pci_ids_device_name) {
  switch (vendor) {
    case vendor_nvidia: {
      std::string code = chip_code(pci_ids_device_name);
      for (const auto& f : nv_families) {
        if (code.rfind(f.prefix, 0) == 0) return ChipInfo{f.architecture, code.substr(0, 5), ""};
      }
      for (const auto& r : nv_ranges) {
        if (device >= r.first && device <= r.last) return ChipInfo{r.architecture, r.generation, ""};
      }
      return std::nullopt;
    }
    case vendor_amd:
      for (const auto& c : amd_chips) {
        if (c.device == device) return ChipInfo{c.gfx, c.generation, c.name};
      }
      return std::nullopt;
    case vendor_tenstorrent:
      for (const auto& c : tt_chips) {
        if (c.device == device) return ChipInfo{c.architecture, c.generation, c.generation};
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

void read_pci(const Roots& roots, const PciFunction& f, Record& r) {
  const std::string src = f.source, dir = roots.sys + "/bus/pci/devices/" + f.bdf;
  r.put(F::vendor, Value::of(std::string(vendor_text(r.vendor)), src));
  r.put(F::vendor_id, Value::of(static_cast<int64_t>(f.vendor_id), src));
  r.put(F::device_id, Value::of(static_cast<int64_t>(f.device_id), src));
  r.put(F::subsystem_id, Value::of(fmt::format("{:04x}:{:04x}", f.subvendor_id, f.subdevice_id), src));
  r.put(F::revision, Value::of(static_cast<int64_t>(f.revision), src));
  r.put(F::bars, Value::of(bars_text(f.bars), src));

  std::string problem;
  PciNames names = lookup_pci_ids(roots.pci_ids, f.vendor_id, f.device_id, f.subvendor_id, f.subdevice_id, &problem);
  auto chip = chip_info(f.vendor_id, f.device_id, names.device.value_or(""));
  if (names.device) {
    // Vendor readers put the driver's marketing name first; this is the fallback.
    std::string name = names.device->find('[') != std::string::npos
                           ? std::string(trim(names.device->substr(names.device->find('[') + 1)))
                           : *names.device;
    if (!name.empty() && name.back() == ']') name.pop_back();
    r.put(F::name, Value::of(name, "pci.ids"));
  } else if (chip && !chip->name.empty()) {
    r.put(F::name, Value::of(chip->name, "chip table"));
  } else {
    r.put(F::name, Value::none(Missing::not_supported, "pci.ids",
                               problem.empty() ? fmt::format("{:04x}:{:04x} is not in {}", f.vendor_id, f.device_id, roots.pci_ids) : problem));
  }
  if (chip) {
    r.put(F::architecture, Value::of(chip->architecture, "chip table"));
    r.put(F::generation, Value::of(chip->generation, "chip table"));
  } else {
    r.put(F::architecture, Value::none(Missing::not_supported, "chip table", fmt::format("device id {:04x} is not in hcq-smi's chip table", f.device_id)));
  }

  // Link: sysfs has it for every PCIe function; a missing file means a conventional PCI or
  // virtual function.
  auto gen_of = [&](const std::string& file) {
    Read rd = read_attr(dir + "/" + file);
    if (!rd.text) return missing_from(rd, "sysfs");
    if (auto g = pcie_gen_from_speed(*rd.text)) return Value::of(static_cast<int64_t>(*g), "sysfs");
    return Value::none(Missing::read_error, "sysfs", fmt::format("{}/{}: unknown link speed '{}'", dir, file, *rd.text));
  };
  r.put(F::pcie_gen_current, gen_of("current_link_speed"));
  r.put(F::pcie_gen_max, gen_of("max_link_speed"));
  r.put(F::pcie_width_current, int_attr(dir + "/current_link_width", "sysfs"));
  r.put(F::pcie_width_max, int_attr(dir + "/max_link_width", "sysfs"));
  r.put(F::numa_node, int_attr(dir + "/numa_node", "sysfs"));

  // Owner: a bound kernel driver, else a libhcq process holding the kmd-free lock, else nobody.
  if (auto drv = read_link(dir + "/driver")) {
    std::string name = drv->substr(drv->rfind('/') + 1);
    r.put(F::driver, Value::of(name, "sysfs"));
    std::string version_file = roots.sys + "/module/" + name + "/version";
    if (exists(version_file)) r.put(F::driver_version, text_attr(version_file, "sysfs"));
  } else if (auto holder = kmdfree::lock_holder(roots.proc, kmdfree::lock_path(roots.locks, f.bdf))) {
    r.put(F::driver, Value::of(fmt::format("libhcq kmd-free (pid {})", *holder), "lock"));
  } else {
    r.put(F::driver, Value::of(std::string("none"), "sysfs"));
  }
}

}  // namespace hcq::smi
