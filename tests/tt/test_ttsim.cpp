// The platform side against ttsim: NOC reads and writes through TLB windows reach Tensix L1, the
// soft-reset register and DRAM; multicast; window boundaries; bad input refused before it can
// reach the simulator (which ends the process on a bad access).
#include <cstring>
#include <numeric>
#include <vector>

#include "arc.hpp"
#include "chips.hpp"
#include "hcq/error.hpp"
#include "iface/kmdfree.hpp"
#include "iface/ttsim.hpp"
#include "kmd-free/pci_sim.hpp"
#include "tlb.hpp"
#include "ttsim_env.hpp"

using namespace hcq::tt;

namespace {

constexpr uint64_t soft_reset_0 = 0xFFB121B0;  // RISCV_DEBUG_REG_SOFT_RESET_0 (tt-umd)
constexpr uint32_t all_cores_in_reset = 0x47800;  // BRISC 11, TRISC0-2 12-14, NCRISC 18

std::vector<uint32_t> pattern(size_t words, uint32_t seed) {
  std::vector<uint32_t> v(words);
  for (size_t i = 0; i < words; ++i) v[i] = seed * 0x9E3779B1u + static_cast<uint32_t>(i) * 0x01000193u;
  return v;
}

}  // namespace

TEST_CASE("ttsim: open picks the chip table from the simulated PCI id", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_chip("tt:ttsim");
  const ChipTable& t = chip->table();
  CHECK(&t == chip_for_pci(t.pci_vendor, t.pci_device));
  CHECK(chip->tensix().size() == t.tensix_x.size() * t.tensix_y.size());
  CHECK(chip->dram().size() == t.dram.size());
  CHECK(chip->name().find("ttsim:") != std::string::npos);
  // One library instance per process: a second open while the first is alive is refused.
  try {
    open_chip("tt:ttsim");
    FAIL("second open succeeded");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::busy);
  }
}

TEST_CASE("ttsim: L1 writes and reads on several Tensix cores", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_chip("tt:ttsim");
  auto cores = chip->tensix();
  std::vector<NocXY> picked = {cores.front(), cores[cores.size() / 3], cores[cores.size() / 2], cores.back()};
  const uint64_t addr = 0x10000;
  for (size_t i = 0; i < picked.size(); ++i) {
    auto data = pattern(1024, static_cast<uint32_t>(i + 1));
    chip->noc_write(picked[i], addr, data.data(), data.size() * 4);
  }
  for (size_t i = 0; i < picked.size(); ++i) {
    std::vector<uint32_t> back(1024);
    chip->noc_read(picked[i], addr, back.data(), back.size() * 4);
    CHECK(back == pattern(1024, static_cast<uint32_t>(i + 1)));
  }
  chip->noc_write32(picked[0], 0x20, 0xCAFEF00D);
  CHECK(chip->noc_read32(picked[0], 0x20) == 0xCAFEF00D);
  CHECK(chip->noc_read32(picked[1], 0x20) != 0xCAFEF00D);
}

TEST_CASE("ttsim: an access that crosses a TLB window boundary is split correctly", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_chip("tt:ttsim");
  const NocXY core = chip->tensix()[3];
  const uint64_t boundary = 1024 * 1024;  // 1 MiB: a Wormhole unicast window; inside L1 on both chips
  auto data = pattern(4096, 7);
  const uint64_t addr = boundary - 8 * 1024;
  chip->noc_write(core, addr, data.data(), data.size() * 4);
  std::vector<uint32_t> back(data.size());
  chip->noc_read(core, addr, back.data(), back.size() * 4);
  CHECK(back == data);
  // Read back in pieces that each sit in one window.
  uint32_t first = 0, last = 0;
  chip->noc_read(core, addr, &first, 4);
  chip->noc_read(core, addr + (data.size() - 1) * 4, &last, 4);
  CHECK(first == data.front());
  CHECK(last == data.back());
}

TEST_CASE("ttsim: the soft-reset register is reachable through a window", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_chip("tt:ttsim");
  for (NocXY core : {chip->tensix()[0], chip->tensix()[5]}) {
    chip->noc_write32(core, soft_reset_0, all_cores_in_reset);
    CHECK((chip->noc_read32(core, soft_reset_0) & all_cores_in_reset) == all_cores_in_reset);
  }
}

TEST_CASE("ttsim: broadcast reaches every core of a rectangle and no other", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_chip("tt:ttsim");
  const uint64_t addr = 0x30000;
  auto cores = chip->tensix();
  const uint32_t clear = 0;
  for (NocXY c : cores) chip->noc_write(c, addr, &clear, 4);
  // Every core of the chip: one multicast rectangle.
  const uint32_t everyone = 0x600DCAFE;
  chip->noc_broadcast(cores, addr, &everyone, 4);
  for (NocXY c : cores) CHECK(chip->noc_read32(c, addr) == everyone);
  // Two scattered cores: not a rectangle, written one by one.
  std::vector<NocXY> two = {cores[0], cores[cores.size() - 1]};
  const uint32_t some = 0x5EED5EED;
  chip->noc_broadcast(two, addr, &some, 4);
  CHECK(chip->noc_read32(cores[0], addr) == some);
  CHECK(chip->noc_read32(cores[1], addr) == everyone);
  CHECK(chip->noc_read32(cores.back(), addr) == some);
}

