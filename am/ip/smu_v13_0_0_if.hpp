// The SMU 13.0.0 driver interface: mailbox message ids and responses, DPM clock ids, the metrics table.
// Our transcription of Linux drivers/gpu/drm/amd/pm/swsmu/inc/pmfw_if/smu_v13_0_0_ppsmc.h and
// smu13_driver_if_v13_0_0.h (torvalds/linux), offsets as tinygrad's autogen records them
// (tinygrad/runtime/autogen/am/smu_13_0_0.py). Shared by the driver (smu_v13.cpp) and the model (sim/smu.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hcq::am::smu13 {

enum class Msg : uint32_t {
  get_smu_version = 0x2,
  enable_all_smu_features = 0x6,
  set_driver_dram_addr_high = 0xe,
  set_driver_dram_addr_low = 0xf,
  transfer_table_smu2dram = 0x12,
  transfer_table_dram2smu = 0x13,
  set_soft_min_by_freq = 0x19,
  set_soft_max_by_freq = 0x1a,
  get_dpm_freq_by_index = 0x1f,
  allow_gfx_off = 0x28,
  disallow_gfx_off = 0x29,
  mode1_reset = 0x2f,
};
std::string_view to_string(Msg m) noexcept;

enum class Result : uint32_t { ok = 0x1, failed = 0xff, unknown_cmd = 0xfe, rejected_prereq = 0xfd, rejected_busy = 0xfc };

// The firmware's table id for the metrics table (smu13_driver_if_v13_0_0.h TABLE_SMU_METRICS).
inline constexpr uint32_t table_smu_metrics = 5;
// PPCLK_e: the clock in GetDpmFreqByIndex's parameter (clk << 16 | index); index 0xff asks for the level count.
enum class Clk : uint32_t { gfxclk = 0, socclk = 1, uclk = 2, fclk = 3 };
inline constexpr uint32_t dpm_count_index = 0xff;
inline constexpr uint32_t dpm_freq_mask = 0x7fffffff;
inline constexpr uint64_t driver_table_bytes = 16 * 1024;

enum Temp : unsigned { temp_edge = 0, temp_hotspot = 1, temp_mem = 4, temp_count = 13 };
enum SviPlane : unsigned { svi_gfx = 0, svi_soc = 1, svi_count = 5 };
enum CurrClk : unsigned { clk_gfx = 0, clk_soc = 2, clk_uclk = 3, clk_fclk = 4, clk_count = 13 };

struct SmuMetrics {
  uint32_t CurrClock[clk_count];
  uint16_t AverageGfxclkFrequencyTarget;
  uint16_t AverageGfxclkFrequencyPreDs;
  uint16_t AverageGfxclkFrequencyPostDs;
  uint16_t AverageFclkFrequencyPreDs;
  uint16_t AverageFclkFrequencyPostDs;
  uint16_t AverageMemclkFrequencyPreDs;
  uint16_t AverageMemclkFrequencyPostDs;
  uint16_t AverageVclk0Frequency, AverageDclk0Frequency, AverageVclk1Frequency, AverageDclk1Frequency;
  uint16_t PCIeBusy;
  uint16_t dGPU_W_MAX;
  uint16_t padding;
  uint32_t MetricsCounter;
  uint16_t AvgVoltage[svi_count];
  uint16_t AvgCurrent[svi_count];
  uint16_t AverageGfxActivity;
  uint16_t AverageUclkActivity;
  uint16_t Vcn0ActivityPercentage, Vcn1ActivityPercentage;
  uint32_t EnergyAccumulator;
  uint16_t AverageSocketPower;
  uint16_t AverageTotalBoardPower;
  uint16_t AvgTemperature[temp_count];
  uint16_t AvgTemperatureFanIntake;
  uint8_t PcieRate, PcieWidth, AvgFanPwm, Padding;
  uint16_t AvgFanRpm;
  uint8_t ThrottlingPercentage[22];
  uint8_t VmaxThrottlingPercentage;
  uint8_t Padding1[3];
  uint32_t D3HotEntryCountPerMode[4], D3HotExitCountPerMode[4], ArmMsgReceivedCountPerMode[4];
  uint16_t ApuSTAPMSmartShiftLimit, ApuSTAPMLimit, AvgApuSocketPower, AverageUclkActivity_MAX;
  uint32_t PublicSerialNumberLower, PublicSerialNumberUpper;
};
static_assert(sizeof(SmuMetrics) == 244);
static_assert(offsetof(SmuMetrics, AverageGfxclkFrequencyPreDs) == 54 && offsetof(SmuMetrics, PCIeBusy) == 74 &&
              offsetof(SmuMetrics, MetricsCounter) == 80 && offsetof(SmuMetrics, AvgVoltage) == 84 &&
              offsetof(SmuMetrics, AvgCurrent) == 94 && offsetof(SmuMetrics, AverageGfxActivity) == 104 &&
              offsetof(SmuMetrics, EnergyAccumulator) == 112 && offsetof(SmuMetrics, AverageSocketPower) == 116 &&
              offsetof(SmuMetrics, AvgTemperature) == 120 && offsetof(SmuMetrics, AvgFanPwm) == 150 &&
              offsetof(SmuMetrics, AvgFanRpm) == 152 && offsetof(SmuMetrics, ThrottlingPercentage) == 154 &&
              offsetof(SmuMetrics, D3HotEntryCountPerMode) == 180 && offsetof(SmuMetrics, PublicSerialNumberUpper) == 240);

// SmuMetricsExternal_t: what TransferTableSmu2Dram writes at the start of the driver table.
struct SmuMetricsExternal {
  SmuMetrics metrics;  // the kernel's SmuMetrics
  uint32_t Spare[29];
  uint32_t MmHubPadding[8];
};
static_assert(sizeof(SmuMetricsExternal) == 392 && offsetof(SmuMetricsExternal, MmHubPadding) == 360);

}  // namespace hcq::am::smu13
