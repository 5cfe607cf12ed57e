// Hostile input: deterministic random mutations and truncations of real files of every format go
// through the detection and every parser. Each must succeed or throw hcq::Error (never another
// exception, a crash or an out-of-bounds read: the ASan/UBSan build runs this too). The fuzzers
// (tests/fuzz/) do the same at length.
#include <catch2/catch.hpp>
#include <random>
#include <string_view>

#include "firmware_files.hpp"
#include "hcq/error.hpp"
#include "hcq/firmware/amdgpu.hpp"
#include "hcq/firmware/describe.hpp"
#include "hcq/firmware/nvidia.hpp"
#include "hcq/firmware/qcom.hpp"

namespace fw = hcq::fw;
using fwtest::Bytes;

namespace {

// Runs every parser on `b`; returns how many accepted it.
int parse_all(std::span<const std::byte> b, const std::string& name) {
  int accepted = 0;
  auto attempt = [&](auto&& f) {
    try {
      f();
      ++accepted;
    } catch (const hcq::Error& e) {
      if (e.code() == hcq::Errc::internal) FAIL_CHECK(name << ": internal error: " << e.what());
    }
  };
  attempt([&] { fw::describe(b, name); });
  for (auto kind : {fw::amdgpu::Kind::gfx, fw::amdgpu::Kind::rlc, fw::amdgpu::Kind::mes, fw::amdgpu::Kind::imu,
                    fw::amdgpu::Kind::sdma, fw::amdgpu::Kind::psp, fw::amdgpu::Kind::psp_image, fw::amdgpu::Kind::ta,
                    fw::amdgpu::Kind::smc, fw::amdgpu::Kind::rlc_toc, fw::amdgpu::Kind::dmcub, fw::amdgpu::Kind::vcn,
                    fw::amdgpu::Kind::common})
    attempt([&] { fw::amdgpu::Firmware::parse(b, name, kind); });
  attempt([&] { fw::nvidia::GspFirmware::parse(b, name); });
  attempt([&] { fw::nvidia::BooterFirmware::parse(b, name); });
  attempt([&] { fw::nvidia::BootloaderFirmware::parse(b, name); });
  attempt([&] { fw::qcom::SqeFirmware::parse(b, name); });
  attempt([&] { fw::qcom::GmuFirmware::parse(b, name, fw::qcom::GmuFirmware::Layout::blocks); });
  attempt([&] { fw::qcom::GmuFirmware::parse(b, name, fw::qcom::GmuFirmware::Layout::legacy); });
  return accepted;
}

}  // namespace

TEST_CASE("mutated and truncated firmware never crashes a parser", "[firmware][hostile]") {
  const char* const files[] = {
      "amdgpu/gc_11_0_0_mec.bin", "amdgpu/gc_9_4_3_mec.bin",  "amdgpu/gc_11_0_0_rlc.bin", "amdgpu/gc_12_0_0_rlc.bin",
      "amdgpu/gc_11_0_0_mes_2.bin", "amdgpu/gc_11_0_0_imu.bin", "amdgpu/sdma_4_4_2.bin", "amdgpu/sdma_6_0_0.bin",
      "amdgpu/sdma_7_0_0.bin",    "amdgpu/psp_13_0_6_sos.bin", "amdgpu/psp_13_0_0_ta.bin", "amdgpu/smu_13_0_0.bin",
      "amdgpu/smu_14_0_2.bin",    "amdgpu/gc_12_0_0_toc.bin", "amdgpu/dcn_3_2_0_dmcub.bin", "amdgpu/vcn_4_0_0.bin",
      "nvidia/ga102/gsp/booter_load-535.113.01.bin", "nvidia/ad102/gsp/bootloader-535.113.01.bin",
      "nvidia/ga102/gsp/gsp-535.113.01.bin", "qcom/a630_sqe.fw", "qcom/gen70500_sqe.fw", "qcom/a660_gmu.bin",
      "qcom/a630_gmu.bin",
  };
  std::mt19937_64 rng(0x4843512d4657ull);  // fixed: the same mutations every run
  for (const char* name : files) {
    INFO(name);
    Bytes b = fwtest::read(name);
    CHECK(parse_all(b, name) >= 1);
    // Mutate the first 1 KiB (headers, descriptors) and a few bytes anywhere; restore after each round,
    // so large files are not copied.
    const size_t head = std::min<size_t>(b.size(), 1024);
    for (int round = 0; round < 150; ++round) {
      std::vector<std::pair<size_t, std::byte>> saved;
      const int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits; ++e) {
        const size_t at = (e % 4 == 3) ? rng() % b.size() : rng() % head;
        saved.emplace_back(at, b[at]);
        const uint64_t r = rng();
        b[at] = (r & 3) == 0 ? std::byte{0xff} : (r & 3) == 1 ? std::byte{0} : std::byte(r >> 8);
      }
      parse_all(b, name);
      for (auto it = saved.rbegin(); it != saved.rend(); ++it) b[it->first] = it->second;
    }
    for (int round = 0; round < 40; ++round) {
      const size_t keep = round < 20 ? rng() % (head + 1) : rng() % (b.size() + 1);
      parse_all(std::span<const std::byte>(b).first(keep), name);
    }
  }
}

TEST_CASE("a truncated file is described by what its name says it is", "[firmware][hostile]") {
  using Catch::Matchers::Contains;
  const Bytes b = fwtest::read("amdgpu/gc_11_0_0_mec.bin");
  const auto cut = std::span<const std::byte>(b).first(100);
  // An amdgpu name: the amdgpu parser reports size_bytes against the file's size.
  const auto named = fwtest::error_of([&] { fw::describe(cut, "amdgpu/gc_11_0_0_mec.bin"); });
  CHECK(named.code() == hcq::Errc::bad_code_object);
  CHECK_THAT(named.what(), Contains("gc_11_0_0_mec.bin") && Contains("size_bytes") && Contains("100") &&
                               Contains(std::to_string(b.size())));
  // A name that says nothing: the format is unknown, and the message lists what was looked for.
  const auto anonymous = fwtest::error_of([&] { fw::describe(cut, "blob"); });
  CHECK(anonymous.code() == hcq::Errc::unsupported);
  CHECK_THAT(anonymous.what(), Contains("blob") && Contains("format") && Contains("amdgpu common header"));
}