TEST_CASE("ttsim: DRAM channels through their NOC tiles", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_chip("tt:ttsim");
  const ChipTable& t = chip->table();
  auto data = pattern(2048, 3);
  const uint64_t addr = 0x1234000;  // 18 MiB in: beyond a 16 MiB window base
  for (size_t ch = 0; ch < t.dram.size(); ++ch) {
    auto mine = pattern(2048, static_cast<uint32_t>(100 + ch));
    chip->noc_write(chip->dram()[ch], addr, mine.data(), mine.size() * 4);
  }
  for (size_t ch = 0; ch < t.dram.size(); ++ch) {
    std::vector<uint32_t> back(2048);
    // Any of the channel's three tiles answers for the same memory.
    chip->noc_read(t.dram[ch].tiles[2], addr, back.data(), back.size() * 4);
    CHECK(back == pattern(2048, static_cast<uint32_t>(100 + ch)));
  }
}

TEST_CASE("ttsim: bad requests are refused before they reach the simulator", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_chip("tt:ttsim");
  uint32_t v = 0;
  const ChipTable& t = chip->table();
  CHECK_THROWS_AS(chip->noc_read(NocXY{t.width, 0}, 0, &v, 4), hcq::Error);
  CHECK_THROWS_AS(chip->noc_write(NocXY{0, t.height}, 0, &v, 4), hcq::Error);
  // Past the end of L1, between L1 and the tile registers, past a DRAM channel.
  CHECK_THROWS_AS(chip->noc_write(chip->tensix()[0], t.l1_size - 2, &v, 4), hcq::Error);
  CHECK_THROWS_AS(chip->noc_read(chip->tensix()[0], t.l1_size + 0x1000, &v, 4), hcq::Error);
  CHECK_THROWS_AS(chip->noc_read(chip->dram()[0], t.dram_channel_size, &v, 4), hcq::Error);
  CHECK_THROWS_AS(chip->noc_read(chip->tensix()[0], ~uint64_t{0} - 1, &v, 4), hcq::Error);
  // The chip is still usable afterwards.
  chip->noc_write32(chip->tensix()[0], 0x40, 0x1234);
  CHECK(chip->noc_read32(chip->tensix()[0], 0x40) == 0x1234);
}

TEST_CASE("ttsim: host buffers get distinct NOC addresses on the PCIe tile", "[tt][sim]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_chip("tt:ttsim");
  auto a = chip->alloc_host(10000);
  auto b = chip->alloc_host(4096);
  CHECK(a.pcie_tile == chip->table().pcie[0]);
  CHECK(a.cpu != nullptr);
  CHECK(b.noc_address >= a.noc_address + a.size);
  CHECK(a.size == 10000);
  std::memset(a.cpu, 0xAB, a.size);
  chip->free_host(b);
  chip->free_host(a);
  CHECK_THROWS_AS(chip->alloc_host(0), hcq::Error);
}

TEST_CASE("ttsim: ARC messages and telemetry over the NOC", "[tt][sim][arc]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_chip("tt:ttsim");
  auto bus = arc_bus(*chip);
  Arc arc(*bus, chip->table(), chip->name());
  CHECK(arc.send(arc_msg::nop).exit_code == 0);
  CHECK(arc.send(arc_msg::test, 5, 6).exit_code == 0);
  // ttsim reports nothing harvested (reply value 0 on Wormhole; status 0 on Blackhole).
  ArcReply h = arc.send(arc_msg::get_harvesting);
  CHECK(h.exit_code == 0);
  Telemetry t = arc.telemetry();
  CHECK(t.aiclk_mhz() == 1000u);                // ttsim's table: AICLK 1000 MHz
  CHECK(t.asic_temperature_c() == Approx(40));  // 40 << 16
  CHECK(t.heartbeat().has_value());
  CHECK(t.board_type() == std::string_view(chip->arch() == Arch::wormhole_b0 ? "n150" : "p150a"));
}

