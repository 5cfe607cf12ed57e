// The platform blocks' lifecycle on sim:gfx1100: suspend walks the blocks backwards and resume
// forwards, the PSP loads every image again on resume (psp_resume), the SMU answers afterwards, the
// page tables stay in VRAM (a mapping made before still translates), an unread IH entry keeps the
// GPU from suspending, and calls out of order are refused.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>

#include "am/ip/gmc_v11.hpp"
#include "am/ip/ih_v6.hpp"
#include "am/ip/smu_v13.hpp"
#include "am/registers/gchub_11_0_0.hpp"
#include "am/registers/mmhub_3_0_0.hpp"
#include "sim_fixture.hpp"

using namespace hcq;
using namespace hcq::am;
using namespace std::chrono_literals;

TEST_CASE("lifecycle: suspend and resume walk the blocks, reload the PSP firmware, keep the page tables", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto s = amtest::open();
  Gpu& g = *s.gpu;
  CHECK_THROWS_AS(g.suspend(100ms), Error);  // not initialised
  std::vector<std::string> up, resumed;
  g.init([&](const Gpu::BlockReport& r) { up.push_back(r.block); });
  const auto loaded = s.model->loaded_firmware();
  REQUIRE(!loaded.empty());

  VramBlock v = g.alloc_vram(4096);
  const uint32_t pattern = 0x600dcafe;
  REQUIRE(v.cpu != nullptr);
  std::memcpy(v.cpu, &pattern, 4);
  g.hdp_flush();
  const uint64_t root = g.page_table_root();

  g.wait_idle(100ms);
  g.suspend(1000ms);
  CHECK(g.suspended());
  // GMC's suspend disabled VM context 0 (gmc_v11_0_hw_fini); the tables themselves stay in VRAM.
  CHECK(mmhub_3_0_0::MMVM_CONTEXT0_CNTL["enable_context"].get(g.read(mmhub_3_0_0::MMVM_CONTEXT0_CNTL)) == 0);
  g.resume([&](const Gpu::BlockReport& r) { resumed.push_back(r.block); });
  CHECK_FALSE(g.suspended());
  CHECK(resumed == up);

  // psp_resume sends LOAD_TOC, SETUP_TMR and every LOAD_IP_FW again, in the same order.
  const auto after = s.model->loaded_firmware();
  REQUIRE(after.size() == 2 * loaded.size());
  CHECK(std::vector<uint32_t>(after.begin() + long(loaded.size()), after.end()) == loaded);
  CHECK(s.model->psp_last_error().empty());
  CHECK(g.block<SmuV13>()->metrics().CurrClock[smu13::clk_gfx] > 0);  // features enabled again

  CHECK(g.page_table_root() == root);
  CHECK((g.read(mmhub_3_0_0::MMVM_CONTEXT0_PAGE_TABLE_BASE_ADDR_LO32) & ~1u) == uint32_t(root));
  uint32_t seen = 0;
  REQUIRE(s.model->context().read(sim::Client::psp, 0, v.va, &seen, 4));
  CHECK(seen == pattern);
  CHECK(s.model->faults().empty());
  g.free_vram(v);
  g.fini();
  CHECK_THROWS_AS(g.resume(), Error);  // not suspended
}

TEST_CASE("lifecycle: an unread IH entry keeps the GPU from suspending until it is drained", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto s = amtest::open();
  Gpu& g = *s.gpu;
  g.init();
  auto* ih = g.block<IhV6>();
  REQUIRE(ih != nullptr);
  CHECK(ih->is_idle());
  g.block<GmcV11>()->init_hub(gchub_11_0_0::hub);  // the GFX block does this after the RLC is up
  uint32_t v;
  REQUIRE_FALSE(s.model->context().read(sim::Client::sdma0, 0, g.va_start() + 0x1234'5000, &v, 4));  // a VM fault
  CHECK_FALSE(ih->is_idle());
  try {
    g.suspend(50ms);
    FAIL("suspend() went through with an unread IH entry");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::timeout);
    CHECK(e.block() == "IH");
    CHECK_THAT(e.detail(), Catch::Contains("IH_RB_WPTR") && Catch::Contains("1 unread entries"));
  }
  CHECK_FALSE(g.suspended());
  CHECK(ih->check_faults().has_value());
  CHECK(ih->is_idle());
  g.suspend(1000ms);
  g.resume();
  CHECK(ih->is_idle());
}
