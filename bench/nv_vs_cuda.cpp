// hcq-nv-vs-cuda: libhcq's nv backend against the CUDA driver API on the same GPU, in one run,
// with the targets (see bench/README.md for every row and how to run it).
//
// How it measures, and why this way:
// - Both sides run the same kernel, `empty` of tests/kernels/nv/hw-nvidia-sm_90.bin, with the same
//   launch shape (1 block of 64 threads); CUDA loads that cubin with cuModuleLoadData.
// - Both sides wait by spinning, so the waits cost the same: CUDA's primary context is set to
//   CU_CTX_SCHED_SPIN (cuStreamSynchronize spins), and hcq's waits poll Signal::value() without
//   pausing. (Signal::wait spins too for its first ~2000 polls, then backs off to yields and
//   sleeps; that would add up to tens of microseconds to the long copies, so it is not used.)
// - A sample is one timed operation, wall time on std::chrono::steady_clock, from before the first
//   call until the host has seen completion. After a warm-up of each side, the samples are taken
//   in alternating rounds (some hcq, then as many CUDA, ten rounds) so that clock ramps and drift
//   hit both sides alike. The table shows medians; --json also keeps the minimum and maximum.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda_driver.hpp"
#include "hcq/hcq.hpp"

#ifndef HCQ_BENCH_NV_KERNELS
#error "HCQ_BENCH_NV_KERNELS (the path of hw-nvidia-sm_90.bin) is defined by bench/meson.build"
#endif

namespace {

using Clock = std::chrono::steady_clock;

constexpr int async_launches = 100000;
constexpr int graph_kernels = 1000;
constexpr size_t max_copy_bytes = size_t{1} << 30;
constexpr hcq::Dim3 grid{1, 1, 1};
constexpr hcq::Dim3 block{64, 1, 1};
constexpr auto spin_limit = std::chrono::seconds(10);  // the longest wait, a 1 GiB copy, takes ~20 ms

// The reason the benchmark cannot run here (no GPU, no CUDA): exit 77, meson's "skipped".
class Skip : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Polls reached() back to back until it is true; every 4096 polls hands the time waited so far to
// stuck(), which throws when that is too long (or the device is gone).
template <class Reached, class Stuck>
void spin_until(Reached reached, Stuck stuck) {
  const auto start = Clock::now();
  for (uint32_t i = 1;; ++i) {
    if (reached()) return;
    if (i % 4096 == 0) stuck(Clock::now() - start);
  }
}

enum class Copy { h2d, d2h, d2d };

// One implementation under test. Every method runs one sample and returns its wall time in seconds.
class Side {
 public:
  virtual ~Side() = default;
  // Launch one empty kernel, submit, wait until the host sees it finished.
  virtual double roundtrip() = 0;
  // `n` launches of the empty kernel, each its own submit, then wait for the last.
  virtual double async(int n) = 0;
  // Replay a graph of `kernels` empty kernels (built at the first call) and wait for it.
  virtual double graph(int kernels) = 0;
  // One copy of `bytes` between pinned host memory and device memory, or device to device; wait.
  virtual double copy(Copy dir, size_t bytes) = 0;
  // The GPU writes a rising 64-bit value to pinned host memory; the host spins until it sees it.
  virtual double signal() = 0;
};

// ---------------------------------------------------------------------------------------------
// libhcq, through its public API only.

class HcqSide final : public Side {
 public:
  HcqSide(hcq::Device device, const std::filesystem::path& cubin)
      : dev_(std::move(device)),
        program_(dev_.load_program_file(cubin)),
        arg_(dev_.alloc(4096, hcq::MemoryKind::host)),
        args_(hcq::KernelArgs(program_.kernel("empty")).set("a", arg_).set_u32("n", 0)),
        q_(dev_.queue(hcq::QueueKind::compute)),
        sig_(dev_.new_signal(0)) {}

  double roundtrip() override {
    const auto start = Clock::now();
    q_.exec(args_, grid, block).signal(sig_, ++value_).submit();
    wait(sig_, value_);
    return seconds_since(start);
  }

