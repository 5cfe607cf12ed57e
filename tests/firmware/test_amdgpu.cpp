// amdgpu firmware: every installed file of the gfx9.4.3, gfx11 and gfx12 families, synthetic files
// for the header versions no installed file uses, and targeted corruptions of real files.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <set>

#include "firmware_files.hpp"
#include "hcq/error.hpp"
#include "hcq/firmware/amdgpu.hpp"

using Catch::Matchers::Contains;
using fwtest::Bytes;
using fwtest::put_u32;
using fwtest::u32;
using hcq::fw::Image;
using namespace hcq::fw::amdgpu;

namespace {

std::span<const std::byte> span(const Bytes& b) { return b; }

void put_u16(Bytes& b, size_t off, uint16_t v) { std::memcpy(b.data() + off, &v, 2); }

// A synthetic file: common header with the given version, payload at 0x100 of `payload` bytes,
// `size` bytes in all; the versioned fields are filled in by the test.
Bytes synthetic(uint16_t major, uint16_t minor, uint32_t header_size, uint32_t payload, uint32_t size) {
  Bytes b(size, std::byte{0});
  for (size_t i = 0x100; i < size; ++i) b[i] = std::byte(i * 7);
  put_u32(b, 0x00, size);
  put_u32(b, 0x04, header_size);
  put_u16(b, 0x08, major);
  put_u16(b, 0x0a, minor);
  put_u16(b, 0x0c, 11);
  put_u32(b, 0x10, 0x1234);
  put_u32(b, 0x14, payload);
  put_u32(b, 0x18, 0x100);
  return b;
}

const Image& need(const Firmware& f, std::string_view name, uint32_t set = 0) {
  const Image* i = f.image(name, set);
  INFO(f.name() << ": image " << name);
  REQUIRE(i != nullptr);
  return *i;
}

void require_at(const Image& i, uint64_t offset, uint64_t size) {
  INFO(i.name);
  CHECK(i.file_offset == offset);
  CHECK(i.size() == size);
}

// The parser's error for `b`, which must fail.
hcq::Error error_of(const Bytes& b, const std::string& name, Kind kind) {
  return fwtest::error_of([&] { Firmware::parse(span(b), name, kind); });
}

}  // namespace

TEST_CASE("every amdgpu file of the gfx9.4.3, gfx11 and gfx12 families decodes", "[firmware][amdgpu]") {
  const auto files = fwtest::amdgpu_family_files();
  INFO(files.size() << " files");
  CHECK(files.size() >= 100);  // Debian's 20250410 package has 145 of them
  std::set<std::string> versions;
  for (const auto& name : files) {
    INFO(name);
    const Bytes b = fwtest::read(name);
    const auto kind = kind_from_name(name);
    REQUIRE(kind.has_value());
    const Firmware f = Firmware::parse(span(b), name);
    CHECK(f.kind() == *kind);
    const CommonHeader& c = f.common();
    CHECK(c.size_bytes == b.size());
    versions.insert(fmt::format("{} {}.{}", to_string(f.kind()), c.header_version_major, c.header_version_minor));
    CHECK(f.payload().data() == b.data() + c.ucode_array_offset_bytes);
    CHECK(f.payload().size() == c.ucode_size_bytes);
    REQUIRE(!f.images().empty());
    for (const Image& i : f.images()) {
      INFO(i.name);
      // Every image is a view of the file at its absolute offset, after the headers.
      CHECK(i.bytes.data() == b.data() + i.file_offset);
      CHECK(i.file_offset >= c.ucode_array_offset_bytes);
      CHECK(i.file_offset + i.size() <= b.size());
    }
  }
  // Every kind the three families use is among the files, so each decoder ran on real input above. The
  // header versions Debian 20250410 ships are listed; a newer package may move a kind to a newer
  // version the parser knows (it parsed above), so a listed version that is gone is only a warning.
  const std::pair<const char*, const char*> shipped[] = {
      {"gfx", "1.0"},  {"gfx", "2.0"},       {"rlc", "2.1"}, {"rlc", "2.2"},     {"rlc", "2.3"},     {"mes", "1.0"},
      {"imu", "1.0"},  {"sdma", "1.0"},      {"sdma", "2.0"}, {"sdma", "3.0"},   {"psp", "2.0"},     {"psp", "2.1"},
      {"ta", "2.0"},   {"psp_image", "1.0"}, {"smc", "2.0"}, {"smc", "2.1"},     {"rlc_toc", "1.0"}, {"dmcub", "1.0"},
      {"vcn", "1.0"}};
  for (const auto& [kind, version] : shipped) {
    INFO(kind << " " << version);
    const std::string prefix = std::string(kind) + " ";
    CHECK(std::any_of(versions.begin(), versions.end(), [&](const std::string& v) { return v.rfind(prefix, 0) == 0; }));
    if (!versions.count(prefix + version)) WARN(prefix + version + " is no longer among the installed files");
  }
}

