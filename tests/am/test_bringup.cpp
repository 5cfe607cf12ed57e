// Platform bring-up on sim:gfx1100: SOC, GMC, IH, PSP, SMU (and whatever blocks the queue side has
// registered), the firmware the model's PSP accepted and in what order, the SMU's answers, GPU memory
// through the page tables, warm and cold restarts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include "am/ip/gmc_v11.hpp"
#include "am/ip/ih_v6.hpp"
#include "am/ip/page_table.hpp"
#include "am/ip/psp_gfx_if.hpp"
#include "am/ip/smu_v13.hpp"
#include "am/registers/gc_11_0_0.hpp"
#include "am/registers/mmhub_3_0_0.hpp"
#include "hcq/firmware/amdgpu.hpp"
#include "hcq/firmware/loader.hpp"
#include "sim_fixture.hpp"

using namespace hcq;
using namespace hcq::am;

namespace {
size_t index_of(const std::vector<uint32_t>& v, psp::FwType t) {
  return size_t(std::find(v.begin(), v.end(), uint32_t(t)) - v.begin());
}
}  // namespace

TEST_CASE("sim bring-up: every platform block comes up in order", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto s = amtest::open();
  Gpu& g = *s.gpu;
  CHECK_THAT(g.name(), Catch::StartsWith("am ffff:") && Catch::EndsWith("(sim)"));
  CHECK(g.chip().name == "gfx1100");
  CHECK(g.vram_size() == 512ull << 20);
  std::vector<Gpu::BlockReport> reports;
  g.init([&](const Gpu::BlockReport& r) { reports.push_back(r); });
  REQUIRE(reports.size() >= 5);
  const char* order[] = {"SOC", "GMC", "IH", "PSP", "SMU"};
  for (size_t i = 0; i < 5; ++i) CHECK(reports[i].block == order[i]);
  CHECK_THAT(reports[3].firmware, Catch::Contains("psp_sos") && Catch::Contains("cp_mec"));
  CHECK_THAT(reports[4].firmware, Catch::StartsWith("smu 0x"));
  CHECK_FALSE(g.warm_started());

  // The PSP took SMU first (before the TMR), RLC_G after everything it boots with, and AUTOLOAD_RLC ran.
  auto loaded = s.model->loaded_firmware();
  REQUIRE(!loaded.empty());
  CHECK(loaded.front() == uint32_t(psp::FwType::smu));
  CHECK(loaded.back() == uint32_t(psp::FwType::rlc_g));
  CHECK(index_of(loaded, psp::FwType::sdma_ucode_th1) < index_of(loaded, psp::FwType::sdma_ucode_th0));
  CHECK(index_of(loaded, psp::FwType::rs64_mec) < loaded.size());
  CHECK(index_of(loaded, psp::FwType::imu_i) < index_of(loaded, psp::FwType::rlc_g));
  CHECK(s.model->psp_last_error().empty());
  CHECK(gc_11_0_0::RLC_RLCS_BOOTLOAD_STATUS["bootload_complete"].get(g.read(gc_11_0_0::RLC_RLCS_BOOTLOAD_STATUS)) == 1);
  CHECK(g.read(gc_11_0_0::CP_STAT) == 0);
  // MMHUB context 0 enabled on our root table.
  CHECK(mmhub_3_0_0::MMVM_CONTEXT0_CNTL["enable_context"].get(g.read(mmhub_3_0_0::MMVM_CONTEXT0_CNTL)) == 1);
  CHECK((g.read(mmhub_3_0_0::MMVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_LO32) & ~1u) == uint32_t(g.page_table_root()));
  CHECK(s.model->hdp_flushes() > 0);
}

TEST_CASE("sim bring-up: the SMU answers from the real firmware's version", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto s = amtest::open();
  s.gpu->init();
  auto* smu = s.gpu->block<SmuV13>();
  REQUIRE(smu);
  fw::Blob blob = fw::load("amdgpu/smu_13_0_0.bin");
  auto file = fw::amdgpu::Firmware::parse(blob.span(), blob.name);
  CHECK(smu->version() == file.common().ucode_version);
  auto levels = smu->dpm_levels(smu13::Clk::gfxclk);
  REQUIRE(levels.size() >= 2);
  CHECK(std::is_sorted(levels.begin(), levels.end()));
  auto m1 = smu->metrics();
  auto m2 = smu->metrics();
  CHECK(m2.MetricsCounter == m1.MetricsCounter + 1);
  CHECK(m1.AvgTemperature[smu13::temp_edge] >= 20);
  CHECK(m1.AvgTemperature[smu13::temp_edge] <= 110);
  CHECK(m1.AverageSocketPower > 0);
  CHECK(m2.EnergyAccumulator > m1.EnergyAccumulator);
  CHECK_THROWS_AS(smu->send(smu13::Msg(0x7f)), Error);  // unknown message: 0xFE, reported
}

TEST_CASE("sim memory: VRAM and host memory reach the GPU through the page tables", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto s = amtest::open();
  Gpu& g = *s.gpu;
  g.init();
  sim::Context& gpu_side = s.model->context();

  VramBlock v = g.alloc_vram(3 << 20);  // a 2 MiB leaf and 4 KiB pages
  REQUIRE(v.cpu);
  REQUIRE(v.va >= g.va_start());
  for (uint64_t o : {uint64_t{0}, uint64_t{(2 << 20) + 4096}, uint64_t{(3 << 20) - 8}}) {
    uint64_t pattern = 0x1234'5678'0000'0000ull | o;
    std::memcpy(v.cpu + o, &pattern, 8);
    uint64_t seen = 0;
    REQUIRE(gpu_side.read(sim::Client::psp, 0, v.va + o, &seen, 8));
    CHECK(seen == pattern);
  }
  CHECK(g.page_table().lookup(v.va - g.va_start()).level == 2);

  HostBlock h = g.alloc_host(8192);
  uint32_t word = 0xfeedf00d;
  REQUIRE(gpu_side.write(sim::Client::psp, 0, h.va + 4096, &word, 4));
  uint32_t back;
  std::memcpy(&back, h.buffer->cpu() + 4096, 4);
  CHECK(back == word);
  CHECK(s.model->faults().empty());

  uint64_t va = v.va;
  g.free_vram(v);
  uint64_t seen;
  CHECK_FALSE(gpu_side.read(sim::Client::psp, 0, va, &seen, 8));  // unmapped after the free
  g.free_host(h);
  REQUIRE(g.block<IhV6>());
  CHECK(g.block<IhV6>()->check_faults().has_value());
}

TEST_CASE("sim restart: a clean fini gives a warm start, a foreign state a mode1 reset", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto s = amtest::open();
  Gpu& g = *s.gpu;
  g.init();
  size_t loads = s.model->loaded_firmware().size();
  g.fini();
  g.init();
  CHECK(g.warm_started());
  CHECK(s.model->loaded_firmware().size() == loads);  // the PSP was not asked again
  REQUIRE(g.block<SmuV13>()->version() != 0);

  // Not our magic: as if another driver had left it running. The GPU is reset and loaded again.
  g.write(*g.chip().boot_scratch, 0);
  g.fini();
  std::vector<std::string> blocks;
  g.init([&](const Gpu::BlockReport& r) { blocks.push_back(r.block); });
  CHECK_FALSE(g.warm_started());
  CHECK(s.model->loaded_firmware().size() == loads);  // the reset forgot the first load; one full load since
  CHECK(s.model->loaded_firmware().front() == uint32_t(psp::FwType::smu));
}
