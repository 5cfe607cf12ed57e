// WindowChip over a recording BarIo (no simulator): which config registers it programs, with which
// words, and which window offsets it touches, for accesses that cross window boundaries and for
// multicast. The words come from encode_tlb (golden-tested in test_tlb.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "hcq/error.hpp"
#include "window_chip.hpp"

using namespace hcq::tt;

namespace {

struct Access {
  int bar;
  uint64_t offset;
  size_t bytes;
  uint32_t value;  // first word written (writes only)
  bool write;
  friend bool operator==(const Access&, const Access&) = default;
};

class RecordingBars final : public BarIo {
 public:
  void write(int bar, uint64_t offset, const void* src, size_t bytes) override {
    uint32_t v = 0;
    std::memcpy(&v, src, std::min<size_t>(bytes, 4));
    log.push_back({bar, offset, bytes, v, true});
  }
  void read(int bar, uint64_t offset, void* dst, size_t bytes) override {
    std::memset(dst, 0, bytes);
    log.push_back({bar, offset, bytes, 0, false});
  }
  std::vector<Access> log;
};

class TestChip final : public WindowChip {
 public:
  TestChip(const ChipTable& t, RecordingBars& bars)
      : WindowChip(t, "tt test", Harvesting{}, make_bar_window(bars, t, 0), make_bar_window(bars, t, 1)) {}
  void idle() noexcept override {}
  HostBuffer alloc_host(uint64_t) override { return {}; }
  void free_host(const HostBuffer&) noexcept override {}
};

// The config register writes for window `index` pointed by `config`.
std::vector<Access> config_writes(const ChipTable& t, uint32_t index, const TlbConfig& config) {
  TlbWords w = encode_tlb(t.tlb, *t.tlb.kind_of(index), config);
  std::vector<Access> out;
  for (uint32_t i = 0; i < w.count; ++i)
    out.push_back({0, t.tlb.config_base + uint64_t{t.tlb.config_stride} * index + 4 * i, 4, w.word[i], true});
  return out;
}

void append(std::vector<Access>& a, const std::vector<Access>& b) { a.insert(a.end(), b.begin(), b.end()); }

}  // namespace

TEST_CASE("window chip: a write across a 1 MiB Wormhole window is two configs and two window writes", "[tt][window]") {
  const ChipTable& wh = wormhole_b0();
  RecordingBars bars;
  TestChip chip(wh, bars);
  const NocXY core{1, 1};
  std::vector<uint8_t> data(64, 0xAB);
  chip.noc_write(core, 0x100000 - 16, data.data(), data.size(), Ordering::posted);
  std::vector<Access> want;
  append(want, config_writes(wh, 0, TlbConfig::unicast(core, 0x000000, Ordering::posted)));
  want.push_back({0, 0x100000 - 16, 16, 0xABABABAB, true});
  append(want, config_writes(wh, 0, TlbConfig::unicast(core, 0x100000, Ordering::posted)));
  want.push_back({0, 0, 48, 0xABABABAB, true});
  CHECK(bars.log == want);
  // Same window, same target: no reprogramming.
  bars.log.clear();
  chip.noc_write(core, 0x100100, data.data(), 4, Ordering::posted);
  CHECK(bars.log == std::vector<Access>{{0, 0x100, 4, 0xABABABAB, true}});
  // A read re-points the window with strict ordering.
  bars.log.clear();
  CHECK(chip.noc_read32(core, 0x100200) == 0);
  want = config_writes(wh, 0, TlbConfig::unicast(core, 0x100000, Ordering::strict));
  want.push_back({0, 0x200, 4, 0, false});
  CHECK(bars.log == want);
}

TEST_CASE("window chip: Blackhole multicast goes through window 1 and DRAM through its translated name", "[tt][window]") {
  const ChipTable& bh = blackhole();
  RecordingBars bars;
  TestChip chip(bh, bars);
  const uint32_t v = 0x11223344;
  chip.noc_broadcast(chip.tensix(), 0x40, &v, 4);
  std::vector<Access> want = config_writes(bh, 1, TlbConfig::multicast({1, 2}, {16, 11}, 0, Ordering::posted));
  want.push_back({0, 2 * 1024 * 1024 + 0x40, 4, v, true});  // window 1 starts at 2 MiB
  CHECK(bars.log == want);
  bars.log.clear();
  chip.noc_write32(NocXY{0, 2}, 0x1000, v);
  want = config_writes(bh, 0, TlbConfig::unicast({18, 15}, 0, Ordering::strict));
  want.push_back({0, 0x1000, 4, v, true});
  CHECK(bars.log == want);
}

TEST_CASE("window chip: out-of-range requests touch no register", "[tt][window]") {
  const ChipTable& wh = wormhole_b0();
  RecordingBars bars;
  TestChip chip(wh, bars);
  uint32_t v = 0;
  CHECK_THROWS_AS(chip.noc_write(NocXY{1, 1}, wh.l1_size - 2, &v, 4), hcq::Error);
  CHECK_THROWS_AS(chip.noc_read(NocXY{10, 1}, 0, &v, 4), hcq::Error);
  CHECK_THROWS_AS(chip.noc_read(wh.dram[0].tiles[0], wh.dram_channel_size - 2, &v, 4), hcq::Error);
  CHECK(bars.log.empty());
  // Scattered tiles are written one by one through the unicast window.
  std::vector<NocXY> two = {{1, 1}, {9, 11}};
  chip.noc_broadcast(two, 0x80, &v, 4);
  size_t window_writes = 0;
  for (const Access& a : bars.log) window_writes += a.offset < wh.tlb.config_base ? 1 : 0;
  CHECK(window_writes == 2);
}
