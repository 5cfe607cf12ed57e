// AMD GPUs as data: which IP versions make a chip, which block implementations drive it, what its
// blocks need (has_* flags), its page-table format and a few registers the GPU itself touches. The
// GPU picks its row from the IP versions discovery reports: no generation checks elsewhere in am/.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "discovery.hpp"
#include "hcq/firmware/manifest.hpp"
#include "ip/pte.hpp"
#include "ip_block.hpp"
#include "registers/reg.hpp"

namespace hcq::am {

class Gpu;

struct Chip {
  std::string_view name;     // "gfx1100"
  std::string_view product;  // "AMD Radeon RX 7900 XT / XTX (Navi 31)"
  IpVersion gc;              // the row matches this GC version...
  IpVersion mp0;             // ...and this PSP
  const pte::Layout* pte;
  // The platform blocks in bring-up order (SOC, GMC, IH, PSP, SMU) for this chip's IP versions.
  void (*make_blocks)(Gpu& gpu, std::vector<std::unique_ptr<IpBlock>>& out);
  // Registers past BAR5 go through this index/data pair (the index holds the byte address).
  const Reg* indirect_index;
  const Reg* indirect_data;
  // Warm restart (amdev.py's scheme): boot_scratch holds boot_magic once we brought the GPU up,
  // run_scratch is 1 while we run and 0 after a clean fini.
  const Reg* boot_scratch;
  const Reg* run_scratch;
  const Reg* fb_location_base;  // MC_VM_FB_LOCATION_BASE of the hub the driver reads VRAM's MC address from
  uint64_t reserved_vram_top;  // bytes at the top of VRAM the driver leaves alone (discovery, firmware)
  bool has_imu;              // gc 11+: IMU_I/IMU_D images before RLC
  bool psp_autoload_rlc;     // GFX_CMD_ID_AUTOLOAD_RLC after the last LOAD_IP_FW (gc >= 11)
  bool psp_smu_before_tmr;   // pmfw-centralized cstate: LOAD_IP_FW(SMU) before SETUP_TMR
  bool psp_setup_tmr;        // false where the PSP sets the TMR up at boot (gfx12)
  bool verified;             // brought up on real hardware (docs/am.md says where)
};

// Ours, not tinygrad's (it writes 0xA0000008): a GPU left by the other driver is never taken as ours.
inline constexpr uint32_t boot_magic = 0x68637101;  // "hcq" 1

// The row for these IP versions, or nullptr (`tried` then lists what the table knows).
const Chip* select_chip(const Discovery& d, std::string* tried = nullptr);
std::span<const Chip> chips() noexcept;

// The IP versions the firmware manifest is built from (firmware-loader/manifest.hpp).
fw::AmdIps firmware_ips(const Discovery& d) noexcept;

}  // namespace hcq::am
