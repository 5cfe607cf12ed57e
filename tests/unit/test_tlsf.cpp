// Unit tests for hcq::detail::Tlsf, the out-of-band range allocator.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "hcq/error.hpp"
#include "tlsf.hpp"

using hcq::detail::Tlsf;

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

bool aligned(uint64_t v, uint64_t a) { return (v & (a - 1)) == 0; }

// Reference model: live allocations by start address, checked against the allocator.
struct Model {
  uint64_t base, end;
  std::map<uint64_t, uint64_t> live;  // start -> rounded size

  // Does some gap between live allocations hold `size` bytes at `align`? (The brute-force answer
  // that allocate() must agree with.)
  bool gap_fits(uint64_t size, uint64_t align) const {
    bool found = false;
    for_each_gap([&](uint64_t s, uint64_t e) {
      uint64_t a = (s + align - 1) & ~(align - 1);
      if (a >= s && a <= e && e - a >= size) found = true;
    });
    return found;
  }
  uint64_t largest_gap() const {
    uint64_t best = 0;
    for_each_gap([&](uint64_t s, uint64_t e) { best = std::max(best, e - s); });
    return best;
  }
  template <class F> void for_each_gap(F f) const {
    uint64_t at = base;
    for (auto [s, sz] : live) {
      if (s > at) f(at, s);
      at = s + sz;
    }
    if (end > at) f(at, end);
  }
  // The new interval [s, s + sz) must not overlap its neighbours.
  bool overlaps(uint64_t s, uint64_t sz) const {
    auto next = live.lower_bound(s);
    if (next != live.end() && next->first < s + sz) return true;
    if (next == live.begin()) return false;
    auto prev = std::prev(next);
    return prev->first + prev->second > s;
  }
};

void stress(uint64_t base, uint64_t size, uint64_t granule, uint64_t max_size, uint64_t seed) {
  Tlsf t(base, size, granule);
  Model m{base, base + size, {}};
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int max_log = std::bit_width(max_size) - 1;
  uint64_t used = 0;
  int failures = 0;
  constexpr int kOps = 20000;
  for (int op = 0; op < kOps; ++op) {
    // Alternate filling and draining phases so the range runs full and empties again.
    double p_alloc = (op / 2500) % 2 == 0 ? 0.7 : 0.3;
    if (m.live.empty() || unit(rng) < p_alloc) {
      uint64_t sz = 1 + (rng() % (uint64_t{1} << (rng() % (max_log + 1))));
      uint64_t align = rng() % 4 == 0 ? uint64_t{1} << (rng() % 25) : 1;
      auto a = t.allocate(sz, align);
      uint64_t eff = std::max(align, granule);
      uint64_t rounded = (sz + granule - 1) & ~(granule - 1);
      if (!a) {
        ++failures;
        INFO("op " << op << " size " << sz << " align " << align);
        REQUIRE_FALSE(m.gap_fits(rounded, eff));
        continue;
      }
      INFO("op " << op << " size " << sz << " align " << align << " at " << *a);
      REQUIRE(aligned(*a, eff));
      REQUIRE(*a >= base);
      REQUIRE(*a - base <= size - rounded);
      REQUIRE(t.allocation_size(*a) == rounded);
      REQUIRE_FALSE(m.overlaps(*a, rounded));
      m.live.emplace(*a, rounded);
      used += rounded;
    } else {
      auto it = std::next(m.live.begin(), static_cast<long>(rng() % m.live.size()));
      uint64_t start = it->first;
      used -= it->second;
      m.live.erase(it);
      REQUIRE(t.free(start));
      REQUIRE_FALSE(t.free(start));  // double free
    }
    REQUIRE(t.bytes_used() == used);
    REQUIRE(t.allocation_count() == m.live.size());
    if (op % 250 == 0) {
      REQUIRE_NOTHROW(t.check_invariants());
      REQUIRE(t.largest_free_block() == m.largest_gap());
    }
  }
  CHECK(failures > 0);  // the test did reach a full range
  std::vector<uint64_t> starts;
  for (auto [s, sz] : m.live) starts.push_back(s);
  std::shuffle(starts.begin(), starts.end(), rng);
  for (uint64_t s : starts) REQUIRE(t.free(s));
  REQUIRE_NOTHROW(t.check_invariants());
  REQUIRE(t.allocation_count() == 0);
  REQUIRE(t.bytes_used() == 0);
  REQUIRE(t.largest_free_block() == size);
}

}  // namespace

