// NVIDIA GSP firmware: every installed gsp-*.bin, booter and bootloader, and corruptions of them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <set>

#include "firmware_files.hpp"
#include "hcq/error.hpp"
#include "hcq/firmware/nvidia.hpp"

using Catch::Matchers::Contains;
using fwtest::Bytes;
using fwtest::put_u32;
using fwtest::u32;
using namespace hcq::fw::nvidia;

namespace {

// The installed files, one per distinct file (ad10x and ga10x names are symlinks to one GSP image).
std::vector<std::string> distinct(const std::vector<std::string>& names) {
  const auto path = hcq::fw::SearchPath::standard();
  std::set<std::filesystem::path> seen;
  std::vector<std::string> out;
  for (const auto& n : names) {
    const auto found = path.find(n);
    REQUIRE(found);
    if (seen.insert(std::filesystem::canonical(*found)).second) out.push_back(n);
  }
  return out;
}

template <class F>
std::string error_of(const Bytes& b, const std::string& name) {
  return fwtest::error_of([&] { F::parse(b, name); }).what();
}

void check_images(std::span<const hcq::fw::Image> images, const Bytes& b) {
  for (const auto& i : images) {
    INFO(i.name);
    CHECK(i.bytes.data() == b.data() + i.file_offset);
    CHECK(i.file_offset + i.size() <= b.size());
  }
}

}  // namespace

TEST_CASE("every GSP-RM ELF decodes", "[firmware][nvidia]") {
  for (const auto& name : distinct(fwtest::nvidia_gsp_files())) {
    INFO(name);
    const Bytes b = fwtest::read(name);
    const auto g = GspFirmware::parse(b, name);
    CHECK(g.elf_machine() == 243);  // EM_RISCV
    CHECK(!g.version().empty());
    CHECK(name.find(g.version()) != std::string::npos);  // gsp-<version>.bin
    CHECK(g.image().name == ".fwimage");
    CHECK(g.image().size() > 1024 * 1024);
    REQUIRE(!g.signature_families().empty());
    for (const auto& family : g.signature_families()) CHECK(g.signature(family)->size() > 0);
    check_images(g.images(), b);
  }
}

TEST_CASE("the ga10x and ad10x GSP images carry their own signatures", "[firmware][nvidia]") {
  for (const char* chip : {"ga102", "ad102"}) {
    const std::string name = std::string("nvidia/") + chip + "/gsp/gsp-535.113.01.bin";
    INFO(name);
    const Bytes b = fwtest::read(name);
    const auto g = GspFirmware::parse(b, name);
    CHECK(g.version() == "535.113.01");
    CHECK(g.signature(chip[0] == 'g' ? "ga10x" : "ad10x") != nullptr);
    CHECK(g.signature("no-such-family") == nullptr);
  }
}

TEST_CASE("every booter decodes", "[firmware][nvidia]") {
  for (const auto& name : distinct(fwtest::nvidia_booter_files())) {
    INFO(name);
    const Bytes b = fwtest::read(name);
    const auto f = BooterFirmware::parse(b, name);
    const BinHeader& bin = f.bin();
    CHECK(bin.bin_magic == 0x10de);
    // The indirect fields hold file offsets of the values.
    CHECK(f.patch_location() == u32(b, f.hs().patch_loc));
    CHECK(f.signature_count() == u32(b, f.hs().num_sig));
    CHECK(f.signature_count() >= 1);
    const auto* image = f.find("image");
    REQUIRE(image);
    CHECK(image->file_offset == bin.data_offset);
    // Load-header offsets count from the image.
    REQUIRE(f.find("os_code"));
    CHECK(f.find("os_data")->file_offset == bin.data_offset + uint64_t{f.load().os_data_offset});
    REQUIRE(f.load().num_apps >= 1);
    CHECK(f.find("app0")->file_offset == bin.data_offset + uint64_t{f.apps()[0].offset});
    CHECK(f.find("signatures")->size() == f.hs().sig_prod_size);
    check_images(f.images(), b);
  }
}

