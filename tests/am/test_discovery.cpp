// IP discovery: the builder's image parsed back, checksums recomputed here by hand, and every kind of
// corruption refused with a clear hcq::Error.
#include <catch2/catch.hpp>

#include <cstring>

#include "am/discovery.hpp"
#include "am/sim/platform.hpp"
#include "hcq/error.hpp"

using namespace hcq;
using namespace hcq::am;

namespace {

// Byte offsets of the binary format, written here from discovery.h independently of the structs.
constexpr size_t bin_checksum_at = 8, bin_size_at = 10, table_list_at = 12, table_info_bytes = 8;
constexpr size_t ipd_num_dies_at = 12, ipd_die_info_at = 14;

uint16_t u16(const std::vector<std::byte>& b, size_t at) {
  uint16_t v;
  std::memcpy(&v, b.data() + at, 2);
  return v;
}
void set_u16(std::vector<std::byte>& b, size_t at, uint16_t v) { std::memcpy(b.data() + at, &v, 2); }
uint16_t byte_sum(const std::vector<std::byte>& b, size_t from, size_t to) {
  unsigned sum = 0;
  for (size_t i = from; i < to; ++i) sum += unsigned(b[i]);
  return uint16_t(sum);
}
size_t table_offset(const std::vector<std::byte>& b, unsigned index) { return u16(b, table_list_at + index * table_info_bytes); }

// Recomputes the IP discovery table's and the binary's checksums (after a deliberate edit).
void fix_checksums(std::vector<std::byte>& b) {
  size_t ipd = table_offset(b, 0);
  uint16_t ipd_size = u16(b, ipd + 6);
  set_u16(b, table_list_at + 2, byte_sum(b, ipd, ipd + ipd_size));
  set_u16(b, bin_checksum_at, byte_sum(b, bin_size_at, u16(b, bin_size_at)));
}

std::vector<std::byte> image() { return build_discovery(sim::gfx1100_layout()); }

void expect_refused(const std::vector<std::byte>& b, const std::string& words) {
  try {
    Discovery::parse(b, "am test");
    FAIL("a corrupt table was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::io);
    CHECK(e.device() == "am test");
    CHECK(e.block() == "discovery");
    CHECK_THAT(e.detail(), Catch::Contains(words) && Catch::Contains("reset the GPU"));
  }
}

}  // namespace

TEST_CASE("discovery: the builder's image parses back to the layout", "[am][discovery]") {
  auto layout = sim::gfx1100_layout();
  Discovery d = Discovery::parse(build_discovery(layout), "am test");
  REQUIRE(d.blocks().size() == layout.blocks.size());
  for (const IpBlockInfo& b : layout.blocks) {
    INFO(to_string(b.ip));
    CHECK(d.version(b.ip, b.instance) == b.version);
    for (unsigned seg = 0; seg < b.bases.size(); ++seg) CHECK(d.base(b.ip, b.instance, seg) == b.bases[seg]);
    CHECK_FALSE(d.base(b.ip, b.instance, unsigned(b.bases.size())).has_value());
  }
  CHECK(d.gc().num_se == layout.gc.num_se);
  CHECK(d.gc().wave_size == layout.gc.wave_size);
  CHECK_FALSE(d.has(HwIp::vcn));
  CHECK(d.version(HwIp::vcn).packed() == 0);
}

TEST_CASE("discovery: checksums are the u16 byte sums amdgpu verifies", "[am][discovery]") {
  auto b = image();
  CHECK(u16(b, 0) == 0x1407);  // binary_signature 0x28211407, little-endian
  CHECK(u16(b, 2) == 0x2821);
  CHECK(u16(b, bin_checksum_at) == byte_sum(b, bin_size_at, u16(b, bin_size_at)));
  size_t ipd = table_offset(b, 0);
  CHECK(u16(b, table_list_at + 2) == byte_sum(b, ipd, ipd + u16(b, ipd + 6)));
  size_t gc = table_offset(b, 1);
  uint32_t gc_size;
  std::memcpy(&gc_size, b.data() + gc + 8, 4);
  CHECK(u16(b, table_list_at + table_info_bytes + 2) == byte_sum(b, gc, gc + gc_size));
}

TEST_CASE("discovery: corrupt tables give clear errors", "[am][discovery]") {
  SECTION("bad binary signature") {
    auto b = image();
    b[0] = std::byte{0};
    expect_refused(b, "binary signature");
  }
  SECTION("a flipped byte breaks the binary checksum") {
    auto b = image();
    b[table_offset(b, 0) + 20] ^= std::byte{0x40};
    expect_refused(b, "binary checksum");
  }
  SECTION("a flipped byte with the binary sum fixed breaks the table checksum") {
    auto b = image();
    b[table_offset(b, 0) + 90] ^= std::byte{0x01};
    set_u16(b, bin_checksum_at, byte_sum(b, bin_size_at, u16(b, bin_size_at)));
    expect_refused(b, "IP discovery table checksum");
  }
  SECTION("bad IP discovery signature") {
    auto b = image();
    b[table_offset(b, 0)] = std::byte{'X'};
    fix_checksums(b);
    expect_refused(b, "IP discovery signature");
  }
  SECTION("truncated") {
    auto b = image();
    b.resize(40);
    expect_refused(b, "past the end");
  }
  SECTION("binary size past the bytes read") {
    auto b = image();
    b.resize(u16(b, bin_size_at) - 100);
    expect_refused(b, "binary size");
  }
  SECTION("num_ips huge") {
    auto b = image();
    size_t die = u16(b, table_offset(b, 0) + ipd_die_info_at + 2);
    set_u16(b, die + 2, 0xffff);
    fix_checksums(b);
    expect_refused(b, "IP entries");
  }
  SECTION("num_dies out of range") {
    auto b = image();
    set_u16(b, table_offset(b, 0) + ipd_num_dies_at, 17);
    fix_checksums(b);
    expect_refused(b, "dies");
  }
  SECTION("a die offset past the end") {
    auto b = image();
    set_u16(b, table_offset(b, 0) + ipd_die_info_at + 2, 0xfff0);
    fix_checksums(b);
    expect_refused(b, "past the end");
  }
  SECTION("an entry with too many base addresses") {
    auto b = image();
    size_t die = u16(b, table_offset(b, 0) + ipd_die_info_at + 2);
    b[die + 4 + 3] = std::byte{200};  // the first entry's num_base_address
    fix_checksums(b);
    expect_refused(b, "base addresses");
  }
}

TEST_CASE("discovery: harvested instances are not offered", "[am][discovery]") {
  auto layout = sim::gfx1100_layout();
  layout.harvested.push_back({HwIp::sdma1, 0});
  Discovery d = Discovery::parse(build_discovery(layout), "am test");
  CHECK(d.has(HwIp::sdma0));
  CHECK_FALSE(d.has(HwIp::sdma1));
  CHECK(d.instances(HwIp::sdma1) == 0);
}
