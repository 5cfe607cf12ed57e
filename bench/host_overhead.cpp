// Host overhead of libhcq's command-building path, on every device present (see bench/README.md).
//
//   record_exec/<uri>             Queue::exec with KernelArgs built once, batches of 1024 then one
//                                 submit (submit not timed); ns_per_exec is the figure of merit.
//   record_exec_build_args/<uri>  the same, building KernelArgs by argument name for every exec.
//   record_signal/<uri>           Queue::signal, batches of 1024 then one submit (not timed).
//   submit_exec/<uri>             exec + submit per iteration: the host cost of one launch; every
//                                 4096 submits the queue is drained outside the timing.
//   launch_roundtrip/<uri>        exec + signal + submit + host wait on the signal (wall time).
//   graph_launch/<uri>            a 16-exec graph, one variable changed per launch: set + launch
//                                 (wall time, the previous launch drained outside the timing).
//
// Devices: every URI of hcq::devices(), plus "cpu:1?signal_bits=32" (the 32-bit signal path).
// Google Benchmark's flags all work (--benchmark_filter=record_exec, --benchmark_format=json, ...).
#include <benchmark/benchmark.h>

#include <hcq/hcq.hpp>

#include <chrono>
#include <cstdlib>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifndef HCQ_BENCH_CPU_KERNELS
#error "HCQ_BENCH_CPU_KERNELS (the path of bench-kernels-cpu.so) is defined by bench/meson.build"
#endif

