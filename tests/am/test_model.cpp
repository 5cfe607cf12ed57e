// The gfx1100 model on its own, driven through raw BAR accesses: what a driver finds before it knows
// anything (memsize, discovery via MM_INDEX/MM_DATA), the PSP's refusals, the SMU's silence without firmware.
#include <catch2/catch.hpp>

#include <cstring>

#include "am/discovery.hpp"
#include "am/ip/psp_images.hpp"
#include "am/ip/psp_v13.hpp"
#include "am/ip/smu_v13.hpp"
#include "hcq/firmware/loader.hpp"
#include "am/registers/mp_13_0_0.hpp"
#include "am/sim/model.hpp"
#include "am/sim/platform.hpp"
#include "hcq/error.hpp"
#include "kmd-free/pci_sim.hpp"
#include "sim_fixture.hpp"

using namespace hcq;
using namespace hcq::am;

namespace {
sim::ModelOptions vram_256() {
  sim::ModelOptions o;
  o.vram_mb = 256;
  return o;
}
constexpr uint64_t memsize_byte = 0xde3 * 4, mm_index = 0x0, mm_data = 0x4, mm_index_hi = 0x18;
}  // namespace

TEST_CASE("model: PCI identity, memsize and the discovery table through MM_INDEX/MM_DATA", "[am][sim]") {
  auto pci = kmdfree::open_sim(sim::make_gfx1100(vram_256()));
  CHECK(pci->identity().vendor == 0x1002);
  CHECK(pci->identity().device == 0x744c);
  CHECK(pci->bar_size(0) == 256ull << 20);
  auto& mmio = pci->bar(5);
  CHECK(mmio.read32(memsize_byte) == 256);
  const uint64_t table = (256ull << 20) - (64 << 10);
  std::vector<std::byte> bytes(discovery::tmr_size);
  for (uint64_t i = 0; i < bytes.size(); i += 4) {
    mmio.write32(mm_index_hi, uint32_t((table + i) >> 31));
    mmio.write32(mm_index, uint32_t((table + i) & 0x7fffffff) | 0x80000000u);
    uint32_t v = mmio.read32(mm_data);
    std::memcpy(bytes.data() + i, &v, 4);
  }
  Discovery d = Discovery::parse(bytes, "model");
  CHECK(d.version(HwIp::gc) == IpVersion{11, 0, 0});
  CHECK(d.version(HwIp::mp1) == IpVersion{13, 0, 0});
  CHECK(std::memcmp(bytes.data(), pci->bar(0).direct() + table, bytes.size()) == 0);
}

TEST_CASE("model: options are checked", "[am][sim]") {
  CHECK(sim::parse_options({{"vram_mb", "1024"}, {"psp", "dead"}}).psp_dead);
  CHECK_THROWS_AS(sim::parse_options({{"vram_mb", "1000"}}), Error);
  CHECK_THROWS_AS(sim::parse_options({{"vram_mb", ""}}), Error);
  CHECK_THROWS_AS(sim::parse_options({{"colour", "blue"}}), Error);
  sim::register_gfx1100();
  bool found = false;
  for (const auto& m : kmdfree::sim_models()) found = found || m.name == "gfx1100";
  CHECK(found);
}

TEST_CASE("model: the PSP bootloader refuses an image that is not the sos file's", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto model = sim::make_gfx1100({});
  auto* inspect = dynamic_cast<sim::Inspect*>(model.get());
  auto pci = kmdfree::open_sim(std::move(model));
  auto& mmio = pci->bar(5);
  auto& ctx = inspect->context();
  const uint32_t c35 = ctx.address(mp_13_0_0::MP0_SMN_C2PMSG_35) * 4, c36 = ctx.address(mp_13_0_0::MP0_SMN_C2PMSG_36) * 4;
  const uint32_t c81 = ctx.address(mp_13_0_0::MP0_SMN_C2PMSG_81) * 4;
  CHECK(mmio.read32(c35) == 0x80000000u);
  // Garbage at a staging address, sent as the system driver: refused, and sOS never comes alive.
  std::memset(pci->bar(0).direct() + (16 << 20), 0xab, 1 << 20);
  mmio.write32(c36, uint32_t((sim::gfx1100_fb_base + (16 << 20)) >> 20));
  mmio.write32(c35, 0x10000);  // LOAD_SYSDRV
  CHECK(mmio.read32(c35) == 0x80000000u);
  CHECK_THAT(inspect->psp_last_error(), Catch::Contains("sys_drv"));
  mmio.write32(c35, 0x20000);  // LOAD_SOSDRV with garbage
  CHECK(mmio.read32(c81) == 0);
}

TEST_CASE("model: the SMU does not answer before the PSP loaded its firmware", "[am][sim]") {
  auto model = sim::make_gfx1100({});
  auto* inspect = dynamic_cast<sim::Inspect*>(model.get());
  auto pci = kmdfree::open_sim(std::move(model));
  auto& ctx = inspect->context();
  auto& mmio = pci->bar(5);
  mmio.write32(ctx.address(mp_13_0_0::MP1_SMN_C2PMSG_90) * 4, 0);
  mmio.write32(ctx.address(mp_13_0_0::MP1_SMN_C2PMSG_66) * 4, 0x2);  // GetSmuVersion
  CHECK(mmio.read32(ctx.address(mp_13_0_0::MP1_SMN_C2PMSG_90) * 4) == 0);
}