  double async(int n) override {
    const auto start = Clock::now();
    for (int i = 1; i < n; ++i) q_.exec(args_, grid, block).submit();
    q_.exec(args_, grid, block).signal(sig_, ++value_).submit();  // the last launch says when all are done
    wait(sig_, value_);
    return seconds_since(start);
  }

  // The graph ends by signalling a variable, set to a new value before each replay.
  double graph(int kernels) override {
    if (!graph_) {
      hcq::Graph g;
      hcq::Var done = g.var("done", 0);
      hcq::Queue gq = g.on(q_);
      for (int i = 0; i < kernels; ++i) gq.exec(args_, grid, block);
      gq.signal(graph_sig_, done);
      g.finalize();
      graph_ = std::move(g);
      graph_done_ = done;
    }
    const auto start = Clock::now();
    graph_->set(graph_done_, ++graph_value_);
    graph_->launch();
    wait(graph_sig_, graph_value_);
    return seconds_since(start);
  }

  // Copies between host and device go on a copy queue (the copy engine with the most PCEs);
  // device-to-device copies on the compute queue, where they are launches of the built-in copy
  // kernel, as CUDA runs them on its stream (the SMs move device memory ~3x faster than one copy
  // engine). The buffers are made at the first call (what failed to be made then is tried again
  // at the next).
  double copy(Copy dir, size_t bytes) override {
    if (!host_) {
      hcq::Buffer host = dev_.alloc(max_copy_bytes, hcq::MemoryKind::host);
      std::memset(host.cpu_ptr(), 1, max_copy_bytes);
      host_ = host;
    }
    if (!dev_a_) dev_a_ = dev_.alloc(max_copy_bytes, hcq::MemoryKind::device);
    if (!dev_b_) dev_b_ = dev_.alloc(max_copy_bytes, hcq::MemoryKind::device);
    if (!cq_) cq_ = dev_.queue(hcq::QueueKind::copy);
    const hcq::Buffer& dst = dir == Copy::h2d ? dev_a_ : dir == Copy::d2h ? host_ : dev_b_;
    const hcq::Buffer& src = dir == Copy::h2d ? host_ : dev_a_;
    const auto start = Clock::now();
    (dir == Copy::d2d ? q_ : cq_).copy(dst, src, bytes).signal(copy_sig_, ++copy_value_).submit();
    wait(copy_sig_, copy_value_);
    return seconds_since(start);
  }

  // A bare signal on the compute queue: submit, the GPU's semaphore release, the host sees it.
  double signal() override {
    const auto start = Clock::now();
    q_.signal(sig_, ++value_).submit();
    wait(sig_, value_);
    return seconds_since(start);
  }

 private:
  void wait(const hcq::Signal& s, uint64_t target) const {
    spin_until([&] { return s.value() >= target; },
               [&](Clock::duration waited) {
                 if (!dev_.lost() && waited < spin_limit) return;
                 throw hcq::Error(dev_.lost() ? hcq::Errc::device_lost : hcq::Errc::timeout, dev_.uri(), "bench",
                                  fmt::format("{} did not reach {} (value {}){}", s.describe(), target, s.value(),
                                              dev_.lost() ? ": " + dev_.lost_reason() : ""));
               });
  }

  hcq::Device dev_;
  hcq::Program program_;
  hcq::Buffer arg_;  // the kernel's `a`, which it does not touch
  hcq::KernelArgs args_;
  hcq::Queue q_;
  hcq::Signal sig_;
  uint64_t value_ = 0;

  std::optional<hcq::Graph> graph_;
  hcq::Var graph_done_;
  hcq::Signal graph_sig_ = dev_.new_signal(0);
  uint64_t graph_value_ = 0;

