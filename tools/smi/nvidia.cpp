// NVIDIA: RM controls through our nv interface first (no CUDA), NVML for what the open RM
// interface lacks (power, clocks, fan). Both only on the machine itself and only for GPUs the
// nvidia kernel driver owns.
#include <algorithm>

#include <fmt/format.h>

#include "hcq/error.hpp"
#include "iface/rm.hpp"
#include "iface/telemetry.hpp"
#include "nvml.hpp"
#include "readers.hpp"

namespace hcq::smi {

namespace {

constexpr F rm_fields[] = {F::serial,           F::firmware,         F::memory_total_bytes, F::memory_used_bytes,
                           F::temperature_c,    F::utilization_pct,  F::utilization_memory_pct,
                           F::ecc_enabled,      F::ecc_errors_corrected, F::ecc_errors_uncorrected};
constexpr F nvml_fields[] = {F::power_draw_w,     F::power_limit_w,        F::clock_core_mhz, F::clock_core_max_mhz,
                             F::clock_memory_mhz, F::clock_memory_max_mhz, F::fan_pct};

// RM status codes (nvstatuscodes.h) that mean something other than "failed".
Value rm_missing(uint32_t status) {
  std::string d = nv::rm_status_name(status);
  switch (status) {
    case 0x1B: return Value::none(Missing::needs_root, "rm", d);     // NV_ERR_INSUFFICIENT_PERMISSIONS
    case 0x56: return Value::none(Missing::not_supported, "rm", d);  // NV_ERR_NOT_SUPPORTED
    case 0x17:                                                       // NV_ERR_IN_USE
    case 0x63: return Value::none(Missing::device_busy, "rm", d);    // NV_ERR_STATE_IN_USE
    default: return Value::none(Missing::read_error, "rm", d);
  }
}

template <class T, class Fn>
Value rm_value(const nv::Reading<T>& r, Fn&& to_value) {
  return r.value ? to_value(*r.value) : rm_missing(r.status);
}

Value missing_for_error(const Error& e) {
  switch (e.code()) {
    case Errc::busy: return Value::none(Missing::device_busy, "rm", e.detail());
    case Errc::io:
      if (e.detail().find("ermission") != std::string::npos) return Value::none(Missing::needs_root, "rm", e.detail());
      return Value::none(Missing::read_error, "rm", e.detail());
    default: return Value::none(Missing::read_error, "rm", e.detail());
  }
}

void put_telemetry(const nv::Telemetry& t, Record& r) {
  // The driver's marketing name is better than the PCI ID database's: replace it.
  if (t.name.value) r.at(F::name) = Value::of(*t.name.value, "rm");
  if (t.driver.value) r.at(F::driver_version) = Value::of(*t.driver.value, "rm");
  r.put(F::serial, rm_value(t.uuid, [](const std::string& s) { return Value::of(s, "rm"); }));
  std::vector<std::string> fw;
  if (t.vbios.value) fw.push_back("vbios " + *t.vbios.value);
  if (t.gsp.value) fw.push_back("gsp " + *t.gsp.value);
  if (!fw.empty()) {
    std::string joined;
    for (const auto& s : fw) joined += (joined.empty() ? "" : ", ") + s;
    r.put(F::firmware, Value::of(joined, "rm"));
  } else {
    r.put(F::firmware, rm_missing(t.vbios.status));
  }
  auto bytes = [](uint64_t v) { return Value::of(static_cast<int64_t>(v), "rm"); };
  r.put(F::memory_total_bytes, rm_value(t.memory_total, bytes));
  r.put(F::memory_used_bytes, rm_value(t.memory_used, bytes));
  r.put(F::temperature_c, rm_value(t.temperature_c, [](double v) { return Value::of(v, "rm"); }));
  r.put(F::utilization_pct, rm_value(t.utilization_pct, [](double v) { return Value::of(v, "rm"); }));
  r.put(F::utilization_memory_pct, rm_value(t.utilization_memory_pct, [](double v) { return Value::of(v, "rm"); }));
  r.put(F::ecc_enabled, rm_value(t.ecc_enabled, [](bool v) { return Value::of(int64_t{v}, "rm"); }));
  r.put(F::ecc_errors_corrected, rm_value(t.ecc_corrected, bytes));
  r.put(F::ecc_errors_uncorrected, rm_value(t.ecc_uncorrected, bytes));
  // The link as the RM reads it replaces sysfs's (the same registers; the RM is the NVIDIA source).
  // A disagreement is kept as a note.
  if (t.link_current.value && t.link_max.value) {
    auto replace = [&](F f, int v) {
      const Value& old = r.at(f);
      if (old.integer() && *old.integer() != v) r.notes.push_back(fmt::format("{}: sysfs says {}, the RM {}", info(f).key, *old.integer(), v));
      r.at(f) = Value::of(static_cast<int64_t>(v), "rm");
    };
    replace(F::pcie_gen_current, t.link_current.value->gen);
    replace(F::pcie_width_current, t.link_current.value->width);
    replace(F::pcie_gen_max, t.link_max.value->gen);
    replace(F::pcie_width_max, t.link_max.value->width);
  }
}

}  // namespace

void read_nvidia(const Context& ctx, std::vector<Record*>& gpus) {
  if (gpus.empty()) return;
  std::vector<Record*> owned;
  for (Record* r : gpus) {
    const std::string* drv = r->at(F::driver).text();
    if (drv && *drv == "nvidia") {
      owned.push_back(r);
      continue;
    }
    Value v = Value::none(Missing::no_driver, "rm", drv && *drv != "none" ? fmt::format("owned by {}", *drv) : "no driver bound");
    for (F f : rm_fields) r->put(f, v);
    for (F f : nvml_fields) r->put(f, v);
    r->uri_note = "the nv backend needs the nvidia kernel driver";
  }
  if (owned.empty()) return;
  if (!ctx.roots.live()) {
    for (Record* r : owned) {
      for (F f : rm_fields) r->put(f, Value::none(Missing::not_supported, "rm", "a fixture tree has no RM to ask"));
      for (F f : nvml_fields) r->put(f, Value::none(Missing::not_supported, "nvml", "a fixture tree has no NVML to ask"));
      r->uri_note = "fixture tree";
    }
    return;
  }

  std::vector<nv::CardInfo> cards;
  try {
    cards = nv::list_cards();
  } catch (const Error& e) {
    for (Record* r : owned) {
      for (F f : rm_fields) r->put(f, missing_for_error(e));
    }
  }
  for (size_t i = 0; i < cards.size(); ++i) {
    auto it = std::find_if(owned.begin(), owned.end(), [&](Record* r) { return r->bdf == cards[i].pci_address; });
    if (it == owned.end()) continue;
    Record& r = **it;
    r.uri = fmt::format("nv:{}", i);
    if (!ctx.use_rm) {
      for (F f : rm_fields) r.put(f, Value::none(Missing::not_supported, "rm", "not asked (--no-rm)"));
      continue;
    }
    try {
      put_telemetry(nv::read_telemetry(cards[i]), r);
    } catch (const Error& e) {
      for (F f : rm_fields) r.put(f, missing_for_error(e));
    }
  }
  for (Record* r : owned) {
    if (r->uri.empty() && r->uri_note.empty()) r->uri_note = "the driver does not list this GPU";
  }

  if (!ctx.use_nvml) {
    for (Record* r : owned) {
      for (F f : nvml_fields) r->put(f, Value::none(Missing::not_supported, "nvml", "not asked (--no-nvml)"));
    }
    return;
  }
  std::string why;
  auto nvml = Nvml::open(ctx.nvml_path, &why);
  for (Record* r : owned) {
    if (nvml) {
      nvml->read(r->bdf, *r);
    } else {
      for (F f : nvml_fields) r->put(f, Value::none(Missing::not_supported, "nvml", why));
    }
  }
}

}  // namespace hcq::smi