TEST_CASE("amdgpu offsets are normalised to file offsets on real files", "[firmware][amdgpu]") {
  SECTION("gfx v2 (RS64): instruction and data images from the file start") {
    const Bytes b = fwtest::read("amdgpu/gc_11_0_0_mec.bin");
    const auto f = Firmware::parse(span(b), "amdgpu/gc_11_0_0_mec.bin");
    REQUIRE(f.header_as<GfxHeaderV2>());
    require_at(need(f, "ucode"), u32(b, 0x28), u32(b, 0x24));
    require_at(need(f, "data"), u32(b, 0x30), u32(b, 0x2c));
  }
  SECTION("gfx v1: jump table in dwords from the payload, code before it") {
    const Bytes b = fwtest::read("amdgpu/gc_9_4_3_mec.bin");
    const auto f = Firmware::parse(span(b), "amdgpu/gc_9_4_3_mec.bin");
    REQUIRE(f.header_as<GfxHeaderV1>());
    const uint32_t payload = u32(b, 0x18), jt_off = u32(b, 0x24), jt_size = u32(b, 0x28);
    require_at(need(f, "jt"), payload + uint64_t{jt_off} * 4, uint64_t{jt_size} * 4);
    require_at(need(f, "ucode"), payload, u32(b, 0x14) - jt_size * 4);
  }
  SECTION("psp v2.0: bins from the payload") {
    const Bytes b = fwtest::read("amdgpu/psp_13_0_0_sos.bin");
    const auto f = Firmware::parse(span(b), "amdgpu/psp_13_0_0_sos.bin");
    const uint32_t payload = u32(b, 0x18), count = u32(b, 0x20);
    REQUIRE(f.images().size() == count);
    for (uint32_t i = 0; i < count; ++i) {
      const size_t d = 0x24 + 16 * i;
      const Image& img = f.images()[i];
      CHECK(img.fw_type == u32(b, d));
      CHECK(img.name == psp_fw_type_name(u32(b, d)));
      CHECK(img.fw_version == u32(b, d + 4));
      require_at(img, payload + uint64_t{u32(b, d + 8)}, u32(b, d + 12));
    }
    CHECK(need(f, "sos").fw_type == static_cast<uint32_t>(PspFwType::sos));
  }
  SECTION("psp v2.1: two sets of bins") {
    const Bytes b = fwtest::read("amdgpu/psp_13_0_6_sos.bin");
    const auto f = Firmware::parse(span(b), "amdgpu/psp_13_0_6_sos.bin");
    REQUIRE(f.header_as<PspHeaderV2_1>());
    const uint32_t count = u32(b, 0x20), aux = u32(b, 0x24);
    REQUIRE(f.psp_aux_index() == aux);
    REQUIRE(f.images().size() == count);
    std::vector<std::string> primary, secondary;
    for (const Image& i : f.images()) {
      REQUIRE(i.bin_set.has_value());
      (*i.bin_set == 0 ? primary : secondary).push_back(i.name);
      CHECK(i.file_offset == u32(b, 0x18) + uint64_t{u32(b, 0x28 + 16 * (&i - f.images().data()) + 8)});
    }
    CHECK(primary.size() == count - aux);
    CHECK(secondary.size() == count - aux);
    CHECK(primary == secondary);  // the same components, two builds
    CHECK(need(f, "sos", 0).file_offset != need(f, "sos", 1).file_offset);
  }
  SECTION("imu: IRAM at the payload, DRAM right after it (the kernel's placement)") {
    Bytes b = fwtest::read("amdgpu/gc_11_0_0_imu.bin");
    const uint32_t payload = u32(b, 0x18), iram = u32(b, 0x20);
    const auto f = Firmware::parse(span(b), "amdgpu/gc_11_0_0_imu.bin");
    require_at(need(f, "iram"), payload, iram);
    require_at(need(f, "dram"), payload + uint64_t{iram}, u32(b, 0x28));
    // amdgpu_ucode_init_single_fw ignores imu_*_ucode_offset_bytes: changing them moves nothing.
    put_u32(b, 0x24, 0x40);  // imu_iram_ucode_offset_bytes
    put_u32(b, 0x2c, 0x80);  // imu_dram_ucode_offset_bytes
    const auto g = Firmware::parse(span(b), "amdgpu/gc_11_0_0_imu.bin");
    require_at(need(g, "iram"), payload, iram);
    require_at(need(g, "dram"), payload + uint64_t{iram}, u32(b, 0x28));
  }
  SECTION("sdma v2: TH0 from the payload, TH1 from the file start") {
    const Bytes b = fwtest::read("amdgpu/sdma_6_0_0.bin");
    const auto f = Firmware::parse(span(b), "amdgpu/sdma_6_0_0.bin");
    require_at(need(f, "ctx"), u32(b, 0x18), u32(b, 0x24));
    require_at(need(f, "ctl"), u32(b, 0x30), u32(b, 0x34));
  }
  SECTION("smc v2.1: pptable entries and tables from the file start") {
    const Bytes b = fwtest::read("amdgpu/smu_13_0_0.bin");
    const auto f = Firmware::parse(span(b), "amdgpu/smu_13_0_0.bin");
    const uint32_t count = u32(b, 0x24), table = u32(b, 0x28);
    std::vector<const Image*> ppts;
    for (const Image& i : f.images())
      if (i.name == "pptable") ppts.push_back(&i);
    REQUIRE(ppts.size() == count);
    for (uint32_t i = 0; i < count; ++i) {
      CHECK(ppts[i]->fw_type == u32(b, table + 12 * i));
      require_at(*ppts[i], u32(b, table + 12 * i + 4), u32(b, table + 12 * i + 8));
    }
  }
  SECTION("rlc v2.3: lists, IRAM/DRAM, RLC_P and RLC_V from the file start") {
    const Bytes b = fwtest::read("amdgpu/gc_11_0_0_rlc.bin");
    const auto f = Firmware::parse(span(b), "amdgpu/gc_11_0_0_rlc.bin");
    REQUIRE(f.header_as<RlcHeaderV2_3>());
    require_at(need(f, "rlc_iram"), u32(b, 0xa0), u32(b, 0x9c));
    require_at(need(f, "rlc_dram"), u32(b, 0xa8), u32(b, 0xa4));
    require_at(need(f, "rlcp"), u32(b, 0xb8), u32(b, 0xb4));
    require_at(need(f, "rlcv"), u32(b, 0xc8), u32(b, 0xc4));
    CHECK(need(f, "rlcp").fw_version == u32(b, 0xac));
  }
  SECTION("gc 12 TOC: RLC_TABLE_OF_CONTENT_V2 entries up to id 0") {
    const Bytes b = fwtest::read("amdgpu/gc_12_0_0_toc.bin");
    const auto f = Firmware::parse(span(b), "amdgpu/gc_12_0_0_toc.bin");
    REQUIRE(f.kind() == Kind::rlc_toc);
    REQUIRE(!f.toc().empty());
    const uint32_t payload = u32(b, 0x18);
    for (size_t i = 0; i < f.toc().size(); ++i) {
      const uint32_t dw0 = u32(b, payload + 8 * i), dw1 = u32(b, payload + 8 * i + 4);
      CHECK(f.toc()[i].id == dw0 >> 25);
      CHECK(f.toc()[i].offset_bytes == uint64_t{dw0 & 0x1ffffff} * 32);
      CHECK(f.toc()[i].size_bytes == uint64_t{dw1 >> 14} * ((dw1 >> 12) & 1 ? 4096 : 4));
    }
    CHECK(u32(b, payload + 8 * f.toc().size()) >> 25 == 0);
  }
  SECTION("vcn: the version packed in ucode_version") {
    const Bytes b = fwtest::read("amdgpu/vcn_4_0_0.bin");
    const auto f = Firmware::parse(span(b), "amdgpu/vcn_4_0_0.bin");
    const uint32_t v = u32(b, 0x10);
    const auto d = decode_vcn_version(v);
    CHECK(d.new_scheme == (((v >> 20) & 0xf) != 0));
    CHECK(d.revision == (d.new_scheme ? (v & 0xfff) : 0));
    require_at(need(f, "ucode"), u32(b, 0x18), u32(b, 0x14));
  }
}