  hcq::Buffer host_, dev_a_, dev_b_;
  hcq::Queue cq_;
  hcq::Signal copy_sig_ = dev_.new_signal(0);
  uint64_t copy_value_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The CUDA driver API: the device's primary context, one non-blocking stream for everything.

class CudaSide final : public Side {
 public:
  CudaSide(const cu::Driver& cu, cu::Device device, const std::vector<char>& cubin) : cu_(cu), device_(device) {
    try {
      cu_.cuDevicePrimaryCtxSetFlags(device_, cu::ctx_sched_spin);
      cu_.cuDevicePrimaryCtxRetain(&ctx_, device_);
      cu_.cuCtxSetCurrent(ctx_);
      cu_.cuModuleLoadData(&module_, cubin.data());
      cu_.cuModuleGetFunction(&empty_, module_, "empty");
      cu_.cuStreamCreate(&stream_, cu::stream_non_blocking);
      cu_.cuMemAlloc(&arg_, 4096);
      cu_.cuMemHostAlloc(&slot_, 4096, cu::memhostalloc_devicemap);
      std::memset(slot_, 0, 4096);
      cu_.cuMemHostGetDevicePointer(&slot_gpu_, slot_, 0);
    } catch (...) {
      release();
      throw;
    }
  }
  ~CudaSide() override { release(); }
  CudaSide(const CudaSide&) = delete;
  CudaSide& operator=(const CudaSide&) = delete;

  double roundtrip() override {
    const auto start = Clock::now();
    launch();
    cu_.cuStreamSynchronize(stream_);
    return seconds_since(start);
  }

  double async(int n) override {
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) launch();
    cu_.cuStreamSynchronize(stream_);
    return seconds_since(start);
  }

  // Built by stream capture: `kernels` launches in stream order, one chain, as hcq's queue runs them.
  double graph(int kernels) override {
    if (!exec_) {
      cu_.cuStreamBeginCapture(stream_, cu::capture_mode_thread_local);
      for (int i = 0; i < kernels; ++i) launch();
      cu_.cuStreamEndCapture(stream_, &graph_);
      cu_.cuGraphInstantiateWithFlags(&exec_, graph_, 0);
    }
    const auto start = Clock::now();
    cu_.cuGraphLaunch(exec_, stream_);
    cu_.cuStreamSynchronize(stream_);
    return seconds_since(start);
  }

  double copy(Copy dir, size_t bytes) override {
    if (!host_) {
      cu_.cuMemHostAlloc(&host_, max_copy_bytes, 0);
      std::memset(host_, 1, max_copy_bytes);
    }
    if (!dev_a_) cu_.cuMemAlloc(&dev_a_, max_copy_bytes);
    if (!dev_b_) cu_.cuMemAlloc(&dev_b_, max_copy_bytes);
    const auto start = Clock::now();
    switch (dir) {
      case Copy::h2d: cu_.cuMemcpyHtoDAsync(dev_a_, host_, bytes, stream_); break;
      case Copy::d2h: cu_.cuMemcpyDtoHAsync(host_, dev_a_, bytes, stream_); break;
      case Copy::d2d: cu_.cuMemcpyDtoDAsync(dev_b_, dev_a_, bytes, stream_); break;
    }
    cu_.cuStreamSynchronize(stream_);
    return seconds_since(start);
  }

  // cuStreamWriteValue64 to mapped pinned host memory, polled by this thread.
  double signal() override {
    if (!mem_ops_checked_) {
      int ok = 0;
      cu_.cuDeviceGetAttribute(&ok, cu::attr_can_use_64_bit_stream_mem_ops, device_);
      if (!ok) throw std::runtime_error("CUDA: this device cannot use 64-bit stream memory operations");
      mem_ops_checked_ = true;
    }
    auto* slot = static_cast<uint64_t*>(slot_);
    const auto start = Clock::now();
    cu_.cuStreamWriteValue64(stream_, slot_gpu_, ++value_, cu::write_value_default);
    spin_until([&] { return std::atomic_ref<uint64_t>(*slot).load(std::memory_order_acquire) >= value_; },
               [&](Clock::duration waited) {
                 if (waited >= spin_limit) {
                   throw std::runtime_error(fmt::format("CUDA: {} of {} not seen by the host after {} s",
                                                        cu_.cuStreamWriteValue64.symbol(), value_, spin_limit.count()));
                 }
               });
    return seconds_since(start);
  }

 private:
  void launch() {
    void* params[] = {&arg_, &n_};
    cu_.cuLaunchKernel(empty_, grid.x, grid.y, grid.z, block.x, block.y, block.z, 0, stream_, params, nullptr);
  }

