// Read-only telemetry of one NVIDIA GPU through RM controls (no CUDA, no NVML, no UVM): what
// hcq-smi shows for NVIDIA. Opening it allocates an RM client, device and subdevice, the same
// objects nvidia-smi's library allocates; it creates no channel and changes no setting.
//
// Each reading carries the RM status of its control, so a missing value can say why. Layouts
// are in our own structs below, from NVIDIA open-gpu-kernel-modules 580.95.05
// (src/common/sdk/nvidia/inc/ctrl/ctrl2080/*.h), and were answered by an H100 on 580.159.04.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "rm.hpp"

namespace hcq::nv {

template <class T>
struct Reading {
  std::optional<T> value;
  uint32_t status = 0;  // RM status of the control when value is empty (0: not asked)
  bool ok() const { return value.has_value(); }
};

struct PcieLink {
  int gen = 0;    // 1..6
  int width = 0;  // lanes
};

struct Telemetry {
  Reading<std::string> name;        // GPU_GET_NAME_STRING: "NVIDIA H100 80GB HBM3"
  Reading<std::string> uuid;        // GPU_GET_GID_INFO, ASCII: "GPU-xxxxxxxx-..."
  Reading<std::string> vbios;       // BIOS_GET_INFO_V2: "96.00.DA.00.0C"
  Reading<std::string> driver;      // the kernel module's version
  Reading<std::string> gsp;         // GSP_GET_FEATURES firmwareVersion (GSP-RM builds only)
  Reading<uint64_t> memory_total;   // bytes, FB_GET_INFO_V2 TOTAL_RAM_SIZE
  Reading<uint64_t> memory_used;    // bytes, heap size - heap free
  Reading<double> temperature_c;    // THERMAL_SYSTEM_EXECUTE_V2, sensor 0
  Reading<PcieLink> link_current;   // BUS_GET_INFO_V2 PCIE_GPU_LINK_CTRL_STATUS
  Reading<PcieLink> link_max;       // BUS_GET_INFO_V2 PCIE_GPU_LINK_CAPS
  Reading<double> utilization_pct;  // PERF_GET_GPUMON_PERFMON_UTIL_SAMPLES_V2, graphics engine, last second
  Reading<double> utilization_memory_pct;  // the same samples, frame buffer
  Reading<bool> ecc_enabled;        // GPU_QUERY_ECC_STATUS: any unit enabled
  Reading<uint64_t> ecc_corrected;  // ECC_GET_VOLATILE_COUNTS: SRAM + DRAM
  Reading<uint64_t> ecc_uncorrected;
};

// Opens the GPU `card` (from list_cards) read-only and reads everything above; controls that
// fail leave their status. Throws hcq::Error only when the client or device cannot be opened.
Telemetry read_telemetry(const CardInfo& card);

// Decoders, pure so they can be tested without a GPU.
// PCIE_GPU_LINK_CTRL_STATUS: speed in bits 19:16, width in 25:20.
PcieLink decode_link_status(uint32_t v);
// PCIE_GPU_LINK_CAPS: max speed in bits 3:0, max width in 9:4.
PcieLink decode_link_caps(uint32_t v);
// "96.00.DA.00.0C" from BIOS_INFO REVISION 0x9600DA00 and OEM_REVISION 0x0C (nvidia-smi's form).
std::string vbios_text(uint32_t revision, uint32_t oem_revision);

// One engine's share of a utilisation sample, in units of 0.01 % (the RM's unit).
struct UtilSample {
  uint64_t timestamp_ns;
  uint32_t gr;  // graphics/compute
  uint32_t fb;  // frame buffer (memory controller)
};
// The mean over the samples within `window_ns` of the newest one, in percent; nullopt when
// there is no sample with a timestamp.
std::optional<std::pair<double, double>> mean_utilization(std::span<const UtilSample> samples, uint64_t window_ns);

}  // namespace hcq::nv
