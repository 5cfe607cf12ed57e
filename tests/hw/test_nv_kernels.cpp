// Real kernels on a real NVIDIA GPU, checked against a CPU reference (issue 7's proof): vector add,
// a shared-memory reduction, tiled SGEMM at 1024^3 and at an odd size, a parameter block over
// 4 KiB, 64 KiB of dynamic shared memory, per-thread local memory, module globals, and the errors
// a fault or a trap gives. Kernels: tests/kernels/nv/hw.cu and conformance.cu.
//
// Hardware tests: tagged [hw], they run only with HCQ_TEST_HW=1 and an nv device present
// (HCQ_HW_DEVICE picks one, default nv:0); otherwise each case passes with a warning that it did
// nothing. CI never has the hardware.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hcq/hcq.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

std::string kernels_dir() {
  const char* env = std::getenv("HCQ_TEST_KERNELS_DIR");
  return env && *env ? env : HCQ_TEST_KERNELS_DIR;
}

// The device under test, or empty (with the reason as a warning) when hardware tests are off.
std::string hw_device() {
  const char* on = std::getenv("HCQ_TEST_HW");
  if (!on || std::string_view(on) != "1") return {};
  const char* env = std::getenv("HCQ_HW_DEVICE");
  std::string uri = env && *env ? env : "nv:0";
  for (const auto& d : hcq::devices())
    if (d.uri == uri) return uri;
  return {};
}

#define HW_DEVICE()                                                                             \
  const std::string uri = hw_device();                                                         \
  if (uri.empty()) {                                                                            \
    WARN("hardware test skipped: set HCQ_TEST_HW=1 on a machine with an nv device");            \
    return;                                                                                     \
  }                                                                                             \
  INFO("device " << uri)

struct Gpu {
  hcq::Device dev;
  hcq::Program hw;
  hcq::Queue q;
  hcq::Signal done;
  uint64_t value = 0;
  explicit Gpu(const std::string& uri)
      : dev(hcq::open(uri)),
        hw(dev.load_program_file(kernels_dir() + "/hw-nvidia-" + dev.props().arch + ".bin")),
        q(dev.queue(hcq::QueueKind::compute)),
        done(dev.new_signal()) {}

  template <class T>
  hcq::Buffer upload(const std::vector<T>& v) {
    auto b = dev.alloc(std::max<size_t>(v.size() * sizeof(T), 4));
    dev.upload(b, v.data(), v.size() * sizeof(T));
    return b;
  }
  template <class T>
  std::vector<T> download(const hcq::Buffer& b, size_t n) {
    std::vector<T> v(n);
    dev.download(v.data(), b, n * sizeof(T));
    return v;
  }
  // Launches and waits for it; returns the device time in microseconds (timestamps around it).
  double run(const hcq::KernelArgs& args, hcq::Dim3 grid, hcq::Dim3 block) {
    auto t0 = dev.new_signal(), t1 = dev.new_signal();
    q.timestamp(t0).exec(args, grid, block).timestamp(t1).signal(done, ++value).submit();
    REQUIRE(done.wait(value, 20s) == hcq::WaitStatus::signaled);
    return static_cast<double>(t1.timestamp_ns() - t0.timestamp_ns()) / 1e3;
  }
};

uint32_t ceil_div(uint64_t a, uint32_t b) { return static_cast<uint32_t>((a + b - 1) / b); }

// C = A * B on the CPU (double accumulation), row-major.
std::vector<float> sgemm_reference(const std::vector<float>& A, const std::vector<float>& B, uint32_t M, uint32_t N, uint32_t K) {
  std::vector<double> acc(static_cast<size_t>(M) * N, 0.0);
  for (uint32_t m = 0; m < M; ++m)
    for (uint32_t k = 0; k < K; ++k) {
      double a = A[static_cast<size_t>(m) * K + k];
      const float* b = &B[static_cast<size_t>(k) * N];
      double* c = &acc[static_cast<size_t>(m) * N];
      for (uint32_t n = 0; n < N; ++n) c[n] += a * b[n];
    }
  return {acc.begin(), acc.end()};
}

