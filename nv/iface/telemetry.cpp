#include "telemetry.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

namespace hcq::nv {

namespace {

// Control commands and parameter layouts (open-gpu-kernel-modules 580.95.05,
// src/common/sdk/nvidia/inc/ctrl/ctrl2080/). Sizes are checked exactly by the RM.
namespace cmd {
constexpr uint32_t bios_get_info_v2 = 0x20800810;          // ctrl2080bios.h
constexpr uint32_t thermal_system_execute_v2 = 0x20800513;  // ctrl2080thermal.h
constexpr uint32_t bus_get_info_v2 = 0x20801823;           // ctrl2080bus.h
constexpr uint32_t gpu_query_ecc_status = 0x2080012F;      // ctrl2080gpu.h
constexpr uint32_t ecc_get_volatile_counts = 0x20803401;   // ctrl2080ecc.h
constexpr uint32_t perf_get_gpumon_perfmon_util_samples_v2 = 0x20802096;  // ctrl2080perf.h
constexpr uint32_t gsp_get_features = 0x20803601;          // ctrl2080gsp.h
}  // namespace cmd

struct GspFeatures {  // NV2080_CTRL_GSP_GET_FEATURES_PARAMS
  uint32_t gspFeatures;
  uint8_t bValid, bDefaultGspRmGpu;
  char firmwareVersion[64];  // NV2080_GSP_MAX_BUILD_VERSION_LENGTH
  uint8_t pad[2];
};
static_assert(sizeof(GspFeatures) == 72 && offsetof(GspFeatures, firmwareVersion) == 6);

struct InfoEntry {  // NVXXXX_CTRL_XXX_INFO
  uint32_t index, data;
};

struct BiosInfoV2 {  // NV2080_CTRL_BIOS_GET_INFO_V2_PARAMS
  uint32_t count;
  InfoEntry list[15];  // NV2080_CTRL_BIOS_INFO_MAX_SIZE
};
static_assert(sizeof(BiosInfoV2) == 124);
constexpr uint32_t bios_revision = 0, bios_oem_revision = 1;  // NV2080_CTRL_BIOS_INFO_INDEX_*

struct BusInfoV2 {  // NV2080_CTRL_BUS_GET_INFO_V2_PARAMS
  uint32_t count;
  InfoEntry list[52];  // NV2080_CTRL_BUS_INFO_MAX_LIST_SIZE (0x34)
};
static_assert(sizeof(BusInfoV2) == 420);
constexpr uint32_t bus_link_caps = 3, bus_link_ctrl_status = 7;  // NV2080_CTRL_BUS_INFO_INDEX_PCIE_GPU_*

struct ThermalInstruction {  // NV2080_CTRL_THERMAL_SYSTEM_INSTRUCTION
  uint32_t result, executed, opcode;
  uint32_t operands[8];  // union; GET_STATUS_SENSOR_READING: {sensorIndex, NvS32 value}
};
static_assert(sizeof(ThermalInstruction) == 44 && offsetof(ThermalInstruction, operands) == 12);
struct ThermalExecuteV2 {  // NV2080_CTRL_THERMAL_SYSTEM_EXECUTE_V2_PARAMS
  uint32_t clientAPIVersion, clientAPIRevision, clientInstructionSizeOf, executeFlags, successfulInstructions,
      instructionListSize;
  ThermalInstruction list[32];  // NV2080_CTRL_THERMAL_SYSTEM_INSTRUCTION_MAX_COUNT
};
static_assert(sizeof(ThermalExecuteV2) == 1432 && offsetof(ThermalExecuteV2, list) == 24);
constexpr uint32_t thermal_api_version = 1, thermal_api_revision = 0;  // THERMAL_SYSTEM_API_VER/REV
constexpr uint32_t thermal_flags_ignore_fail = 1;
constexpr uint32_t thermal_get_status_sensor_reading = 0x1500;

struct EccUnitStatus {  // NV2080_CTRL_GPU_QUERY_ECC_UNIT_STATUS
  uint8_t enabled, scrubComplete, supported, pad[5];
  uint64_t dbe, dbeNonResettable, sbe, sbeNonResettable;  // EXCEPTION_STATUS {count}
};
static_assert(sizeof(EccUnitStatus) == 40 && offsetof(EccUnitStatus, dbe) == 8);
struct EccStatus {  // NV2080_CTRL_GPU_QUERY_ECC_STATUS_PARAMS
  EccUnitStatus units[36];  // NV2080_CTRL_GPU_ECC_UNIT_COUNT
  uint8_t bFatalPoisonError, uncorrectableError, pad[2];
  uint32_t flags;
  uint32_t routeFlags, pad2;  // NV2080_CTRL_GR_ROUTE_INFO {flags, NvU64 route}
  uint64_t route;
};
static_assert(sizeof(EccStatus) == 1464 && offsetof(EccStatus, flags) == 1444 && offsetof(EccStatus, routeFlags) == 1448);

struct EccVolatileCounts {  // NV2080_CTRL_ECC_GET_VOLATILE_COUNTS_PARAMS
  uint64_t sramCorUni, sramUncParityUni, sramUncSecDedUni, dramCorTot, dramUncTot;
};
static_assert(sizeof(EccVolatileCounts) == 40);

struct EngineUtilSample {  // NV2080_CTRL_PERF_GPUMON_ENGINE_UTIL_SAMPLE
  uint32_t util;  // 0.01 %
  uint32_t vgpuScale, procId, subProcessID;
  char subProcessName[100];  // NV_SUBPROC_NAME_MAX_LENGTH
  uint32_t pad;
  uint64_t pOsPidInfo;
};
static_assert(sizeof(EngineUtilSample) == 128 && offsetof(EngineUtilSample, pOsPidInfo) == 120);
struct PerfmonUtilSample {  // NV2080_CTRL_PERF_GPUMON_PERFMON_UTIL_SAMPLE
  uint64_t timeStamp;
  EngineUtilSample fb, gr, nvenc, nvdec, nvjpg, nvofa;
};
static_assert(sizeof(PerfmonUtilSample) == 776 && offsetof(PerfmonUtilSample, gr) == 136);
struct PerfmonUtilSamplesV2 {  // NV2080_CTRL_PERF_GET_GPUMON_PERFMON_UTIL_SAMPLES_V2_PARAMS
  uint8_t type, pad[3];
  uint32_t bufSize, count, tracker;
  PerfmonUtilSample samples[72];  // NV2080_CTRL_PERF_GPUMON_SAMPLE_COUNT_PERFMON_UTIL
};
static_assert(sizeof(PerfmonUtilSamplesV2) == 55888 && offsetof(PerfmonUtilSamplesV2, samples) == 16);
constexpr uint8_t gpumon_sample_type_perfmon_util = 2;  // NV2080_CTRL_GPUMON_SAMPLE_TYPE_PERFMON_UTIL

// Runs a control; on failure stores the status in `r` and returns false.
template <class T>
bool ask(Rm& rm, uint32_t object, uint32_t command, void* params, uint32_t size, Reading<T>& r) {
  uint32_t status = rm.try_control(object, command, params, size);
  if (status != 0) {
    r.value.reset();
    r.status = status;
    return false;
  }
  return true;
}

}  // namespace

PcieLink decode_link_status(uint32_t v) { return {static_cast<int>((v >> 16) & 0xf), static_cast<int>((v >> 20) & 0x3f)}; }

PcieLink decode_link_caps(uint32_t v) { return {static_cast<int>(v & 0xf), static_cast<int>((v >> 4) & 0x3f)}; }

std::string vbios_text(uint32_t revision, uint32_t oem_revision) {
  return fmt::format("{:02X}.{:02X}.{:02X}.{:02X}.{:02X}", (revision >> 24) & 0xff, (revision >> 16) & 0xff,
                     (revision >> 8) & 0xff, revision & 0xff, oem_revision & 0xff);
}

std::optional<std::pair<double, double>> mean_utilization(std::span<const UtilSample> samples, uint64_t window_ns) {
  uint64_t newest = 0;
  for (const auto& s : samples) newest = std::max(newest, s.timestamp_ns);
  if (newest == 0) return std::nullopt;
  double gr = 0, fb = 0;
  size_t n = 0;
  for (const auto& s : samples) {
    if (s.timestamp_ns == 0 || s.timestamp_ns + window_ns < newest) continue;
    gr += s.gr;
    fb += s.fb;
    ++n;
  }
  return std::pair{gr / static_cast<double>(n) / 100.0, fb / static_cast<double>(n) / 100.0};
}

Telemetry read_telemetry(const CardInfo& card) {
  Rm rm(fmt::format("nv {}", card.pci_address), /*with_uvm=*/false);
  int dev_fd = rm.open_device_fd(card.minor);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{dev_fd};

  uint32_t subdevice = rm.alloc_gpu(card).subdevice;

  Telemetry t;
  try {
    t.driver.value = rm.driver_version();
  } catch (const std::exception&) {
    t.driver.status = 0xFFFF;
  }

  GspFeatures gsp{};
  if (ask(rm, subdevice, cmd::gsp_get_features, &gsp, sizeof(gsp), t.gsp)) {
    gsp.firmwareVersion[sizeof(gsp.firmwareVersion) - 1] = 0;
    if (gsp.bValid && gsp.firmwareVersion[0]) {
      t.gsp.value = gsp.firmwareVersion;
    } else {
      t.gsp.status = 0x56;  // NV_ERR_NOT_SUPPORTED: the RM runs on the CPU, there is no GSP firmware
    }
  }

  abi::GpuNameString name{};
  if (ask(rm, subdevice, abi::ctrl::gpu_get_name_string, &name, sizeof(name), t.name)) {
    name.ascii[sizeof(name.ascii) - 1] = 0;
    t.name.value = name.ascii;
  }

  abi::GidInfo gid{};  // flags 0: ASCII "GPU-..."
  if (ask(rm, subdevice, abi::ctrl::gpu_get_gid_info, &gid, sizeof(gid), t.uuid)) {
    size_t n = std::min<size_t>(gid.length, sizeof(gid.data));
    t.uuid.value = std::string(reinterpret_cast<const char*>(gid.data), strnlen(reinterpret_cast<const char*>(gid.data), n));
  }

  BiosInfoV2 bios{};
  bios.count = 2;
  bios.list[0].index = bios_revision;
  bios.list[1].index = bios_oem_revision;
  if (ask(rm, subdevice, cmd::bios_get_info_v2, &bios, sizeof(bios), t.vbios)) {
    t.vbios.value = vbios_text(bios.list[0].data, bios.list[1].data);
  }

  abi::FbInfoV2 fb{};
  fb.fbInfoListSize = 3;
  fb.fbInfoList[0].index = abi::fb_info::total_ram_size_kib;
  fb.fbInfoList[1].index = 0x9;  // NV2080_CTRL_FB_INFO_INDEX_HEAP_SIZE, KiB
  fb.fbInfoList[2].index = abi::fb_info::heap_free_kib;
  if (ask(rm, subdevice, abi::ctrl::fb_get_info_v2, &fb, sizeof(fb), t.memory_total)) {
    t.memory_total.value = uint64_t{fb.fbInfoList[0].data} * 1024;
    uint64_t heap = fb.fbInfoList[1].data, free = fb.fbInfoList[2].data;
    t.memory_used.value = (heap >= free ? heap - free : 0) * 1024;
  } else {
    t.memory_used.status = t.memory_total.status;
  }

  auto thermal = std::make_unique<ThermalExecuteV2>();
  *thermal = {};
  thermal->clientAPIVersion = thermal_api_version;
  thermal->clientAPIRevision = thermal_api_revision;
  thermal->clientInstructionSizeOf = sizeof(ThermalInstruction);
  thermal->executeFlags = thermal_flags_ignore_fail;
  thermal->instructionListSize = 1;
  thermal->list[0].opcode = thermal_get_status_sensor_reading;
  thermal->list[0].operands[0] = 0;  // sensor 0: the GPU die on every board seen so far
  if (ask(rm, subdevice, cmd::thermal_system_execute_v2, thermal.get(), sizeof(*thermal), t.temperature_c)) {
    const ThermalInstruction& in = thermal->list[0];
    if (in.executed && in.result == 0) {
      t.temperature_c.value = static_cast<double>(static_cast<int32_t>(in.operands[1]));
    } else {
      t.temperature_c.status = in.result ? in.result : 0xFFFF;
    }
  }

  BusInfoV2 bus{};
  bus.count = 2;
  bus.list[0].index = bus_link_ctrl_status;
  bus.list[1].index = bus_link_caps;
  if (ask(rm, subdevice, cmd::bus_get_info_v2, &bus, sizeof(bus), t.link_current)) {
    t.link_current.value = decode_link_status(bus.list[0].data);
    t.link_max.value = decode_link_caps(bus.list[1].data);
  } else {
    t.link_max.status = t.link_current.status;
  }

  auto util = std::make_unique<PerfmonUtilSamplesV2>();
  *util = {};
  util->type = gpumon_sample_type_perfmon_util;
  util->bufSize = sizeof(util->samples);
  util->tracker = 0;
  if (ask(rm, subdevice, cmd::perf_get_gpumon_perfmon_util_samples_v2, util.get(), sizeof(*util), t.utilization_pct)) {
    std::vector<UtilSample> samples;
    for (const auto& s : util->samples) samples.push_back({s.timeStamp, s.gr.util, s.fb.util});
    if (auto m = mean_utilization(samples, 1'000'000'000)) {
      t.utilization_pct.value = m->first;
      t.utilization_memory_pct.value = m->second;
    } else {
      t.utilization_pct.status = t.utilization_memory_pct.status = 0xFFFF;
    }
  } else {
    t.utilization_memory_pct.status = t.utilization_pct.status;
  }

  auto ecc = std::make_unique<EccStatus>();
  *ecc = {};
  if (ask(rm, subdevice, cmd::gpu_query_ecc_status, ecc.get(), sizeof(*ecc), t.ecc_enabled)) {
    bool any = false;
    for (const auto& u : ecc->units) any = any || (u.supported && u.enabled);
    t.ecc_enabled.value = any;
  }
  EccVolatileCounts counts{};
  if (ask(rm, subdevice, cmd::ecc_get_volatile_counts, &counts, sizeof(counts), t.ecc_corrected)) {
    t.ecc_corrected.value = counts.sramCorUni + counts.dramCorTot;
    t.ecc_uncorrected.value = counts.sramUncParityUni + counts.sramUncSecDedUni + counts.dramUncTot;
  } else {
    t.ecc_uncorrected.status = t.ecc_corrected.status;
  }
  return t;
}

}  // namespace hcq::nv
