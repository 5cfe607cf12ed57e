// Our firmware and kernels on ttsim: boot on every core, a vector add in L1 on many cores, a copy
// DRAM -> L1 -> DRAM over the NOC, a kernel that never finishes, and a compute queue and a copy
// queue working at the same time. Each case skips without
// HCQ_TTSIM (tests/tt/ttsim_env.hpp).
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "../ttsim_env.hpp"
#include "hcq/hcq.hpp"
#include "chips.hpp"
#include "device.hpp"
#include "firmware/builtin.hpp"
#include "launch.hpp"

using namespace hcq::tt;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::byte> b(c.size());
  std::memcpy(b.data(), c.data(), c.size());
  return b;
}

struct Sim {
  std::unique_ptr<Chip> chip = open_chip("tt:ttsim");
  Launcher launcher{*chip, load_l1_image(builtin_firmware(chip->arch()), "firmware", firmware_region(), chip->table().l1_size),
                    {30000ms, 30000ms}};
  std::vector<std::byte> bytes;
  L1Image image;
  std::vector<KernelEntry> kernels;

  Sim() {
    std::string arch = chip->arch() == Arch::wormhole_b0 ? "wormhole_b0" : "blackhole";
    bytes = read_file(std::string(HCQ_TT_BUILD_DIR) + "/examples-tenstorrent-" + arch + ".bin");
    image = load_l1_image(bytes, "examples", kernel_region(), chip->table().l1_size);
    kernels = read_kernels(bytes, "examples", image, HCQ_TT_SHARED_BYTES, HCQ_TT_ARGS_SIZE);
    launcher.boot();
  }
  uint32_t entry(std::string_view name) const {
    for (const auto& k : kernels) {
      if (k.info.name == name) return k.entry;
    }
    FAIL("no kernel " << name);
    return 0;
  }
  template <class Args>
  KernelLaunch launch(std::string_view name, const Args& args, uint32_t groups) {
    KernelLaunch k{name, &image, 1, entry(name), std::as_bytes(std::span(&args, 1)), {groups, 1, 1}, {1, 1, 1}, 0, 0};
    return k;
  }
};

