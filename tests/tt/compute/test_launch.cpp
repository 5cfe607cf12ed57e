// The boot and launch protocol (tt/launch.cpp) against a fake chip that plays the firmware.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "elf32.hpp"
#include "fake_chip.hpp"
#include "launch.hpp"

using namespace hcq::tt;
using test::FakeChip;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {

constexpr uint32_t entry_sum = 0x4100, entry_hang = 0x4200, entry_trap = 0x4300;

L1Image firmware(const FakeChip& chip) {
  return load_l1_image(test::elf32({{HCQ_TT_FIRMWARE_BASE, 32, 48}}, HCQ_TT_FIRMWARE_BASE), "fw", firmware_region(),
                       chip.table().l1_size);
}

L1Image kernel_image() { return load_l1_image(test::elf32({{HCQ_TT_KERNEL_BASE, 64, 64}}), "k", kernel_region(), 1464 * 1024); }

}  // namespace

TEST_CASE("tt launch: mailbox layout as the firmware reads it", "[tt][unit]") {
  CHECK(sizeof(hcq_tt_mailbox) == 120);
  CHECK(sizeof(hcq_tt_dispatch) == 72);
  CHECK(offsetof(hcq_tt_mailbox, launches) == 0x0C);
  CHECK(offsetof(hcq_tt_mailbox, result_workgroup) == 0x18);
  CHECK(offsetof(hcq_tt_dispatch, first_workgroup) == 0x24);
  CHECK(offsetof(hcq_tt_dispatch, scratch) == 0x34);
  CHECK(soft_reset::all == 0x47800u);
  CHECK(soft_reset::run_brisc_only == 0x47000u);
  hcq_tt_mailbox mb{};
  mb.state = HCQ_TT_STATE_RUNNING;
  mb.go = 5;
  mb.done = 4;
  mb.dispatch.workgroup[0] = 3;
  CHECK(Launcher::describe(mb) ==
        "state RUNNING (0x5eed), go 5, done 4, workgroup (3,0,0), launches 0, result 0 (magic 0x00000000: our firmware "
        "never ran)");
}

TEST_CASE("tt launch: boot holds the cores, loads, releases BRISC only and waits for READY", "[tt][unit]") {
  FakeChip chip(6);
  Launcher l(chip, firmware(chip), {1000ms, 1000ms});
  l.boot();
  CHECK_FALSE(chip.firmware_written_while_running);
  REQUIRE(chip.resets.size() == 12);
  for (size_t i = 0; i < 6; ++i) CHECK(chip.resets[i] == soft_reset::all);
  for (size_t i = 6; i < 12; ++i) CHECK(chip.resets[i] == soft_reset::run_brisc_only);
  for (NocXY t : chip.tensix()) {
    CHECK(chip.word(t, 0) == 0x0000106fu);  // j HCQ_TT_FIRMWARE_BASE
    CHECK(chip.word(t, HCQ_TT_FIRMWARE_BASE) == 0xA3A2A1A0u);
    CHECK(chip.mailbox(t).state == HCQ_TT_STATE_READY);
  }
  CHECK(l.core_name(5) == "core 5 (logical (1,1), NOC (2,2))");

  FakeChip silent(2);
  silent.firmware_boots = false;
  Launcher s(silent, firmware(silent), {20ms, 20ms});
  CHECK_THROWS_WITH(s.boot(), Contains("core 0 (logical (0,0), NOC (1,1)) not READY") && Contains("state HELD") &&
                                  Contains("soft reset reads 0x47000"));
}

