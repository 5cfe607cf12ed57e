// The am backend on the gfx1100 device model: AmDevice over am::Gpu over the simulated PCI
// function, with the CP and SDMA engines; signals, waits, timestamps, copies on both queue kinds,
// a kernel launch the model checks and records, and a graph replay. Needs the real firmware files
// (the model's PSP checks them), like the platform's sim tests.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "../sim_fixture.hpp"
#include "model_device.hpp"
#include "am/device.hpp"
#include "am/ip/gfx_v11.hpp"
#include "am/ip/sdma_v6.hpp"
#include "am/registers/gc_11_0_0.hpp"
#include "am/sim/cp.hpp"
#include "am/sim/model.hpp"
#include "am/sim/sdma.hpp"
#include "hcq/graph.hpp"
#include "hcq/hcq.hpp"
#include "kmd-free/pci_open.hpp"

using namespace std::chrono_literals;

namespace {

using amtest::last_cp;
using amtest::open_model;
using amtest::open_model_impl;

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(c.size());
  std::memcpy(out.data(), c.data(), c.size());
  return out;
}

}  // namespace

TEST_CASE("am backend on sim:gfx1100: properties, signals, waits and timestamps", "[am][sim][backend]") {
  AM_NEED_FIRMWARE();
  auto dev = open_model();
  CHECK(dev.props().vendor == "amd");
  CHECK(dev.props().arch == "gfx1100");
  CHECK_FALSE(dev.props().executes_kernels);
  CHECK(dev.props().signal_compare_bits == 32);

  auto q = dev.queue(hcq::QueueKind::compute);
  auto a = dev.new_signal(), b = dev.new_signal(), t = dev.new_signal();
  q.wait(a, 1).timestamp(t).signal(b, 0x100000002ull).submit();
  std::this_thread::sleep_for(20ms);
  CHECK(b.value() == 0);  // held back by the wait
  a.set_value(1);
  REQUIRE(b.wait(0x100000002ull, 2s) == hcq::WaitStatus::signaled);
  CHECK(b.value() == 0x100000002ull);  // RELEASE_MEM wrote all 64 bits
  CHECK(t.timestamp_ticks() != 0);

  auto cq = dev.queue(hcq::QueueKind::copy);
  auto c = dev.new_signal();
  cq.wait(b, 0x100000002ull).signal(c, 7).submit();
  REQUIRE(c.wait(7, 2s) == hcq::WaitStatus::signaled);
  dev.synchronize(2s);
}

TEST_CASE("am backend on sim:gfx1100: copies on both queue kinds and upload/download", "[am][sim][backend]") {
  AM_NEED_FIRMWARE();
  auto dev = open_model();
  std::vector<uint32_t> in(4096), out(4096);
  for (uint32_t i = 0; i < in.size(); ++i) in[i] = i * 7 + 1;
  auto src = dev.alloc(in.size() * 4), mid = dev.alloc(in.size() * 4), dst = dev.alloc(in.size() * 4, hcq::MemoryKind::host);
  dev.upload(src, in.data(), in.size() * 4);
  auto done = dev.new_signal();
  auto q = dev.queue(hcq::QueueKind::compute);
  auto cq = dev.queue(hcq::QueueKind::copy);
  q.copy(mid, src, in.size() * 4).signal(done, 1).submit();
  cq.wait(done, 1).copy(dst, mid, in.size() * 4).signal(done, 2).submit();
  REQUIRE(done.wait(2, 2s) == hcq::WaitStatus::signaled);
  dev.download(out.data(), dst, out.size() * 4);
  CHECK(out == in);
}

TEST_CASE("am backend on sim:gfx1100: a launch is checked and recorded; a graph replays", "[am][sim][backend]") {
  AM_NEED_FIRMWARE();
  auto dev = open_model();
  REQUIRE(last_cp != nullptr);
  auto prog = dev.load_program(read_file(std::string(HCQ_AM_KERNELS_DIR) + "/conformance-amd-gfx1100.bin"), "conformance");
  auto k = prog.kernel("fill_u32");
  auto out = dev.alloc(1024 * 4);
  auto done = dev.new_signal();
  auto q = dev.queue(hcq::QueueKind::compute);
  q.exec(hcq::KernelArgs(k).set("out", out).set_u32("value", 5).set_u32("n", 1024), {4, 1, 1}, {256, 1, 1}).signal(done, 1).submit();
  REQUIRE(done.wait(1, 2s) == hcq::WaitStatus::signaled);
  const auto d = last_cp->dispatches();
  REQUIRE(d.size() == 1);
  CHECK(d[0].groups == std::array<uint32_t, 3>{4, 1, 1});
  CHECK(d[0].threads == std::array<uint32_t, 3>{256, 1, 1});
  CHECK(d[0].pgm % 256 == 0);
  REQUIRE(d[0].kernarg != 0);

  hcq::Graph g;
  auto v = g.var("done", 2);
  auto value = g.var("value", 1);
  g.on(q).exec(hcq::KernelArgs(k).set("out", out).set("value", value).set_u32("n", 1024), {2, 1, 1}, {512, 1, 1}).signal(done, v);
  g.finalize();
  g.launch();
  REQUIRE(done.wait(2, 2s) == hcq::WaitStatus::signaled);
  g.set(v, 3);
  g.set(value, 9);
  g.launch();
  REQUIRE(done.wait(3, 2s) == hcq::WaitStatus::signaled);
  CHECK(last_cp->dispatches().size() == 3);
}