TEST_CASE("ttsim: the kmd-free transport over ttsim as a PCI function", "[tt][sim][kmdfree]") {
  TT_REQUIRE_TTSIM();
  auto chip = open_kmdfree(hcq::kmdfree::open_sim(ttsim_pci_model(std::getenv("HCQ_TTSIM"))));
  CHECK(chip->name().find("tt ffff:") == 0);  // kmd-free's simulated address
  auto cores = chip->tensix();
  for (size_t i = 0; i < cores.size(); i += 7) {
    auto data = pattern(300, static_cast<uint32_t>(i));
    chip->noc_write(cores[i], 0x50000 + 2, data.data(), data.size() * 4 - 3);  // unaligned, ragged
  }
  for (size_t i = 0; i < cores.size(); i += 7) {
    auto data = pattern(300, static_cast<uint32_t>(i));
    std::vector<uint32_t> back(300);
    chip->noc_read(cores[i], 0x50000 + 2, back.data(), back.size() * 4 - 3);
    CHECK(std::memcmp(back.data(), data.data(), data.size() * 4 - 3) == 0);
  }
  const uint32_t marker = 0xB0A710AD;
  chip->noc_broadcast(cores, 0x60000, &marker, 4);
  CHECK(chip->noc_read32(cores.back(), 0x60000) == marker);
  auto bus = arc_bus(*chip);
  Arc arc(*bus, chip->table(), chip->name());
  CHECK(arc.telemetry().aiclk_mhz() == 1000u);
  // The simulator is held by this chip: a direct open is refused until it is closed.
  CHECK_THROWS_AS(open_chip("tt:ttsim"), hcq::Error);
}

namespace {

// Window 2 of `t` pointed at `core`'s L1 from address 0, programmed through BAR0 as on hardware;
// returns the window's BAR0 offset.
uint64_t point_window(hcq::kmdfree::PciDevice& dev, const ChipTable& t, NocXY core) {
  constexpr uint32_t index = 2;
  const TlbKind& kind = *t.tlb.kind_of(index);
  TlbWords w = encode_tlb(t.tlb, kind, TlbConfig::unicast(core, 0, Ordering::strict));
  for (uint32_t i = 0; i < w.count; ++i) dev.bar(0).write32(t.tlb.config_base + t.tlb.config_stride * index + 4 * i, w.word[i]);
  return kind.bar_offset + kind.size * (index - kind.first_index);
}

// Runs one DMA engine channel: `from`/`to` are a host bus address and a BAR0 offset (or the other
// way round); completion as the chip reports it, into `done` in host memory when it does that.
void run_dma(hcq::kmdfree::PciDevice& dev, const EdmaChannel& ch, uint64_t from, uint64_t to, uint32_t bytes,
             uint64_t done_bus) {
  constexpr uint32_t done_marker = 0xFACA;  // tt-umd's completion value
  hcq::kmdfree::Bar& b = dev.bar(2);
  b.write32(ch.enable, 1);
  b.write32(ch.size, bytes);
  b.write32(ch.sar_lo, static_cast<uint32_t>(from));
  b.write32(ch.sar_hi, static_cast<uint32_t>(from >> 32));
  b.write32(ch.dar_lo, static_cast<uint32_t>(to));
  b.write32(ch.dar_hi, static_cast<uint32_t>(to >> 32));
  if (ch.done_lo) {
    b.write32(ch.done_lo, static_cast<uint32_t>(done_bus));
    b.write32(ch.done_hi, static_cast<uint32_t>(done_bus >> 32));
    b.write32(ch.done_data, done_marker);
  }
  b.write32(ch.doorbell, ch.doorbell_value);
  if (!ch.done_lo) CHECK(b.read32(ch.size) == 0);
}

}  // namespace

TEST_CASE("ttsim: the PCIe DMA engine reaches host DMA buffers through the callbacks", "[tt][sim][dma]") {
  TT_REQUIRE_TTSIM();
  auto dev = hcq::kmdfree::open_sim(ttsim_pci_model(std::getenv("HCQ_TTSIM")));
  const ChipTable& t = *chip_for_pci(dev->identity().vendor, dev->identity().device);
  const NocXY core = usable_tensix(t, {})[4];
  const uint64_t window = point_window(*dev, t, core);
  constexpr uint32_t bytes = 4096;
  constexpr uint64_t l1_offset = 0x8000, host_out = 0x2000, host_done = 0x3F00;
  auto buf = dev->alloc_dma(4 * bytes, true);
  auto* words = reinterpret_cast<uint32_t*>(buf->cpu());
  for (uint32_t i = 0; i < bytes / 4; ++i) words[i] = 0xD0A00000 + i;

  run_dma(*dev, t.dma_to_device, buf->bus_address(0), window + l1_offset, bytes, buf->bus_address(host_done));
  std::vector<uint32_t> l1(bytes / 4);
  dev->bar(0).read(window + l1_offset, l1.data(), bytes);
  CHECK(std::memcmp(l1.data(), words, bytes) == 0);
  if (t.dma_to_device.done_lo) CHECK(words[host_done / 4] == 0xFACA);

  if (t.dma_to_host) {
    run_dma(*dev, *t.dma_to_host, window + l1_offset, buf->bus_address(host_out), bytes, buf->bus_address(host_done + 4));
    CHECK(std::memcmp(buf->cpu() + host_out, l1.data(), bytes) == 0);
    CHECK(words[host_done / 4 + 1] == 0xFACA);
  }
}