TEST_CASE("tt launch: workgroups spread over cores, arguments and results", "[tt][unit]") {
  FakeChip chip(4);
  Launcher l(chip, firmware(chip), {1000ms, 1000ms});
  l.boot();
  std::vector<uint32_t> seen(10, 0);
  chip.kernels[entry_sum] = [&](const hcq_tt_dispatch& d, const std::byte* args) {
    uint32_t add;
    std::memcpy(&add, args, 4);
    seen[d.workgroup[0]] += add + d.core * 100;
    return 0u;
  };
  chip.kernels[entry_trap] = [&](const hcq_tt_dispatch& d, const std::byte*) { return d.workgroup[0] == 7 ? 42u : 0u; };
  auto img = kernel_image();
  uint32_t add = 1;
  KernelLaunch k{"sum", &img, 1, entry_sum, std::as_bytes(std::span(&add, 1)), {10, 1, 1}, {64, 1, 1}, 0, 0};
  CHECK_FALSE(l.launch(k).trapped);
  // 10 workgroups on 4 cores: 2, 3, 2, 3.
  CHECK(seen == std::vector<uint32_t>{1, 1, 101, 101, 101, 201, 201, 301, 301, 301});
  CHECK(chip.word(chip.tensix()[1], HCQ_TT_KERNEL_BASE) == 0xA3A2A1A0u);

  k.name = "trap";
  k.entry = entry_trap;
  auto r = l.launch(k);
  CHECK(r.trapped);
  CHECK(r.code == 42);
  CHECK(r.workgroup == 7);
  CHECK(r.core == 3);

  k.grid[0] = 2;  // fewer workgroups than cores: only two cores take part
  k.entry = entry_sum;
  uint32_t before = chip.mailbox(chip.tensix()[3]).launches;
  CHECK_FALSE(l.launch(k).trapped);
  CHECK(chip.mailbox(chip.tensix()[3]).launches == before);
  CHECK(chip.mailbox(chip.tensix()[1]).launches == before + 1);

  k.shared_bytes = HCQ_TT_SHARED_BYTES + 1;
  CHECK_THROWS_WITH(l.launch(k), Contains("shared memory"));
}

TEST_CASE("tt launch: a hung kernel times out naming core and mailbox; the cores work again", "[tt][unit]") {
  FakeChip chip(3);
  Launcher l(chip, firmware(chip), {1000ms, 50ms});
  l.boot();
  chip.kernels[entry_sum] = [](const hcq_tt_dispatch&, const std::byte*) { return 0u; };
  auto img = kernel_image();
  KernelLaunch hang{"hang", &img, 1, entry_hang, {}, {3, 1, 1}, {1, 1, 1}, 0, 0};
  try {
    l.launch(hang);
    FAIL("no timeout");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::timeout);
    CHECK_THAT(e.what(), Contains("kernel 'hang' did not finish within 50 ms on 3 of 3 cores") &&
                             Contains("core 0 (logical (0,0), NOC (1,1))") && Contains("state RUNNING (0x5eed), go 1, done 0") &&
                             Contains("firmware reloaded, so the chip needs no reset"));
  }
  size_t resets = chip.resets.size();
  CHECK(resets == 6 + 6);  // boot, then hold + release of the three stuck cores
  KernelLaunch ok{"ok", &img, 1, entry_sum, {}, {3, 1, 1}, {1, 1, 1}, 0, 0};
  CHECK_FALSE(l.launch(ok).trapped);
  for (NocXY t : chip.tensix()) CHECK(chip.mailbox(t).launches == 1);
}

TEST_CASE("tt launch: the chip lock is free between the polls of a launch", "[tt][unit]") {
  FakeChip chip(2);
  std::mutex chip_lock;
  Launcher l(chip, firmware(chip), {1000ms, 2000ms}, &chip_lock);
  l.boot();
  auto img = kernel_image();
  KernelLaunch hang{"hang", &img, 1, entry_hang, {}, {2, 1, 1}, {1, 1, 1}, 0, 0};
  std::atomic<bool> finished{false};
  std::thread launcher([&] {
    CHECK_THROWS_AS(l.launch(hang), hcq::Error);
    finished = true;
  });
  // Another user of the chip (a copy queue) gets the lock many times while the launch waits.
  int got = 0;
  auto until = std::chrono::steady_clock::now() + 1000ms;
  while (std::chrono::steady_clock::now() < until && !finished) {
    if (chip_lock.try_lock()) {
      ++got;
      chip_lock.unlock();
    }
    std::this_thread::sleep_for(1ms);
  }
  launcher.join();
  CHECK(got > 10);
}
