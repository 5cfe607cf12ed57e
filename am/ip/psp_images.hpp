// Which LOAD_IP_FW images a gfx11 firmware file gives the PSP, and in what order the files go: the
// mapping of amdgpu_psp.c psp_get_fw_type / amdgpu_ucode.c (ucode id -> PSP type) at tinygrad's
// minimal compute set (AM_PSP: SMU; SDMA TH1 then TH0; RS64 MEC and its P0 stack; IMU I/D; RLC
// restore lists, IRAM/DRAM boot, RLC_P, RLC_V; RLC_G last). The driver sends these; the device
// model checks what it receives against the same files.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hcq/firmware/amdgpu.hpp"
#include "psp_gfx_if.hpp"

namespace hcq::am::psp {

struct Image {
  FwType type;
  std::span<const std::byte> bytes;
  std::string source;  // "smu_13_0_0.bin ucode"
};

// Manifest roles in load order (firmware-loader manifest.hpp roles).
inline constexpr std::string_view load_order[] = {"smu", "sdma", "cp_mec", "imu", "rlc"};

// The images of one file of `role`, in the order they are sent. Throws hcq::Error(bad_code_object)
// naming the file when an image the PSP needs is missing from it.
std::vector<Image> images(std::string_view role, const fw::amdgpu::Firmware& f);

// The sos bin the bootloader command loads, and the order the kernel sends them (psp_hw_start).
struct BootComponent {
  fw::amdgpu::PspFwType bin;
  BlCmd cmd;
};
inline constexpr BootComponent boot_order[] = {
    {fw::amdgpu::PspFwType::kdb, BlCmd::load_key_database},   {fw::amdgpu::PspFwType::spl, BlCmd::load_tos_spl_table},
    {fw::amdgpu::PspFwType::sys_drv, BlCmd::load_sysdrv},     {fw::amdgpu::PspFwType::soc_drv, BlCmd::load_socdrv},
    {fw::amdgpu::PspFwType::intf_drv, BlCmd::load_intfdrv},   {fw::amdgpu::PspFwType::dbg_drv, BlCmd::load_dbgdrv},
    {fw::amdgpu::PspFwType::ras_drv, BlCmd::load_rasdrv},     {fw::amdgpu::PspFwType::sos, BlCmd::load_sosdrv},
};
// The sos bin of type `t` (the first bin set), or nullptr.
const fw::Image* sos_bin(const fw::amdgpu::Firmware& sos, fw::amdgpu::PspFwType t);

}  // namespace hcq::am::psp
