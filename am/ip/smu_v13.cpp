#include "smu_v13.hpp"

#include <fmt/format.h>

#include <cstring>
#include <thread>

#include "../registers/mp_13_0_0.hpp"

namespace hcq::am {

using namespace mp_13_0_0;
using smu13::Msg;
using smu13::Result;

namespace {
constexpr auto alive_timeout = std::chrono::milliseconds(100);
constexpr uint32_t debug_msg_mode1_reset = 2;  // DEBUGSMC_MSG_Mode1Reset
constexpr unsigned addr_shift = 32;
}  // namespace

std::string_view smu13::to_string(Msg m) noexcept {
  switch (m) {
    case Msg::get_smu_version: return "GetSmuVersion";
    case Msg::enable_all_smu_features: return "EnableAllSmuFeatures";
    case Msg::set_driver_dram_addr_high: return "SetDriverDramAddrHigh";
    case Msg::set_driver_dram_addr_low: return "SetDriverDramAddrLow";
    case Msg::transfer_table_smu2dram: return "TransferTableSmu2Dram";
    case Msg::transfer_table_dram2smu: return "TransferTableDram2Smu";
    case Msg::set_soft_min_by_freq: return "SetSoftMinByFreq";
    case Msg::set_soft_max_by_freq: return "SetSoftMaxByFreq";
    case Msg::get_dpm_freq_by_index: return "GetDpmFreqByIndex";
    case Msg::allow_gfx_off: return "AllowGfxOff";
    case Msg::disallow_gfx_off: return "DisallowGfxOff";
    case Msg::mode1_reset: return "Mode1Reset";
  }
  return "unknown message";
}

void SmuV13::init_sw() { table_ = gpu_.alloc_vram(smu13::driver_table_bytes, pte::page_bytes, false); }

IpBlock::IdleState SmuV13::idle_state() {
  const uint32_t v = gpu_.read(MP1_SMN_C2PMSG_90);
  return {v != 0, fmt::format("MP1_SMN_C2PMSG_90 (response) = {:#x}{}", v, v ? "" : ": a message is still being processed")};
}

uint32_t SmuV13::send(Msg msg, uint32_t param) { return send(msg, param, gpu_.options().poll_timeout); }

uint32_t SmuV13::send(Msg msg, uint32_t param, std::chrono::milliseconds timeout) {
  gpu_.write(MP1_SMN_C2PMSG_90, 0);
  gpu_.write(MP1_SMN_C2PMSG_82, param);
  gpu_.write(MP1_SMN_C2PMSG_66, uint32_t(msg));
  auto start = std::chrono::steady_clock::now();
  uint32_t response;
  while ((response = gpu_.read(MP1_SMN_C2PMSG_90)) == 0) {
    if (std::chrono::steady_clock::now() - start > timeout)
      gpu_.fail(Errc::timeout, name(),
                fmt::format("{}({:#x}) was not answered in {} ms (C2PMSG_90 = 0, C2PMSG_66 = {:#x}): the SMU firmware is not "
                            "running. It is loaded by the PSP: check the PSP step above; power-cycle if it was loaded",
                            smu13::to_string(msg), param, timeout.count(), gpu_.read(MP1_SMN_C2PMSG_66)));
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  if (response != uint32_t(Result::ok))
    gpu_.fail(Errc::device_lost, name(),
              fmt::format("{}({:#x}) answered {:#x} ({}); the message is not supported by SMU firmware {:#x} or its "
                          "prerequisites are missing",
                          smu13::to_string(msg), param, response,
                          response == uint32_t(Result::unknown_cmd) ? "unknown command"
                          : response == uint32_t(Result::rejected_prereq) ? "prerequisite missing"
                                                                           : "failed",
                          version_));
  return gpu_.read(MP1_SMN_C2PMSG_82);
}

bool SmuV13::alive() {
  try {
    version_ = send(Msg::get_smu_version, 0, alive_timeout);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void SmuV13::init_hw() {
  version_ = send(Msg::get_smu_version);
  send(Msg::set_driver_dram_addr_high, uint32_t(table_.mc >> addr_shift));
  send(Msg::set_driver_dram_addr_low, uint32_t(table_.mc));
  send(Msg::enable_all_smu_features);
}

std::string SmuV13::firmware_versions() const { return version_ ? fmt::format("smu {:#010x}", version_) : ""; }

void SmuV13::mode1_reset() {
  gpu_.write(MP1_SMN_C2PMSG_53, 0);
  gpu_.write(MP1_SMN_C2PMSG_75, debug_msg_mode1_reset);
}

std::vector<uint32_t> SmuV13::dpm_levels(smu13::Clk clk) {
  uint32_t n = send(Msg::get_dpm_freq_by_index, uint32_t(clk) << 16 | smu13::dpm_count_index) & smu13::dpm_freq_mask;
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < n; ++i)
    out.push_back(send(Msg::get_dpm_freq_by_index, uint32_t(clk) << 16 | i) & smu13::dpm_freq_mask);
  return out;
}

smu13::SmuMetrics SmuV13::metrics() {
  send(Msg::transfer_table_smu2dram, smu13::table_smu_metrics);
  gpu_.hdp_flush();
  smu13::SmuMetricsExternal ext;
  gpu_.vram_bar().read(table_.offset, &ext, sizeof ext);
  return ext.metrics;
}

}  // namespace hcq::am
