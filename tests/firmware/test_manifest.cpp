// Per-chip manifests and checking the installed firmware against them.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "firmware_files.hpp"
#include "hcq/error.hpp"
#include "hcq/firmware/manifest.hpp"

using Catch::Matchers::Contains;
namespace fw = hcq::fw;
namespace fs = std::filesystem;

namespace {

const fw::ManifestEntry* entry(const fw::Manifest& m, std::string_view role) {
  for (const auto& e : m.entries)
    if (e.role == role) return &e;
  return nullptr;
}

size_t position(const fw::Manifest& m, std::string_view role) {
  for (size_t i = 0; i < m.entries.size(); ++i)
    if (m.entries[i].role == role) return i;
  FAIL("no " << role << " in " << m.chip);
  return 0;
}

void copy_to(const fs::path& root, const std::string& name, const std::string& as) {
  const auto found = fw::SearchPath::standard().find(name);
  REQUIRE(found);
  fs::create_directories((root / as).parent_path());
  fs::copy_file(*found, root / as, fs::copy_options::overwrite_existing);
}

}  // namespace

TEST_CASE("the 7900 XTX manifest is derived from its IP versions", "[firmware][manifest]") {
  const auto m = fw::chip_manifest("gfx1100");
  CHECK(m.product.find("7900") != std::string::npos);
  const std::pair<const char*, const char*> expected[] = {
      {"psp_sos", "amdgpu/psp_13_0_0_sos.bin"}, {"smu", "amdgpu/smu_13_0_0.bin"},
      {"sdma", "amdgpu/sdma_6_0_0.bin"},        {"cp_mec", "amdgpu/gc_11_0_0_mec.bin"},
      {"imu", "amdgpu/gc_11_0_0_imu.bin"},      {"rlc", "amdgpu/gc_11_0_0_rlc.bin"},
      {"mes", "amdgpu/gc_11_0_0_mes_2.bin"},    {"vcn", "amdgpu/vcn_4_0_0.bin"},
      {"dmcub", "amdgpu/dcn_3_2_0_dmcub.bin"},
  };
  for (const auto& [role, file] : expected) {
    INFO(role);
    const auto* e = entry(m, role);
    REQUIRE(e);
    CHECK(e->file == file);
  }
  // Load order: PSP first, then SMU, SDMA, the CP, IMU, RLC.
  CHECK(position(m, "psp_sos") == 0);
  CHECK(position(m, "smu") < position(m, "sdma"));
  CHECK(position(m, "sdma") < position(m, "cp_mec"));
  CHECK(position(m, "cp_mec") < position(m, "imu"));
  CHECK(position(m, "imu") < position(m, "rlc"));
  const auto& mec = std::get<fw::AmdExpect>(entry(m, "cp_mec")->expect);
  CHECK(mec.header_versions == std::vector<std::pair<uint16_t, uint16_t>>{{2, 0}});
  CHECK(mec.ip_major == 11);
  CHECK(entry(m, "cp_mec")->required);
  CHECK(!entry(m, "dmcub")->required);
  // The same rules give MI300X and gfx12 their own files.
  const auto mi300 = fw::chip_manifest("gfx942");
  CHECK(entry(mi300, "psp_sos")->file == "amdgpu/psp_13_0_6_sos.bin");
  CHECK(entry(mi300, "cp_mec")->file == "amdgpu/gc_9_4_3_mec.bin");
  CHECK(entry(mi300, "imu") == nullptr);
  CHECK(entry(mi300, "dmcub") == nullptr);
  const auto rx9070 = fw::chip_manifest("gfx1201");
  CHECK(entry(rx9070, "sdma")->file == "amdgpu/sdma_7_0_1.bin");
  // gc 12 loads the unified MES by default (amdgpu_mes.c, amdgpu_uni_mes=1); gc 11 has none.
  CHECK(entry(rx9070, "mes_uni")->file == "amdgpu/gc_12_0_1_uni_mes.bin");
  CHECK(entry(m, "mes_uni") == nullptr);
}

TEST_CASE("manifests for IP versions no rule covers are refused", "[firmware][manifest]") {
  fw::AmdIps ips = *fw::amd_chip_ips("gfx1100");
  ips.gc = {11, 0, 1};  // an APU with F32 CP firmware
  try {
    fw::amd_manifest(ips, "apu");
    FAIL("accepted");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::unsupported);
    CHECK_THAT(e.what(), Contains("GC version") && Contains("11.0.1") && Contains("11.0.0"));
  }
  CHECK_THROWS_WITH(fw::chip_manifest("gfx9999"), Contains("gfx9999") && Contains("gfx1100") && Contains("a630"));
}

