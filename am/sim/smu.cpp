// The model's SMU 13.0.0: the MP1 message mailbox (C2PMSG_66 message, _82 argument and result, _90
// response) and the debug mailbox (C2PMSG_75/_53/_54) as smu_cmn.c / smu_v13_0.c drive them. It answers
// only once the PSP has loaded the SMU firmware. Metrics are made up but move: activity from the
// engines' busy time, clocks, power and temperatures from the activity.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "am/ip/smu_v13_0_0_if.hpp"
#include "am/registers/mp_13_0_0.hpp"
#include "psp.hpp"

namespace hcq::am::sim {

using namespace mp_13_0_0;
using smu13::Msg;
using smu13::Result;

namespace {
constexpr uint32_t debug_msg_mode1_reset = 2;  // DEBUGSMC_MSG_Mode1Reset (smu_v13_0_0_ppt.c)
constexpr uint32_t percent = 100;
// DPM levels in MHz per PPCLK (the model's; a 7900 XTX reports levels of this order).
constexpr uint32_t gfxclk_levels[] = {500, 1500, 2500};
constexpr uint32_t socclk_levels[] = {500, 960, 1200};
constexpr uint32_t uclk_levels[] = {96, 456, 772, 1249};
constexpr uint32_t fclk_levels[] = {400, 1400, 1900};
// How the made-up metrics follow activity (0..100 %): idle value + slope x activity.
constexpr uint32_t idle_watts = 30, watts_per_percent = 3, board_extra_watts = 15, max_watts = 355;
constexpr uint32_t idle_edge_c = 35, hotspot_over_edge_c = 8, idle_mem_c = 40;
constexpr uint32_t idle_gfx_mv = 700, mv_per_percent = 4;
constexpr uint32_t idle_fan_pwm = 20, idle_fan_rpm = 800, rpm_per_percent = 20;

std::span<const uint32_t> levels(uint32_t clk) {
  switch (smu13::Clk(clk)) {
    case smu13::Clk::gfxclk: return gfxclk_levels;
    case smu13::Clk::socclk: return socclk_levels;
    case smu13::Clk::uclk: return uclk_levels;
    case smu13::Clk::fclk: return fclk_levels;
  }
  return {};
}

uint64_t now_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}
}  // namespace

void Smu::install() {
  dram_ = 0;
  features_ = false;
  p_.on_write(p_.address(MP1_SMN_C2PMSG_66), [this](uint32_t m) { message(m); });
  p_.on_write(p_.address(MP1_SMN_C2PMSG_75), [this](uint32_t m) { debug_message(m); });
}

void Smu::message(uint32_t msg) {
  if (!p_.firmware_loaded(uint32_t(psp::FwType::smu))) return;  // no firmware, no answer
  uint32_t result = p_.reg(MP1_SMN_C2PMSG_82);
  uint32_t response = handle(msg, result, result);
  if (Msg(msg) == Msg::mode1_reset) return;  // the chip is back at power-on: nobody answers
  p_.set_reg(MP1_SMN_C2PMSG_82, result);
  p_.set_reg(MP1_SMN_C2PMSG_90, response);
}

void Smu::debug_message(uint32_t msg) {
  if (!p_.firmware_loaded(uint32_t(psp::FwType::smu))) return;
  if (msg == debug_msg_mode1_reset) return p_.mode1_reset();
  p_.set_reg(MP1_SMN_C2PMSG_54, uint32_t(Result::unknown_cmd));
}

