// The hcq contract, written once and run on every device conformance_devices() names.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <numeric>
#include <thread>
#include <vector>

#include "devices.hpp"
#include "hcq/hcq.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

const std::vector<std::string>& device_list() {
  static const std::vector<std::string> list = hcq::test::conformance_devices();
  return list;
}

struct Ctx {
  hcq::Device dev;
  hcq::Program prog;
  hcq::Queue q;
  explicit Ctx(const std::string& uri)
      : dev(hcq::open(uri)), prog(hcq::test::conformance_program(dev)), q(dev.queue(hcq::QueueKind::compute)) {}

  template <class T>
  hcq::Buffer upload(const std::vector<T>& v, hcq::MemoryKind kind = hcq::MemoryKind::device) {
    auto b = dev.alloc(v.size() * sizeof(T), kind);
    dev.upload(b, v.data(), v.size() * sizeof(T));
    return b;
  }
  template <class T>
  std::vector<T> download(const hcq::Buffer& b, size_t n) {
    std::vector<T> v(n);
    dev.download(v.data(), b, n * sizeof(T));
    return v;
  }
  hcq::KernelArgs fill(const hcq::Buffer& out, uint32_t value, uint32_t n) {
    return hcq::KernelArgs(prog.kernel("fill_u32")).set("out", out).set_u32("value", value).set_u32("n", n);
  }
};

#define FOR_EACH_DEVICE()                                                    \
  const std::string uri = GENERATE(Catch::Generators::from_range(device_list())); \
  INFO("device " << uri)

hcq::Dim3 groups(uint32_t n, uint32_t block) { return {(n + block - 1) / block, 1, 1}; }

// Whether the device computes what its kernels write (a device model may check and record launches
// without running them: DeviceProps::executes_kernels). The launches still run, complete and signal;
// only the checks of their results are skipped, with a message.
bool kernel_results(const hcq::Device& dev) {
  if (dev.props().executes_kernels) return true;
  WARN(dev.uri() << " runs no kernel code: kernel results not checked");
  return false;
}

// am queues reach only their own device's memory (its page tables map its own host blocks); the
// others reach every device's signals (host-executed queues through the CPU, nv by mapping the
// signal's page).
bool reaches_other_devices_signals(const hcq::Device& dev) {
  return !dev.uri().starts_with("sim:gfx") && !dev.uri().starts_with("am");
}

}  // namespace

TEST_CASE("devices: open, properties, unknown URIs", "[conformance]") {
  FOR_EACH_DEVICE();
  auto a = hcq::open(uri);
  auto b = hcq::open(uri);
  CHECK(a.impl() == b.impl());  // one device per URI while it is open
  const auto& p = a.props();
  CHECK_FALSE(p.name.empty());
  CHECK_FALSE(p.arch.empty());
  CHECK(p.max_threads_per_workgroup > 0);
  CHECK(p.timestamp_hz > 0);
  CHECK((p.signal_compare_bits == 32 || p.signal_compare_bits == 64));
  CHECK(p.compute_queues > 0);

  try {
    hcq::open("nosuch:0");
    FAIL("open of an unknown scheme succeeded");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::not_found);
    CHECK_THAT(e.what(), Contains("cpu:N") && Contains("Present: ") && Contains("cpu:0"));
  }
}

