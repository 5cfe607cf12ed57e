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
#include <fmt/format.h>

#include "reader_util.hpp"
#include "readers.hpp"

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

}  // namespace hcq::smi
