// SMU v13.0.0: the MP1 message mailbox (smu_cmn.c smu_cmn_send_smc_msg_with_param, smu_v13_0.c),
// bring-up (SetDriverDramAddr, EnableAllSmuFeatures: tinygrad AM_SMU), DPM levels, the metrics
// table, and mode1 reset through the debug mailbox (smu_v13_0_0_ppt.c).
#pragma once

#include <cstdint>
#include <vector>

#include "../gpu.hpp"
#include "../ip_block.hpp"
#include "roles.hpp"
#include "smu_v13_0_0_if.hpp"

namespace hcq::am {

class SmuV13 final : public IpBlock, public PowerManager {
 public:
  using IpBlock::IpBlock;
  std::string_view name() const noexcept override { return "SMU"; }
  void init_sw() override;
  void init_hw() override;
  void fini_hw() noexcept override {}
  // suspend sends nothing: for SMU 13.0.0 amdgpu_smu.c smu_disable_dpms leaves the DPM features to
  // the PMFW on suspend/reset/unload. resume is init_hw, as smu_resume (smu_smc_hw_setup: driver
  // table address, features enabled again).
  // Idle when the mailbox holds a response (C2PMSG_90 != 0; smu_cmn.c smu_cmn_wait_for_response).
  IdleState idle_state() override;
  std::string firmware_versions() const override;

  // Sends `msg` with `param`; returns the result argument. Throws naming the message and response.
  uint32_t send(smu13::Msg msg, uint32_t param = 0);
  bool alive() override;  // GetSmuVersion answered within 100 ms
  void mode1_reset() override;  // through the debug mailbox
  // Frequencies (MHz) of every DPM level of `clk`.
  std::vector<uint32_t> dpm_levels(smu13::Clk clk);
  smu13::SmuMetrics metrics();
  uint32_t version() const noexcept { return version_; }

 private:
  uint32_t send(smu13::Msg msg, uint32_t param, std::chrono::milliseconds timeout);
  VramBlock table_;
  uint32_t version_ = 0;
};

}  // namespace hcq::am
