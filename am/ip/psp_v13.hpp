// PSP v13 (MP0 13.0.x): the bootloader loads the sOS components from psp_<mp0>_sos.bin, then the KM
// ring carries LOAD_TOC, SETUP_TMR, LOAD_IP_FW for every image (psp_images.hpp) and AUTOLOAD_RLC.
// Sequence of amdgpu_psp.c psp_hw_start and psp_v13_0.c, at tinygrad AM_PSP's size (amd.md §4).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../gpu.hpp"
#include "../ip_block.hpp"
#include "hcq/firmware/amdgpu.hpp"
#include "hcq/firmware/loader.hpp"
#include "psp_gfx_if.hpp"
#include "psp_images.hpp"
#include "roles.hpp"

namespace hcq::am {

class PspV13 final : public IpBlock, public SecureProcessor {
 public:
  explicit PspV13(Gpu& gpu);
  ~PspV13() override;
  std::string_view name() const noexcept override { return "PSP"; }
  void init_sw() override;
  void init_hw() override;
  void fini_hw() noexcept override;
  bool keeps_state_when_warm() const noexcept override { return true; }
  // suspend/resume are fini_hw/init_hw, as amdgpu_psp.c psp_suspend (ring stopped) / psp_resume
  // (psp_hw_start, then every LOAD_IP_FW and AUTOLOAD_RLC again): the bootloader steps are skipped
  // while the sOS is alive, the firmware images are loaded again.
  // Idle when the last KM-ring command's fence came back (the ring's write pointer, C2PMSG_67, is
  // consumed; psp_v13_0 has no read-pointer register).
  IdleState idle_state() override;
  std::string firmware_versions() const override;

  bool sos_alive() override;         // C2PMSG_81 != 0
  void wait_reset_done() override;   // after a mode1 reset: sOS gone, bootloader ready again
  // The first half of init_hw: firmware read, sOS started by the bootloader if it is not running, KM
  // ring created. init_hw goes on with the LOAD_* commands; tests send their own.
  void start_sos();
  // Sends one command on the KM ring and waits for its fence; throws naming the command and resp.status.
  psp::Resp submit(psp::CmdId id, const void* body, size_t body_bytes, std::string_view what);

 private:
  struct Files;
  void load_firmware();
  void ensure_firmware();
  void bootloader();
  void ring_create();
  void load_ip(const psp::Image& img);
  void stage(const VramBlock& dst, std::span<const std::byte> bytes);

  std::unique_ptr<Files> files_;
  std::string files_key_;  // the search path files_ came from
  VramBlock staging_, ring_, cmd_, fence_, fw_buf_, tmr_;
  uint32_t wptr_ = 0;
  uint32_t fence_value_ = 0;
  bool ring_up_ = false;
};

}  // namespace hcq::am
