#include "nvml.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

namespace hcq::smi {

// The few NVML entry points hcq-smi calls, declared from NVIDIA's public nvml.h (NVML API
// Reference): every function returns nvmlReturn_t; power is in milliwatts, clocks in MHz, fan in
// percent of its maximum speed.
namespace {
using nvml_return = int;
using nvml_device = void*;
constexpr nvml_return nvml_success = 0;
constexpr nvml_return nvml_error_not_supported = 3;
constexpr nvml_return nvml_error_no_permission = 4;
constexpr nvml_return nvml_error_not_found = 6;
constexpr nvml_return nvml_error_in_use = 19;
constexpr unsigned nvml_clock_sm = 1, nvml_clock_mem = 2;  // nvmlClockType_t
}  // namespace

struct Nvml::Api {
  nvml_return (*init)() = nullptr;  // nvmlInit_v2
  nvml_return (*shutdown)() = nullptr;
  const char* (*error_string)(nvml_return) = nullptr;
  nvml_return (*handle_by_bus_id)(const char*, nvml_device*) = nullptr;  // nvmlDeviceGetHandleByPciBusId_v2
  nvml_return (*power_usage)(nvml_device, unsigned*) = nullptr;          // nvmlDeviceGetPowerUsage
  nvml_return (*power_limit)(nvml_device, unsigned*) = nullptr;          // nvmlDeviceGetEnforcedPowerLimit
  nvml_return (*clock)(nvml_device, unsigned, unsigned*) = nullptr;      // nvmlDeviceGetClockInfo
  nvml_return (*max_clock)(nvml_device, unsigned, unsigned*) = nullptr;  // nvmlDeviceGetMaxClockInfo
  nvml_return (*fan_speed)(nvml_device, unsigned*) = nullptr;            // nvmlDeviceGetFanSpeed
};

namespace {

template <class Fn>
bool bind(void* handle, const char* name, Fn*& fn, std::string* why) {
  fn = reinterpret_cast<Fn*>(::dlsym(handle, name));
  if (!fn && why) *why = fmt::format("NVML lacks {}", name);
  return fn != nullptr;
}

}  // namespace

std::unique_ptr<Nvml> Nvml::open(const std::string& path, std::string* why) {
  std::string lib = path.empty() ? "libnvidia-ml.so.1" : path;
  void* h = ::dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    if (why) *why = fmt::format("cannot load {}: {}", lib, ::dlerror());
    return nullptr;
  }
  auto api = std::make_unique<Api>();
  bool ok = bind(h, "nvmlInit_v2", api->init, why) && bind(h, "nvmlShutdown", api->shutdown, why) &&
            bind(h, "nvmlErrorString", api->error_string, why) &&
            bind(h, "nvmlDeviceGetHandleByPciBusId_v2", api->handle_by_bus_id, why) &&
            bind(h, "nvmlDeviceGetPowerUsage", api->power_usage, why) &&
            bind(h, "nvmlDeviceGetEnforcedPowerLimit", api->power_limit, why) &&
            bind(h, "nvmlDeviceGetClockInfo", api->clock, why) && bind(h, "nvmlDeviceGetMaxClockInfo", api->max_clock, why) &&
            bind(h, "nvmlDeviceGetFanSpeed", api->fan_speed, why);
  if (!ok) {
    ::dlclose(h);
    return nullptr;
  }
  if (nvml_return rc = api->init(); rc != nvml_success) {
    if (why) *why = fmt::format("nvmlInit_v2: {}", api->error_string(rc));
    ::dlclose(h);
    return nullptr;
  }
  return std::unique_ptr<Nvml>(new Nvml(h, std::move(api)));
}

Nvml::Nvml(void* handle, std::unique_ptr<Api> api) : handle_(handle), api_(std::move(api)) {}

Nvml::~Nvml() {
  api_->shutdown();
  ::dlclose(handle_);
}

void Nvml::read(const std::string& bdf, Record& r) {
  const F nvml_fields[] = {F::power_draw_w, F::power_limit_w, F::clock_core_mhz, F::clock_core_max_mhz,
                           F::clock_memory_mhz, F::clock_memory_max_mhz, F::fan_pct};
  auto missing = [&](nvml_return rc, const char* call) {
    std::string d = fmt::format("{}: {}", call, api_->error_string(rc));
    switch (rc) {
      case nvml_error_not_supported: return Value::none(Missing::not_supported, "nvml", d);
      case nvml_error_no_permission: return Value::none(Missing::needs_root, "nvml", d);
      case nvml_error_in_use: return Value::none(Missing::device_busy, "nvml", d);
      default: return Value::none(Missing::read_error, "nvml", d);
    }
  };
  nvml_device dev = nullptr;
  if (nvml_return rc = api_->handle_by_bus_id(bdf.c_str(), &dev); rc != nvml_success) {
    Value why = rc == nvml_error_not_found ? Value::none(Missing::not_supported, "nvml", fmt::format("NVML does not list {}", bdf))
                                           : missing(rc, "nvmlDeviceGetHandleByPciBusId_v2");
    for (F f : nvml_fields) r.put(f, why);
    return;
  }
  unsigned v = 0;
  auto watts = [&](F f, nvml_return rc, const char* call) {
    r.put(f, rc == nvml_success ? Value::of(v / 1000.0, "nvml") : missing(rc, call));
  };
  watts(F::power_draw_w, api_->power_usage(dev, &v), "nvmlDeviceGetPowerUsage");
  watts(F::power_limit_w, api_->power_limit(dev, &v), "nvmlDeviceGetEnforcedPowerLimit");
  auto mhz = [&](F f, nvml_return rc, const char* call) {
    r.put(f, rc == nvml_success ? Value::of(static_cast<int64_t>(v), "nvml") : missing(rc, call));
  };
  mhz(F::clock_core_mhz, api_->clock(dev, nvml_clock_sm, &v), "nvmlDeviceGetClockInfo(SM)");
  mhz(F::clock_core_max_mhz, api_->max_clock(dev, nvml_clock_sm, &v), "nvmlDeviceGetMaxClockInfo(SM)");
  mhz(F::clock_memory_mhz, api_->clock(dev, nvml_clock_mem, &v), "nvmlDeviceGetClockInfo(MEM)");
  mhz(F::clock_memory_max_mhz, api_->max_clock(dev, nvml_clock_mem, &v), "nvmlDeviceGetMaxClockInfo(MEM)");
  mhz(F::fan_pct, api_->fan_speed(dev, &v), "nvmlDeviceGetFanSpeed");
}

}  // namespace hcq::smi