void check_sgemm(Gpu& g, uint32_t M, uint32_t N, uint32_t K) {
  INFO("sgemm " << M << "x" << N << "x" << K);
  std::mt19937 rng(M * 31 + N * 7 + K);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> A(static_cast<size_t>(M) * K), B(static_cast<size_t>(K) * N);
  for (auto& x : A) x = dist(rng);
  for (auto& x : B) x = dist(rng);
  auto a = g.upload(A), b = g.upload(B);
  auto c = g.dev.alloc(static_cast<size_t>(M) * N * 4);
  double us = g.run(hcq::KernelArgs(g.hw.kernel("sgemm")).set("A", a).set("B", b).set("C", c).set_u32("M", M).set_u32("N", N).set_u32("K", K),
                    {ceil_div(N, 16), ceil_div(M, 16), 1}, {16, 16, 1});
  auto got = g.download<float>(c, static_cast<size_t>(M) * N);
  auto want = sgemm_reference(A, B, M, N, K);
  size_t bad = 0;
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double err = std::fabs(double{got[i]} - double{want[i]});
    worst = std::max(worst, err);
    // f32 accumulation over K terms of magnitude <= 1: well inside 1e-3 * sqrt(K).
    if (!(err <= 1e-3 * std::sqrt(static_cast<double>(K)))) ++bad;
  }
  WARN("sgemm " << M << "x" << N << "x" << K << ": " << us << " us on the device, " << 2.0 * M * N * K / us / 1e6
                << " TFLOP/s (naive 16x16 tiles), max abs error " << worst);
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("nv: vector add of 1M floats matches the CPU", "[hw][nv]") {
  HW_DEVICE();
  Gpu g(uri);
  auto conf = g.dev.load_program_file(kernels_dir() + "/conformance-nvidia-" + g.dev.props().arch + ".bin");
  const uint32_t n = 1u << 20;
  std::vector<float> a(n), b(n);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = static_cast<float>(i) * 0.5f;
    b[i] = 3.0f - static_cast<float>(i % 1000);
  }
  auto da = g.upload(a), db = g.upload(b);
  auto dc = g.dev.alloc(n * 4);
  g.run(hcq::KernelArgs(conf.kernel("vadd")).set("a", da).set("b", db).set("c", dc).set_u32("n", n), {n / 256, 1, 1}, {256, 1, 1});
  auto c = g.download<float>(dc, n);
  size_t bad = 0;
  for (uint32_t i = 0; i < n; ++i) bad += c[i] != a[i] + b[i];
  CHECK(bad == 0);
}

TEST_CASE("nv: two contexts on one GPU wait on each other's signals", "[hw][nv]") {
  // nv:N?context=1 is a second RM client with its own address space, as a second GPU would be:
  // each maps the host page of the other's signals on first use.
  HW_DEVICE();
  Gpu a(uri), b(uri + "?context=1");
  CHECK(b.dev.uri() == uri + "?context=1");
  auto conf = b.dev.load_program_file(kernels_dir() + "/conformance-nvidia-" + b.dev.props().arch + ".bin");
  auto go = a.dev.new_signal();
  auto filled = b.dev.new_signal();
  auto out = b.dev.alloc(4096 * 4, hcq::MemoryKind::host);
  b.q.wait(go, 1)
      .exec(hcq::KernelArgs(conf.kernel("fill_u32")).set("out", out).set_u32("value", 7).set_u32("n", 4096), {16, 1, 1}, {256, 1, 1})
      .signal(filled, 1)
      .submit();
  auto copies = a.dev.queue(hcq::QueueKind::copy);
  copies.wait(filled, 1).signal(go, 2).submit();
  std::this_thread::sleep_for(20ms);
  CHECK(filled.value() == 0);
  CHECK(go.value() == 0);
  a.q.signal(go, 1).submit();
  REQUIRE(go.wait(2, 5s) == hcq::WaitStatus::signaled);
  CHECK(out.as<uint32_t>()[4095] == 7 + 4095);

  // A graph on one waits on the other's timeline, whichever of its two signals that is.
  hcq::Graph g;
  auto step = g.var("step", 1);
  g.on(a.q).wait(b.dev.timeline_signal(), step).signal(a.done, step);
  g.finalize();
  for (int i = 0; i < 3; ++i) {
    uint64_t v = b.dev.next_timeline_value();
    g.set(step, v);
    g.launch();
    std::this_thread::sleep_for(5ms);
    CHECK(a.done.value() < v);
    b.q.signal(b.dev.timeline_signal(), v).submit();
    REQUIRE(a.done.wait(v, 5s) == hcq::WaitStatus::signaled);
  }
}