// Two copy and two compute queues that wait on each other's signals, each submitted as one stream
// before the signal it waits for exists. With the copy queues on one shared SDMA ring (the code
// before each copy queue got its own ring) c1's first wait holds up c2's stream behind it in that
// ring, so x2 never reaches 1 and nothing finishes (the POLL_REGMEM times out after 30 s).
TEST_CASE("am backend on sim:gfx1100: copy and compute queues waiting on each other in a cross pattern finish",
          "[am][sim][backend]") {
  AM_NEED_FIRMWARE();
  auto dev = open_model();
  auto c1 = dev.queue(hcq::QueueKind::copy), c2 = dev.queue(hcq::QueueKind::copy);
  auto k1 = dev.queue(hcq::QueueKind::compute), k2 = dev.queue(hcq::QueueKind::compute);
  auto x1 = dev.new_signal(), x2 = dev.new_signal(), y1 = dev.new_signal(), y2 = dev.new_signal();
  c1.signal(x1, 1).wait(x2, 1).signal(x1, 2).submit();
  c2.wait(x1, 1).signal(x2, 1).wait(y1, 1).signal(x2, 2).submit();
  k1.wait(x2, 1).signal(y1, 1).wait(y2, 1).signal(y1, 2).submit();
  k2.wait(y1, 1).signal(y2, 1).wait(x1, 2).signal(y2, 2).submit();
  for (auto* s : {&x1, &x2, &y1, &y2}) REQUIRE(s->wait(2, 5s) == hcq::WaitStatus::signaled);
  dev.synchronize(2s);
}

TEST_CASE("am backend on sim:gfx1100: one hardware ring per copy queue, one HQD per compute queue, and the error past them",
          "[am][sim][backend]") {
  AM_NEED_FIRMWARE();
  auto impl = open_model_impl();
  hcq::Device dev(impl);
  const auto& p = dev.props();
  CHECK(p.copy_queues == hcq::am::SdmaV6::rings);  // 2 engines x 8 queues
  CHECK(p.compute_queues == 8);                      // MEC1 pipe 0's HQDs
  // The shader apertures as the kernel sets compute VMIDs up: DEFAULT_SH_MEM_BASES (0x6000) in both
  // halves, DEFAULT_SH_MEM_CONFIG 0xc00c (gfx_v11_0.c).
  namespace gc = hcq::am::gc_11_0_0;
  CHECK(impl->gpu().read(gc::SH_MEM_BASES) == 0x60006000u);
  CHECK(impl->gpu().read(gc::SH_MEM_CONFIG) == 0xc00cu);
  // Open queues until libhcq says no (it may hold an internal one of each kind for uploads).
  auto open_all = [&](hcq::QueueKind kind, uint32_t limit) {
    std::vector<hcq::Queue> qs;
    for (;;) {
      try {
        qs.push_back(dev.queue(kind));
      } catch (const hcq::Error& e) {
        CHECK(e.code() == hcq::Errc::busy);
        CHECK_THAT(e.what(), Catch::Contains("queues are open"));
        break;
      }
      REQUIRE(qs.size() <= limit);
    }
    CHECK(qs.size() + 1 >= limit);
    return qs;
  };
  auto copies = open_all(hcq::QueueKind::copy, p.copy_queues);
  auto computes = open_all(hcq::QueueKind::compute, p.compute_queues);
  // Every one of them runs: each sets its own signal.
  std::vector<hcq::Signal> done;
  for (auto& q : copies) q.signal(done.emplace_back(dev.new_signal()), 1).submit();
  for (auto& q : computes) q.signal(done.emplace_back(dev.new_signal()), 1).submit();
  for (auto& d : done) REQUIRE(d.wait(1, 5s) == hcq::WaitStatus::signaled);
  // The SDMA block itself refuses a ring past its sixteen, naming itself.
  auto* sdma = impl->gpu().block<hcq::am::SdmaV6>();
  REQUIRE(sdma != nullptr);
  try {
    sdma->create_ring();
    FAIL("a seventeenth SDMA ring was handed out");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::busy);
    CHECK(e.block() == "SDMA");
    CHECK_THAT(e.what(), Catch::Contains("all 16 SDMA rings"));
  }
  // And the GFX block an HQD past MEC1 pipe 0's eight.
  auto* gfx = impl->gpu().block<hcq::am::GfxV11>();
  REQUIRE(gfx != nullptr);
  try {
    gfx->create_compute_queue(64 * 1024);
    FAIL("a ninth compute HQD was handed out");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::busy);
    CHECK(e.block() == "GFX");
  }
  // A ring given back is handed out again.
  copies.pop_back();
  auto again = dev.queue(hcq::QueueKind::copy);
  again.signal(done[0], 2).submit();
  CHECK(done[0].wait(2, 5s) == hcq::WaitStatus::signaled);
}