TEST_CASE("amdgpu header versions no installed file uses decode from synthetic files", "[firmware][amdgpu]") {
  SECTION("rlc v1.0") {
    Bytes b = synthetic(1, 0, 0x34, 0x200, 0x300);
    const auto f = Firmware::parse(span(b), "x_rlc.bin");
    REQUIRE(f.header_as<RlcHeaderV1>());
    require_at(need(f, "rlc_g"), 0x100, 0x200);
  }
  SECTION("rlc v2.4: tap delays") {
    Bytes b = synthetic(2, 4, 0xf4, 0x100, 0x600);
    put_u32(b, 0xcc, 0x40);   // global size
    put_u32(b, 0xd0, 0x200);  // global offset
    put_u32(b, 0xec, 0x20);   // se3 size
    put_u32(b, 0xf0, 0x300);  // se3 offset
    const auto f = Firmware::parse(span(b), "x_rlc.bin");
    REQUIRE(f.header_as<RlcHeaderV2_4>());
    require_at(need(f, "global_tap_delays"), 0x200, 0x40);
    require_at(need(f, "se3_tap_delays"), 0x300, 0x20);
    CHECK(f.image("se0_tap_delays") == nullptr);  // empty ones are left out
  }
  SECTION("rlc v2.5 extends v2.2") {
    Bytes b = synthetic(2, 5, 0xbc, 0x100, 0x600);
    put_u32(b, 0x9c, 0x80);   // iram size
    put_u32(b, 0xa0, 0x200);  // iram offset
    put_u32(b, 0xac, 0x40);   // rlc_1 iram size
    put_u32(b, 0xb0, 0x400);  // rlc_1 iram offset
    const auto f = Firmware::parse(span(b), "x_rlc.bin");
    require_at(need(f, "rlc_iram"), 0x200, 0x80);
    require_at(need(f, "rlc_1_iram"), 0x400, 0x40);
  }
  SECTION("sdma v1.1: jump table in dwords from the payload") {
    Bytes b = synthetic(1, 1, 0x34, 0x400, 0x500);
    put_u32(b, 0x28, 0x80);  // jt_offset (dwords)
    put_u32(b, 0x2c, 0x10);  // jt_size (dwords)
    const auto f = Firmware::parse(span(b), "sdma_x.bin");
    REQUIRE(f.header_as<SdmaHeaderV1_1>());
    require_at(need(f, "ucode"), 0x100, 0x400);
    require_at(need(f, "jt"), 0x100 + 0x200, 0x40);
  }
  SECTION("psp v1.3: legacy bins from the payload, sys_drv before sos") {
    Bytes b = synthetic(1, 3, 0x74, 0x800, 0x900);
    put_u32(b, 0x24, 0x100);  // sos.offset_bytes: sys_drv is the first 0x100 bytes
    put_u32(b, 0x28, 0x200);  // sos.size_bytes
    put_u32(b, 0x30, 0x300);  // toc.offset_bytes
    put_u32(b, 0x34, 0x40);   // toc.size_bytes
    put_u32(b, 0x48, 0x400);  // spl.offset_bytes
    put_u32(b, 0x4c, 0x20);   // spl.size_bytes
    put_u32(b, 0x6c, 0x500);  // sos_aux.offset_bytes
    put_u32(b, 0x70, 0x100);  // sos_aux.size_bytes
    const auto f = Firmware::parse(span(b), "psp_x_sos.bin");
    REQUIRE(f.header_as<PspHeaderV1_3>());
    require_at(need(f, "sys_drv"), 0x100, 0x100);
    require_at(need(f, "sos"), 0x200, 0x200);
    require_at(need(f, "toc"), 0x400, 0x40);
    require_at(need(f, "spl"), 0x500, 0x20);
    require_at(need(f, "sos_aux"), 0x600, 0x100);
  }
  SECTION("ta v1.0: five legacy bins from the payload") {
    Bytes b = synthetic(1, 0, 0x5c, 0x400, 0x500);
    put_u32(b, 0x20, 7);      // xgmi.fw_version
    put_u32(b, 0x24, 0x40);   // xgmi.offset_bytes: ignored, xgmi starts at the payload (parse_ta_v1_microcode)
    put_u32(b, 0x28, 0x80);   // xgmi.size_bytes
    put_u32(b, 0x3c, 0x20);   // hdcp.offset_bytes: ignored too
    put_u32(b, 0x40, 0x10);   // hdcp.size_bytes
    put_u32(b, 0x54, 0x100);  // securedisplay.offset_bytes
    put_u32(b, 0x58, 0x40);   // securedisplay.size_bytes
    const auto f = Firmware::parse(span(b), "psp_x_ta.bin");
    require_at(need(f, "xgmi"), 0x100, 0x80);
    CHECK(need(f, "xgmi").fw_version == 7);
    require_at(need(f, "hdcp"), 0x100, 0x10);
    require_at(need(f, "securedisplay"), 0x200, 0x40);
  }
  SECTION("smc v1.0 and v2.0") {
    Bytes v1 = synthetic(1, 0, 0x24, 0x200, 0x300);
    require_at(need(Firmware::parse(span(v1), "smu_x.bin"), "ucode"), 0x100, 0x200);
    Bytes v2 = synthetic(2, 0, 0x2c, 0x100, 0x300);
    put_u32(v2, 0x24, 0x200);  // ppt_offset_bytes
    put_u32(v2, 0x28, 0x80);   // ppt_size_bytes
    require_at(need(Firmware::parse(span(v2), "smu_x.bin"), "pptable"), 0x200, 0x80);
  }
  SECTION("a name that says nothing gives the common header only") {
    Bytes b = synthetic(7, 3, 0x20, 0x80, 0x200);
    const auto f = Firmware::parse(span(b), "mystery.bin");
    CHECK(f.kind() == Kind::common);
    require_at(need(f, "ucode"), 0x100, 0x80);
  }
}