TEST_CASE("memory: kinds, addresses, alignment, bad requests", "[conformance]") {
  FOR_EACH_DEVICE();
  auto dev = hcq::open(uri);
  auto d = dev.alloc(1000, hcq::MemoryKind::device);
  auto h = dev.alloc(1000, hcq::MemoryKind::host);
  auto v = dev.alloc(1000, hcq::MemoryKind::device_host_visible);
  CHECK(d.cpu_ptr() == nullptr);
  CHECK(h.cpu_ptr() != nullptr);
  CHECK(v.cpu_ptr() != nullptr);
  CHECK(d.gpu_address() != h.gpu_address());
  CHECK(d.gpu_address() % dev.props().min_buffer_alignment == 0);
  for (size_t align : {size_t{4096}, size_t{1} << 16, size_t{1} << 21}) {
    auto a = dev.alloc(100, hcq::MemoryKind::device, align);
    CHECK(a.gpu_address() % align == 0);
  }
  CHECK_THROWS_AS(dev.alloc(0), hcq::Error);
  CHECK_THROWS_WITH(dev.alloc(64, hcq::MemoryKind::device, 3), Contains("power of two"));
  auto view = h.view(100, 200);
  CHECK(view.gpu_address() == h.gpu_address() + 100);
  CHECK(view.cpu_ptr() == static_cast<std::byte*>(h.cpu_ptr()) + 100);
  CHECK_THROWS_WITH(h.view(900, 200), Contains("does not fit"));

  // Sub-allocation reuses freed space: 2000 alloc/free rounds of 1 MiB stay inside one chunk.
  uint64_t first = 0;
  bool reused = false;
  for (int i = 0; i < 2000; ++i) {
    auto b = dev.alloc(1 << 20, hcq::MemoryKind::host);
    if (i == 0) first = b.gpu_address();
    reused |= i > 0 && b.gpu_address() == first;
  }
  CHECK(reused);
}

TEST_CASE("memory: upload and download through every kind", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  for (auto kind : {hcq::MemoryKind::device, hcq::MemoryKind::host, hcq::MemoryKind::device_host_visible}) {
    for (size_t n : {size_t{1}, size_t{4099}, size_t{5} << 20}) {  // 5 MiB crosses the staging size
      std::vector<uint8_t> in(n);
      for (size_t i = 0; i < n; ++i) in[i] = static_cast<uint8_t>(i * 7 + 3);
      auto b = c.upload(in, kind);
      CHECK(c.download<uint8_t>(b, n) == in);
    }
  }
}

TEST_CASE("signals: host set, wait, timeout with a message", "[conformance]") {
  FOR_EACH_DEVICE();
  auto dev = hcq::open(uri);
  auto s = dev.new_signal(7);
  CHECK(s.value() == 7);
  CHECK(s.wait(7, 10ms) == hcq::WaitStatus::signaled);
  s.set_value(9);
  CHECK(s.wait(8, 10ms) == hcq::WaitStatus::signaled);
  auto t0 = std::chrono::steady_clock::now();
  CHECK(s.wait(10, 50ms) == hcq::WaitStatus::timeout);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took >= 50ms);
  CHECK(took < 2s);
  try {
    s.wait_or_throw(12, 20ms);
    FAIL("no timeout");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::timeout);
    CHECK_THAT(e.what(), Contains(">= 12") && Contains("value is 9") && Contains("signal"));
  }
  CHECK(s.value_address() % 8 == 0);
  CHECK(s.timestamp_address() == s.value_address() + 8);
}

TEST_CASE("queues: signal, and wait before exec holds the kernel back", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto out = c.upload(std::vector<uint32_t>(256, 0));
  auto gate = c.dev.new_signal(0);
  auto done = c.dev.new_signal(0);
  c.q.wait(gate, 1).exec(c.fill(out, 100, 256), groups(256, 64), {64, 1, 1}).signal(done, 1).submit();
  std::this_thread::sleep_for(30ms);
  CHECK(done.value() == 0);
  gate.set_value(1);
  REQUIRE(done.wait(1, 5s) == hcq::WaitStatus::signaled);
  if (!kernel_results(c.dev)) return;
  auto got = c.download<uint32_t>(out, 256);
  for (uint32_t i = 0; i < 256; ++i) REQUIRE(got[i] == 100 + i);
}