  // Frees what was made, newest first (once: from the destructor, or when the constructor throws);
  // errors are ignored, there is nothing left to do about them.
  void release() noexcept {
    if (stream_) cu_.cuStreamSynchronize.unchecked(stream_);
    if (exec_) cu_.cuGraphExecDestroy.unchecked(exec_);
    if (graph_) cu_.cuGraphDestroy.unchecked(graph_);
    if (dev_b_) cu_.cuMemFree.unchecked(dev_b_);
    if (dev_a_) cu_.cuMemFree.unchecked(dev_a_);
    if (host_) cu_.cuMemFreeHost.unchecked(host_);
    if (slot_) cu_.cuMemFreeHost.unchecked(slot_);
    if (arg_) cu_.cuMemFree.unchecked(arg_);
    if (stream_) cu_.cuStreamDestroy.unchecked(stream_);
    if (module_) cu_.cuModuleUnload.unchecked(module_);
    if (ctx_) cu_.cuDevicePrimaryCtxRelease.unchecked(device_);
  }

  const cu::Driver& cu_;
  cu::Device device_;
  cu::Context ctx_ = nullptr;
  cu::Module module_ = nullptr;
  cu::Function empty_ = nullptr;
  cu::Stream stream_ = nullptr;
  cu::DevicePtr arg_ = 0;  // the kernel's `a`
  uint32_t n_ = 0;         // the kernel's `n`
  void* slot_ = nullptr;   // pinned, mapped: the value cuStreamWriteValue64 writes
  cu::DevicePtr slot_gpu_ = 0;
  uint64_t value_ = 0;
  bool mem_ops_checked_ = false;
  cu::Graph graph_ = nullptr;
  cu::GraphExec exec_ = nullptr;
  void* host_ = nullptr;
  cu::DevicePtr dev_a_ = 0, dev_b_ = 0;
};

// ---------------------------------------------------------------------------------------------
// What is measured, and the targets.

struct Reps {
  int warmup, full, quick;
};

struct Metric {
  std::string group;  // what --only selects
  std::string label;
  std::string unit;
  bool bandwidth;     // a rate (bytes / time, higher is better), else a time per operation
  double per;         // bytes per sample for a rate, operations per sample for a time
  double target;      // bound on hcq / cuda: at most this for times, at least for rates; 0: report only
  Reps reps;
  std::function<double(Side&)> sample;