uint32_t Smu::handle(uint32_t msg, uint32_t param, uint32_t& result) {
  switch (Msg(msg)) {
    case Msg::get_smu_version: result = psp_.smu_version(); break;
    case Msg::set_driver_dram_addr_high: dram_ = (dram_ & 0xffffffffu) | uint64_t(param) << 32; break;
    case Msg::set_driver_dram_addr_low: dram_ = (dram_ & ~uint64_t{0xffffffffu}) | param; break;
    case Msg::enable_all_smu_features: features_ = true; break;
    case Msg::transfer_table_smu2dram:
      if ((param & 0xffff) != smu13::table_smu_metrics || !features_ || !p_.mc(dram_, sizeof(smu13::SmuMetricsExternal)))
        return uint32_t(Result::rejected_prereq);
      write_metrics();
      break;
    case Msg::get_dpm_freq_by_index: {
      auto l = levels(param >> 16);
      uint32_t index = param & 0xffff;
      if (l.empty()) return uint32_t(Result::failed);
      if (index == smu13::dpm_count_index) {
        result = uint32_t(l.size());
      } else if (index < l.size()) {
        result = l[index];
      } else {
        return uint32_t(Result::failed);
      }
      break;
    }
    case Msg::mode1_reset: p_.mode1_reset(); break;
    case Msg::transfer_table_dram2smu:
    case Msg::set_soft_min_by_freq:
    case Msg::set_soft_max_by_freq:
    case Msg::allow_gfx_off:
    case Msg::disallow_gfx_off: break;
    default: return uint32_t(Result::unknown_cmd);
  }
  return uint32_t(Result::ok);
}

void Smu::write_metrics() {
  uint64_t busy = p_.engines_busy_ns(), wall = now_ns();
  uint64_t dt = last_wall_ns_ ? wall - last_wall_ns_ : 0;
  uint32_t activity = dt ? uint32_t(std::min<uint64_t>(percent, (busy - last_busy_ns_) * percent / dt)) : 0;
  last_busy_ns_ = busy;
  last_wall_ns_ = wall;
  smu13::SmuMetricsExternal ext{};
  smu13::SmuMetrics& m = ext.metrics;
  uint16_t gfx = uint16_t(gfxclk_levels[0] + (gfxclk_levels[2] - gfxclk_levels[0]) * activity / percent);
  m.CurrClock[smu13::clk_gfx] = gfx;
  m.CurrClock[smu13::clk_soc] = socclk_levels[1];
  m.CurrClock[smu13::clk_uclk] = uclk_levels[3];
  m.CurrClock[smu13::clk_fclk] = fclk_levels[2];
  m.AverageGfxclkFrequencyTarget = m.AverageGfxclkFrequencyPreDs = m.AverageGfxclkFrequencyPostDs = gfx;
  m.AverageFclkFrequencyPreDs = m.AverageFclkFrequencyPostDs = uint16_t(fclk_levels[2]);
  m.AverageMemclkFrequencyPreDs = m.AverageMemclkFrequencyPostDs = uint16_t(uclk_levels[3]);
  m.MetricsCounter = ++counter_;
  m.AverageGfxActivity = uint16_t(activity);
  m.AverageUclkActivity = uint16_t(activity / 2);
  m.AverageSocketPower = uint16_t(idle_watts + activity * watts_per_percent);
  m.AverageTotalBoardPower = uint16_t(m.AverageSocketPower + board_extra_watts);
  energy_ += m.AverageSocketPower;
  m.EnergyAccumulator = uint32_t(energy_);
  m.AvgTemperature[smu13::temp_edge] = uint16_t(idle_edge_c + activity / 2);
  m.AvgTemperature[smu13::temp_hotspot] = uint16_t(idle_edge_c + hotspot_over_edge_c + activity / 2);
  m.AvgTemperature[smu13::temp_mem] = uint16_t(idle_mem_c + activity / 4);
  m.AvgVoltage[smu13::svi_gfx] = uint16_t(idle_gfx_mv + activity * mv_per_percent);
  m.AvgFanPwm = uint8_t(idle_fan_pwm + activity / 2);
  m.AvgFanRpm = uint16_t(idle_fan_rpm + activity * rpm_per_percent);
  m.dGPU_W_MAX = uint16_t(max_watts);
  std::memcpy(p_.mc(dram_, sizeof ext), &ext, sizeof ext);
}

}  // namespace hcq::am::sim