TEST_CASE("queues: operations run in order, one after another", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto counter = c.dev.alloc(8, hcq::MemoryKind::host);
  auto seen = c.dev.alloc(64 * 8, hcq::MemoryKind::host);
  *counter.as<uint64_t>() = 0;
  auto k = c.prog.kernel("bump");
  auto done = c.dev.new_signal(0);
  for (uint32_t i = 0; i < 64; ++i) {
    c.q.exec(hcq::KernelArgs(k).set("counter", counter).set("seen", seen).set_u32("slot", i), {1, 1, 1}, {1, 1, 1});
    if (i % 8 == 7) c.q.submit();  // several submits and several operations per submit
  }
  c.q.signal(done, 1).submit();
  REQUIRE(done.wait(1, 5s) == hcq::WaitStatus::signaled);
  CHECK(c.q.completed_submits() == c.q.submitted_submits());
  if (!kernel_results(c.dev)) return;
  for (uint32_t i = 0; i < 64; ++i) REQUIRE(seen.as<uint64_t>()[i] == i);
}

TEST_CASE("queues: copy then signal, on a copy queue", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto cq = c.dev.queue(hcq::QueueKind::copy);
  std::vector<uint8_t> in(1 << 20);
  std::iota(in.begin(), in.end(), 0);
  auto src = c.upload(in);
  auto dst = c.dev.alloc(in.size() + 3, hcq::MemoryKind::host);
  auto done = c.dev.new_signal(0);
  // Odd sizes and offsets: views at 3 and 1 bytes.
  cq.copy(dst.view(3, in.size() - 1), src.view(1, in.size() - 1), in.size() - 1).signal(done, 1).submit();
  REQUIRE(done.wait(1, 5s) == hcq::WaitStatus::signaled);
  CHECK(std::memcmp(static_cast<uint8_t*>(dst.cpu_ptr()) + 3, in.data() + 1, in.size() - 1) == 0);
  // A copy queue refuses kernels: a sticky error raised at submit.
  cq.exec(c.fill(dst, 0, 1), {1, 1, 1}, {1, 1, 1});
  CHECK_THROWS_WITH(cq.submit(), Contains("copy queues cannot run kernels"));
}

TEST_CASE("queues: copies on a compute queue, any size and alignment, in order with kernels", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  std::vector<uint8_t> in((1 << 20) + 37);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 7 + i / 251);
  auto src = c.upload(in);
  // dst offset, src offset, bytes: aligned alike to 16, to 4, not at all; tiny; odd tails.
  const struct {
    size_t dst, src, bytes;
  } cases[] = {{0, 0, 1 << 20}, {16, 32, (1 << 20) - 5}, {3, 1, (1 << 20) - 1}, {4, 8, 1000}, {2, 7, 17}, {5, 5, 15}, {0, 0, 1}};
  for (const auto& k : cases) {
    INFO("dst+" << k.dst << " src+" << k.src << " " << k.bytes << " bytes");
    auto dst = c.dev.alloc(k.bytes + 64);
    auto host = c.dev.alloc(k.bytes + 64, hcq::MemoryKind::host);
    std::memset(host.cpu_ptr(), 0xEE, k.bytes + 64);
    auto done = c.dev.new_signal(0);
    // Device -> device, then device -> host memory, on the same compute queue.
    c.q.copy(dst.view(k.dst, k.bytes), src.view(k.src, k.bytes), k.bytes)
        .copy(host.view(k.dst, k.bytes), dst.view(k.dst, k.bytes), k.bytes)
        .signal(done, 1)
        .submit();
    REQUIRE(done.wait(1, 5s) == hcq::WaitStatus::signaled);
    const auto* h = static_cast<const uint8_t*>(host.cpu_ptr());
    CHECK(std::memcmp(h + k.dst, in.data() + k.src, k.bytes) == 0);
    // Nothing around the copied range changed.
    CHECK(std::count(h, h + k.dst, uint8_t{0xEE}) == static_cast<long>(k.dst));
    CHECK(std::count(h + k.dst + k.bytes, h + k.bytes + 64, uint8_t{0xEE}) == static_cast<long>(64 - k.dst));
  }

  // Ordered with launches: fill, copy, fill again; the copy sees the first fill only (fill_u32
  // writes value + i).
  auto a = c.dev.alloc(4096 * 4), b = c.dev.alloc(4096 * 4);
  auto done = c.dev.new_signal(0);
  c.q.exec(c.fill(a, 5, 4096), groups(4096, 256), {256, 1, 1})
      .copy(b, a, 4096 * 4)
      .exec(c.fill(a, 6, 4096), groups(4096, 256), {256, 1, 1})
      .signal(done, 1)
      .submit();
  REQUIRE(done.wait(1, 5s) == hcq::WaitStatus::signaled);
  if (!kernel_results(c.dev)) return;
  auto got = c.download<uint32_t>(b, 4096);
  size_t right = 0;
  for (uint32_t i = 0; i < 4096; ++i) right += got[i] == 5 + i;
  CHECK(right == 4096);
  CHECK(c.download<uint32_t>(a, 4096)[4095] == 6u + 4095);
}