TEST_CASE("tlsf: constructor rejects bad ranges", "[unit][tlsf]") {
  auto code_of = [](auto make) {
    try {
      make();
    } catch (const hcq::Error& e) {
      CHECK(e.block() == "allocator");
      CHECK_FALSE(e.detail().empty());
      return e.code();
    }
    return hcq::Errc::internal;
  };
  CHECK(code_of([] { Tlsf(0x1000, 0); }) == hcq::Errc::invalid_argument);
  CHECK(code_of([] { Tlsf(UINT64_MAX - 10, 12); }) == hcq::Errc::invalid_argument);
  CHECK(code_of([] { Tlsf(0, 4096, 0); }) == hcq::Errc::invalid_argument);
  CHECK(code_of([] { Tlsf(0, 4096, 48); }) == hcq::Errc::invalid_argument);
  CHECK_NOTHROW(Tlsf(UINT64_MAX - 10, 10));  // ends exactly at 2^64 - 1
}

TEST_CASE("tlsf: basic allocate and free", "[unit][tlsf]") {
  Tlsf t(0x1000, 64 * KiB);
  CHECK(t.base() == 0x1000);
  CHECK(t.size() == 64 * KiB);
  CHECK(t.bytes_free() == 64 * KiB);
  CHECK(t.largest_free_block() == 64 * KiB);

  auto a = t.allocate(100);
  auto b = t.allocate(200);
  REQUIRE(a == 0x1000u);
  REQUIRE(b == 0x1000u + 112);
  CHECK(t.allocation_size(*a) == 112u);
  CHECK(t.allocation_size(*b) == 208u);
  CHECK(t.bytes_used() == 320);
  CHECK(t.bytes_free() == 64 * KiB - 320);
  CHECK(t.allocation_count() == 2);
  CHECK(t.largest_free_block() == 64 * KiB - 320);
  t.check_invariants();

  REQUIRE(t.free(*a));
  CHECK(t.allocation_size(*a) == std::nullopt);
  CHECK(t.bytes_used() == 208);
  t.check_invariants();
  // The hole at the front is reused by a request that fits it.
  CHECK(t.allocate(112) == 0x1000u);
  REQUIRE(t.free(0x1000));
  REQUIRE(t.free(*b));
  CHECK(t.allocation_count() == 0);
  CHECK(t.largest_free_block() == 64 * KiB);
  t.check_invariants();
}

TEST_CASE("tlsf: zero size and bad alignment give nullopt", "[unit][tlsf]") {
  Tlsf t(0, MiB);
  CHECK(t.allocate(0) == std::nullopt);
  CHECK(t.allocate(16, 0) == std::nullopt);
  CHECK(t.allocate(16, 3) == std::nullopt);
  CHECK(t.allocate(16, 48) == std::nullopt);
  CHECK(t.allocate(MiB + 1) == std::nullopt);
  CHECK(t.allocate(UINT64_MAX) == std::nullopt);
  CHECK(t.allocate(16, uint64_t{1} << 63) == 0u);  // base 0 is aligned to anything
  CHECK(t.allocation_count() == 1);
  t.check_invariants();
}

TEST_CASE("tlsf: double free and foreign free return false", "[unit][tlsf]") {
  Tlsf t(0x10000, MiB);
  auto a = t.allocate(4096);
  auto b = t.allocate(4096);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(t.free(*a + 16));      // inside an allocation
  CHECK_FALSE(t.free(0x10000 - 16)); // before the range
  CHECK_FALSE(t.free(0x10000 + MiB)); // past the range
  CHECK_FALSE(t.free(*b + 4096));    // start of the free tail
  CHECK(t.free(*a));
  CHECK_FALSE(t.free(*a));
  CHECK(t.allocation_count() == 1);
  CHECK(t.bytes_used() == 4096);
  t.check_invariants();
}

