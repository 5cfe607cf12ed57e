// Tenstorrent cards owned by tt-kmd: the telemetry attributes on its class device and the hwmon
// directory on the PCI device. Nothing here opens /dev/tenstorrent or maps a BAR, so reading
// never competes with a running workload (tt-smi's BAR mappings do; reference/tenstorrent.md).
//
// Facts from tenstorrent/tt-kmd (docs/sysfs-attributes.md, chardev.c, telemetry.c, wormhole.c,
// blackhole.c, module.c):
// - The class device is named "tenstorrent/N" with the PCI device as parent, which sysfs shows
//   as /sys/class/tenstorrent/tenstorrent!N (also <pci>/tenstorrent/tenstorrent!N); its `device`
//   link points at the PCI function.
// - Attributes appear only when the firmware's telemetry table has the tag. tt_aiclk, tt_axiclk,
//   tt_arcclk: MHz ("%u"). tt_serial, tt_asic_id: 64-bit hex ("%08X%08X"). tt_card_type: a name
//   ("n150", "n300", "p150a", ..., "unknown"). Versions as "a.b.c.d" (ETH firmware "a.b.c").
//   Wormhole has tt_m3bl_fw_ver, tt_arc_fw_ver, tt_eth_fw_ver, tt_ttflash_ver; Blackhole does not.
// - No attribute reports DRAM size or use, or a busy counter.
// - MODULE_VERSION gives /sys/module/tenstorrent/version (read_pci reads it).
#include <cstdlib>

#include <fmt/format.h>

#include "reader_util.hpp"
#include "readers.hpp"
// The tt platform (tt/) is on the include path, and in libhcq, when the tt backend is built.
#if __has_include("arc.hpp") && __has_include("chips.hpp")
#define HCQ_SMI_TTSIM 1
#include "arc.hpp"
#include "chips.hpp"
#include "hcq/error.hpp"
#endif

