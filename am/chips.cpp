// The chip table. IP versions: Linux Documentation/gpu/amdgpu/dgpu-asic-info-table.csv (torvalds/linux);
// flags from amdgpu_psp.c psp_hw_start / psp_load_non_psp_fw and tinygrad's AM_PSP.
#include "chips.hpp"

#include <fmt/format.h>

#include "ip/gmc_v11.hpp"
#include "ip/ih_v6.hpp"
#include "ip/psp_v13.hpp"
#include "ip/smu_v13.hpp"
#include "ip/soc_nbio.hpp"
#include "registers/gchub_11_0_0.hpp"
#include "registers/mmhub_3_0_0.hpp"
#include "registers/nbio_4_3_0.hpp"

namespace hcq::am {

namespace {

void gfx11_blocks(Gpu& gpu, std::vector<std::unique_ptr<IpBlock>>& out) {
  out.push_back(std::make_unique<SocNbio43>(gpu));
  out.push_back(std::make_unique<GmcV11>(gpu));
  out.push_back(std::make_unique<IhV6>(gpu));
  out.push_back(std::make_unique<PspV13>(gpu));
  out.push_back(std::make_unique<SmuV13>(gpu));
}

constexpr uint64_t mib = 1 << 20;

constexpr Chip table[] = {
    {.name = "gfx1100",
     .product = "AMD Radeon RX 7900 XT / XTX (Navi 31)",
     .gc = {11, 0, 0},
     .mp0 = {13, 0, 0},
     .pte = &pte::gfx11,
     .make_blocks = gfx11_blocks,
     .indirect_index = &nbio_4_3_0::BIF_BX_PF0_RSMU_INDEX,
     .indirect_data = &nbio_4_3_0::BIF_BX_PF0_RSMU_DATA,
     .boot_scratch = &gchub_11_0_0::SCRATCH_REG7,
     .run_scratch = &gchub_11_0_0::SCRATCH_REG6,
     .fb_location_base = &mmhub_3_0_0::MMMC_VM_FB_LOCATION_BASE,
     .reserved_vram_top = 64 * mib,
     .has_imu = true,
     .psp_autoload_rlc = true,
     .psp_smu_before_tmr = true,
     .psp_setup_tmr = true,
     .verified = false},
};

}  // namespace

std::span<const Chip> chips() noexcept { return table; }

const Chip* select_chip(const Discovery& d, std::string* tried) {
  IpVersion gc = d.version(HwIp::gc), mp0 = d.version(HwIp::mp0);
  for (const Chip& c : table)
    if (c.gc == gc && c.mp0 == mp0) return &c;
  if (tried) {
    tried->clear();
    for (const Chip& c : table)
      *tried += fmt::format("{}{} (gc {}, mp0 {})", tried->empty() ? "" : ", ", c.name, c.gc.text(), c.mp0.text());
  }
  return nullptr;
}

fw::AmdIps firmware_ips(const Discovery& d) noexcept {
  fw::AmdIps ips;
  ips.gc = d.version(HwIp::gc);
  ips.mp0 = d.version(HwIp::mp0);
  ips.mp1 = d.version(HwIp::mp1);
  ips.sdma = d.version(HwIp::sdma0);
  return ips;
}

}  // namespace hcq::am
