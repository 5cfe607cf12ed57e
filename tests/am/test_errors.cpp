// Error paths of the bring-up: each gives an hcq::Error naming the device, the block, what was seen
// and what to do, and the GPU can be brought up afterwards.
#include <catch2/catch.hpp>

#include <fstream>

#include "am/ip/gmc_v11.hpp"
#include "am/ip/ih_v6.hpp"
#include "am/ip/psp_gfx_if.hpp"
#include "am/registers/gchub_11_0_0.hpp"
#include "hcq/firmware/amdgpu.hpp"
#include "hcq/firmware/loader.hpp"
#include "kmd-free/pci_sim.hpp"
#include "sim_fixture.hpp"

using namespace hcq;
using namespace hcq::am;

namespace {

// Copies the gfx1100 files into dir/amdgpu; `edit` may change one file's bytes.
void copy_firmware(const std::filesystem::path& dir, const std::string& victim,
                   const std::function<void(std::vector<std::byte>&)>& edit) {
  std::filesystem::create_directories(dir / "amdgpu");
  for (const char* f : {"amdgpu/psp_13_0_0_sos.bin", "amdgpu/smu_13_0_0.bin", "amdgpu/sdma_6_0_0.bin", "amdgpu/gc_11_0_0_mec.bin",
                        "amdgpu/gc_11_0_0_imu.bin", "amdgpu/gc_11_0_0_rlc.bin"}) {
    fw::Blob b = fw::load(f);
    if (victim == f) edit(b.bytes);
    std::ofstream(dir / f, std::ios::binary).write(reinterpret_cast<const char*>(b.bytes.data()), std::streamsize(b.bytes.size()));
  }
}

sim::ModelOptions dead_psp() {
  sim::ModelOptions o;
  o.psp_dead = true;
  return o;
}

void check_error(const Error& e, const Gpu& g, Errc code, const std::string& block, const std::string& seen,
                 const std::string& todo) {
  INFO(e.what());
  CHECK(e.code() == code);
  CHECK(e.device() == g.name());
  CHECK(e.block() == block);
  CHECK_THAT(e.detail(), Catch::Contains(seen));
  CHECK_THAT(e.detail(), Catch::Contains(todo));
}

}  // namespace

TEST_CASE("errors: a missing firmware file names it and how to install it; a retry works", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto empty = amtest::temp_dir("nofw");
  auto opts = amtest::fast_options();
  opts.firmware_path = empty.string();
  opts.firmware_path_only = true;
  auto s = amtest::open({}, opts);
  try {
    s.gpu->init();
    FAIL("init without firmware succeeded");
  } catch (const Error& e) {
    check_error(e, *s.gpu, Errc::not_found, "PSP", "psp_13_0_0_sos.bin", "HCQ_FIRMWARE_PATH");
  }
  CHECK_FALSE(s.gpu->initialised());
  s.gpu->options().firmware_path_only = false;
  s.gpu->options().firmware_path.clear();
  s.gpu->init();
  CHECK(s.gpu->initialised());
  std::filesystem::remove_all(empty);
}

TEST_CASE("errors: a truncated firmware file is refused by its parser; a retry works", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto dir = amtest::temp_dir("cutfw");
  copy_firmware(dir, "amdgpu/smu_13_0_0.bin", [](std::vector<std::byte>& b) { b.resize(b.size() / 2); });
  auto opts = amtest::fast_options();
  opts.firmware_path = dir.string();
  auto s = amtest::open({}, opts);
  try {
    s.gpu->init();
    FAIL("init with a truncated SMU file succeeded");
  } catch (const Error& e) {
    check_error(e, *s.gpu, Errc::bad_code_object, "PSP", "smu_13_0_0.bin", "firmware-amd-graphics");
  }
  s.gpu->options().firmware_path.clear();
  s.gpu->init();
  CHECK(s.gpu->initialised());
  std::filesystem::remove_all(dir);
}

