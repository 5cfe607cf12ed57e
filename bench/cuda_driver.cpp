// Loads libcuda.so.1 at run time and resolves the entry points of cuda_driver.hpp.
#include "cuda_driver.hpp"

#include <dlfcn.h>

namespace cu {

std::unique_ptr<Driver> Driver::load() {
  // RTLD_NODELETE: never unmapped, even if a dlclose sneaks in; libcuda's threads outlive main().
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!lib) {
    const char* why = dlerror();
    throw Unavailable(std::string("cannot load libcuda.so.1 (the NVIDIA driver's CUDA library): ") + (why ? why : "?"));
  }
  std::unique_ptr<Driver> d(new Driver);
  void* error_name = dlsym(lib, "cuGetErrorName");
  if (!error_name) throw Unavailable("libcuda.so.1 has no cuGetErrorName; is it a CUDA driver library?");
  ErrorNameFn name_fn = reinterpret_cast<ErrorNameFn>(error_name);

  std::string missing;
  auto bind = [&](auto& entry, const char* symbol) {
    void* fn = dlsym(lib, symbol);
    if (!fn) missing += missing.empty() ? symbol : std::string(", ") + symbol;
    entry.bind(fn, symbol, name_fn);
  };
  bind(d->cuInit, "cuInit");
  bind(d->cuDriverGetVersion, "cuDriverGetVersion");
  bind(d->cuDeviceGet, "cuDeviceGet");
  bind(d->cuDeviceGetByPCIBusId, "cuDeviceGetByPCIBusId");
  bind(d->cuDeviceGetName, "cuDeviceGetName");
  bind(d->cuDeviceGetAttribute, "cuDeviceGetAttribute");
  bind(d->cuDevicePrimaryCtxSetFlags, "cuDevicePrimaryCtxSetFlags_v2");
  bind(d->cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  bind(d->cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  bind(d->cuCtxSetCurrent, "cuCtxSetCurrent");
  bind(d->cuModuleLoadData, "cuModuleLoadData");
  bind(d->cuModuleGetFunction, "cuModuleGetFunction");
  bind(d->cuModuleUnload, "cuModuleUnload");
  bind(d->cuStreamCreate, "cuStreamCreate");
  bind(d->cuStreamDestroy, "cuStreamDestroy_v2");
  bind(d->cuStreamSynchronize, "cuStreamSynchronize");
  bind(d->cuLaunchKernel, "cuLaunchKernel");
  bind(d->cuMemAlloc, "cuMemAlloc_v2");
  bind(d->cuMemFree, "cuMemFree_v2");
  bind(d->cuMemHostAlloc, "cuMemHostAlloc");
  bind(d->cuMemFreeHost, "cuMemFreeHost");
  bind(d->cuMemHostGetDevicePointer, "cuMemHostGetDevicePointer_v2");
  bind(d->cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  bind(d->cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  bind(d->cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2");
  bind(d->cuStreamWriteValue64, "cuStreamWriteValue64_v2");
  bind(d->cuStreamBeginCapture, "cuStreamBeginCapture_v2");
  bind(d->cuStreamEndCapture, "cuStreamEndCapture");
  bind(d->cuGraphInstantiateWithFlags, "cuGraphInstantiateWithFlags");
  bind(d->cuGraphLaunch, "cuGraphLaunch");
  bind(d->cuGraphExecDestroy, "cuGraphExecDestroy");
  bind(d->cuGraphDestroy, "cuGraphDestroy");
  if (!missing.empty()) {
    throw Unavailable("libcuda.so.1 lacks " + missing + " (a driver older than CUDA 11.7?)");
  }
  return d;
}

std::string version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

}  // namespace cu
