// hcq-run: load a code object, run one kernel with buffers and scalars from the command line, print
// the buffers afterwards and the time it took. `hcq-run --help` for usage; run_args.hpp for ARG.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "hcq/hcq.hpp"
#include "run_args.hpp"
#include "run_report.hpp"

#ifndef HCQ_DATADIR
#define HCQ_DATADIR "/usr/local/share/hcq"
#endif

namespace {

using namespace hcq_run;
namespace fs = std::filesystem;

constexpr uint32_t default_block = 256;
constexpr size_t demo_elements = 1u << 20;
constexpr int demo_repeat = 3;

struct Options {
  std::string device;
  std::string file;
  std::string kernel;
  std::vector<std::string> args;
  std::string grid;
  std::string block;
  int repeat = 1;
  bool json = false;
  bool full = false;
  bool demo = false;
  bool list = false;
  std::vector<std::string> outs;
};

void add_options(CLI::App& app, Options& o) {
  app.add_option("FILE", o.file, "code object to load (a .so for the cpu device)");
  app.add_option("KERNEL", o.kernel, "kernel to run (--list shows them)");
  app.add_option("ARG", o.args,
                 "one per kernel argument, in order or as name=SPEC. Scalar: 42, -3, 1.5, 0x10. Buffer: TYPE[N] "
                 "(zeros), TYPE[N]=v, TYPE[N]=iota, TYPE[N]=a,b,c, TYPE[]=a,b,c, @file.bin (u8) or TYPE@file.bin; "
                 "TYPE one of u8 u32 i32 u64 i64 f32 f64; N may end in K, M or G");
  app.add_option("-d,--device", o.device, "device URI (default: $HCQ_DEVICE, else the best device present)");
  app.add_option("--grid", o.grid, "workgroups X[,Y[,Z]] (default: enough for the largest buffer)");
  app.add_option("--block", o.block, "threads per workgroup X[,Y[,Z]] (default: 256, capped by the device)");
  app.add_option("--repeat", o.repeat, "runs to time (min and median are reported)")->check(CLI::Range(1, 1000000));
  app.add_flag("--json", o.json, "print the result as JSON");
  app.add_flag("--full", o.full, "print every element of the buffers, not the first 16");
  app.add_option("--out", o.outs, "write a buffer after the run: name=file.bin (repeatable)")->allow_extra_args(false);
  app.add_flag("--demo", o.demo, "run the bundled vadd demo on the device and check the result");
  app.add_flag("--list", o.list, "list the kernels of FILE with their arguments");
}

void check_modes(const Options& o) {
  if (o.demo && o.list) throw CLI::ValidationError("--demo and --list exclude each other");
  if (o.demo && !o.file.empty()) throw CLI::ValidationError("--demo takes no FILE, KERNEL or ARG");
  if (o.list && !o.kernel.empty()) throw CLI::ValidationError("--list takes only FILE");
  if (!o.demo && o.file.empty()) throw CLI::RequiredError("FILE");
  if (!o.demo && !o.list && o.kernel.empty()) throw CLI::RequiredError("KERNEL");
}

hcq::Device open_device(const Options& o) { return o.device.empty() ? hcq::open_default() : hcq::open(o.device); }

// --out name=file.bin, checked against the kernel's pointer arguments.
std::vector<std::pair<std::string, std::string>> parse_outs(const Options& o, const std::vector<BoundArg>& args) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& spec : o.outs) {
    size_t eq = spec.find('=');
    std::string name = spec.substr(0, eq);
    auto it = std::find_if(args.begin(), args.end(), [&](const BoundArg& a) { return a.info.name == name; });
    if (eq == std::string::npos || eq + 1 == spec.size()) throw UsageError(fmt::format("--out '{}': use name=file.bin", spec));
    if (it == args.end() || !it->host) {
      throw UsageError(fmt::format("--out '{}': '{}' is not a buffer argument of the kernel", spec, name));
    }
    out.emplace_back(name, spec.substr(eq + 1));
  }
  return out;
}

Launch pick_launch(const Options& o, const hcq::Device& dev, const hcq::KernelInfo& k, const std::vector<BoundArg>& args) {
  uint32_t limit = dev.props().max_threads_per_workgroup;
  if (k.max_threads) limit = std::min(limit, k.max_threads);
  Launch l;
  l.block = o.block.empty() ? hcq::Dim3{std::max(1u, std::min(default_block, limit)), 1, 1} : parse_dims(o.block, "--block");
  if (!o.grid.empty()) {
    l.grid = parse_dims(o.grid, "--grid");
    return l;
  }
  size_t n = 1;
  for (const auto& a : args) {
    if (a.host) n = std::max(n, a.host->count());
  }
  uint64_t groups = (n + l.block.count() - 1) / l.block.count();
  l.grid = {static_cast<uint32_t>(std::min<uint64_t>(groups, UINT32_MAX)), 1, 1};
  return l;
}