TEST_CASE("tlsf: aligned allocations in a large range", "[unit][tlsf]") {
  const uint64_t base = 0x7f0000000010, size = 64 * GiB;
  Tlsf t(base, size);
  std::vector<uint64_t> live;
  uint64_t used = 0;
  for (int round = 0; round < 3; ++round) {
    for (unsigned shift = 0; shift <= 30; ++shift) {
      uint64_t align = uint64_t{1} << shift, sz = 24 + shift * 1000 + round;
      auto a = t.allocate(sz, align);
      REQUIRE(a);
      INFO("align " << align << " at " << *a);
      CHECK(aligned(*a, std::max<uint64_t>(align, 16)));
      CHECK(*a >= base);
      CHECK(*a + sz <= base + size);
      used += *t.allocation_size(*a);
      live.push_back(*a);
    }
    t.check_invariants();
  }
  CHECK(t.bytes_used() == used);
  CHECK(t.bytes_free() == size - used);  // alignment fragments are free, not leaked
  for (uint64_t a : live) REQUIRE(t.free(a));
  t.check_invariants();
  CHECK(t.largest_free_block() == size);
}

TEST_CASE("tlsf: the fragment in front of an aligned block stays usable", "[unit][tlsf]") {
  Tlsf t(0, MiB);
  REQUIRE(t.allocate(16) == 0u);
  REQUIRE(t.allocate(16, 4096) == 4096u);
  CHECK(t.bytes_used() == 32);
  t.check_invariants();
  // Good fit takes the first list whose every block is big enough: the 4080-byte fragment
  // [16, 4096) serves requests up to the 2048-byte slice boundary below it.
  CHECK(t.allocate(2048) == 16u);
  CHECK(t.allocate(16) == 2064u);
  CHECK(t.bytes_free() == MiB - 2048 - 48);
  t.check_invariants();
}

TEST_CASE("tlsf: exhausting the range and freeing everything coalesces", "[unit][tlsf]") {
  Tlsf t(0x40000, MiB);
  std::vector<uint64_t> blocks;
  while (auto a = t.allocate(4096)) blocks.push_back(*a);
  CHECK(blocks.size() == 256);
  CHECK(t.bytes_free() == 0);
  CHECK(t.largest_free_block() == 0);
  CHECK(t.allocate(16) == std::nullopt);
  t.check_invariants();
  std::mt19937_64 rng(7);
  std::shuffle(blocks.begin(), blocks.end(), rng);
  for (size_t i = 0; i < blocks.size(); ++i) {
    REQUIRE(t.free(blocks[i]));
    if (i % 32 == 0) t.check_invariants();
  }
  t.check_invariants();
  CHECK(t.largest_free_block() == MiB);
  CHECK(t.allocate(MiB) == 0x40000u);  // one block of the full size again
}

TEST_CASE("tlsf: whole-range allocations", "[unit][tlsf]") {
  SECTION("unaligned size, no alignment") {
    Tlsf t(0x1000, 1000 * 1000, 8);
    CHECK(t.allocate(1000 * 1000) == 0x1000u);
    CHECK(t.allocate(1) == std::nullopt);
  }
  SECTION("aligned to its own size") {
    Tlsf t(2 * MiB, 2 * MiB);
    CHECK(t.allocate(2 * MiB, 2 * MiB) == 2 * MiB);
    CHECK(t.largest_free_block() == 0);
  }
  SECTION("range ending at 2^64 - 1") {
    Tlsf t(UINT64_MAX - MiB + 1, MiB - 1, 1);
    CHECK(t.allocate(MiB - 1) == UINT64_MAX - MiB + 1);
    t.check_invariants();
  }
  SECTION("the whole 64-bit space") {
    Tlsf t(0, UINT64_MAX, 1);
    CHECK(t.allocate(uint64_t{1} << 63, uint64_t{1} << 63) == 0u);
    CHECK(t.allocate(uint64_t{1} << 63) == std::nullopt);  // one byte short
    CHECK(t.allocate((uint64_t{1} << 63) - 1) == uint64_t{1} << 63);
    t.check_invariants();
    CHECK(t.free(0));
    CHECK(t.free(uint64_t{1} << 63));
    CHECK(t.allocate(UINT64_MAX) == 0u);
  }
  SECTION("size rounding that would wrap") {
    Tlsf t(0, UINT64_MAX, 16);
    CHECK(t.allocate(UINT64_MAX) == std::nullopt);
    CHECK(t.allocate(UINT64_MAX - 15) == 0u);
    t.check_invariants();
  }
}