  // A sample's seconds in the metric's unit: GB/s, or microseconds per operation.
  double value(double seconds) const { return bandwidth ? per / seconds / 1e9 : seconds * 1e6 / per; }
  bool met(double ratio) const { return bandwidth ? ratio >= target : ratio <= target; }
  std::string target_text() const { return target == 0 ? "-" : fmt::format("{} {:.2f}", bandwidth ? ">=" : "<=", target); }
};

const std::vector<std::string> groups = {"roundtrip", "async", "graph", "h2d", "d2h", "d2d", "signal"};

std::vector<Metric> metrics() {
  std::vector<Metric> m;
  m.push_back({"roundtrip", "launch + sync round trip", "us", false, 1, 0.6, {200, 2000, 200},
               [](Side& s) { return s.roundtrip(); }});
  m.push_back({"async", "100k async launches", "us/launch", false, async_launches, 0.3, {1, 5, 2},
               [](Side& s) { return s.async(async_launches); }});
  m.push_back({"graph", "graph of 1000 kernels", "us/kernel", false, graph_kernels, 1.0, {10, 200, 30},
               [](Side& s) { return s.graph(graph_kernels); }});
  // At 4 KiB a copy is all overhead: its latency counts. 1 MiB is reported; from 64 MiB on, the
  // bandwidth counts.
  struct Size {
    size_t bytes;
    const char* text;
    bool bandwidth;
    double target;
    Reps reps;
  };
  const Size sizes[] = {{size_t{4} << 10, "4 KiB", false, 1.0, {100, 1000, 200}},
                        {size_t{1} << 20, "1 MiB", true, 0, {20, 200, 50}},
                        {size_t{64} << 20, "64 MiB", true, 0.95, {3, 30, 8}},
                        {max_copy_bytes, "1 GiB", true, 0.95, {1, 5, 2}}};
  struct Direction {
    Copy dir;
    const char* group;
    const char* label;
  };
  const Direction dirs[] = {{Copy::h2d, "h2d", "H2D"}, {Copy::d2h, "d2h", "D2H"}, {Copy::d2d, "d2d", "D2D"}};
  for (const Direction& d : dirs) {
    for (const Size& z : sizes) {
      m.push_back({d.group, fmt::format("{} {}", d.label, z.text), z.bandwidth ? "GB/s" : "us", z.bandwidth,
                   z.bandwidth ? static_cast<double>(z.bytes) : 1, z.target, z.reps,
                   [dir = d.dir, bytes = z.bytes](Side& s) { return s.copy(dir, bytes); }});
    }
  }
  m.push_back({"signal", "GPU signal seen by host", "us", false, 1, 1.0, {200, 2000, 200},
               [](Side& s) { return s.signal(); }});
  return m;
}

struct Stats {
  double median = 0, min = 0, max = 0;
  size_t count = 0;
};

Stats stats(std::vector<double> s) {
  std::sort(s.begin(), s.end());
  size_t n = s.size();
  return {n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2, s.front(), s.back(), n};
}

struct Result {
  const Metric* metric;
  std::optional<Stats> hcq, cuda;
  std::string error;
};

// Warm-up, then `reps` samples of each side in alternating rounds.
Result measure(const Metric& m, Side& hcq, Side* cuda, bool quick) {
  Result r{&m, {}, {}, {}};
  try {
    for (int i = 0; i < m.reps.warmup; ++i) m.sample(hcq);
    for (int i = 0; cuda && i < m.reps.warmup; ++i) m.sample(*cuda);
    const int reps = quick ? m.reps.quick : m.reps.full;
    const int rounds = std::min(reps, 10);
    std::vector<double> h, c;
    for (int round = 0; round < rounds; ++round) {
      const int n = reps / rounds + (round < reps % rounds ? 1 : 0);
      for (int i = 0; i < n; ++i) h.push_back(m.sample(hcq));
      for (int i = 0; cuda && i < n; ++i) c.push_back(m.sample(*cuda));
    }
    r.hcq = stats(std::move(h));
    if (cuda) r.cuda = stats(std::move(c));
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Output.

std::string number(double v) {
  return fmt::format(fmt::runtime(v >= 100 ? "{:.0f}" : v >= 10 ? "{:.1f}" : v >= 1 ? "{:.2f}" : "{:.3f}"), v);
}

constexpr const char* row_format = "{:<26} {:>9} {:>9}  {:<10} {:>6}  {:<8} {}\n";

// hcq / cuda of the medians in the metric's unit; none without a CUDA column or after an error.
std::optional<double> ratio(const Result& r) {
  if (!r.error.empty() || !r.cuda) return std::nullopt;
  return r.metric->value(r.hcq->median) / r.metric->value(r.cuda->median);
}

// Whether the row meets its target; none for report-only rows and rows without a ratio.
std::optional<bool> met(const Result& r) {
  std::optional<double> x = ratio(r);
  if (!x || r.metric->target == 0) return std::nullopt;
  return r.metric->met(*x);
}

void print_row(const Result& r) {
  const Metric& m = *r.metric;
  if (!r.error.empty()) {
    fmt::print("{:<26} failed: {}\n", m.label, r.error);
    return;
  }
  std::optional<double> x = ratio(r);
  std::optional<bool> ok = met(r);
  fmt::print(row_format, m.label, number(m.value(r.hcq->median)), r.cuda ? number(m.value(r.cuda->median)) : "-", m.unit,
             x ? fmt::format("{:.2f}", *x) : "-", m.target_text(), ok ? (*ok ? "yes" : "no") : "-");
  std::fflush(stdout);  // rows appear as they are measured
}

nlohmann::ordered_json side_json(const Metric& m, const std::optional<Stats>& s) {
  if (!s) return nullptr;
  return {{"value", m.value(s->median)}, {"best", m.value(s->min)}, {"median_s", s->median},
          {"min_s", s->min},            {"max_s", s->max},         {"samples", s->count}};
}

nlohmann::ordered_json result_json(const Result& r) {
  const Metric& m = *r.metric;
  nlohmann::ordered_json j = {{"group", m.group}, {"metric", m.label}, {"unit", m.unit}};
  if (!r.error.empty()) {
    j["error"] = r.error;
    return j;
  }
  j["hcq"] = side_json(m, r.hcq);
  j["cuda"] = side_json(m, r.cuda);
  std::optional<double> x = ratio(r);
  std::optional<bool> ok = met(r);
  j["ratio"] = x ? nlohmann::ordered_json(*x) : nlohmann::ordered_json(nullptr);
  j["target"] = m.target == 0 ? nlohmann::ordered_json(nullptr)
                              : nlohmann::ordered_json{{"op", m.bandwidth ? ">=" : "<="}, {"value", m.target}};
  j["met"] = ok ? nlohmann::ordered_json(*ok) : nlohmann::ordered_json(nullptr);
  return j;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// ---------------------------------------------------------------------------------------------

struct Options {
  std::string device = "nv:0";
  std::string cubin;
  std::string json;
  std::vector<std::string> only;
  bool quick = false;
  bool hcq_only = false;
};

std::filesystem::path cubin_path(const Options& o) {
  if (!o.cubin.empty()) return o.cubin;
  // A build copied to a GPU machine finds the cubin beside it (as hcq-bench does).
  if (const char* dir = std::getenv("HCQ_BENCH_KERNELS_DIR"); dir && *dir) {
    return std::filesystem::path(dir) / "hw-nvidia-sm_90.bin";
  }
  return HCQ_BENCH_NV_KERNELS;
}

std::vector<char> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The CUDA view of the GPU that `dev` is: found by PCI address, since CUDA numbers devices its own way.
struct CudaDevice {
  cu::Device device = 0;
  std::string name;
  int driver_version = 0;
};

CudaDevice find_cuda_device(const cu::Driver& cu, const hcq::DeviceProps& props) {
  CudaDevice d;
  try {
    cu.cuInit(0);
    cu.cuDriverGetVersion(&d.driver_version);
    cu.cuDeviceGetByPCIBusId(&d.device, props.pci_address.c_str());
  } catch (const cu::Error& e) {
    throw Skip(fmt::format("CUDA cannot use the GPU at PCI {} ({}): {}", props.pci_address, props.name, e.what()));
  }
  char name[256] = {};
  cu.cuDeviceGetName(name, sizeof(name) - 1, d.device);
  d.name = name;
  return d;
}

// What the header and the JSON file say about the run.
struct RunInfo {
  hcq::Device dev;
  std::filesystem::path cubin;
  std::optional<CudaDevice> cuda;
  bool quick = false;
};

void print_header(const RunInfo& run) {
  const hcq::DeviceProps& p = run.dev.props();
  fmt::print("hcq:  {} = {} (PCI {}), libhcq {}\n", run.dev.uri(), p.name, p.pci_address, hcq::version());
  if (run.cuda) {
    fmt::print("cuda: device {} = {}, driver API {}\n", run.cuda->device, run.cuda->name,
               cu::version_text(run.cuda->driver_version));
  } else {
    fmt::print("cuda: not measured (--hcq-only)\n");
  }
  fmt::print("kernel `empty` of {}, {} block of {} threads\n", run.cubin.string(), grid.x, block.x);
  fmt::print("medians of hcq and CUDA samples taken in alternating rounds{}\n",
             run.quick ? " (--quick: fewer samples)" : "");
  fmt::print("ratio = hcq / cuda: at most the target for times (us), at least for bandwidths (GB/s)\n\n");
  fmt::print(row_format, "metric", "hcq", "cuda", "unit", "ratio", "target", "met");
}

void write_json(const std::string& path, const RunInfo& run, const std::vector<Result>& results) {
  const hcq::DeviceProps& p = run.dev.props();
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const Result& r : results) rows.push_back(result_json(r));
  nlohmann::ordered_json cuda = nullptr;
  if (run.cuda) {
    cuda = {{"device", run.cuda->name},
            {"ordinal", run.cuda->device},
            {"driver_version", run.cuda->driver_version},
            {"driver_version_text", cu::version_text(run.cuda->driver_version)}};
  }
  nlohmann::ordered_json j = {
      {"schema_version", 1},
      {"date", utc_now()},
      {"hcq", {{"uri", run.dev.uri()}, {"device", p.name}, {"pci_address", p.pci_address}, {"version", hcq::version()}}},
      {"cuda", std::move(cuda)},
      {"cubin", run.cubin.string()},
      {"quick", run.quick},
      {"launch", {{"grid", grid.x}, {"block", block.x}}},
      {"results", std::move(rows)}};
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

int run(const Options& o) {
  RunInfo info;
  try {
    info.dev = hcq::open(o.device);
  } catch (const hcq::Error& e) {
    throw Skip(fmt::format("cannot open the nv device: {}", e.what()));
  }
  if (info.dev.props().program_format != "cubin") {
    throw UsageError(fmt::format("--device {} is a {} device; this benchmark compares nv devices with CUDA",
                                 info.dev.uri(), info.dev.props().vendor));
  }
  info.cubin = cubin_path(o);
  info.quick = o.quick;

  // CUDA first, so that its absence is a skip before anything is measured.
  std::unique_ptr<cu::Driver> cuda;
  std::unique_ptr<CudaSide> cuda_side;
  if (!o.hcq_only) {
    try {
      cuda = cu::Driver::load();
    } catch (const cu::Unavailable& e) {
      throw Skip(e.what());
    }
    info.cuda = find_cuda_device(*cuda, info.dev.props());
    cuda_side = std::make_unique<CudaSide>(*cuda, info.cuda->device, read_file(info.cubin));
  }
  HcqSide hcq_side(info.dev, info.cubin);
  print_header(info);

  // Clocks ramp up under load: a short spell of round trips on both sides before the first row.
  std::vector<Side*> sides{&hcq_side};
  if (cuda_side) sides.push_back(cuda_side.get());
  for (Side* side : sides) {
    for (auto end = Clock::now() + std::chrono::milliseconds(200); Clock::now() < end;) side->roundtrip();
  }

  const std::vector<Metric> all = metrics();  // results point into it
  std::vector<Result> results;
  for (const Metric& m : all) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), m.group) == o.only.end()) continue;
    results.push_back(measure(m, hcq_side, cuda_side.get(), o.quick));
    print_row(results.back());
  }