// Device buffers for the pointer arguments (empty handles for scalars), uploaded.
std::vector<hcq::Buffer> upload(hcq::Device& dev, const std::vector<BoundArg>& args) {
  std::vector<hcq::Buffer> out;
  for (const auto& a : args) {
    hcq::Buffer b;
    if (a.host) {
      b = dev.alloc(a.host->bytes.size());
      dev.upload(b, a.host->bytes.data(), a.host->bytes.size());
    }
    out.push_back(b);
  }
  return out;
}

void download(hcq::Device& dev, std::vector<BoundArg>& args, const std::vector<hcq::Buffer>& buffers) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].host) dev.download(args[i].host->bytes.data(), buffers[i], args[i].host->bytes.size());
  }
}

hcq::KernelArgs make_args(const hcq::Kernel& k, const std::vector<BoundArg>& args, const std::vector<hcq::Buffer>& bufs) {
  hcq::KernelArgs ka(k);
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].host) {
      ka.set(i, bufs[i]);
    } else {
      ka.set_bits(i, args[i].bits);
    }
  }
  if (auto p = ka.problem(); !p.empty()) throw std::runtime_error(p);
  return ka;
}

// Runs the kernel `repeat` times, each in its own submit, timestamps around the exec.
Timing run(hcq::Device& dev, const hcq::KernelArgs& ka, const Launch& l, int repeat) {
  hcq::Queue q = dev.queue();
  hcq::Signal start = dev.new_signal(), end = dev.new_signal(), done = dev.new_signal();
  bool has_clock = dev.props().timestamp_hz != 0;
  Timing t;
  for (int i = 1; i <= repeat; ++i) {
    q.timestamp(start).exec(ka, l.grid, l.block).timestamp(end).memory_barrier().signal(done, static_cast<uint64_t>(i));
    auto w0 = std::chrono::steady_clock::now();
    q.submit();
    done.wait_or_throw(static_cast<uint64_t>(i));
    auto w1 = std::chrono::steady_clock::now();
    t.wall_us.push_back(std::chrono::duration<double, std::micro>(w1 - w0).count());
    if (has_clock) t.device_us.push_back(static_cast<double>(end.timestamp_ns() - start.timestamp_ns()) / 1000.0);
  }
  return t;
}

void write_outs(const std::vector<std::pair<std::string, std::string>>& outs, const std::vector<BoundArg>& args) {
  for (const auto& [name, path] : outs) {
    auto it = std::find_if(args.begin(), args.end(), [&](const BoundArg& a) { return a.info.name == name; });
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(it->host->bytes.data()), static_cast<std::streamsize>(it->host->bytes.size()));
    if (!f) throw std::runtime_error(fmt::format("--out {}={}: writing failed: {}", name, path, std::strerror(errno)));
  }
}

int cmd_run(const Options& o) {
  hcq::Device dev = open_device(o);
  hcq::Program program = dev.load_program_file(o.file);
  hcq::Kernel kernel = program.kernel(o.kernel);
  std::vector<BoundArg> args = bind_args(kernel.info(), o.args);
  auto outs = parse_outs(o, args);
  Launch launch = pick_launch(o, dev, kernel.info(), args);
  std::vector<hcq::Buffer> buffers = upload(dev, args);
  Timing timing = run(dev, make_args(kernel, args, buffers), launch, o.repeat);
  download(dev, args, buffers);
  write_outs(outs, args);
  RunReport r{dev, kernel.info(), o.file, launch, args, timing, o.full};
  if (o.json) {
    std::cout << run_json(r).dump(2) << "\n";
  } else {
    print_run(r);
  }
  return 0;
}

int cmd_list(const Options& o) {
  hcq::Device dev = open_device(o);
  hcq::Program program = dev.load_program_file(o.file);
  std::vector<hcq::KernelInfo> kernels;
  for (const auto& name : program.kernel_names()) kernels.push_back(program.kernel(name).info());
  if (o.json) {
    std::cout << list_json(dev, o.file, kernels).dump(2) << "\n";
  } else {
    print_list(dev, o.file, kernels);
  }
  return 0;
}

// ---- --demo ------------------------------------------------------------------------------------

std::string program_extension(const std::string& format) {
  if (format == "host-elf") return "so";
  if (format == "amdgpu-elf") return "hsaco";
  return format.empty() ? "bin" : format;
}

