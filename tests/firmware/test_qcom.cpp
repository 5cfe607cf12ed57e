// Adreno SQE and GMU firmware: every installed file, and corruptions of them.
#include <catch2/catch.hpp>

#include "firmware_files.hpp"
#include "hcq/error.hpp"
#include "hcq/firmware/qcom.hpp"

using Catch::Matchers::Contains;
using fwtest::Bytes;
using fwtest::put_u32;
using fwtest::u32;
using namespace hcq::fw::qcom;

namespace {

template <class F, class... Extra>
std::string error_of(const Bytes& b, const std::string& name, Extra... extra) {
  const auto e = fwtest::error_of([&] { F::parse(b, name, extra...); });
  CHECK(e.code() == hcq::Errc::bad_code_object);
  return e.what();
}

}  // namespace

TEST_CASE("every Adreno SQE firmware decodes", "[firmware][qcom]") {
  const auto files = fwtest::adreno_sqe_files();
  CHECK(files.size() >= 5);
  for (const auto& name : files) {
    INFO(name);
    const Bytes b = fwtest::read(name);
    const auto s = SqeFirmware::parse(b, name);
    const uint32_t word = u32(b, 4);
    CHECK(s.fw_id() == ((word >> 12) & 0xfff));
    CHECK(s.version() == (word & 0xfff));
    CHECK(s.image().file_offset == 4);  // the kernel uploads the file without dword 0
    CHECK(s.image().size() == b.size() - 4);
    const uint64_t uploaded = b.size() / 4 - 1;
    if (const auto* jt = s.jump_table()) {
      CHECK(jt->size() == 4 * sqe_jump_table_entries);
      CHECK(jt->file_offset + jt->size() == b.size());
      CHECK(jt->file_offset == 4 + 4 * uint64_t{u32(b, 8) & 0xffff});
    } else {
      CHECK((u32(b, 8) & 0xffff) == uploaded);
    }
  }
}

TEST_CASE("SQE layouts: a6xx jump table, a660/a7xx bundles", "[firmware][qcom]") {
  const Bytes a630 = fwtest::read("qcom/a630_sqe.fw");
  const auto s = SqeFirmware::parse(a630, "qcom/a630_sqe.fw");
  CHECK(!s.is_bundle());
  CHECK(s.fw_id() == 0x6ee);
  CHECK(!s.patched());
  const Bytes gen7 = fwtest::read("qcom/gen70500_sqe.fw");
  CHECK(SqeFirmware::parse(gen7, "qcom/gen70500_sqe.fw").is_bundle());
  // A patched version word takes its low 12 bits from dword 3 (KGSL adreno.c get_ucode_version).
  Bytes patched = a630;
  put_u32(patched, 4, 0x016ee00a);
  put_u32(patched, 12, 0x00123000);
  CHECK(SqeFirmware::parse(patched, "a630_sqe.fw").effective_version() == 0x016ee123);
}

TEST_CASE("every Adreno GMU firmware decodes", "[firmware][qcom]") {
  for (const auto& name : fwtest::adreno_gmu_files()) {
    INFO(name);
    const Bytes b = fwtest::read(name);
    const auto g = GmuFirmware::parse(b, name);
    if (g.layout() == GmuFirmware::Layout::legacy) {
      CHECK(b.size() <= gmu_legacy_max_bytes);
      CHECK(g.images().size() == 1);
      continue;
    }
    REQUIRE(!g.blocks().empty());
    // The blocks tile the file: each header is followed by its data and the next header.
    uint64_t at = 0;
    for (const auto& blk : g.blocks()) {
      CHECK(blk.header_offset == at);
      CHECK(blk.header.size == u32(b, at + 4));
      CHECK(blk.data.data() == b.data() + at + 16);
      at += 16 + blk.header.size;
    }
    CHECK(at == b.size());
    for (const auto& i : g.images()) {
      CHECK(i.address.has_value());
      CHECK(i.bytes.data() == b.data() + i.file_offset);
    }
  }
}

TEST_CASE("GMU layout from the name", "[firmware][qcom]") {
  CHECK(GmuFirmware::layout_from_name("qcom/a630_gmu.bin") == GmuFirmware::Layout::legacy);
  CHECK(GmuFirmware::layout_from_name("a619_gmu.bin.zst") == GmuFirmware::Layout::legacy);
  CHECK(GmuFirmware::layout_from_name("qcom/a660_gmu.bin") == GmuFirmware::Layout::blocks);
}

TEST_CASE("corrupt Adreno files are rejected with file, field, expected and actual", "[firmware][qcom]") {
  const Bytes sqe = fwtest::read("qcom/a630_sqe.fw");
  SECTION("SQE") {
    Bytes b(sqe.begin(), sqe.end() - 2);
    CHECK_THAT(error_of<SqeFirmware>(b, "a630_sqe.fw"), Contains("a630_sqe.fw") && Contains("file size") && Contains("multiple of 4"));
    b = sqe;
    put_u32(b, 8, 0x0100ffff);  // table index past the end
    CHECK_THAT(error_of<SqeFirmware>(b, "a630_sqe.fw"), Contains("jump table") && Contains("65535"));
    b = sqe;
    put_u32(b, 8, 0x01000010);  // a table that is not 128 entries
    CHECK_THAT(error_of<SqeFirmware>(b, "a630_sqe.fw"), Contains("jump table") && Contains("128"));
    // A file too small for any table: the message offers "no table" only (no wrapped-around index).
    Bytes tiny(b.begin(), b.begin() + 20);
    put_u32(tiny, 8, 0x01000001);
    const std::string tiny_error = error_of<SqeFirmware>(tiny, "a630_sqe.fw");
    CHECK_THAT(tiny_error, Contains("expected 4 (no table)") && Contains("found 1 (3 entries)"));
    CHECK_THAT(tiny_error, !Contains("18446744"));
  }
  SECTION("GMU blocks") {
    const Bytes gmu = fwtest::read("qcom/a660_gmu.bin");
    Bytes b = gmu;
    put_u32(b, 0xb0 + 4, 0x10000000);  // the first data block's size: past the end
    CHECK_THAT(error_of<GmuFirmware>(b, "a660_gmu.bin"), Contains("block 11") && Contains("size"));
    b = gmu;
    put_u32(b, 0xb0 + 4, 0x1dd);  // not a multiple of 4
    CHECK_THAT(error_of<GmuFirmware>(b, "a660_gmu.bin"), Contains("multiple of 4"));
    b = Bytes(gmu.begin(), gmu.begin() + 8);
    CHECK_THAT(error_of<GmuFirmware>(b, "a660_gmu.bin"), Contains("block 0 header"));
  }
  SECTION("GMU legacy image too large") {
    const Bytes big(0x8004, std::byte{0});
    CHECK_THAT(error_of<GmuFirmware>(big, "a630_gmu.bin", GmuFirmware::Layout::legacy), Contains("0x8000"));
  }
}