TEST_CASE("kind_from_name", "[firmware][amdgpu]") {
  const std::map<std::string, Kind> cases = {
      {"amdgpu/gc_11_0_0_mec.bin", Kind::gfx},       {"gc_9_4_3_sjt_mec.bin", Kind::gfx},
      {"gc_11_0_0_me.bin.zst", Kind::gfx},           {"gc_11_0_0_mes_2.bin", Kind::mes},
      {"gc_12_0_0_uni_mes.bin", Kind::mes},          {"gc_11_0_0_rlc_1.bin", Kind::rlc},
      {"gc_12_0_0_toc.bin", Kind::rlc_toc},          {"psp_13_0_4_toc.bin", Kind::psp_image},
      {"psp_13_0_5_asd.bin.xz", Kind::psp_image},   {"psp_13_0_0_sos.bin", Kind::psp},
      {"psp_13_0_0_ta.bin", Kind::ta},               {"smu_13_0_0.bin", Kind::smc},
      {"sdma_6_0_0.bin", Kind::sdma},                {"vcn_4_0_0.bin", Kind::vcn},
      {"dcn_3_2_0_dmcub.bin", Kind::dmcub},          {"gc_11_0_0_imu.bin", Kind::imu},
  };
  for (const auto& [name, kind] : cases) {
    INFO(name);
    CHECK(kind_from_name(name) == kind);
  }
  CHECK(!kind_from_name("amdgpu/navi10_gpu_info.bin"));
  CHECK(!kind_from_name("qcom/a630_sqe.fw"));
}