// Adds per-core arrays in each core's L1 and checks every core against the CPU.
void vadd_on_every_core(Sim& s, uint32_t seed) {
  constexpr uint32_t n = 256;
  const uint32_t a_at = HCQ_TT_SCRATCH_BASE + HCQ_TT_SHARED_BYTES, b_at = a_at + n * 4, c_at = b_at + n * 4;
  auto cores = s.chip->tensix();
  for (size_t c = 0; c < cores.size(); ++c) {
    std::vector<uint32_t> a(n), b(n);
    for (uint32_t i = 0; i < n; ++i) a[i] = seed + uint32_t(c) * 1000 + i, b[i] = i * i;
    s.chip->noc_write(cores[c], a_at, a.data(), n * 4);
    s.chip->noc_write(cores[c], b_at, b.data(), n * 4);
  }
  struct { uint32_t a, b, c, n; } args{a_at, b_at, c_at, n};
  auto k = s.launch("vadd_l1", args, static_cast<uint32_t>(cores.size()));
  REQUIRE_FALSE(s.launcher.launch(k).trapped);
  size_t wrong = 0;
  for (size_t c = 0; c < cores.size(); ++c) {
    std::vector<uint32_t> got(n);
    s.chip->noc_read(cores[c], c_at, got.data(), n * 4);
    for (uint32_t i = 0; i < n; ++i) wrong += got[i] != seed + uint32_t(c) * 1000 + i + i * i;
  }
  CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("tt sim: our firmware boots on every Tensix core", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  Sim s;
  for (uint32_t c = 0; c < s.chip->tensix().size(); ++c) {
    auto mb = s.launcher.read_mailbox(c);
    CHECK(mb.magic == HCQ_TT_FW_MAGIC);
    CHECK(mb.state == HCQ_TT_STATE_READY);
    CHECK(mb.version == HCQ_TT_FW_VERSION);
  }
  CHECK(s.chip->tensix().size() >= 64);
}

TEST_CASE("tt sim: vector add in L1 on every core", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  Sim s;
  vadd_on_every_core(s, 7);
  vadd_on_every_core(s, 90000);  // a second launch of the loaded image
}

TEST_CASE("tt sim: DRAM -> L1 -> DRAM over the NOC", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  Sim s;
  constexpr uint32_t bytes = 1 << 20, chunk = 64 << 10;
  std::vector<uint32_t> in(bytes / 4);
  for (uint32_t i = 0; i < in.size(); ++i) in[i] = i * 2654435761u;
  NocXY from = s.chip->dram()[0], to = s.chip->dram()[s.chip->dram().size() - 1];
  constexpr uint64_t src_at = 0x100040, dst_at = 0x3000040;  // 64-byte aligned, not page aligned
  s.chip->noc_write(from, src_at, in.data(), bytes);
  std::vector<uint32_t> zero(bytes / 4, 0);
  s.chip->noc_write(to, dst_at, zero.data(), bytes);
  struct { uint64_t src, dst; uint32_t chunk, bytes; } args{device_address(from, src_at), device_address(to, dst_at), chunk, bytes};
  REQUIRE_FALSE(s.launcher.launch(s.launch("dram_copy", args, bytes / chunk)).trapped);
  std::vector<uint32_t> out(bytes / 4);
  s.chip->noc_read(to, dst_at, out.data(), bytes);
  CHECK(out == in);
}

TEST_CASE("tt sim: a kernel that never finishes times out; the cores work afterwards", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  Sim s;
  Launcher short_wait{*s.chip, load_l1_image(builtin_firmware(s.chip->arch()), "firmware", firmware_region(), s.chip->table().l1_size),
                      {30000ms, 1000ms}};
  short_wait.boot();
  char none = 0;
  KernelLaunch k{"spin", &s.image, 1, s.entry("spin"), std::as_bytes(std::span(&none, 1)), {4, 1, 1}, {1, 1, 1}, 0, 0};
  try {
    short_wait.launch(k);
    FAIL("no timeout");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::timeout);
    CHECK_THAT(e.what(), Contains("kernel 'spin' did not finish") && Contains("on 4 of 4 cores") &&
                             Contains("core 0 (logical (0,0), NOC (") && Contains("state RUNNING") &&
                             Contains("firmware reloaded, so the chip needs no reset"));
  }
  vadd_on_every_core(s, 5);  // the original launcher: every core, including the four reset ones
}

TEST_CASE("tt sim: through hcq, a hung kernel loses the device with core and mailbox named", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  std::string arch;
  {
    auto dev = hcq::open("tt:ttsim?launch_timeout_ms=300");
    arch = dev.props().arch;
    auto prog = dev.load_program_file(std::string(HCQ_TT_BUILD_DIR) + "/examples-tenstorrent-" + arch + ".bin");
    auto q = dev.queue();
    auto done = dev.new_signal();
    q.exec(hcq::KernelArgs(prog.kernel("spin")), {2, 1, 1}, {1, 1, 1}).signal(done, 1).submit();
    CHECK(done.wait(1, 10s) == hcq::WaitStatus::device_lost);
    CHECK_THAT(dev.lost_reason(), Contains("kernel 'spin' did not finish within 300 ms on 2 of 2 cores") &&
                                      Contains("core 0 (logical (0,0), NOC (") && Contains("state RUNNING") &&
                                      Contains("this hcq device is lost") &&
                                      Contains("hcq::open(\"tt:ttsim?launch_timeout_ms=300\") again"));
    // What the message says: this device takes no more work.
    try {
      q.exec(hcq::KernelArgs(prog.kernel("spin")), {1, 1, 1}, {1, 1, 1}).submit();
      FAIL("submit accepted on a lost device");
    } catch (const hcq::Error& e) {
      CHECK(e.code() == hcq::Errc::device_lost);
    }
  }
  // A fresh open of the same simulator runs kernels again.
  auto dev = hcq::open("tt:ttsim");
  auto prog = dev.load_program_file(std::string(HCQ_TT_BUILD_DIR) + "/examples-tenstorrent-" + arch + ".bin");
  constexpr uint32_t bytes = 256 << 10, chunk = 16 << 10;
  std::vector<uint8_t> in(bytes);
  for (uint32_t i = 0; i < bytes; ++i) in[i] = static_cast<uint8_t>(i * 13 + 1);
  auto src = dev.alloc(bytes), dst = dev.alloc(bytes);
  dev.upload(src, in.data(), bytes);
  auto q = dev.queue();
  auto done = dev.new_signal();
  q.exec(hcq::KernelArgs(prog.kernel("dram_copy")).set("src", src).set("dst", dst).set_u32("chunk", chunk).set_u32("bytes", bytes),
         {bytes / chunk, 1, 1}, {1, 1, 1})
      .signal(done, 1)
      .submit();
  REQUIRE(done.wait(1, 10s) == hcq::WaitStatus::signaled);
  std::vector<uint8_t> out(bytes);
  dev.download(out.data(), dst, bytes);
  CHECK(out == in);
}

