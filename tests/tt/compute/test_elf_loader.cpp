// The RV32 ELF loader: good images, zero fill, and every refusal with its message.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "elf32.hpp"
#include "elf_loader.hpp"
#include "firmware/layout.h"
#include "hcq/error.hpp"

using namespace hcq::tt;
using test::elf32;
using Catch::Matchers::Contains;

namespace {

constexpr uint64_t wh_l1 = 1464 * 1024;

std::string refusal(const std::vector<std::byte>& bytes, const L1Region& target = kernel_region()) {
  try {
    load_l1_image(bytes, "k.elf", target, wh_l1);
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::bad_code_object);
    return e.what();
  }
  return "accepted";
}

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::byte> b(c.size());
  std::memcpy(b.data(), c.data(), c.size());
  return b;
}

}  // namespace

TEST_CASE("tt elf: segments load at their addresses with the zero fill", "[tt][unit]") {
  auto img = load_l1_image(elf32({{0x4000, 16, 16}, {0x5000, 8, 64}}, 0x4010), "k.elf", kernel_region(), wh_l1);
  REQUIRE(img.segments.size() == 2);
  CHECK(img.entry == 0x4010);
  CHECK(img.segments[0].address == 0x4000);
  CHECK(img.segments[0].bytes.size() == 16);
  CHECK(img.segments[0].bytes[3] == std::byte{0xA3});
  CHECK(img.segments[1].bytes.size() == 64);
  CHECK(img.segments[1].bytes[7] == std::byte{0xA7});
  CHECK(img.segments[1].bytes[8] == std::byte{0});
  CHECK(img.segments[1].bytes[63] == std::byte{0});
}

TEST_CASE("tt elf: truncated and malformed files are refused", "[tt][unit]") {
  auto good = elf32({{0x4000, 64, 64}});
  for (size_t cut : {size_t{0}, size_t{10}, size_t{51}, size_t{60}, good.size() - 1}) {
    INFO("cut at " << cut);
    std::vector<std::byte> part(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK_THAT(refusal(part), Contains("k.elf"));
  }
  auto wrong_machine = good;
  test::put16(wrong_machine, 18, 62);  // x86-64
  CHECK_THAT(refusal(wrong_machine), Contains("machine 62"));
  auto memsz_small = elf32({{0x4000, 64, 32}});
  CHECK_THAT(refusal(memsz_small), Contains("p_filesz 0x40 is larger than p_memsz 0x20"));
  CHECK_THAT(refusal(elf32({})), Contains("no loadable segment"));
}

TEST_CASE("tt elf: out of L1, into the firmware, or overlapping segments", "[tt][unit]") {
  CHECK_THAT(refusal(elf32({{0x16E000 - 8, 16, 16}})), Contains("past the end of L1") && Contains("0x16e000"));
  CHECK_THAT(refusal(elf32({{0xFFB00000, 16, 16}})), Contains("past the end of L1"));
  CHECK_THAT(refusal(elf32({{0x1800, 16, 16}})), Contains("overlaps the firmware") && Contains("0x1000..0x2000"));
  CHECK_THAT(refusal(elf32({{0x0, 4, 4}})), Contains("overlaps the reset vector and mailbox"));
  CHECK_THAT(refusal(elf32({{0x1FF00, 0x200, 0x200}})), Contains("overlaps the scratch"));
  CHECK_THAT(refusal(elf32({{0x4000, 64, 64}, {0x4020, 8, 8}})), Contains("overlaps an earlier segment"));
  // The firmware must stay inside its own region, and may not reach the kernel's.
  CHECK_THAT(refusal(elf32({{0x4000, 64, 64}}), firmware_region()), Contains("overlaps the kernel image"));
  CHECK(load_l1_image(elf32({{0x1000, 64, 64}}), "fw", firmware_region(), wh_l1).segments.size() == 1);
}

TEST_CASE("tt elf: jal x0 encoding (golden words from binutils)", "[tt][unit]") {
  // `j 0x1000` at 0 and `j .` are what riscv64-unknown-elf-objdump shows for these words.
  CHECK(encode_jal_x0(0, 0x1000) == 0x0000106fu);
  CHECK(encode_jal_x0(0x100c, 0x100c) == 0x0000006fu);
  CHECK(encode_jal_x0(0x10, 0x0) == 0xff1ff06fu);  // j -16
  CHECK_THROWS_AS(encode_jal_x0(0, 0x200000), hcq::Error);
}

TEST_CASE("tt elf: the built firmware and kernels are accepted with their metadata", "[tt][unit]") {
  std::string fw = std::string(HCQ_TT_BUILD_DIR) + "/hcq-tt-firmware-wormhole_b0.elf";
  if (!std::filesystem::exists(fw)) {
    WARN("skipped: no " << fw << " (the build found no riscv64-unknown-elf-gcc)");
    return;
  }
  auto fw_bytes = read_file(fw);
  auto fw_img = load_l1_image(fw_bytes, "firmware", firmware_region(), wh_l1);
  CHECK(fw_img.entry == HCQ_TT_FIRMWARE_BASE);
  auto k_bytes = read_file(std::string(HCQ_TT_BUILD_DIR) + "/examples-tenstorrent-wormhole_b0.bin");
  auto k_img = load_l1_image(k_bytes, "examples", kernel_region(), wh_l1);
  auto kernels = read_kernels(k_bytes, "examples", k_img, HCQ_TT_SHARED_BYTES, HCQ_TT_ARGS_SIZE);
  REQUIRE(kernels.size() == 4);  // vadd_l1, dram_copy, spin, wait_flag
  auto copy = std::find_if(kernels.begin(), kernels.end(), [](const KernelEntry& k) { return k.info.name == "dram_copy"; });
  REQUIRE(copy != kernels.end());
  CHECK(copy->info.args[1].name == "dst");
  CHECK(copy->info.args[1].offset == 8);
  CHECK(copy->info.args_size == 24);
  for (const auto& k : kernels) CHECK((k.entry >= HCQ_TT_KERNEL_BASE && k.entry < HCQ_TT_KERNEL_BASE + HCQ_TT_KERNEL_SIZE));
  // The firmware is no kernel code object.
  CHECK_THROWS_WITH(read_kernels(fw_bytes, "firmware", fw_img, 0, 0), Contains("no .hcq.kernels section"));
}
