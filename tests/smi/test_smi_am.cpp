// hcq-smi --sim on the AMD gfx1100 device model: the SMU metrics read through am/ as on a card
// without its kernel driver (tools/smi/amsim.cpp). The model's metrics follow its engines' busy
// time, so a copy load between two reads must move them. Needs the real gfx1100 firmware (the
// model's PSP checks it), like tests/am's sim cases.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../am/sim_fixture.hpp"
#include "am/device.hpp"
#include "hcq/hcq.hpp"
#include "readers.hpp"

using namespace hcq::smi;
using namespace std::chrono_literals;

namespace {

int64_t integer(const Record& r, F f) {
  auto v = r.at(f).integer();
  REQUIRE(v.has_value());
  return *v;
}

}  // namespace

TEST_CASE("smi: the gfx1100 model's SMU metrics appear and follow the load between reads", "[smi][sim]") {
  AM_NEED_FIRMWARE();
  auto dev = hcq::open("sim:gfx1100");
  auto& gpu = std::static_pointer_cast<hcq::am::AmDevice>(dev.impl())->gpu();
  Record idle;
  read_am_gpu(gpu, idle);
  for (F f : {F::temperature_c, F::temperature_memory_c, F::power_draw_w, F::clock_core_mhz, F::clock_core_max_mhz,
              F::clock_memory_mhz, F::clock_memory_max_mhz, F::utilization_pct, F::fan_rpm, F::memory_total_bytes})
    CHECK(idle.at(f).present());
  CHECK(idle.at(F::power_draw_w).source == "SMU");
  CHECK(integer(idle, F::clock_core_max_mhz) >= integer(idle, F::clock_core_mhz));
  CHECK(integer(idle, F::memory_total_bytes) == static_cast<int64_t>(gpu.vram_size()));

  // Keep the copy engine busy for a while, then read again: activity, clock, power and
  // temperature must all have moved up.
  constexpr size_t bytes = 32 << 20;
  auto a = dev.alloc(bytes), b = dev.alloc(bytes);
  auto q = dev.queue(hcq::QueueKind::copy);
  auto done = dev.new_signal();
  for (uint64_t i = 1; i <= 4; ++i) q.copy(b, a, bytes).copy(a, b, bytes).signal(done, i);
  q.submit();
  REQUIRE(done.wait(4, 60s) == hcq::WaitStatus::signaled);
  Record busy;
  read_am_gpu(gpu, busy);
  CHECK(integer(busy, F::utilization_pct) > integer(idle, F::utilization_pct));
  CHECK(integer(busy, F::clock_core_mhz) > integer(idle, F::clock_core_mhz));
  CHECK(*busy.at(F::power_draw_w).number() > *idle.at(F::power_draw_w).number());
  CHECK(integer(busy, F::temperature_c) > integer(idle, F::temperature_c));
  CHECK(integer(busy, F::fan_rpm) > integer(idle, F::fan_rpm));
}

TEST_CASE("smi: hcq-smi --sim --json lists sim:gfx1100 with its SMU readings", "[smi][sim]") {
  AM_NEED_FIRMWARE();
  std::string cmd = fmt::format("HCQ_SIM=1 {} --sim --json 2>/dev/null", HCQ_SMI_EXE);
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  auto doc = nlohmann::json::parse(out);
  const nlohmann::json* model = nullptr;
  for (const auto& d : doc["devices"])
    if (d.value("uri", "") == "sim:gfx1100") model = &d;
  REQUIRE(model != nullptr);
  INFO(model->dump());
  const auto& f = (*model)["fields"];
  CHECK(f["architecture"]["value"] == "gfx1100");
  for (const char* key : {"temperature_c", "clock_core_mhz", "power_draw_w", "utilization_pct"}) {
    CHECK(f[key]["value"].is_number());
    CHECK(f[key]["source"] == "SMU");
  }
  CHECK(f["ecc_enabled"]["value"].is_null());  // not in the model's metrics: says so
  CHECK_THAT(f["ecc_enabled"]["missing"].get<std::string>(), Catch::Contains("simulated"));
}