TEST_CASE("corrupt amdgpu files are rejected with file, field, expected and actual", "[firmware][amdgpu]") {
  const std::string name = "amdgpu/psp_13_0_0_sos.bin";
  const Bytes good = fwtest::read(name);
  SECTION("truncated") {
    Bytes b(good.begin(), good.begin() + static_cast<long>(good.size() / 2));
    const auto e = error_of(b, name, Kind::psp);
    CHECK(e.code() == hcq::Errc::bad_code_object);
    CHECK_THAT(e.what(), Contains(name) && Contains("size_bytes") && Contains(std::to_string(b.size())) &&
                             Contains(std::to_string(good.size())));
  }
  SECTION("shorter than the common header") {
    Bytes b(good.begin(), good.begin() + 20);
    CHECK_THAT(error_of(b, name, Kind::psp).what(), Contains("common header") && Contains("32 bytes"));
  }
  SECTION("unknown header version") {
    Bytes b = good;
    put_u16(b, 8, 9);
    const auto e = error_of(b, name, Kind::psp);
    CHECK(e.code() == hcq::Errc::unsupported);
    CHECK_THAT(e.what(), Contains("header_version") && Contains("9.0") && Contains("2.0, 2.1"));
  }
  SECTION("payload past the end") {
    Bytes b = good;
    put_u32(b, 0x14, u32(b, 0x14) + 1);
    CHECK_THAT(error_of(b, name, Kind::psp).what(), Contains("ucode_size_bytes"));
  }
  SECTION("payload offset inside the header") {
    Bytes b = good;
    put_u32(b, 0x18, 0x10);
    CHECK_THAT(error_of(b, name, Kind::psp).what(), Contains("ucode_array_offset_bytes") && Contains("0x10"));
  }
  SECTION("a bin outside the payload") {
    Bytes b = good;
    put_u32(b, 0x24 + 16 * 3 + 8, 0xfffffff0);  // bin 3's offset_bytes
    const auto e = error_of(b, name, Kind::psp);
    CHECK_THAT(e.what(), Contains("bin 3") && Contains("offset_bytes") && Contains("the payload"));
  }
  SECTION("too many bins") {
    Bytes b = good;
    put_u32(b, 0x20, 26);
    CHECK_THAT(error_of(b, name, Kind::psp).what(), Contains("psp_fw_bin_count") && Contains("less than 26"));
  }
  SECTION("bins that run into the payload") {
    Bytes b = good;
    put_u32(b, 0x20, 25);
    CHECK_THAT(error_of(b, name, Kind::psp).what(), Contains("psp_fw_bin_count") && Contains("descriptor table"));
  }
  SECTION("the stored crc32 is reported, never checked") {
    Bytes b = good;
    put_u32(b, 0x1c, u32(b, 0x1c) ^ 1);
    const auto f = Firmware::parse(span(b), name);
    CHECK(f.crc_coverage() == CrcCoverage::none);
    CHECK(Firmware::parse(span(good), name).crc_coverage() == CrcCoverage::after_common_header);
  }
  SECTION("other kinds") {
    Bytes mec = fwtest::read("amdgpu/gc_11_0_0_mec.bin");
    put_u32(mec, 0x2c, 0x7fffffff);  // data_size_bytes
    CHECK_THAT(error_of(mec, "gc_11_0_0_mec.bin", Kind::gfx).what(), Contains("data_offset_bytes, data_size_bytes"));
    Bytes smu = fwtest::read("amdgpu/smu_13_0_0.bin");
    put_u32(smu, 0x24, 0x40000000);  // pptable_count
    CHECK_THAT(error_of(smu, "smu_13_0_0.bin", Kind::smc).what(), Contains("pptable_entry_offset, pptable_count"));
    Bytes toc = fwtest::read("amdgpu/gc_12_0_0_toc.bin");
    for (size_t at = u32(toc, 0x18); at + 4 <= toc.size(); at += 8) put_u32(toc, at, 0x02000000);  // no id 0 left
    CHECK_THAT(error_of(toc, "gc_12_0_0_toc.bin", Kind::rlc_toc).what(), Contains("toc") && Contains("id 0"));
    Bytes jt = fwtest::read("amdgpu/gc_9_4_3_mec.bin");
    put_u32(jt, 0x28, 0x40000000);  // jt_size in dwords: larger than the ucode
    CHECK_THAT(error_of(jt, "gc_9_4_3_mec.bin", Kind::gfx).what(), Contains("jt_size"));
  }
}