namespace {

constexpr int64_t batch = 1024;        // records per submit in the record_* benchmarks
constexpr int64_t drain_every = 4096;  // submits between untimed drains in submit_exec
constexpr int graph_execs = 16;        // execs in graph_launch's graph
constexpr hcq::Dim3 grid{1, 1, 1};
constexpr hcq::Dim3 block{64, 1, 1};

// Code objects holding the kernels `empty` and `touch` ("a: ptr, n: u32"), per program format.
// A backend whose format is not here gets its benchmarks skipped with a message saying so.
const std::map<std::string, std::string>& kernel_modules() {
  // HCQ_BENCH_KERNELS_DIR names another folder holding them (a build copied to a GPU machine).
  static const std::map<std::string, std::string> modules = [] {
    std::map<std::string, std::string> m{{"host-elf", HCQ_BENCH_CPU_KERNELS}, {"cubin", HCQ_BENCH_NV_KERNELS}};
    if (const char* dir = std::getenv("HCQ_BENCH_KERNELS_DIR"); dir && *dir) {
      m["host-elf"] = std::string(dir) + "/bench-kernels-cpu.so";
      m["cubin"] = std::string(dir) + "/hw-nvidia-sm_90.bin";
    }
    return m;
  }();
  return modules;
}

// One device under test and what every benchmark on it needs; opened once, before any run.
struct Target {
  std::string uri;
  std::string problem;  // why the benchmarks cannot run on this device; empty when they can
  hcq::Device device;
  hcq::Kernel empty;
  hcq::Kernel touch;
  hcq::Buffer buffer;   // host memory, the kernels' `a`
};

std::unique_ptr<Target> open_target(std::string uri) {
  auto t = std::make_unique<Target>();
  t->uri = std::move(uri);
  try {
    t->device = hcq::open(t->uri);
    const std::string& format = t->device.props().program_format;
    auto it = kernel_modules().find(format);
    if (it == kernel_modules().end()) {
      t->problem = "no benchmark kernels for program format '" + format + "' (add them to bench/)";
      return t;
    }
    hcq::Program program = t->device.load_program_file(it->second);
    t->empty = program.kernel("empty");
    t->touch = program.kernel("touch");
    t->buffer = t->device.alloc(4096, hcq::MemoryKind::host);
  } catch (const std::exception& e) {
    t->problem = e.what();
  }
  return t;
}

// Waits, outside any timing, until the queue finished everything submitted to it.
void drain(const Target& t, const hcq::Queue& q) {
  while (q.completed_submits() < q.submitted_submits()) {
    if (t.device.lost()) throw hcq::Error(hcq::Errc::device_lost, t.uri, "bench", t.device.lost_reason());
    std::this_thread::yield();
  }
}

// A counter that reads as the time per `per_iteration` operations ("152ns").
benchmark::Counter time_per(benchmark::State& state, int64_t per_iteration) {
  return benchmark::Counter(static_cast<double>(per_iteration * state.iterations()),
                            benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Calls record(q, i) `batch` times per iteration, after one untimed warm-up batch so the
// recording's vectors reach their steady-state capacity; each batch is submitted untimed.
template <class Record>
void record_batches(benchmark::State& state, Target& t, const char* counter, Record record) {
  hcq::Queue q = t.device.queue();
  for (int64_t i = 0; i < batch; ++i) record(q, i);
  q.submit();
  for (auto _ : state) {
    for (int64_t i = 0; i < batch; ++i) record(q, i);
    state.PauseTiming();
    q.submit();
    state.ResumeTiming();
  }
  drain(t, q);
  state.SetItemsProcessed(batch * state.iterations());
  state.counters[counter] = time_per(state, batch);
}

// Queue::exec with one KernelArgs prepared up front.
void record_exec(benchmark::State& state, Target& t) {
  const hcq::KernelArgs args = hcq::KernelArgs(t.empty).set("a", t.buffer).set_u32("n", 64);
  record_batches(state, t, "ns_per_exec", [&](hcq::Queue& q, int64_t) { q.exec(args, grid, block); });
}

// The same, building the arguments by name for every exec: the cost of the KernelArgs builder.
void record_exec_build_args(benchmark::State& state, Target& t) {
  record_batches(state, t, "ns_per_exec", [&](hcq::Queue& q, int64_t i) {
    q.exec(hcq::KernelArgs(t.empty).set("a", t.buffer).set_u32("n", static_cast<uint32_t>(i)), grid, block);
  });
}

// Queue::signal with a rising value.
void record_signal(benchmark::State& state, Target& t) {
  hcq::Signal sig = t.device.new_signal(0);
  uint64_t v = 0;
  record_batches(state, t, "ns_per_signal", [&](hcq::Queue& q, int64_t) { q.signal(sig, ++v); });
}

// One exec and one submit per iteration: everything the host does for a launch, without waiting.
// Every `drain_every` submits the queue is drained with the timer paused, so the ring never fills
// and the device's speed never throttles the host (one pause per 4096 launches: it amortises).
void submit_exec(benchmark::State& state, Target& t) {
  hcq::Queue q = t.device.queue();
  const hcq::KernelArgs args = hcq::KernelArgs(t.empty).set("a", t.buffer).set_u32("n", 64);
  q.exec(args, grid, block).submit();
  drain(t, q);
  int64_t since_drain = 0;
  for (auto _ : state) {
    q.exec(args, grid, block).submit();
    if (++since_drain == drain_every) {
      state.PauseTiming();
      drain(t, q);
      state.ResumeTiming();
      since_drain = 0;
    }
  }
  drain(t, q);
  state.SetItemsProcessed(state.iterations());
  state.counters["ns_per_exec"] = time_per(state, 1);
}

// exec + signal + submit, then the host waits for the signal: the latency of a tiny launch.
// Timed in wall time (the wait is the point); the kernel adds 1 to a counter, checked at the end.
void launch_roundtrip(benchmark::State& state, Target& t) {
  hcq::Queue q = t.device.queue();
  hcq::Signal sig = t.device.new_signal(0);
  auto* counter = t.buffer.as<uint64_t>();
  *counter = 0;
  const hcq::KernelArgs args = hcq::KernelArgs(t.touch).set("a", t.buffer).set_u32("n", 1);
  uint64_t v = 0;
  for (auto _ : state) {
    q.exec(args, grid, block).signal(sig, ++v).submit();
    if (hcq::WaitStatus s = sig.wait(v); s != hcq::WaitStatus::signaled) {
      state.SkipWithError(("wait: " + std::string(hcq::to_string(s))).c_str());
      break;
    }
  }
  drain(t, q);
  if (!state.error_occurred() && *counter != v) state.SkipWithError("the touch kernel did not run once per launch");
}

// A graph of 16 execs whose `n` is one variable; each iteration sets it and launches. The timed
// part is set() + launch() (wall time, manual timing); before it, untimed, the previous launch
// is drained so launch() does not wait for the device. ns_per_exec = launch time / 16.
void graph_launch(benchmark::State& state, Target& t) {
  using clock = std::chrono::steady_clock;
  hcq::Queue q = t.device.queue();
  hcq::Graph g;
  hcq::Var n = g.var("n", 0);
  hcq::Queue gq = g.on(q);
  for (int i = 0; i < graph_execs; ++i) gq.exec(hcq::KernelArgs(t.empty).set("a", t.buffer).set("n", n), grid, block);
  g.finalize();
  g.launch();
  uint64_t value = 0;
  size_t patches = 0;
  for (auto _ : state) {
    drain(t, q);
    auto start = clock::now();
    g.set(n, ++value);
    g.launch();
    auto end = clock::now();
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
    patches += g.last_patch_count();
  }
  drain(t, q);
  state.SetItemsProcessed(state.iterations());
  state.counters["ns_per_exec"] = time_per(state, graph_execs);
  state.counters["patches"] = benchmark::Counter(static_cast<double>(patches), benchmark::Counter::kAvgIterations);
}

using BenchFn = void (*)(benchmark::State&, Target&);

void register_all(const std::vector<std::unique_ptr<Target>>& targets) {
  const std::pair<const char*, BenchFn> benches[] = {
      {"record_exec", record_exec},     {"record_exec_build_args", record_exec_build_args},
      {"record_signal", record_signal}, {"submit_exec", submit_exec},
      {"launch_roundtrip", launch_roundtrip}, {"graph_launch", graph_launch},
  };
  for (const auto& [name, fn] : benches) {
    for (const auto& target : targets) {
      Target* t = target.get();
      auto* b = benchmark::RegisterBenchmark((std::string(name) + "/" + t->uri).c_str(),
                                             [t, fn = fn](benchmark::State& state) {
                                               if (!t->problem.empty()) {
                                                 state.SkipWithError(t->problem.c_str());
                                                 return;
                                               }
                                               try {
                                                 fn(state, *t);
                                               } catch (const std::exception& e) {
                                                 state.SkipWithError(e.what());
                                               }
                                             });
      if (fn == launch_roundtrip) b->UseRealTime();
      if (fn == graph_launch) b->UseManualTime();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  std::vector<std::string> uris;
  try {
    for (const auto& d : hcq::devices()) uris.push_back(d.uri);
  } catch (const std::exception&) {
    // No device list: benchmark the extra URI below only.
  }
  uris.emplace_back("cpu:1?signal_bits=32");

  std::vector<std::unique_ptr<Target>> targets;
  for (auto& uri : uris) targets.push_back(open_target(std::move(uri)));
  register_all(targets);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  targets.clear();  // close the devices before static destruction begins
  return 0;
}