namespace hcq::smi {

namespace {

constexpr const char* src = "sysfs";

constexpr std::initializer_list<F> tt_fields = {
    F::serial,        F::driver_version,     F::temperature_c, F::temperature_memory_c,
    F::power_draw_w,  F::power_limit_w,      F::clock_core_mhz, F::clock_core_max_mhz,
    F::fan_rpm,       F::fan_pct,            F::firmware,
};

// The class device whose `device` link names this PCI function: /sys/class/tenstorrent first,
// the PCI device's own tenstorrent/ directory second.
std::optional<std::string> class_node(const std::string& sys, const std::string& pci_dir, const std::string& bdf) {
  for (const std::string& base : {sys + "/class/tenstorrent", pci_dir + "/tenstorrent"}) {
    for (const auto& name : list_dir(base)) {
      auto target = read_link(base + "/" + name + "/device");
      if (target && target->substr(target->rfind('/') + 1) == bdf) return base + "/" + name;
    }
  }
  return std::nullopt;
}

// "bundle 80.17.0.0, arc 2.33.0.0, ...": the flash bundle first, then each processor's firmware;
// versions the firmware does not report are left out.
Value firmware(const std::string& node) {
  struct Part {
    const char* label;
    const char* file;
  };
  constexpr Part parts[] = {{"bundle", "tt_fw_bundle_ver"}, {"arc", "tt_arc_fw_ver"},   {"eth", "tt_eth_fw_ver"},
                            {"m3app", "tt_m3app_fw_ver"},   {"m3bl", "tt_m3bl_fw_ver"}, {"ttflash", "tt_ttflash_ver"}};
  std::vector<std::string> out;
  for (const auto& p : parts) {
    Value v = text_attr(node + "/" + p.file, src);
    if (auto* t = v.text()) out.push_back(fmt::format("{} {}", p.label, *t));
  }
  if (out.empty()) return Value::none(Missing::not_supported, src, fmt::format("no tt_*_ver in {}", node));
  return Value::of(join(out, ", "), src);
}

// "Wormhole n150": the card type says which board, the architecture which chip.
void name_from_card_type(const std::string& node, Record& r) {
  Value card = text_attr(node + "/tt_card_type", src);
  const std::string* type = card.text();
  if (!type || *type == "unknown") return;
  const std::string* arch = r.at(F::architecture).text();
  // read_pci put the chip table's name; the board name is better, so it replaces it.
  r.at(F::name) = Value::of(arch ? fmt::format("{} {}", *arch, *type) : *type, src);
}

}  // namespace

void read_tenstorrent(const Context& ctx, const PciFunction& f, Record& r) {
  if (auto why = not_owned_by(r, "tenstorrent")) {
    put_all(r, tt_fields, Value::none(Missing::no_driver, src, *why));
    return;
  }
  const std::string pci_dir = ctx.roots.sys + "/bus/pci/devices/" + f.bdf;
  r.put(F::driver_version, Value::none(Missing::not_supported, src, fmt::format("no {}/module/tenstorrent/version", ctx.roots.sys)));
  put_all(r, {F::memory_total_bytes, F::memory_used_bytes},
          Value::none(Missing::not_supported, src, "tt-kmd does not report device memory"));
  put_all(r, {F::utilization_pct, F::utilization_memory_pct},
          Value::none(Missing::not_supported, src, "tt-kmd has no busy counter"));
  r.put(F::clock_core_max_mhz, Value::none(Missing::not_supported, src, "tt-kmd does not export the AICLK limit"));

  if (auto node = class_node(ctx.roots.sys, pci_dir, f.bdf)) {
    name_from_card_type(*node, r);
    r.put(F::serial, text_attr(*node + "/tt_serial", src));
    r.put(F::clock_core_mhz, int_attr(*node + "/tt_aiclk", src));
    r.put(F::firmware, firmware(*node));
  } else {
    put_all(r, {F::serial, F::clock_core_mhz, F::firmware},
            Value::none(Missing::not_supported, src, fmt::format("no tenstorrent class device links to {}", f.bdf)));
  }
  read_hwmon(pci_dir, r);
}

// --sim with HCQ_TTSIM: the simulated chip, its ARC telemetry read over the NOC exactly as on a
// card (tt/arc.hpp). Only sensors the simulator's telemetry table has are shown.
void read_ttsim(std::vector<Record>& out, std::vector<std::string>* problems) {
  const char* path = std::getenv("HCQ_TTSIM");
  if (!path || !*path) return;
#ifdef HCQ_SMI_TTSIM
  constexpr const char* arc_src = "ARC";
  Record r;
  r.vendor = Vendor::simulated;
  r.uri = std::string("tt:ttsim:") + path;
  try {
    auto chip = tt::open_chip(r.uri);
    auto bus = tt::arc_bus(*chip);
    tt::Telemetry t = tt::Arc(*bus, chip->table(), chip->name()).telemetry();
    r.put(F::name, Value::of(fmt::format("{} {} (ttsim)", chip->table().name, t.board_type().value_or("")), arc_src));
    r.put(F::vendor, Value::of(std::string("Tenstorrent (simulated)"), "hcq"));
    r.put(F::driver, Value::of(std::string("libttsim"), "hcq"));
    r.put(F::architecture, Value::of(std::string(chip->table().name), "hcq"));
    if (auto id = t.board_id()) r.put(F::serial, Value::of(fmt::format("{:016X}", *id), arc_src));
    if (auto c = t.asic_temperature_c()) r.put(F::temperature_c, Value::of(*c, arc_src));
    if (auto mhz = t.aiclk_mhz()) r.put(F::clock_core_mhz, Value::of(static_cast<int64_t>(*mhz), arc_src));
    if (auto w = t.power_w()) r.put(F::power_draw_w, Value::of(static_cast<double>(*w), arc_src));
  } catch (const Error& e) {
    if (problems) problems->push_back(fmt::format("{}: {}", r.uri, e.what()));
  }
  r.processes_status = Value::none(Missing::simulated, "hcq", "a simulated device lives inside one process");
  for (auto& v : r.values) {
    if (!v.present() && v.source == "-") v = Value::none(Missing::simulated, arc_src, "not in ttsim's telemetry table");
  }
  out.push_back(std::move(r));
#else
  (void)out;
  if (problems) problems->push_back(fmt::format("HCQ_TTSIM={}: this hcq-smi was built without the tt backend", path));
#endif
}

}  // namespace hcq::smi