TEST_CASE("tlsf: min_alignment rounds sizes and alignments", "[unit][tlsf]") {
  SECTION("256-byte granule") {
    Tlsf t(0, MiB, 256);
    auto a = t.allocate(1);
    auto b = t.allocate(1, 16);
    auto c = t.allocate(257);
    REQUIRE(a == 0u);
    REQUIRE(b == 256u);
    REQUIRE(c == 512u);
    CHECK(t.allocation_size(*a) == 256u);
    CHECK(t.allocation_size(*c) == 512u);
    CHECK(t.bytes_used() == 1024);
    t.check_invariants();
  }
  SECTION("1-byte granule packs tightly") {
    Tlsf t(5, 100, 1);
    CHECK(t.allocate(1) == 5u);
    CHECK(t.allocate(3) == 6u);
    CHECK(t.allocate(1) == 9u);
    CHECK(t.allocate(1, 8) == 16u);  // leaves [10, 16) free
    CHECK(t.allocate(6) == 10u);
    CHECK(t.bytes_used() == 12);
    t.check_invariants();
  }
  SECTION("unaligned base: the first block starts on the granule") {
    Tlsf t(0x1003, 1000, 16);
    auto a = t.allocate(16);
    REQUIRE(a == 0x1010u);
    CHECK(t.bytes_free() == 1000 - 16);
    t.check_invariants();
    REQUIRE(t.free(*a));
    CHECK(t.largest_free_block() == 1000);
    // The largest aligned request that fits: [0x1010, 0x1003 + 1000) rounded down to 16.
    CHECK(t.allocate(976) == 0x1010u);
    t.check_invariants();
  }
  SECTION("unaligned base: a block too small once padded is not handed out") {
    CHECK(Tlsf(0x1003, 28, 16).allocate(16) == std::nullopt);  // [0x1010, 0x1020) needs 29 bytes
    CHECK(Tlsf(0x1003, 29, 16).allocate(16) == 0x1010u);
    CHECK(Tlsf(0x1003, 29, 16).allocate(16, 32) == std::nullopt);
    CHECK(Tlsf(0x1003, 45, 16).allocate(16, 32) == 0x1020u);
  }
}

TEST_CASE("tlsf: 2^44-byte virtual-address space", "[unit][tlsf]") {
  const uint64_t base = 0x200000000000, size = uint64_t{1} << 44;
  Tlsf t(base, size, 4096);
  auto half = t.allocate(size / 2);
  auto quarter = t.allocate(size / 4, size / 4);
  REQUIRE(half == base);
  REQUIRE(quarter == base + size / 2);
  auto rest = t.allocate(size / 4);
  REQUIRE(rest == base + 3 * size / 4);
  CHECK(t.allocate(4096) == std::nullopt);
  CHECK(t.bytes_used() == size);
  t.check_invariants();
  REQUIRE(t.free(*quarter));
  auto page = t.allocate(1, GiB);
  REQUIRE(page == base + size / 2);
  CHECK(t.allocation_size(*page) == 4096u);
  REQUIRE(t.free(*page));
  REQUIRE(t.free(*half));
  REQUIRE(t.free(*rest));
  t.check_invariants();
  CHECK(t.largest_free_block() == size);
  CHECK(t.allocate(size) == base);
}

TEST_CASE("tlsf: randomized stress against a reference model", "[unit][tlsf]") {
  SECTION("256 MiB chunk, 16-byte granule") { stress(0x100030, 256 * MiB, 16, 4 * MiB, 0x5eed); }
  SECTION("small odd range, unaligned base") { stress(0x1003, MiB + 5, 16, 16 * KiB, 42); }
  SECTION("2^44 VA space, 4 KiB pages") { stress(0x200000000000, uint64_t{1} << 44, 4096, uint64_t{1} << 40, 9); }
  SECTION("byte granule") { stress(0, 64 * MiB, 1, MiB, 1234); }
}
