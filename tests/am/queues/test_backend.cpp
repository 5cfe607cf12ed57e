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
#include "am/device.hpp"
#include "am/sim/cp.hpp"
#include "am/sim/model.hpp"
#include "am/sim/sdma.hpp"
#include "hcq/graph.hpp"
#include "hcq/hcq.hpp"
#include "kmd-free/pci_open.hpp"

using namespace std::chrono_literals;

namespace {

hcq::am::sim::Cp* last_cp = nullptr;

hcq::Device open_model() {
  hcq::am::sim::register_gfx1100();
  hcq::am::sim::add_engine_factory("cp", [](hcq::am::sim::Context& c) {
    auto e = std::make_unique<hcq::am::sim::Cp>(c);
    last_cp = e.get();
    return e;
  });
  hcq::am::sim::add_engine_factory("sdma0", hcq::am::sim::sdma_factory());
  auto uri = hcq::detail::parse_uri("sim:gfx1100");
  auto impl = std::make_shared<hcq::am::AmDevice>(uri, hcq::kmdfree::open_pci("sim:gfx1100"), true);
  return hcq::Device(impl);
}

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