TEST_CASE("graphs: a copy on a compute queue follows its buffer variables", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  std::vector<uint32_t> va(1024), vb(1024);
  std::iota(va.begin(), va.end(), 0u);
  std::iota(vb.begin(), vb.end(), 5000u);
  auto a = c.upload(va), b = c.upload(vb);
  auto host = c.dev.alloc(1024 * 4, hcq::MemoryKind::host);
  auto done = c.dev.new_signal();
  hcq::Graph g;
  auto from = g.buffer_var("from", a);
  auto step = g.var("step", 1);
  g.on(c.q).copy(host, hcq::BufferRef(from, 4), 1023 * 4).signal(done, step);
  g.finalize();
  for (uint64_t i = 1; i <= 4; ++i) {
    g.set(step, i);
    g.set(from, i % 2 ? a : b);
    g.launch();
    REQUIRE(done.wait(i, 5s) == hcq::WaitStatus::signaled);
    const auto& want = i % 2 ? va : vb;
    CHECK(std::memcmp(host.cpu_ptr(), want.data() + 1, 1023 * 4) == 0);
  }
}

TEST_CASE("queues: timestamps are monotonic and bracket the work", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto out = c.dev.alloc(1 << 22);
  auto t1 = c.dev.new_signal();
  auto t2 = c.dev.new_signal();
  auto t3 = c.dev.new_signal();
  c.q.timestamp(t1).exec(c.fill(out, 0, 1 << 20), groups(1 << 20, 256), {256, 1, 1}).timestamp(t2).timestamp(t3);
  c.q.signal(t3, 1).submit();
  REQUIRE(t3.wait(1, 5s) == hcq::WaitStatus::signaled);
  CHECK(t1.timestamp_ticks() > 0);
  CHECK(t2.timestamp_ticks() > t1.timestamp_ticks());  // a million-thread kernel takes time
  CHECK(t3.timestamp_ticks() >= t2.timestamp_ticks());
  CHECK(t2.timestamp_ns() - t1.timestamp_ns() < 60'000'000'000ull);
}

TEST_CASE("queues: memory barrier between dependent kernels; kernel arguments by name", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  const uint32_t n = 10000;
  std::vector<float> a(n);
  std::iota(a.begin(), a.end(), 1.0f);
  auto in = c.upload(a);
  auto mid = c.dev.alloc(n * 4);
  auto out = c.dev.alloc(n * 4);
  auto axpb = c.prog.kernel("axpb");
  auto vadd = c.prog.kernel("vadd");
  auto done = c.dev.new_signal();
  c.q.exec(hcq::KernelArgs(axpb).set("in", in).set("out", mid).set_f32("scale", 2.0f).set_i64("bias", -3).set_u32("n", n),
           groups(n, 128), {128, 1, 1})
      .memory_barrier()
      .exec(hcq::KernelArgs(vadd).set(0, mid).set(1, in).set(2, out).set_u32(3, n), groups(n, 128), {128, 1, 1})
      .signal(done, 1)
      .submit();
  REQUIRE(done.wait(1, 5s) == hcq::WaitStatus::signaled);
  if (!kernel_results(c.dev)) return;
  auto got = c.download<float>(out, n);
  for (uint32_t i = 0; i < n; ++i) REQUIRE(got[i] == a[i] * 2.0f - 3.0f + a[i]);
}

TEST_CASE("queues: workgroup-shared memory", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  const uint32_t n = 4096 * 3 + 17, block = 256;
  std::vector<uint32_t> in(n);
  std::iota(in.begin(), in.end(), 1u);
  auto src = c.upload(in);
  uint32_t wg = (n + block - 1) / block;
  auto out = c.dev.alloc(wg * 8);
  auto done = c.dev.new_signal();
  c.q.exec(hcq::KernelArgs(c.prog.kernel("reduce_sum")).set("in", src).set("out", out).set_u32("n", n), {wg, 1, 1},
           {block, 1, 1})
      .signal(done, 1)
      .submit();
  REQUIRE(done.wait(1, 5s) == hcq::WaitStatus::signaled);
  if (!kernel_results(c.dev)) return;
  auto partial = c.download<uint64_t>(out, wg);
  CHECK(std::accumulate(partial.begin(), partial.end(), uint64_t{0}) == uint64_t{n} * (n + 1) / 2);
}

TEST_CASE("queues: by-value block arguments and dynamic shared memory", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  const uint32_t n = 1000, block = 128;
  struct Affine {
    uint32_t mul, add, tag;
  } p{3, 7, 1000000};
  auto k = c.prog.kernel("reverse_affine");
  REQUIRE(k.info().args[0].kind == hcq::ArgKind::bytes);
  CHECK(k.info().args[0].size == sizeof(Affine));
  CHECK(k.info().args[1].offset == 16);
  auto out = c.dev.alloc(n * 4);
  auto done = c.dev.new_signal();
  c.q.exec(hcq::KernelArgs(k).set_value("p", p).set("out", out).set_u32("n", n).dynamic_shared(block * 4), groups(n, block),
           {block, 1, 1})
      .signal(done, 1)
      .submit();
  REQUIRE(done.wait(1, 5s) == hcq::WaitStatus::signaled);
  auto got = c.download<uint32_t>(out, n);
  if (kernel_results(c.dev)) {
    size_t wrong = 0;
    for (uint32_t j = 0; j < n; ++j) {
      uint32_t i = j / block * block + (block - 1 - j % block);  // the thread that wrote j
      wrong += got[j] != i * p.mul + p.add + p.tag;
    }
    CHECK(wrong == 0);
  }

  // The block's size is checked, and shared memory beyond the device's limit is refused at submit.
  hcq::KernelArgs bad(k);
  bad.set_bytes("p", std::as_bytes(std::span("0123456789", 10)));
  CHECK_THAT(bad.problem(), Contains("bytes[12], given 10 bytes"));
  c.q.exec(hcq::KernelArgs(k).set_value("p", p).set("out", out).set_u32("n", n).dynamic_shared(c.dev.props().max_shared_bytes + 1),
           groups(n, block), {block, 1, 1});
  CHECK_THROWS_WITH(c.q.submit(), Contains("dynamic") && Contains("reverse_affine"));
}

TEST_CASE("queues: cross-queue and cross-device waits", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto cq = c.dev.queue(hcq::QueueKind::copy);
  auto produced = c.dev.new_signal();
  auto copied = c.dev.new_signal();
  auto a = c.dev.alloc(4096 * 4);
  auto b = c.dev.alloc(4096 * 4, hcq::MemoryKind::host);
  // The copy is recorded and submitted first, but waits for the kernel on the other queue.
  cq.wait(produced, 1).copy(b, a, 4096 * 4).signal(copied, 1).submit();
  std::this_thread::sleep_for(10ms);
  CHECK(copied.value() == 0);
  c.q.exec(c.fill(a, 5, 4096), groups(4096, 256), {256, 1, 1}).signal(produced, 1).submit();
  REQUIRE(copied.wait(1, 5s) == hcq::WaitStatus::signaled);
  if (kernel_results(c.dev)) CHECK(b.as<uint32_t>()[4095] == 5 + 4095);

  // Another device's queue waits on this device's signal.
  auto other = hcq::open("cpu:3");
  auto oq = other.queue();
  auto remote_done = other.new_signal();
  oq.wait(produced, 2).signal(remote_done, 1).submit();
  std::this_thread::sleep_for(10ms);
  CHECK(remote_done.value() == 0);
  c.q.signal(produced, 2).submit();
  CHECK(remote_done.wait(1, 5s) == hcq::WaitStatus::signaled);

  // This device's queues wait on and signal another device's signals.
  auto gate = other.new_signal();
  auto seen = other.new_signal();
  if (!reaches_other_devices_signals(c.dev)) {
    c.q.wait(gate, 1);
    CHECK_THROWS_WITH(c.q.submit(), Contains("cannot reach") && Contains("cpu:3"));
    return;
  }
  c.q.wait(gate, 1).signal(seen, 1).submit();
  cq.wait(seen, 1).timestamp(seen).signal(seen, 2).submit();
  std::this_thread::sleep_for(10ms);
  CHECK(seen.value() == 0);
  oq.signal(gate, 1).submit();
  REQUIRE(seen.wait(2, 5s) == hcq::WaitStatus::signaled);
  CHECK(seen.timestamp_ticks() != 0);  // in this device's ticks: timestamp_ns() would convert with cpu:3's rate
  // Signals of a device that compares another width of values (32 bits where this one compares
  // 64, or the reverse): nv refuses them, saying why; host-executed queues reach them.
  auto narrow = hcq::open(c.dev.props().signal_compare_bits == 32 ? "cpu:4" : "cpu:4?signal_bits=32");
  auto n = narrow.new_signal();
  if (c.dev.uri().starts_with("nv")) {
    c.q.wait(n, 1);
    CHECK_THROWS_WITH(c.q.submit(), Contains("cannot reach") && Contains("bit"));
  } else {
    narrow.queue().signal(n, 1).submit();
    c.q.wait(n, 1).signal(seen, 3).submit();
    CHECK(seen.wait(3, 5s) == hcq::WaitStatus::signaled);
  }
}

TEST_CASE("queues: recording errors are sticky and raised at submit", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto out = c.dev.alloc(64);
  auto s = c.dev.new_signal();
  // Missing argument: named in the error; the queue stays usable afterwards.
  c.q.exec(hcq::KernelArgs(c.prog.kernel("fill_u32")).set("out", out).set_u32("n", 1), {1, 1, 1}, {1, 1, 1})
      .signal(s, 1);
  CHECK_THROWS_WITH(c.q.submit(), Contains("'value'") && Contains("not set"));
  CHECK(s.wait(1, 20ms) == hcq::WaitStatus::timeout);  // nothing of the failed recording ran
  // Wrong kind: a buffer where a u32 goes.
  c.q.exec(hcq::KernelArgs(c.prog.kernel("fill_u32")).set("out", out).set("value", out).set_u32("n", 1), {1, 1, 1},
           {1, 1, 1});
  CHECK_THROWS_WITH(c.q.submit(), Contains("is u32, not ptr"));
  // A graph variable outside a graph.
  hcq::Graph g;
  c.q.signal(s, g.var("v"));
  CHECK_THROWS_WITH(c.q.submit(), Contains("outside a graph"));
  // Too large a workgroup and a copy that does not fit.
  c.q.exec(c.fill(out, 0, 1), {1, 1, 1}, {c.dev.props().max_threads_per_workgroup + 1, 1, 1});
  CHECK_THROWS_WITH(c.q.submit(), Contains("too large"));
  c.q.copy(out, c.dev.alloc(128), 128);
  CHECK_THROWS_WITH(c.q.submit(), Contains("do not fit"));
  c.q.signal(s, 1).submit();
  CHECK(s.wait(1, 5s) == hcq::WaitStatus::signaled);
}

TEST_CASE("timeline: values advance and synchronize waits for the last", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto out = c.dev.alloc(4 * 1024);
  for (int i = 0; i < 10; ++i) {
    auto tl = c.dev.timeline_signal();
    uint64_t prev = c.dev.last_timeline_value();
    uint64_t next = c.dev.next_timeline_value();
    CHECK(next == prev + 1);
    c.q.wait(tl, prev).exec(c.fill(out, static_cast<uint32_t>(i), 1024), {4, 1, 1}, {256, 1, 1}).signal(tl, next).submit();
  }
  c.dev.synchronize(5s);
  if (kernel_results(c.dev)) CHECK(c.download<uint32_t>(out, 1024)[1023] == 9 + 1023);
}

TEST_CASE("graphs: replay with changed buffers, scalars and signal values", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto cq = c.dev.queue(hcq::QueueKind::copy);
  auto a = c.dev.alloc(1024 * 4), b = c.dev.alloc(1024 * 4);
  auto host = c.dev.alloc(1024 * 4, hcq::MemoryKind::host);
  auto done = c.dev.new_signal();
  auto filled = c.dev.new_signal();

  hcq::Graph g;
  auto target = g.buffer_var("target", a);
  auto value = g.var("value", 1);
  auto step = g.var("step", 1);
  g.on(c.q).exec(hcq::KernelArgs(c.prog.kernel("fill_u32")).set("out", target).set("value", value).set_u32("n", 1024),
                 {4, 1, 1}, {256, 1, 1})
      .signal(filled, step);
  g.on(cq).wait(filled, step).copy(host, target, 1024 * 4).signal(done, step);
  g.finalize();

  for (uint64_t i = 1; i <= 6; ++i) {
    g.set(step, i);
    g.set(value, 1000 * i);
    g.set(target, i % 2 ? a : b);
    g.launch();
    REQUIRE(done.wait(i, 5s) == hcq::WaitStatus::signaled);
    if (!kernel_results(c.dev)) continue;
    CHECK(host.as<uint32_t>()[0] == 1000 * i);
    CHECK(host.as<uint32_t>()[1023] == 1000 * i + 1023);
  }
  if (kernel_results(c.dev)) {
    CHECK(c.download<uint32_t>(a, 1)[0] == 5000);
    CHECK(c.download<uint32_t>(b, 1)[0] == 6000);
  }

  // Only what changed is rewritten: the step (3 places) and the per-launch counter (2 queues),
  // each place one field, or two where the device splits a 64-bit value into 32-bit halves.
  size_t all = g.last_patch_count();
  g.set(step, 7);
  g.launch();
  REQUIRE(done.wait(7, 5s) == hcq::WaitStatus::signaled);
  CHECK(g.last_patch_count() >= 5);
  CHECK(g.last_patch_count() <= 10);
  CHECK(g.last_patch_count() < all);
  if (kernel_results(c.dev)) CHECK(host.as<uint32_t>()[0] == 6000);

  CHECK_THROWS_WITH(g.set(target, c.dev.alloc(16)), Contains("recorded with 4096 bytes"));
  CHECK_THROWS_AS(g.on(c.q), hcq::Error);
}

TEST_CASE("graphs: a queue waits on another device's timeline", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto other = hcq::open("cpu:5");
  auto oq = other.queue();
  auto done = c.dev.new_signal();
  hcq::Graph g;
  auto step = g.var("step", 1);
  g.on(c.q).wait(other.timeline_signal(), step).signal(done, step);
  if (!reaches_other_devices_signals(c.dev)) {
    CHECK_THROWS_WITH(g.finalize(), Contains("cannot reach") && Contains("cpu:5"));
    return;
  }
  g.finalize();
  for (int i = 0; i < 3; ++i) {
    uint64_t v = other.next_timeline_value();
    g.set(step, v);
    g.launch();
    std::this_thread::sleep_for(5ms);
    CHECK(done.value() < v);
    oq.signal(other.timeline_signal(), v).submit();
    REQUIRE(done.wait(v, 5s) == hcq::WaitStatus::signaled);
  }
}

TEST_CASE("graphs: a recording error is raised by finalize", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  hcq::Graph g;
  auto gq = g.on(c.q);
  gq.copy(c.dev.alloc(8), c.dev.alloc(4), 8);
  CHECK_THROWS_WITH(g.finalize(), Contains("do not fit"));
  CHECK_THROWS_WITH(gq.submit(), Contains("Graph::launch"));
}

TEST_CASE("memory: a buffer dropped while in flight is not reused until the work is done", "[conformance]") {
  FOR_EACH_DEVICE();
  Ctx c(uri);
  auto gate = c.dev.new_signal();
  auto done = c.dev.new_signal();
  uint64_t addr = 0;
  {
    auto victim = c.dev.alloc(1 << 16);
    addr = victim.gpu_address();
    c.q.wait(gate, 1).exec(c.fill(victim, 1, 1 << 14), {64, 1, 1}, {256, 1, 1}).signal(done, 1).submit();
  }
  auto again = c.dev.alloc(1 << 16);
  CHECK(again.gpu_address() != addr);
  gate.set_value(1);
  REQUIRE(done.wait(1, 5s) == hcq::WaitStatus::signaled);
}

TEST_CASE("programs: bad code objects and unknown kernels give clear errors", "[conformance]") {
  FOR_EACH_DEVICE();
  auto dev = hcq::open(uri);
  std::vector<std::byte> garbage(64, std::byte{0x41});
  try {
    dev.load_program(garbage, "garbage.bin");
    FAIL("garbage loaded");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::bad_code_object);
    CHECK_THAT(e.what(), Contains("garbage.bin"));
    CHECK(e.device() == dev.uri());
  }
  auto prog = hcq::test::conformance_program(dev);
  CHECK_THROWS_WITH(prog.kernel("nope"), Contains("vadd") && Contains("no kernel 'nope'"));
  CHECK_THROWS_WITH(prog.kernel("vadd").arg_index("zz"), Contains("ptr #0 a"));
}

