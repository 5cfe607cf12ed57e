// The few pieces of the CUDA driver API that hcq-nv-vs-cuda uses, declared here so that building
// it needs no CUDA installation: libcuda.so.1 is opened with dlopen when the benchmark runs.
//
// Source of every type, constant and signature below: NVIDIA's CUDA Driver API reference (the
// "Data types used by CUDA driver" page and the per-function pages), checked against CUDA 13.0.
// Types are declared by their ABI (CUresult and the enums are C enums: 32-bit ints), not copied.
//
// Symbol versions: the driver keeps old ABIs under the plain name and exports newer ones with a
// suffix (cuda.h maps cuMemAlloc to cuMemAlloc_v2, and so on). Driver::load() names the exact
// symbol of the ABI declared here, so the right one is used whatever header a program was built
// with. None of them is a per-thread-default-stream (_ptsz) variant: every call names its stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace cu {

using Result = int;            // CUresult
using Device = int;            // CUdevice
using DevicePtr = uint64_t;    // CUdeviceptr (unsigned long long on 64-bit hosts)
using Context = struct CUctx_st*;
using Module = struct CUmod_st*;
using Function = struct CUfunc_st*;
using Stream = struct CUstream_st*;
using Graph = struct CUgraph_st*;
using GraphExec = struct CUgraphExec_st*;

inline constexpr Result success = 0;                   // CUDA_SUCCESS
inline constexpr unsigned ctx_sched_spin = 0x01;       // CU_CTX_SCHED_SPIN
inline constexpr unsigned stream_non_blocking = 0x1;   // CU_STREAM_NON_BLOCKING
inline constexpr int capture_mode_thread_local = 1;    // CU_STREAM_CAPTURE_MODE_THREAD_LOCAL
inline constexpr unsigned memhostalloc_devicemap = 0x02;  // CU_MEMHOSTALLOC_DEVICEMAP
inline constexpr unsigned write_value_default = 0x0;   // CU_STREAM_WRITE_VALUE_DEFAULT
// CU_DEVICE_ATTRIBUTE_CAN_USE_64_BIT_STREAM_MEM_OPS (CUDA 12 numbering; 93 was the old _V1).
inline constexpr int attr_can_use_64_bit_stream_mem_ops = 122;

// A driver call that failed: which symbol, its CUresult and the driver's name for it.
class Error : public std::runtime_error {
 public:
  Error(const char* symbol, Result code, const std::string& name)
      : std::runtime_error(std::string(symbol) + ": " + name), code_(code) {}
  Result code() const noexcept { return code_; }

 private:
  Result code_;
};

// libcuda.so.1 could not be loaded or lacks an entry point: the benchmark skips CUDA.
class Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using ErrorNameFn = Result (*)(Result, const char**);  // cuGetErrorName

// One entry point: calling it checks the result and throws cu::Error naming the symbol, so no
// call can go unchecked; unchecked() returns the CUresult for the few places that look at it.
template <class Signature>
class Entry;
template <class... Args>
class Entry<Result(Args...)> {
 public:
  void operator()(Args... args) const {
    if (Result r = fn_(args...); r != success) throw Error(symbol_, r, name_of(r));
  }
  Result unchecked(Args... args) const noexcept { return fn_(args...); }
  const char* symbol() const noexcept { return symbol_; }

  void bind(void* fn, const char* symbol, ErrorNameFn error_name) noexcept {
    fn_ = reinterpret_cast<Result (*)(Args...)>(fn);
    symbol_ = symbol;
    error_name_ = error_name;
  }

 private:
  std::string name_of(Result r) const {
    const char* name = nullptr;
    if (error_name_ && error_name_(r, &name) == success && name) return std::string(name) + " (" + std::to_string(r) + ")";
    return "CUresult " + std::to_string(r);
  }
  Result (*fn_)(Args...) = nullptr;
  const char* symbol_ = "";
  ErrorNameFn error_name_ = nullptr;
};

// The entry points, named as in the API reference; the comment gives the symbol resolved.
struct Driver {
  // Opens libcuda.so.1 and resolves every entry point; throws Unavailable saying why not.
  // The library stays loaded until the process exits (unloading libcuda is not safe).
  static std::unique_ptr<Driver> load();

  Entry<Result(unsigned)> cuInit;
  Entry<Result(int*)> cuDriverGetVersion;
  Entry<Result(Device*, int)> cuDeviceGet;
  Entry<Result(Device*, const char*)> cuDeviceGetByPCIBusId;
  Entry<Result(char*, int, Device)> cuDeviceGetName;
  Entry<Result(int*, int, Device)> cuDeviceGetAttribute;
  Entry<Result(Device, unsigned)> cuDevicePrimaryCtxSetFlags;   // _v2
  Entry<Result(Context*, Device)> cuDevicePrimaryCtxRetain;
  Entry<Result(Device)> cuDevicePrimaryCtxRelease;              // _v2
  Entry<Result(Context)> cuCtxSetCurrent;
  Entry<Result(Module*, const void*)> cuModuleLoadData;
  Entry<Result(Function*, Module, const char*)> cuModuleGetFunction;
  Entry<Result(Module)> cuModuleUnload;
  Entry<Result(Stream*, unsigned)> cuStreamCreate;
  Entry<Result(Stream)> cuStreamDestroy;                        // _v2
  Entry<Result(Stream)> cuStreamSynchronize;
  Entry<Result(Function, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, Stream, void**, void**)>
      cuLaunchKernel;
  Entry<Result(DevicePtr*, size_t)> cuMemAlloc;                 // _v2
  Entry<Result(DevicePtr)> cuMemFree;                           // _v2
  Entry<Result(void**, size_t, unsigned)> cuMemHostAlloc;
  Entry<Result(void*)> cuMemFreeHost;
  Entry<Result(DevicePtr*, void*, unsigned)> cuMemHostGetDevicePointer;  // _v2
  Entry<Result(DevicePtr, const void*, size_t, Stream)> cuMemcpyHtoDAsync;  // _v2
  Entry<Result(void*, DevicePtr, size_t, Stream)> cuMemcpyDtoHAsync;        // _v2
  Entry<Result(DevicePtr, DevicePtr, size_t, Stream)> cuMemcpyDtoDAsync;    // _v2
  Entry<Result(Stream, DevicePtr, uint64_t, unsigned)> cuStreamWriteValue64;  // _v2
  Entry<Result(Stream, int)> cuStreamBeginCapture;              // _v2 (takes the capture mode)
  Entry<Result(Stream, Graph*)> cuStreamEndCapture;
  Entry<Result(GraphExec*, Graph, unsigned long long)> cuGraphInstantiateWithFlags;
  Entry<Result(GraphExec, Stream)> cuGraphLaunch;
  Entry<Result(GraphExec)> cuGraphExecDestroy;
  Entry<Result(Graph)> cuGraphDestroy;

 private:
  Driver() = default;
};

// "13.0" for cuDriverGetVersion's 13000.
std::string version_text(int version);

}  // namespace cu