  int with_target = 0, met_count = 0, failed = 0;
  for (const Result& r : results) {
    failed += r.error.empty() ? 0 : 1;
    if (std::optional<bool> ok = met(r)) {
      ++with_target;
      met_count += *ok ? 1 : 0;
    }
  }
  if (cuda) fmt::print("\ntargets met: {} of {}\n", met_count, with_target);
  if (failed) fmt::print("{} row(s) failed\n", failed);
  if (!o.json.empty()) write_json(o.json, info, results);
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"hcq-nv-vs-cuda: libhcq's nv backend against the CUDA driver API on the same GPU.", "hcq-nv-vs-cuda"};
  app.add_option("--device", o.device, "the hcq device to measure (an nv URI)")->capture_default_str();
  app.add_option("--cubin", o.cubin,
                 "cubin with the kernel `empty` (default: $HCQ_BENCH_KERNELS_DIR/hw-nvidia-sm_90.bin, else the source tree's)");
  app.add_option("--only", o.only, "measure only these rows: roundtrip, async, graph, h2d, d2h, d2d, signal")
      ->delimiter(',')
      ->check(CLI::IsMember(groups));
  app.add_flag("--quick", o.quick, "fewer samples per row (a rough look in a few seconds)");
  app.add_flag("--hcq-only", o.hcq_only, "measure hcq only; CUDA is not loaded");
  app.add_option("--json", o.json, "also write every number, the device and the driver version to FILE");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return run(o);
  } catch (const Skip& e) {
    fmt::print(stderr, "hcq-nv-vs-cuda: skipped: {}\n", e.what());
    return 77;
  } catch (const UsageError& e) {
    fmt::print(stderr, "hcq-nv-vs-cuda: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hcq-nv-vs-cuda: {}\n", e.what());
    return 1;
  }
}