TEST_CASE("every chip's firmware is installed and as expected", "[firmware][manifest]") {
  for (const auto& chip : fw::chips()) {
    INFO(chip.name);
    const auto m = fw::chip_manifest(chip.name);
    REQUIRE(!m.entries.empty());
    const auto report = fw::check(m);
    for (const auto& r : report.results) {
      INFO(r.entry.file << ": " << fw::to_string(r.status) << " " << r.detail);
      if (r.status == fw::Status::missing)
        FAIL(r.entry.file << " is not installed: run tools/install-deps.sh (Debian's firmware packages)");
      CHECK(r.status == fw::Status::present);
      CHECK(!r.version.empty());
    }
    CHECK(report.ok());
  }
}

TEST_CASE("check reports missing, invalid and unexpected files", "[firmware][manifest]") {
  const auto m = fw::chip_manifest("gfx1100");
  const fs::path root = fwtest::temp_dir("check");
  const fw::SearchPath path({root});
  auto status = [&](std::string_view role) {
    const auto report = fw::check(m, path);
    for (const auto& r : report.results)
      if (r.entry.role == role) return r;
    FAIL("no " << role);
    return fw::CheckResult{};
  };
  CHECK(status("cp_mec").status == fw::Status::missing);
  CHECK(!fw::check(m, path).ok());
  // An F32 (gfx v1.0) MEC where the RS64 one belongs.
  copy_to(root, "amdgpu/gc_11_0_1_mec.bin", "amdgpu/gc_11_0_0_mec.bin");
  auto r = status("cp_mec");
  CHECK(r.status == fw::Status::unexpected);
  CHECK_THAT(r.detail, Contains("header_version") && Contains("2.0") && Contains("1.0"));
  // A newer header minor of an expected major that the parser knows (gc 11 RLC 2.3 -> 2.4, whose extra
  // fields are zero here) is accepted with a note; an older minor or another major is not.
  copy_to(root, "amdgpu/gc_11_0_0_rlc.bin", "amdgpu/gc_11_0_0_rlc.bin");
  auto set_rlc_minor = [&](uint16_t major, uint16_t minor) {
    std::fstream f(root / "amdgpu/gc_11_0_0_rlc.bin", std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(8);
    f.write(reinterpret_cast<const char*>(&major), 2);
    f.write(reinterpret_cast<const char*>(&minor), 2);
  };
  set_rlc_minor(2, 4);
  r = status("rlc");
  CHECK(r.status == fw::Status::present);
  CHECK_THAT(r.detail, Contains("2.4") && Contains("newer") && Contains("2.3"));
  set_rlc_minor(2, 2);
  r = status("rlc");
  CHECK(r.status == fw::Status::unexpected);
  CHECK_THAT(r.detail, Contains("expected 2.3") && Contains("2.2"));
  set_rlc_minor(3, 0);
  CHECK(status("rlc").status == fw::Status::invalid);  // a version the parser does not know
  // A truncated file.
  {
    std::ofstream out(root / "amdgpu/gc_11_0_0_mec.bin", std::ios::binary | std::ios::trunc);
    out << "short";
  }
  r = status("cp_mec");
  CHECK(r.status == fw::Status::invalid);
  CHECK_THAT(r.detail, Contains("gc_11_0_0_mec.bin"));
  // An Adreno SQE with another firmware id.
  const auto a630 = fw::chip_manifest("a630");
  copy_to(root, "qcom/a650_sqe.fw", "qcom/a630_sqe.fw");
  const auto report = fw::check(a630, path);
  CHECK(report.results[0].status == fw::Status::unexpected);
  CHECK_THAT(report.results[0].detail, Contains("0x6ee"));
  // A GSP image without the chip family's signature: the tu10x image under a ga102 name.
  copy_to(root, "nvidia/tu102/gsp/gsp-535.113.01.bin", "nvidia/ga102/gsp/gsp-535.113.01.bin");
  const auto ga102 = fw::check(fw::chip_manifest("ga102"), path);
  for (const auto& res : ga102.results)
    if (res.entry.role == "gsp") CHECK_THAT(res.detail, Contains(".fwsignature_ga10x"));
}
