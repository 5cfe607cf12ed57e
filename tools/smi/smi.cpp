#include <algorithm>

#include <fmt/format.h>

#include "hcq/error.hpp"
#include "hcq/hcq.hpp"
#include "readers.hpp"

namespace hcq::smi {

namespace {

// Simulated devices from libhcq's own registry (--sim): what the backend says about itself;
// sensors do not exist, except on the gfx1100 device model, whose SMU is read through am/.
void add_simulated(std::vector<Record>& out, std::vector<std::string>* problems) {
  for (const auto& e : hcq::devices()) {
    if (e.backend != "cpu" && e.backend != "sim") continue;
    Record r;
    r.vendor = Vendor::simulated;
    r.uri = e.uri;
    if (e.uri.rfind("sim:gfx1100", 0) == 0) {
      read_am_sim(e.uri, r, problems);
      r.processes_status = Value::none(Missing::simulated, "hcq", "a simulated device lives inside one process");
      out.push_back(std::move(r));
      continue;
    }
    r.put(F::name, Value::of(e.name, "hcq"));
    r.put(F::vendor, Value::of(std::string("simulated"), "hcq"));
    r.put(F::driver, Value::of("libhcq " + e.backend, "hcq"));
    try {
      hcq::DeviceProps p = hcq::open(e.uri).props();
      r.put(F::architecture, Value::of(p.arch, "hcq"));
      r.put(F::memory_total_bytes, Value::of(static_cast<int64_t>(p.device_memory_bytes), "hcq"));
    } catch (const Error& err) {
      if (problems) problems->push_back(fmt::format("{}: {}", e.uri, err.what()));
    }
    r.processes_status = Value::none(Missing::simulated, "hcq", "a simulated device lives inside one process");
    for (auto& v : r.values) {
      if (!v.present() && v.source == "-") v = Value::none(Missing::simulated, "hcq");
    }
    out.push_back(std::move(r));
  }
}

}  // namespace

std::vector<Record> discover(const Context& ctx, std::vector<std::string>* problems) {
  std::vector<PciFunction> functions;
  if (ctx.roots.live()) {
    try {
      functions = scan_pciaccess();
    } catch (const Error& e) {
      if (problems) problems->push_back(fmt::format("{}; reading sysfs instead", e.what()));
      functions = scan_sysfs(ctx.roots, problems);
    }
  } else {
    functions = scan_sysfs(ctx.roots, problems);
  }

  std::vector<Record> out;
  std::vector<const PciFunction*> sources;
  for (const auto& f : functions) {
    auto vendor = accelerator_vendor(f);
    if (!vendor) continue;
    Record r;
    r.vendor = *vendor;
    r.bdf = f.bdf;
    read_pci(ctx.roots, f, r);
    switch (*vendor) {
      case Vendor::amd:
        read_amdgpu(ctx, f, r);
        r.uri_note = "libhcq's am backend is not built yet";
        break;
      case Vendor::tenstorrent:
        read_tenstorrent(ctx, f, r);
        r.uri_note = "libhcq's tt backend is not built yet";
        break;
      default: break;
    }
    out.push_back(std::move(r));
  }
  std::vector<Record*> nvidia;
  for (auto& r : out) {
    if (r.vendor == Vendor::nvidia) nvidia.push_back(&r);
  }
  read_nvidia(ctx, nvidia);
  if (auto k = read_kgsl(ctx)) out.push_back(std::move(*k));
  read_processes(ctx, out);
  if (ctx.simulated) {
    add_simulated(out, problems);
    read_ttsim(out, problems);
  }

  // Fields no reader touched say so, naming the vendor.
  for (auto& r : out) {
    for (auto& v : r.values) {
      if (!v.present() && v.source == "-") {
        v = Value::none(Missing::not_supported, "-", fmt::format("hcq-smi has no source for it on {} devices", vendor_text(r.vendor)));
      }
    }
  }
  return out;
}

}  // namespace hcq::smi