TEST_CASE("device lost: a trapping kernel is reported, later work is refused", "[conformance][trap]") {
  FOR_EACH_DEVICE();
  {
    Ctx c(uri);
    if (!kernel_results(c.dev)) return;  // a trap is something the kernel's code does
    auto done = c.dev.new_signal();
    c.q.exec(hcq::KernelArgs(c.prog.kernel("trap")).set_u32("code", 7), {1, 1, 1}, {1, 1, 1}).signal(done, 1).submit();
    CHECK(done.wait(1, 5s) == hcq::WaitStatus::device_lost);
    CHECK(c.dev.lost());
    CHECK_THAT(c.dev.lost_reason(), Contains("trap"));
    // The cpu device knows the trap code; GPUs report the exception, not the kernel's value.
    if (c.dev.props().vendor == "cpu") CHECK_THAT(c.dev.lost_reason(), Contains("7"));
    c.q.signal(done, 2);
    CHECK_THROWS_WITH(c.q.submit(), Contains("device lost"));
  }
  // Once every handle is gone, the URI opens a fresh device.
  auto fresh = hcq::open(uri);
  CHECK_FALSE(fresh.lost());
}

TEST_CASE("timeline: 32-bit devices wrap before 2^31 and keep working", "[conformance][cpu]") {
  auto dev = hcq::open("cpu:2?signal_bits=32&timeline_start=2147483630");
  auto prog = hcq::test::conformance_program(dev);
  auto q = dev.queue();
  auto out = dev.alloc(256 * 4, hcq::MemoryKind::host);
  auto first = dev.timeline_signal();
  for (uint32_t i = 0; i < 40; ++i) {
    auto tl = dev.timeline_signal();
    uint64_t prev = dev.last_timeline_value();
    uint64_t next = dev.next_timeline_value();
    tl = dev.timeline_signal();  // may have moved to the other signal
    REQUIRE(next < (1ull << 31));
    if (prev + 1 == next) q.wait(tl, prev);
    q.exec(hcq::KernelArgs(prog.kernel("fill_u32")).set("out", out).set_u32("value", i).set_u32("n", 256), {1, 1, 1},
           {256, 1, 1})
        .signal(tl, next)
        .submit();
  }
  dev.synchronize(5s);
  CHECK(dev.timeline_signal().value_address() != first.value_address());
  CHECK(dev.last_timeline_value() < 100);
  CHECK(out.as<uint32_t>()[255] == 39 + 255);
}