TEST_CASE("nv: waits on signals of the device models (am's sim:gfx1100, tt's ttsim)", "[hw][nv]") {
  // Their signal pages are process memory like the cpu device's (conformance covers cpu): each
  // model's own queue signals, an nv queue waits; a model that compares 32-bit values (am's) is
  // refused, saying so. ttsim joins when HCQ_TTSIM names it; am's model needs AMD firmware
  // (HCQ_FIRMWARE_PATH).
  HW_DEVICE();
  Gpu g(uri);
  std::vector<std::string> models = {"sim:gfx1100"};
  if (const char* tt = std::getenv("HCQ_TTSIM"); tt && *tt) models.push_back(std::string("tt:ttsim:") + tt);
  for (const auto& model : models) {
    INFO("model " << model);
    hcq::Device other;
    try {
      other = hcq::open(model);
    } catch (const hcq::Error& e) {
      WARN(model << " not tested: " << e.what());  // no AMD firmware on this machine, say
      continue;
    }
    auto gate = other.new_signal();
    if (other.props().signal_compare_bits != 64) {
      g.q.wait(gate, 1);
      CHECK_THROWS_WITH(g.q.submit(), Contains("compares 32-bit signal values"));
      continue;
    }
    g.q.wait(gate, 1).signal(g.done, ++g.value).submit();
    std::this_thread::sleep_for(20ms);
    CHECK(g.done.value() == g.value - 1);
    other.queue().signal(gate, 1).submit();
    REQUIRE(g.done.wait(g.value, 10s) == hcq::WaitStatus::signaled);
  }
}

TEST_CASE("nv: chained launches see every write of the grid before them", "[hw][nv]") {
  // Launches recorded back to back run as one chain (each QMD names the next as its dependent;
  // the grids inside end with a GPU-scope membar, the last with a system-scope one): 4M floats
  // go through 200 launches of reverse_add1, each reversing what the one before wrote and adding
  // 1 (the next grid's first CTAs read what the previous grid's last CTAs wrote); then a grid that
  // writes host memory followed by one more launch, so that the host-memory writer is inside the
  // chain and only the last grid's membar carries its writes before the signal. As one submit
  // and as a graph, several times, every value checked. It catches launches of a chain that
  // overlap; docs/nv.md says what it showed without an end-of-grid membar.
  HW_DEVICE();
  Gpu g(uri);
  auto conf = g.dev.load_program_file(kernels_dir() + "/conformance-nvidia-" + g.dev.props().arch + ".bin");
  const uint32_t n = 4u << 20, steps = 200;
  std::vector<float> start(n);
  for (uint32_t i = 0; i < n; ++i) start[i] = static_cast<float>(i % 4096);
  auto a = g.upload(start);
  auto b = g.dev.alloc(n * 4);
  auto host = g.dev.alloc(n * 4, hcq::MemoryKind::host);
  auto scratch = g.dev.alloc(4);
  auto record = [&](hcq::Queue& q, uint32_t round) {
    for (uint32_t i = 0; i < steps; ++i) {
      q.exec(hcq::KernelArgs(g.hw.kernel("reverse_add1")).set("in", i % 2 ? b : a).set("out", i % 2 ? a : b).set_u32("n", n),
             {n / 256, 1, 1}, {256, 1, 1});
    }
    // steps is even: the last step wrote a, in the original order.
    q.exec(hcq::KernelArgs(conf.kernel("axpb")).set("in", a).set("out", host).set_f32("scale", 1.0f).set_i64("bias", round).set_u32("n", n),
           {n / 256, 1, 1}, {256, 1, 1});
    q.exec(hcq::KernelArgs(conf.kernel("fill_u32")).set("out", scratch).set_u32("value", round).set_u32("n", 1), {1, 1, 1}, {32, 1, 1});
  };
  auto check = [&](uint32_t round, uint32_t done_steps) {
    size_t bad = 0;
    const float* h = host.as<float>();
    for (uint32_t i = 0; i < n; ++i) bad += h[i] != static_cast<float>(i % 4096) + static_cast<float>(done_steps + round);
    CHECK(bad == 0);
  };
  uint32_t total = 0;
  for (uint32_t round = 1; round <= 5; ++round) {
    record(g.q, round);
    g.q.signal(g.done, ++g.value).submit();
    REQUIRE(g.done.wait(g.value, 20s) == hcq::WaitStatus::signaled);
    total += steps;
    INFO("one submit, round " << round);
    check(round, total);
  }
  hcq::Graph graph;
  auto gq = graph.on(g.q);
  record(gq, 1000);
  auto done = graph.var("done", 0);
  gq.signal(g.done, done);
  graph.finalize();
  for (uint32_t round = 1; round <= 5; ++round) {
    graph.set(done, ++g.value);
    graph.launch();
    REQUIRE(g.done.wait(g.value, 20s) == hcq::WaitStatus::signaled);
    total += steps;
    INFO("graph, launch " << round);
    check(1000, total);
  }
}

TEST_CASE("nv: shared-memory reduction of 16M values is exact", "[hw][nv]") {
  HW_DEVICE();
  Gpu g(uri);
  const uint32_t n = (1u << 24) + 333;
  std::vector<uint32_t> in(n);
  std::mt19937 rng(7);
  for (auto& x : in) x = rng();
  auto din = g.upload(in);
  auto dout = g.upload(std::vector<uint64_t>{0});
  g.run(hcq::KernelArgs(g.hw.kernel("reduce_u64")).set("in", din).set("out", dout).set_u32("n", n), {528, 1, 1}, {1024, 1, 1});
  CHECK(g.download<uint64_t>(dout, 1)[0] == std::accumulate(in.begin(), in.end(), uint64_t{0}));
}

