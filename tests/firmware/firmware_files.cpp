#include "firmware_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <set>

namespace fwtest {

namespace fs = std::filesystem;

std::vector<std::string> installed(const std::string& dir, const std::function<bool(std::string_view)>& wanted,
                                   const std::string& package) {
  const auto path = hcq::fw::SearchPath::standard();
  std::set<std::string> names;
  std::string searched;
  for (const auto& root : path.dirs()) {
    searched += (searched.empty() ? "" : ", ") + root.string();
    std::error_code ec;
    const fs::path base = root / dir;
    if (!fs::is_directory(base, ec)) continue;
    for (fs::recursive_directory_iterator it(base, ec), end; it != end; it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file(ec)) continue;
      std::string name = it->path().filename().string();
      for (const char* suffix : {".zst", ".xz"}) {
        const size_t n = std::strlen(suffix);
        if (name.size() > n && name.compare(name.size() - n, n, suffix) == 0) name.resize(name.size() - n);
      }
      if (!wanted(name)) continue;
      const fs::path rel = fs::relative(it->path().parent_path(), root, ec) / name;
      names.insert(rel.generic_string());
    }
  }
  if (names.empty())
    FAIL("no " << dir << " firmware matching the test's pattern on the search path (" << searched
               << "): install Debian's " << package << " with tools/install-deps.sh (it adds bookworm-backports)");
  return {names.begin(), names.end()};
}

namespace {

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends(std::string_view s, std::string_view t) { return s.size() >= t.size() && s.substr(s.size() - t.size()) == t; }

}  // namespace

std::vector<std::string> amdgpu_family_files() {
  static const std::vector<std::string> files = installed(
      "amdgpu",
      [](std::string_view n) {
        if (!ends(n, ".bin")) return false;
        for (std::string_view p : {"gc_9_4_3_", "gc_11_", "gc_12_", "psp_13_", "psp_14_", "smu_13_", "smu_14_",
                                   "sdma_4_4_2.", "sdma_6_", "sdma_7_", "vcn_4_", "vcn_5_"})
          if (starts(n, p)) return true;
        for (std::string_view p : {"dcn_3_1_4_", "dcn_3_1_5_", "dcn_3_1_6_", "dcn_3_2_", "dcn_3_5", "dcn_4_"})
          if (starts(n, p) && ends(n, "_dmcub.bin")) return true;
        return false;
      },
      "firmware-amd-graphics");
  return files;
}

std::vector<std::string> nvidia_gsp_files() {
  return installed("nvidia", [](std::string_view n) { return starts(n, "gsp-") && ends(n, ".bin"); },
                   "firmware-nvidia-graphics");
}
std::vector<std::string> nvidia_booter_files() {
  return installed("nvidia", [](std::string_view n) { return starts(n, "booter_") && ends(n, ".bin"); },
                   "firmware-nvidia-graphics");
}
std::vector<std::string> nvidia_bootloader_files() {
  return installed("nvidia", [](std::string_view n) { return starts(n, "bootloader-") && ends(n, ".bin"); },
                   "firmware-nvidia-graphics");
}
std::vector<std::string> adreno_sqe_files() {
  return installed("qcom", [](std::string_view n) { return ends(n, "_sqe.fw"); }, "firmware-qcom-soc");
}
std::vector<std::string> adreno_gmu_files() {
  return installed("qcom", [](std::string_view n) { return ends(n, "_gmu.bin"); }, "firmware-qcom-soc");
}

Bytes read(const std::string& name) { return hcq::fw::load(name).bytes; }

uint32_t u32(const Bytes& b, size_t off) {
  REQUIRE(off + 4 <= b.size());
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

void put_u32(Bytes& b, size_t off, uint32_t v) {
  REQUIRE(off + 4 <= b.size());
  std::memcpy(b.data() + off, &v, 4);
}

hcq::Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const hcq::Error& e) {
    CHECK(e.code() != hcq::Errc::internal);
    return e;
  }
  FAIL("no error was thrown");
  return hcq::Error(hcq::Errc::internal, "", "", "");
}

namespace {
struct TempRoot {
  fs::path root;
  TempRoot() {
    root = fs::temp_directory_path() / ("hcq-fw-test-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};
}  // namespace

std::string temp_dir(const std::string& tag) {
  static TempRoot root;
  static int counter = 0;
  const fs::path d = root.root / (tag + "-" + std::to_string(counter++));
  fs::create_directories(d);
  return d.string();
}

}  // namespace fwtest