// Where the demo code object for `p` may be: next to this executable, then the install data dir.
std::vector<fs::path> demo_candidates(const hcq::DeviceProps& p) {
  std::vector<std::string> names;
  if (p.vendor == "cpu") {
    names.push_back("hcq-demo-cpu.so");
  } else {
    names.push_back(fmt::format("hcq-demo-{}-{}.{}", p.vendor, p.arch, program_extension(p.program_format)));
    names.push_back(fmt::format("hcq-demo-{}-{}.bin", p.vendor, p.arch));
  }
  std::vector<fs::path> dirs;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path());
  dirs.emplace_back(HCQ_DATADIR);
  std::vector<fs::path> out;
  for (const auto& d : dirs) {
    for (const auto& n : names) {
      if (std::find(out.begin(), out.end(), d / n) == out.end()) out.push_back(d / n);
    }
  }
  return out;
}

std::vector<BoundArg> demo_args(const hcq::KernelInfo& k) {
  auto args = bind_args(k, {"a=f32[1]", "b=f32[1]", "c=f32[1]", "n=0"});
  for (auto& a : args) {
    if (a.host) a.host->bytes.assign(demo_elements * sizeof(float), std::byte{0});
  }
  auto* pa = reinterpret_cast<float*>(args[0].host->bytes.data());
  auto* pb = reinterpret_cast<float*>(args[1].host->bytes.data());
  for (size_t i = 0; i < demo_elements; ++i) {
    pa[i] = static_cast<float>(i + 1);
    pb[i] = static_cast<float>(2 * i);
  }
  args[3].bits = demo_elements;
  return args;
}

// Empty when c == a + b everywhere, else the first difference.
std::string demo_check(const std::vector<BoundArg>& args) {
  auto at = [&](size_t arg, size_t i) {
    float v;
    std::memcpy(&v, args[arg].host->bytes.data() + i * sizeof v, sizeof v);
    return v;
  };
  for (size_t i = 0; i < demo_elements; ++i) {
    float want = at(0, i) + at(1, i);
    if (at(2, i) != want) return fmt::format("c[{}] = {}, expected {} + {} = {}", i, at(2, i), at(0, i), at(1, i), want);
  }
  return {};
}

int cmd_demo(const Options& o) {
  hcq::Device dev = open_device(o);
  const auto& p = dev.props();
  auto candidates = demo_candidates(p);
  auto found = std::find_if(candidates.begin(), candidates.end(), [](const fs::path& c) { return fs::exists(c); });
  if (found == candidates.end()) {
    std::string looked;
    for (const auto& c : candidates) looked += "\n  " + c.string();
    fmt::print(stderr, "hcq-run: demo: no demo code object for {} (vendor {}, arch {}); looked for:{}\n", dev.uri(),
               p.vendor, p.arch, looked);
    fmt::print(stderr, "Build it (ninja -C BUILDDIR tools/{}), install libhcq, or pick another device with -d.\n",
               candidates.front().filename().string());
    return 1;
  }
  hcq::Kernel kernel = dev.load_program_file(*found).kernel("vadd");
  auto args = demo_args(kernel.info());
  Launch launch = pick_launch(o, dev, kernel.info(), args);
  auto buffers = upload(dev, args);
  Timing t = run(dev, make_args(kernel, args, buffers), launch, demo_repeat);
  download(dev, args, buffers);
  std::string head = fmt::format("demo: vadd of {} floats on {} ({})", demo_elements, dev.uri(), p.name);
  if (auto bad = demo_check(args); !bad.empty()) {
    fmt::print("{}: FAILED: {} ({})\n", head, bad, found->string());
    return 1;
  }
  std::string device_time = t.device_us.empty() ? "n/a" : fmt::format("{:.1f} us", summarize(t.device_us).min);
  fmt::print("{}: OK, device time {}, wall {:.1f} us\n", head, device_time, summarize(t.wall_us).min);
  return 0;
}

int dispatch(const Options& o) {
  if (o.demo) return cmd_demo(o);
  if (o.list) return cmd_list(o);
  return cmd_run(o);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"hcq-run: run one kernel of a code object with arguments from the command line.\n"
               "  hcq-run [-d URI] FILE KERNEL [ARG...] [--grid X[,Y[,Z]]] [--block X[,Y[,Z]]] [--repeat N] [--json]\n"
               "  hcq-run --list FILE\n"
               "  hcq-run --demo [-d URI]",
               "hcq-run"};
  add_options(app, o);
  try {
    app.parse(argc, argv);
    check_modes(o);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return dispatch(o);
  } catch (const UsageError& e) {
    fmt::print(stderr, "hcq-run: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hcq-run: {}\n", e.what());
    return 1;
  }
}
