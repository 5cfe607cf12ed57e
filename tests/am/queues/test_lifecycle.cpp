// The IP-block lifecycle with queues on sim:gfx1100: is_idle from the engines' status registers
// (GRBM_STATUS, SDMA0_STATUS_REG) while a queue waits and after, a suspend refused while a queue is
// busy (naming the block and its status register), and suspend + resume with queues that were
// created before and go on afterwards (signals, then a copy whose data is checked).
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <numeric>
#include <thread>
#include <vector>

#include "../sim_fixture.hpp"
#include "am/ip/gfx_v11.hpp"
#include "am/ip/sdma_v6.hpp"
#include "hcq/error.hpp"
#include "model_device.hpp"

using namespace std::chrono_literals;
using hcq::QueueKind;
using hcq::WaitStatus;

namespace {

// Polls `done` every millisecond for up to `limit`.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 2000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// The backend on a fresh model with one compute and one copy queue.
struct Model {
  std::shared_ptr<hcq::am::AmDevice> impl = amtest::open_model_impl();
  hcq::Device dev{impl};
  hcq::am::Gpu& gpu = impl->gpu();
  hcq::Queue q = dev.queue(QueueKind::compute);
  hcq::Queue cq = dev.queue(QueueKind::copy);
};

}  // namespace

TEST_CASE("am lifecycle: is_idle is false while a queue waits and true once its work is done", "[am][sim][lifecycle]") {
  AM_NEED_FIRMWARE();
  Model m;
  auto& [impl, dev, gpu, q, cq] = m;
  auto* gfx = gpu.block<hcq::am::GfxV11>();
  auto* sdma = gpu.block<hcq::am::SdmaV6>();
  REQUIRE(gfx != nullptr);
  REQUIRE(sdma != nullptr);
  CHECK(gfx->is_idle());
  CHECK(sdma->is_idle());

  auto a = dev.new_signal(), b = dev.new_signal(), c = dev.new_signal();
  q.wait(a, 1).signal(b, 1).submit();
  cq.wait(a, 2).signal(c, 1).submit();
  std::this_thread::sleep_for(20ms);  // both engines reach their waits and stay there
  const auto gfx_state = gfx->idle_state();
  CHECK_FALSE(gfx_state.idle);
  CHECK_THAT(gfx_state.status, Catch::Contains("GRBM_STATUS") && Catch::Contains("gui_active=0x1"));
  const auto sdma_state = sdma->idle_state();
  CHECK_FALSE(sdma_state.idle);
  CHECK_THAT(sdma_state.status, Catch::Contains("SDMA0_STATUS_REG") && Catch::Contains("idle=0x0"));

  a.set_value(1);  // the compute queue passes, the copy queue still waits for 2
  REQUIRE(b.wait(1, 2s) == WaitStatus::signaled);
  CHECK(eventually([&] { return gfx->is_idle(); }));
  CHECK_FALSE(sdma->is_idle());
  a.set_value(2);
  REQUIRE(c.wait(1, 2s) == WaitStatus::signaled);
  CHECK(eventually([&] { return sdma->is_idle(); }));
}

TEST_CASE("am lifecycle: suspend while a queue waits times out naming the block, the queue goes on", "[am][sim][lifecycle]") {
  AM_NEED_FIRMWARE();
  Model m;
  auto& [impl, dev, gpu, q, cq] = m;
  auto a = dev.new_signal(), b = dev.new_signal(), c = dev.new_signal();
  q.wait(a, 1).signal(b, 1).submit();

  try {
    gpu.suspend(100ms);
    FAIL("suspend() went through with a queue waiting");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::timeout);
    CHECK(e.block() == "GFX");
    CHECK_THAT(e.detail(), Catch::Contains("GRBM_STATUS") && Catch::Contains("gui_active=0x1") &&
                               Catch::Contains("still busy after"));
  }
  CHECK_FALSE(gpu.suspended());

  a.set_value(1);  // nothing was taken down: the queue finishes its work
  REQUIRE(b.wait(1, 2s) == WaitStatus::signaled);

  cq.wait(a, 2).signal(c, 1).submit();  // now the copy engine is the busy one
  try {
    gpu.suspend(50ms);
    FAIL("suspend() went through with a copy queue waiting");
  } catch (const hcq::Error& e) {
    CHECK(e.block() == "SDMA");
    CHECK_THAT(e.detail(), Catch::Contains("SDMA0_STATUS_REG"));
  }
  a.set_value(2);
  REQUIRE(c.wait(1, 2s) == WaitStatus::signaled);
  CHECK_NOTHROW(gpu.suspend(2000ms));
  CHECK(gpu.suspended());
  CHECK_THROWS_AS(gpu.suspend(100ms), hcq::Error);  // already suspended
  gpu.resume();
  CHECK_FALSE(gpu.suspended());
}

TEST_CASE("am lifecycle: suspend + resume keeps the queues created before working", "[am][sim][lifecycle]") {
  AM_NEED_FIRMWARE();
  Model m;
  auto& [impl, dev, gpu, q, cq] = m;
  auto x = dev.new_signal(), y = dev.new_signal();
  // Some work first, so that the rings' pointers are not at 0 when they are saved.
  for (uint64_t i = 1; i <= 3; ++i) {
    q.signal(x, i).submit();
    cq.wait(x, i).signal(y, i).submit();
  }
  REQUIRE(y.wait(3, 2s) == WaitStatus::signaled);
  // Moved on by the CPU: a resumed ring that ran its old packets again would write 1..3 back.
  x.set_value(100);
  y.set_value(100);

  CHECK_THROWS_AS(gpu.resume(), hcq::Error);  // not suspended
  gpu.suspend(2000ms);
  REQUIRE(gpu.suspended());
  std::vector<std::string> order;
  gpu.resume([&](const hcq::am::Gpu::BlockReport& r) { order.push_back(r.block); });
  CHECK(order == std::vector<std::string>{"SOC", "GMC", "IH", "PSP", "SMU", "GFX", "SDMA"});
  std::this_thread::sleep_for(20ms);
  CHECK(x.value() == 100);
  CHECK(y.value() == 100);

  // A signal round trip on each existing queue.
  auto a = dev.new_signal(), b = dev.new_signal(), c = dev.new_signal();
  q.wait(a, 1).signal(b, 2).submit();
  cq.wait(b, 2).signal(c, 3).submit();
  a.set_value(1);
  REQUIRE(c.wait(3, 2s) == WaitStatus::signaled);
  CHECK(b.value() == 2);

  // Conformance-style: device -> device on the compute queue, then to host memory on the copy queue.
  std::vector<uint32_t> in(64 * 1024), out(in.size());
  std::iota(in.begin(), in.end(), 0x5a000000u);
  const uint64_t bytes = in.size() * 4;
  auto src = dev.alloc(bytes), mid = dev.alloc(bytes), dst = dev.alloc(bytes, hcq::MemoryKind::host);
  dev.upload(src, in.data(), bytes);
  auto done = dev.new_signal();
  q.copy(mid, src, bytes).signal(done, 1).submit();
  cq.wait(done, 1).copy(dst, mid, bytes).signal(done, 2).submit();
  REQUIRE(done.wait(2, 5s) == WaitStatus::signaled);
  dev.download(out.data(), dst, bytes);
  CHECK(out == in);
  CHECK(gpu.block<hcq::am::GfxV11>()->is_idle());
  CHECK(gpu.block<hcq::am::SdmaV6>()->is_idle());
}