TEST_CASE("model: the PSP refuses commands out of the order amdgpu keeps", "[am][sim]") {
  AM_NEED_FIRMWARE();
  auto s = amtest::open();
  Gpu& g = *s.gpu;
  g.init();
  // Back to a PSP that has loaded nothing: mode1 reset, then only the secure OS and the ring.
  auto* smu = g.block<SmuV13>();
  auto* psp = g.block<PspV13>();
  REQUIRE((smu && psp));
  smu->mode1_reset();
  psp->wait_reset_done();
  psp->start_sos();

  fw::Blob mec_file = fw::load("amdgpu/gc_11_0_0_mec.bin");
  auto mec = fw::amdgpu::Firmware::parse(mec_file.span(), mec_file.name);
  auto images = psp::images("cp_mec", mec);
  REQUIRE(!images.empty());
  VramBlock buf = g.alloc_vram(images[0].bytes.size(), 1 << 20, false);
  std::memcpy(buf.cpu, images[0].bytes.data(), images[0].bytes.size());
  psp::LoadIpFw load{uint32_t(buf.mc), uint32_t(buf.mc >> 32), uint32_t(images[0].bytes.size()), uint32_t(images[0].type)};

  auto refused = [&](psp::CmdId id, const void* body, size_t bytes, uint32_t status, const std::string& why) {
    try {
      psp->submit(id, body, bytes, "test");
      FAIL("the PSP took a command out of order");
    } catch (const Error& e) {
      CHECK(e.block() == "PSP");
      CHECK_THAT(e.detail(), Catch::Contains(fmt::format("resp.status = {:#x}", status)));
    }
    CHECK_THAT(s.model->psp_last_error(), Catch::Contains(why));
  };
  refused(psp::CmdId::load_ip_fw, &load, sizeof load, psp::err_bad_state, "before SETUP_TMR");
  refused(psp::CmdId::autoload_rlc, nullptr, 0, psp::err_bad_state, "AUTOLOAD_RLC before RLC_G");
  refused(psp::CmdId(0x99), nullptr, 0, psp::err_unknown_command, "0x99");
  psp::LoadIpFw unknown = load;
  unknown.fw_type = 200;
  refused(psp::CmdId::load_ip_fw, &unknown, sizeof unknown, psp::err_bad_parameters, "unknown type 200");

  // TOC and TMR by hand; then a short image and RLC_G before IMU are refused, the right image taken.
  fw::Blob sos_file = fw::load("amdgpu/psp_13_0_0_sos.bin");
  auto sos = fw::amdgpu::Firmware::parse(sos_file.span(), sos_file.name);
  const fw::Image* toc = psp::sos_bin(sos, fw::amdgpu::PspFwType::toc);
  REQUIRE(toc);
  VramBlock toc_buf = g.alloc_vram(toc->size(), 1 << 20, false);
  std::memcpy(toc_buf.cpu, toc->bytes.data(), toc->size());
  psp::LoadToc load_toc{uint32_t(toc_buf.mc), uint32_t(toc_buf.mc >> 32), uint32_t(toc->size())};
  uint32_t tmr_bytes = psp->submit(psp::CmdId::load_toc, &load_toc, sizeof load_toc, "toc").tmr_size;
  REQUIRE(tmr_bytes > 0);
  VramBlock tmr = g.alloc_vram(tmr_bytes, 1 << 20, false);
  psp::SetupTmr setup{uint32_t(tmr.mc), uint32_t(tmr.mc >> 32), uint32_t(tmr.size), 0, 0, 0};
  psp->submit(psp::CmdId::setup_tmr, &setup, sizeof setup, "tmr");
  psp::LoadIpFw wrong_size = load;
  wrong_size.fw_size -= 4;
  refused(psp::CmdId::load_ip_fw, &wrong_size, sizeof wrong_size, psp::err_bad_parameters, "that are not");
  fw::Blob rlc_file = fw::load("amdgpu/gc_11_0_0_rlc.bin");
  auto rlc = fw::amdgpu::Firmware::parse(rlc_file.span(), rlc_file.name);
  const fw::Image* rlc_g = rlc.image("rlc_g");
  REQUIRE(rlc_g);
  VramBlock rlc_buf = g.alloc_vram(rlc_g->size(), 1 << 20, false);
  std::memcpy(rlc_buf.cpu, rlc_g->bytes.data(), rlc_g->size());
  psp::LoadIpFw load_rlc_g{uint32_t(rlc_buf.mc), uint32_t(rlc_buf.mc >> 32), uint32_t(rlc_g->size()), uint32_t(psp::FwType::rlc_g)};
  refused(psp::CmdId::load_ip_fw, &load_rlc_g, sizeof load_rlc_g, psp::err_bad_state, "LOAD_IP_FW(rlc_g) before");
  psp->submit(psp::CmdId::load_ip_fw, &load, sizeof load, "mec");
  CHECK(s.model->loaded_firmware() == std::vector<uint32_t>{uint32_t(images[0].type)});

  // The GPU comes back from this state with a full, ordered load.
  g.fini();
  g.write(*g.chip().boot_scratch, 0);
  g.init();
  CHECK(s.model->loaded_firmware().back() == uint32_t(psp::FwType::rlc_g));
}