TEST_CASE("every bootloader decodes", "[firmware][nvidia]") {
  for (const auto& name : distinct(fwtest::nvidia_bootloader_files())) {
    INFO(name);
    const Bytes b = fwtest::read(name);
    const auto f = BootloaderFirmware::parse(b, name);
    const auto& d = f.desc();
    CHECK(d.version == u32(b, f.bin().header_offset));
    const auto* boot = f.find("bootloader");
    REQUIRE(boot);
    CHECK(boot->file_offset == f.bin().data_offset + uint64_t{d.bootloader_offset});
    CHECK(boot->size() == d.bootloader_size);
    if (d.version >= 5) {
      REQUIRE(f.find("monitor_code"));
      CHECK(f.find("monitor_code")->file_offset == f.bin().data_offset + uint64_t{d.monitor_code_offset});
    }
    check_images(f.images(), b);
  }
}

TEST_CASE("corrupt NVIDIA files are rejected with file, field, expected and actual", "[firmware][nvidia]") {
  const std::string booter = "nvidia/ga102/gsp/booter_load-535.113.01.bin";
  const Bytes good = fwtest::read(booter);
  SECTION("bin header") {
    Bytes b = good;
    put_u32(b, 0, 0x1234);
    CHECK_THAT(error_of<BooterFirmware>(b, booter), Contains(booter) && Contains("bin_magic") && Contains("0x10de"));
    b = good;
    put_u32(b, 20, u32(b, 20) + 4);  // data_size past the end
    CHECK_THAT(error_of<BooterFirmware>(b, booter), Contains("data_offset, data_size"));
    b = Bytes(good.begin(), good.begin() + 10);
    CHECK_THAT(error_of<BooterFirmware>(b, booter), Contains("nvfw_bin_hdr"));
  }
  SECTION("indirect fields pointing outside the file") {
    Bytes b = good;
    const uint32_t hs = u32(b, 12);
    put_u32(b, hs + 8, 0xfffffff0);  // patch_loc
    CHECK_THAT(error_of<BooterFirmware>(b, booter), Contains("patch_loc"));
    b = good;
    put_u32(b, u32(b, hs + 24), 0);  // the signature count
    CHECK_THAT(error_of<BooterFirmware>(b, booter), Contains("num_sig"));
    b = good;
    put_u32(b, u32(b, hs + 8), 0x7fffffff);  // the patch location: outside the image
    CHECK_THAT(error_of<BooterFirmware>(b, booter), Contains("patch_loc") && Contains("the image"));
  }
  SECTION("load header") {
    Bytes b = good;
    const uint32_t load = u32(b, u32(b, 12) + 28);
    put_u32(b, load + 16, 1000);  // num_apps
    CHECK_THAT(error_of<BooterFirmware>(b, booter), Contains("num_apps"));
    b = good;
    put_u32(b, load + 12, 0x7fffffff);  // os_data_size
    CHECK_THAT(error_of<BooterFirmware>(b, booter), Contains("os_data_offset, os_data_size"));
  }
  SECTION("bootloader descriptor") {
    const std::string name = "nvidia/ga102/gsp/bootloader-535.113.01.bin";
    Bytes b = fwtest::read(name);
    const uint32_t desc = u32(b, 12);
    Bytes v = b;
    put_u32(v, desc, 9);
    CHECK_THAT(error_of<BootloaderFirmware>(v, name), Contains("version") && Contains("1 to 5") && Contains("9"));
    v = b;
    put_u32(v, desc + 48, 0xfffff000);  // monitorCodeOffset
    CHECK_THAT(error_of<BootloaderFirmware>(v, name), Contains("monitorCodeOffset"));
  }
  SECTION("GSP ELF") {
    const std::string name = "nvidia/ga102/gsp/gsp-535.113.01.bin";
    const Bytes g = fwtest::read(name);
    // Rename .fwversion in the section-name table.
    Bytes b = g;
    const std::string key = ".fwversion";
    auto it = std::search(b.rbegin(), b.rend(), key.rbegin(), key.rend(),
                          [](std::byte x, char c) { return std::to_integer<char>(x) == c; });
    REQUIRE(it != b.rend());
    *(it.base() - 1) = std::byte{'X'};
    CHECK_THAT(error_of<GspFirmware>(b, name), Contains(".fwversion") && Contains("no such section"));
    // Section headers past the end: the ELF reader names the file and the field.
    b = Bytes(g.begin(), g.begin() + static_cast<long>(g.size() - 64));
    CHECK_THAT(error_of<GspFirmware>(b, name), Contains(name) && Contains("section"));
  }
}