TEST_CASE("nv: tiled SGEMM at 1024^3 and 1000x1001x999 matches the CPU", "[hw][nv]") {
  HW_DEVICE();
  Gpu g(uri);
  check_sgemm(g, 1024, 1024, 1024);
  check_sgemm(g, 1000, 1001, 999);
}

TEST_CASE("nv: a 4400-byte by-value parameter (bank 0 over 4 KiB)", "[hw][nv]") {
  HW_DEVICE();
  Gpu g(uri);
  auto k = g.hw.kernel("big_param");
  REQUIRE(k.info().args[0].kind == hcq::ArgKind::bytes);
  REQUIRE(k.info().args[0].size == 4400);
  struct Big {
    float v[1100];
  } big{};
  for (int i = 0; i < 1100; ++i) big.v[i] = static_cast<float>(i) * 1.25f - 7.0f;
  auto out = g.dev.alloc(1100 * 4);
  g.run(hcq::KernelArgs(k).set_value(0, big).set(1, out).set_u32(2, 1100), {5, 1, 1}, {256, 1, 1});
  auto got = g.download<float>(out, 1100);
  CHECK(std::memcmp(got.data(), big.v, sizeof(big.v)) == 0);
}

TEST_CASE("nv: 64 KiB of dynamic shared memory (over the 48 KiB default)", "[hw][nv]") {
  HW_DEVICE();
  Gpu g(uri);
  const uint32_t per_block = 16384, blocks = 40, n = per_block * blocks - 1000;
  std::vector<float> in(n);
  for (uint32_t i = 0; i < n; ++i) in[i] = static_cast<float>(i) + 0.25f;
  auto din = g.upload(in);
  auto dout = g.dev.alloc(n * 4);
  g.dev.upload(dout, std::vector<float>(n, -1.0f).data(), n * 4);
  g.run(hcq::KernelArgs(g.hw.kernel("dyn_shared")).set("in", din).set("out", dout).set_u32("n", n).dynamic_shared(64 * 1024),
        {blocks, 1, 1}, {512, 1, 1});
  auto got = g.download<float>(dout, n);
  size_t bad = 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t src = uint64_t{i} / per_block * per_block + (per_block - 1 - i % per_block);
    float want = src < n ? in[src] : 0.0f;
    bad += got[i] != want;
  }
  CHECK(bad == 0);
}

TEST_CASE("nv: per-thread local memory and module globals", "[hw][nv]") {
  HW_DEVICE();
  Gpu g(uri);
  const uint32_t n = 100000;
  auto out = g.dev.alloc(n * 4);
  g.run(hcq::KernelArgs(g.hw.kernel("local_scratch")).set("out", out).set_u32("n", n).set_u32("k", 37), {ceil_div(n, 256), 1, 1},
        {256, 1, 1});
  auto got = g.download<uint32_t>(out, n);
  size_t bad = 0;
  for (uint32_t i = 0; i < n; ++i) bad += got[i] != i * 130816u;
  CHECK(bad == 0);

  auto g3 = g.dev.alloc(16);
  for (uint32_t launch = 0; launch < 2; ++launch) {
    g.run(hcq::KernelArgs(g.hw.kernel("globals")).set("out", g3), {1, 1, 1}, {32, 1, 1});
    auto v = g.download<uint32_t>(g3, 3);
    CHECK(v[0] == 0x1234abcdu);
    CHECK(v[1] == launch);
    CHECK(v[2] == 0x40200000u);  // 2.5f
  }
}

TEST_CASE("nv: a kernel writing an unmapped address loses the device with an MMU-fault message", "[hw][nv][fault]") {
  HW_DEVICE();
  Gpu g(uri);
  const uint64_t unmapped = 0x7f0000000000ull;  // far from every allocation (they sit below 1 TiB)
  g.q.exec(hcq::KernelArgs(g.hw.kernel("poke")).set_u64("addr", unmapped).set_u32("value", 1), {1, 1, 1}, {1, 1, 1})
      .signal(g.done, ++g.value)
      .submit();
  auto status = g.done.wait(g.value, 20s);
  CHECK(status == hcq::WaitStatus::device_lost);
  std::string why;
  try {
    g.q.signal(g.done, ++g.value).submit();
  } catch (const hcq::Error& e) {
    why = e.what();
  }
  WARN("reported: " << why);
  CHECK_THAT(why, Contains("MMU fault") && Contains(uri));
}
