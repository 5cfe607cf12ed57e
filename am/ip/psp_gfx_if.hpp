// The PSP's driver interface (MP0 13.0.x): bootloader commands, the KM ring frame and the 1 KiB
// command buffer, command ids and the LOAD_IP_FW firmware types. Our transcription of Linux
// drivers/gpu/drm/amd/amdgpu/psp_gfx_if.h and amdgpu_psp.h (torvalds/linux; the same headers are
// in tinygrad's extra/amdpci/headers/). Shared by the driver (psp_v13.cpp) and the model (sim/psp.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hcq::am::psp {

// Bootloader commands written to C2PMSG_35 (amdgpu_psp.h enum psp_bootloader_cmd).
enum class BlCmd : uint32_t {
  load_sysdrv = 0x10000,
  load_sosdrv = 0x20000,
  load_key_database = 0x80000,
  load_socdrv = 0xb0000,
  load_dbgdrv = 0xc0000,
  load_intfdrv = 0xd0000,
  load_rasdrv = 0xe0000,
  load_ipkeymgrdrv = 0xf0000,
  load_tos_spl_table = 0x10000000,
};
inline constexpr uint32_t bl_ready = 0x80000000u;  // C2PMSG_35 bit 31: the bootloader takes a command
inline constexpr uint64_t bl_staging_align = 1u << 20;  // PSP_1_MEG: C2PMSG_36 holds the address >> 20
inline constexpr unsigned bl_staging_shift = 20;

// Ring control commands written to C2PMSG_64 (psp_gfx_if.h psp_gfx_crtl_cmd_id), and its bits.
inline constexpr uint32_t ctrl_destroy_rings = 0x30000;
inline constexpr uint32_t ring_type_km = 2;  // PSP_RING_TYPE__KM, written << 16
inline constexpr uint32_t ctrl_response = 0x80000000u;  // GFX_CMD_RESPONSE_MASK
inline constexpr uint32_t ctrl_status_mask = 0xffffu;  // GFX_CMD_STATUS_MASK
inline constexpr uint32_t ctrl_cmd_shift = 16;

enum class CmdId : uint32_t {
  load_ta = 0x1,
  invoke_cmd = 0x3,
  setup_tmr = 0x5,
  load_ip_fw = 0x6,
  destroy_tmr = 0x7,
  load_toc = 0x20,
  autoload_rlc = 0x21,
  boot_cfg = 0x22,
};
std::string_view to_string(CmdId id) noexcept;

// psp_gfx_fw_type values the gfx11 bring-up uses (psp_gfx_if.h; mapping from amdgpu_psp.c psp_get_fw_type).
enum class FwType : uint32_t {
  cp_me = 1, cp_pfp = 2, cp_mec = 4, cp_mec_me1 = 5, rlc_v = 7, rlc_g = 8, sdma0 = 9, sdma1 = 10, smu = 18,
  rlc_restore_list_gpm_mem = 20, rlc_restore_list_srm_mem = 21, rlc_restore_list_srm_cntl = 22, toc = 24, rlc_p = 25,
  rlc_iram = 26, cp_mes = 33, mes_stack = 34, rlc_dram_boot = 48, imu_i = 68, imu_d = 69, sdma_ucode_th0 = 71,
  sdma_ucode_th1 = 72, cp_mes_kiq = 81, mes_kiq_stack = 82, rs64_pfp = 87, rs64_me = 88, rs64_mec = 89,
  rs64_pfp_p0_stack = 90, rs64_pfp_p1_stack = 91, rs64_me_p0_stack = 92, rs64_me_p1_stack = 93, rs64_mec_p0_stack = 94,
  rs64_mec_p1_stack = 95, rs64_mec_p2_stack = 96, rs64_mec_p3_stack = 97,
};
std::string_view to_string(FwType t) noexcept;  // "rs64_mec", "type_<n>" for others
bool known(uint32_t fw_type) noexcept;

// Response status values: PSP_ERR_UNKNOWN_COMMAND (psp_gfx_if.h), and the GlobalPlatform TEE codes the PSP's
// trusted OS reports for a bad argument or a command out of order (TEE Internal Core API: TEE_ERROR_BAD_PARAMETERS,
// TEE_ERROR_BAD_STATE). amdgpu only tests status != 0 and prints the value.
inline constexpr uint32_t err_unknown_command = 0x100;
inline constexpr uint32_t err_bad_parameters = 0xffff0006;
inline constexpr uint32_t err_bad_state = 0xffff0007;

struct LoadIpFw {
  uint32_t fw_phy_addr_lo, fw_phy_addr_hi, fw_size, fw_type;
};
struct SetupTmr {
  uint32_t buf_phy_addr_lo, buf_phy_addr_hi, buf_size, tmr_flags, system_phy_addr_lo, system_phy_addr_hi;
};
struct LoadToc {
  uint32_t toc_phy_addr_lo, toc_phy_addr_hi, toc_size;
};
static_assert(sizeof(LoadIpFw) == 16 && sizeof(SetupTmr) == 24 && sizeof(LoadToc) == 12);

struct Resp {
  uint32_t status;
  uint32_t session_id;
  uint32_t fw_addr_lo;
  uint32_t fw_addr_hi;
  uint32_t tmr_size;
  uint32_t reserved[11];
  uint32_t uresp[8];
};
static_assert(sizeof(Resp) == 96 && offsetof(Resp, tmr_size) == 16 && offsetof(Resp, uresp) == 64);

// psp_gfx_cmd_resp: one 1 KiB command buffer.
struct CmdResp {
  uint32_t buf_size;
  uint32_t buf_version;  // PSP_GFX_CMD_BUF_VERSION
  uint32_t cmd_id;
  uint32_t resp_buf_addr_lo, resp_buf_addr_hi, resp_offset, resp_buf_size;
  union {
    LoadIpFw load_ip_fw;
    SetupTmr setup_tmr;
    LoadToc load_toc;
    uint8_t raw[864 - 28];
  } cmd;
  Resp resp;
  uint8_t reserved_2[1024 - 864 - sizeof(Resp)];
};
static_assert(sizeof(CmdResp) == 1024 && offsetof(CmdResp, cmd) == 28 && offsetof(CmdResp, resp) == 864);
inline constexpr uint32_t cmd_buf_version = 1;

// psp_gfx_rb_frame: one 64-byte KM ring entry.
struct RbFrame {
  uint32_t cmd_buf_addr_lo, cmd_buf_addr_hi, cmd_buf_size;
  uint32_t fence_addr_lo, fence_addr_hi, fence_value;
  uint32_t sid_lo, sid_hi;
  uint8_t vmid, frame_type, reserved1[2];
  uint32_t reserved2[7];
};
static_assert(sizeof(RbFrame) == 64 && offsetof(RbFrame, fence_value) == 20 && offsetof(RbFrame, vmid) == 32 &&
              offsetof(RbFrame, reserved2) == 36);
inline constexpr uint32_t frame_dwords = sizeof(RbFrame) / 4;

inline constexpr uint64_t ring_bytes = 64 * 1024;       // the KM ring
inline constexpr uint64_t cmd_buffer_bytes = 4096;      // PSP_CMD_BUFFER_SIZE
inline constexpr uint64_t fence_buffer_bytes = 4096;    // PSP_FENCE_BUFFER_SIZE
inline constexpr uint64_t tmr_align = 1u << 20;
inline constexpr uint64_t tmr_max = 0x1300000;          // the most LOAD_TOC may ask for (tinygrad asserts it)

}  // namespace hcq::am::psp
