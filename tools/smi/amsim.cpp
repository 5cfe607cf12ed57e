// --sim: the AMD gfx1100 device model (sim:gfx1100, which libhcq lists with HCQ_SIM=1), opened
// through am/ and read the way hcq-smi would read a Radeon without its kernel driver: the SMU's
// metrics table (TransferTableSmu2Dram of TABLE_SMU_METRICS, SmuMetrics_t of smu13_driver_if_v13_0_0.h)
// and its DPM levels (GetDpmFreqByIndex). The field choice follows smu_v13_0_0_ppt.c
// smu_v13_0_0_get_smu_metrics_data: edge / mem temperature, AverageSocketPower, the PostDs average
// clocks, AverageGfxActivity / AverageUclkActivity, AvgFanRpm / AvgFanPwm (a percentage). Only what
// the model's SMU produces is shown; the rest says "simulated".
#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "hcq/error.hpp"
#include "readers.hpp"

#if __has_include("am/gpu.hpp")
#define HCQ_SMI_AM 1
#include "am/gpu.hpp"
#include "am/ip/smu_v13.hpp"
#include "am/sim/model.hpp"
#include "kmd-free/pci_open.hpp"
#endif

namespace hcq::smi {

namespace {
constexpr const char* smu_src = "SMU";
}  // namespace

#ifdef HCQ_SMI_AM
void read_am_gpu(am::Gpu& gpu, Record& r) {
  auto* smu = gpu.block<am::SmuV13>();
  if (smu == nullptr) throw Error(Errc::unsupported, gpu.name(), "SMU", "this chip's bring-up has no SMU v13 block");
  namespace s13 = am::smu13;
  const s13::SmuMetrics m = smu->metrics();
  auto max_level = [&](s13::Clk clk) -> int64_t {
    const auto levels = smu->dpm_levels(clk);
    return levels.empty() ? 0 : *std::max_element(levels.begin(), levels.end());
  };
  r.put(F::name, Value::of(fmt::format("{} (device model)", gpu.chip().product), "hcq"));
  r.put(F::vendor, Value::of(std::string("AMD (simulated)"), "hcq"));
  r.put(F::driver, Value::of(std::string("libhcq am (kernel-driver-free)"), "hcq"));
  r.put(F::architecture, Value::of(std::string(gpu.chip().name), "hcq"));
  r.put(F::memory_total_bytes, Value::of(static_cast<int64_t>(gpu.vram_size()), "hcq"));
  r.put(F::firmware, Value::of(smu->firmware_versions(), smu_src));
  r.put(F::temperature_c, Value::of(int64_t{m.AvgTemperature[s13::temp_edge]}, smu_src));
  r.put(F::temperature_memory_c, Value::of(int64_t{m.AvgTemperature[s13::temp_mem]}, smu_src));
  r.put(F::power_draw_w, Value::of(static_cast<double>(m.AverageSocketPower), smu_src));
  r.put(F::clock_core_mhz, Value::of(int64_t{m.AverageGfxclkFrequencyPostDs}, smu_src));
  r.put(F::clock_core_max_mhz, Value::of(max_level(s13::Clk::gfxclk), smu_src));
  r.put(F::clock_memory_mhz, Value::of(int64_t{m.AverageMemclkFrequencyPostDs}, smu_src));
  r.put(F::clock_memory_max_mhz, Value::of(max_level(s13::Clk::uclk), smu_src));
  r.put(F::utilization_pct, Value::of(int64_t{m.AverageGfxActivity}, smu_src));
  r.put(F::utilization_memory_pct, Value::of(int64_t{m.AverageUclkActivity}, smu_src));
  r.put(F::fan_rpm, Value::of(int64_t{m.AvgFanRpm}, smu_src));
  r.put(F::fan_pct, Value::of(int64_t{m.AvgFanPwm}, smu_src));
}
#endif

void read_am_sim(const std::string& uri, Record& r, std::vector<std::string>* problems) {
#ifdef HCQ_SMI_AM
  try {
    am::sim::register_gfx1100();
    am::Gpu gpu(kmdfree::open_pci(uri), am::Gpu::Options{});
    gpu.init();
    read_am_gpu(gpu, r);
    gpu.fini();
  } catch (const Error& e) {
    if (problems) problems->push_back(fmt::format("{}: {}", uri, e.what()));
  }
  for (auto& v : r.values) {
    if (!v.present() && v.source == "-") v = Value::none(Missing::simulated, smu_src, "not in the model's SMU metrics");
  }
#else
  (void)r;
  if (problems) problems->push_back(fmt::format("{}: this hcq-smi was built without the am backend", uri));
#endif
}

}  // namespace hcq::smi