// A compute queue's kernel waits for a flag in DRAM that a copy queue writes while the kernel runs:
// it finishes only if the launch's completion poll lets the copy queue reach the chip. The copy
// queue also moves 1 MiB host -> DRAM -> host meanwhile, checked against the input.
TEST_CASE("tt sim: a compute queue and a copy queue work at the same time", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  auto dev = hcq::open("tt:ttsim?launch_timeout_ms=20000");
  auto prog = dev.load_program_file(std::string(HCQ_TT_BUILD_DIR) + "/examples-tenstorrent-" + dev.props().arch + ".bin");
  constexpr uint32_t expect = 0xC0FFEE01, max_polls = 100000000;
  constexpr size_t bytes = 1 << 20;
  auto flag = dev.alloc(64), out = dev.alloc(64, hcq::MemoryKind::host), flag_src = dev.alloc(64, hcq::MemoryKind::host);
  auto big = dev.alloc(bytes), big_in = dev.alloc(bytes, hcq::MemoryKind::host), big_out = dev.alloc(bytes, hcq::MemoryKind::host);
  std::vector<uint32_t> zero(16, 0);
  dev.upload(flag, zero.data(), 64);
  std::memset(out.cpu_ptr(), 0, 64);
  flag_src.as<uint32_t>()[0] = expect;
  for (size_t i = 0; i < bytes / 4; ++i) big_in.as<uint32_t>()[i] = static_cast<uint32_t>(i * 2246822519u);
  std::memset(big_out.cpu_ptr(), 0, bytes);

  auto compute = dev.queue(hcq::QueueKind::compute), copy = dev.queue(hcq::QueueKind::copy);
  auto started = dev.new_signal(), computed = dev.new_signal(), copied = dev.new_signal();
  compute.signal(started, 1)
      .exec(hcq::KernelArgs(prog.kernel("wait_flag")).set("flag", flag).set("out", out).set_u32("expect", expect).set_u32("max_polls", max_polls),
            {1, 1, 1}, {1, 1, 1})
      .signal(computed, 1)
      .submit();
  REQUIRE(started.wait(1, 10s) == hcq::WaitStatus::signaled);
  std::this_thread::sleep_for(200ms);  // the kernel is polling the flag by now
  copy.copy(big, big_in, bytes).copy(flag, flag_src, 4).copy(big_out, big, bytes).signal(copied, 1).submit();

  REQUIRE(copied.wait(1, 20s) == hcq::WaitStatus::signaled);
  REQUIRE(computed.wait(1, 20s) == hcq::WaitStatus::signaled);
  INFO(dev.lost_reason());
  CHECK(out.as<uint32_t>()[0] == expect);
  CHECK(out.as<uint32_t>()[1] > 1);  // the kernel saw the flag unset first: the two really overlapped
  CHECK(std::memcmp(big_out.cpu_ptr(), big_in.cpu_ptr(), bytes) == 0);
}