TEST_CASE("errors: firmware the PSP refuses gives resp.status; after a retry the GPU is reset and comes up", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto dir = amtest::temp_dir("badfw");
  // A byte inside the MEC microcode image changed: the header still parses, the PSP's check does not pass.
  copy_firmware(dir, "amdgpu/gc_11_0_0_mec.bin", [](std::vector<std::byte>& b) {
    auto f = fw::amdgpu::Firmware::parse(b, "mec");
    const fw::Image* ucode = f.image("ucode");
    REQUIRE(ucode);
    REQUIRE(ucode->size() > 256);
    b[ucode->file_offset + 200] ^= std::byte{0xff};
  });
  auto opts = amtest::fast_options();
  opts.firmware_path = dir.string();
  auto s = amtest::open({}, opts);
  try {
    s.gpu->init();
    FAIL("init with damaged MEC microcode succeeded");
  } catch (const Error& e) {
    check_error(e, *s.gpu, Errc::device_lost, "PSP", "resp.status = 0x", "hcq-fw check --chip gfx1100");
    CHECK_THAT(e.detail(), Catch::Contains("LOAD_IP_FW"));
  }
  CHECK_THAT(s.model->psp_last_error(), Catch::Contains("rs64"));
  std::filesystem::remove_all(dir);
  // The same Gpu, good files now: the half-loaded PSP is reset through the SMU, then loaded again.
  s.gpu->options().firmware_path.clear();
  s.gpu->init();
  CHECK(s.gpu->initialised());
  CHECK_FALSE(s.gpu->warm_started());
  CHECK(s.model->loaded_firmware().back() == uint32_t(psp::FwType::rlc_g));
}

TEST_CASE("errors: a PSP that never answers times out with the mailbox value; init fails again the same way", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto s = amtest::open(dead_psp());
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto t0 = std::chrono::steady_clock::now();
    try {
      s.gpu->init();
      FAIL("init with a dead PSP succeeded");
    } catch (const Error& e) {
      check_error(e, *s.gpu, Errc::timeout, "PSP", "MP0_SMN_C2PMSG_35 = 0x00000000", "Power-cycle");
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK_FALSE(s.gpu->initialised());
  }
  // The blocks that were up were taken down: IH ring 0 is off again.
  auto healthy = amtest::open();
  healthy.gpu->init();
  CHECK(healthy.gpu->initialised());
}

TEST_CASE("errors: a VM fault from a bad address names VA, VMID, client and the fault status; re-init works", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto s = amtest::open();
  Gpu& g = *s.gpu;
  g.init();
  auto* gmc = g.block<GmcV11>();
  auto* ih = g.block<IhV6>();
  REQUIRE((gmc && ih));
  gmc->init_hub(gchub_11_0_0::hub);  // the GFX block does this after the RLC is up
  const uint64_t bad = g.va_start() + 0x7654'3000;
  uint32_t v;
  CHECK_FALSE(s.model->context().read(sim::Client::sdma0, 0, bad, &v, 4));
  REQUIRE(s.model->faults().size() == 1);
  auto err = ih->check_faults();
  REQUIRE(err.has_value());
  check_error(*err, g, Errc::device_lost, "GMC", fmt::format("{:#x}", bad), "re-initialised");
  CHECK_THAT(err->detail(), Catch::Contains("vmid 0") && Catch::Contains("GFX (GC hub UTCL2)") &&
                                Catch::Contains("GCVM_L2_PROTECTION_FAULT_STATUS") && Catch::Contains("rw=0x0"));
  CHECK_FALSE(ih->check_faults().has_value());  // drained, and the status was cleared
  g.fini();
  g.init();
  CHECK(g.initialised());
  VramBlock b = g.alloc_vram(4096);
  CHECK(s.model->context().read(sim::Client::psp, 0, b.va, &v, 4));
}

TEST_CASE("errors: a damaged discovery table is refused when the GPU is opened", "[am][sim]") {
  auto model = sim::make_gfx1100({});
  auto pci = kmdfree::open_sim(std::move(model));
  std::byte* vram = pci->bar(0).direct();
  REQUIRE(vram);
  vram[(512ull << 20) - (64 << 10) + 30] ^= std::byte{0x5a};
  try {
    Gpu g(std::move(pci), amtest::fast_options());
    FAIL("a damaged discovery table was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::io);
    CHECK(e.block() == "discovery");
    CHECK_THAT(e.device(), Catch::StartsWith("am ffff:"));
    CHECK_THAT(e.detail(), Catch::Contains("checksum") && Catch::Contains("reset the GPU"));
  }
}
