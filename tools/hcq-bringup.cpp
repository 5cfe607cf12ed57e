// hcq-bringup: brings an AMD GPU up without the kernel driver, one IP block at a time, and says how
// each went (docs/am.md). `hcq-bringup am --device sim:gfx1100` runs on the device model; a PCI
// address runs on hardware (root; --unbind detaches amdgpu first).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <utility>

#include "am/gpu.hpp"
#include "am/ip/gfx_v11.hpp"
#include "am/ip/ih_v6.hpp"
#include "am/ip/smu_v13.hpp"
#include "am/sim/engines.hpp"
#include "am/sim/model.hpp"
#include "hcq/error.hpp"
#include "hcq/hcq.hpp"
#include "kmd-free/pci_open.hpp"

namespace {

using namespace hcq;

struct Args {
  std::string device = "sim:gfx1100";
  bool unbind = false;
  std::string firmware;
  unsigned timeout_ms = 2000;
  bool metrics = true;
  bool suspend_resume = false;
};

// am::Gpu::suspend then resume (docs/am.md "Suspend and resume"), with the time each took.
void suspend_resume(am::Gpu& gpu, std::chrono::milliseconds idle_timeout) {
  auto t0 = std::chrono::steady_clock::now();
  gpu.suspend(idle_timeout);
  auto t1 = std::chrono::steady_clock::now();
  fmt::print("{} suspended in {:.3f} ms\n", gpu.name(), std::chrono::duration<double, std::milli>(t1 - t0).count());
  gpu.resume([](const am::Gpu::BlockReport& r) {
    fmt::print("{:<5} resumed in {:>8.3f} ms  {}\n", r.block, double(r.took.count()) / 1000.0, r.firmware);
  });
  fmt::print("{} resumed in {:.3f} ms\n", gpu.name(),
             std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count());
}

void print_smu(am::Gpu& gpu) {
  auto* smu = gpu.block<am::SmuV13>();
  if (!smu) return;
  std::string levels;
  for (uint32_t mhz : smu->dpm_levels(am::smu13::Clk::gfxclk)) levels += fmt::format(" {}", mhz);
  auto m = smu->metrics();
  fmt::print("  gfxclk levels (MHz):{}\n", levels);
  fmt::print("  metrics: edge {} C, hotspot {} C, {} W, gfx activity {} %, gfxclk {} MHz\n",
             m.AvgTemperature[am::smu13::temp_edge], m.AvgTemperature[am::smu13::temp_hotspot], m.AverageSocketPower,
             m.AverageGfxActivity, m.AverageGfxclkFrequencyPostDs);
}

// The hcq URI of a kmd-free spec: "sim:gfx1100,vram_mb=256" -> "sim:gfx1100?vram_mb=256",
// "0000:03:00.0" -> "am:0000:03:00.0".
std::string hcq_uri(const std::string& spec) {
  if (!spec.starts_with("sim:")) return "am:" + spec;
  std::string uri = spec;
  for (char sep = '?'; auto& c : uri) {
    if (c == ',') c = std::exchange(sep, '&');
  }
  return uri;
}

// A signal round trip on a compute queue and on a copy queue, through the hcq contract. It opens the
// device again: on hardware that is a warm start on the firmware the bring-up left running, on the
// model a fresh model brought up the same way.
int round_trips(const std::string& spec) {
  const std::string uri = hcq_uri(spec);
  Device dev = hcq::open(uri);
  int status = 0;
  for (QueueKind kind : {QueueKind::compute, QueueKind::copy}) {
    Queue q = dev.queue(kind);
    Signal s = dev.new_signal(0);
    auto t0 = std::chrono::steady_clock::now();
    q.signal(s, 1).submit();
    WaitStatus st = s.wait(1, std::chrono::seconds(5));
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    const char* what = kind == QueueKind::compute ? "compute queue (PM4)" : "copy queue (SDMA)";
    if (st == WaitStatus::signaled) {
      fmt::print("{}: {} signal round trip in {} us\n", uri, what, us);
    } else {
      fmt::print("{}: {} signal round trip FAILED ({}; signal reads {})\n", uri, what,
                 st == WaitStatus::timeout ? "no signal in 5 s" : "device lost", s.value());
      status = 1;
    }
  }
  return status;
}

int bringup(const Args& a) {
  am::sim::register_gfx1100();
  am::sim::register_queue_engines();  // the model's CP and SDMA
  am::register_queue_blocks();        // the driver's GFX and SDMA blocks
  kmdfree::OpenOptions open;
  open.unbind_driver = a.unbind;
  am::Gpu::Options o;
  o.firmware_path = a.firmware;
  o.poll_timeout = std::chrono::milliseconds(a.timeout_ms);
  am::Gpu gpu(kmdfree::open_pci(a.device, open), o);
  fmt::print("{}: {} ({}), {} MiB VRAM\n", gpu.name(), gpu.chip().name, gpu.chip().product, gpu.vram_size() >> 20);
  for (const auto& b : gpu.discovery().blocks())
    fmt::print("  {:<7} {} [{}]\n", am::to_string(b.ip), b.version.text(), b.instance);
  auto t0 = std::chrono::steady_clock::now();
  gpu.init([](const am::Gpu::BlockReport& r) {
    fmt::print("{:<5} up in {:>8.3f} ms  {}\n", r.block, double(r.took.count()) / 1000.0, r.firmware);
    std::fflush(stdout);
  });
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  fmt::print("{} up in {} ms{}\n", gpu.name(), took.count(), gpu.warm_started() ? " (warm start: firmware reused)" : "");
  if (a.metrics) print_smu(gpu);
  if (a.suspend_resume) suspend_resume(gpu, o.poll_timeout);

  if (auto* ih = gpu.block<am::IhV6>())
    if (auto fault = ih->check_faults()) throw *fault;
  gpu.fini();
  return round_trips(a.device);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Bring an AMD GPU up without the kernel driver, block by block (docs/am.md)"};
  app.require_subcommand(1);
  Args a;
  auto* am = app.add_subcommand("am", "AMD gfx11 (RX 7900): SOC, GMC, IH, PSP, SMU, then GFX and SDMA where built");
  am->add_option("-d,--device", a.device,
                 "sim:gfx1100[,vram_mb=N][,psp=dead], a PCI address (0000:03:00.0, root) or vfio:<address>")
      ->capture_default_str();
  am->add_flag("--unbind", a.unbind, "detach the bound kernel driver (amdgpu) first");
  am->add_option("--firmware", a.firmware, "a directory searched before HCQ_FIRMWARE_PATH and /lib/firmware");
  am->add_option("--timeout-ms", a.timeout_ms, "how long each wait on the GPU may take")->capture_default_str();
  am->add_flag("!--no-metrics", a.metrics, "skip the SMU metrics at the end");
  am->add_flag("--suspend-resume", a.suspend_resume, "after bring-up, suspend and resume every block and print the times");
  CLI11_PARSE(app, argc, argv);
  try {
    return bringup(a);
  } catch (const Error& e) {
    fmt::print(stderr, "hcq-bringup: {}\n", e.what());
    return 2;
  }
}
