// The firmware search path and transparent .zst / .xz files.
#include <lzma.h>
#include <stdlib.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "firmware_files.hpp"
#include "hcq/error.hpp"
#include "hcq/firmware/amdgpu.hpp"
#include "hcq/firmware/loader.hpp"

using Catch::Matchers::Contains;
using fwtest::Bytes;
namespace fw = hcq::fw;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const Bytes& b) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  REQUIRE(out.good());
}

Bytes zstd(const Bytes& in) {
  Bytes out(ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  REQUIRE(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

Bytes xz(const Bytes& in) {
  Bytes out(lzma_stream_buffer_bound(in.size()));
  size_t pos = 0;
  REQUIRE(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, nullptr, reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                                  reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()) == LZMA_OK);
  out.resize(pos);
  return out;
}

std::string error_of(const std::function<void()>& f) { return fwtest::error_of(f).what(); }

}  // namespace

TEST_CASE("the search path: plain files in every directory first, then .zst, then .xz", "[firmware][loader]") {
  const fs::path a = fwtest::temp_dir("a"), b = fwtest::temp_dir("b");
  const Bytes one = {std::byte{1}}, two = {std::byte{2}};
  write(a / "amdgpu/x.bin.zst", zstd(one));
  write(b / "amdgpu/x.bin", two);
  const fw::SearchPath path({a, b});
  CHECK(path.find("amdgpu/x.bin") == b / "amdgpu/x.bin");
  CHECK(fw::load("amdgpu/x.bin", path).bytes == two);
  fs::remove(b / "amdgpu/x.bin");
  write(b / "amdgpu/x.bin.xz", xz(two));
  const auto blob = fw::load("amdgpu/x.bin", path);
  CHECK(blob.path == a / "amdgpu/x.bin.zst");
  CHECK(blob.compression == fw::Compression::zstd);
  CHECK(blob.bytes == one);
  fs::remove(a / "amdgpu/x.bin.zst");
  CHECK(fw::load("amdgpu/x.bin", path).bytes == two);
  CHECK(fw::load("amdgpu/x.bin", path).compression == fw::Compression::xz);
}

TEST_CASE("$HCQ_FIRMWARE_PATH comes before the standard directories", "[firmware][loader]") {
  ::setenv("HCQ_FIRMWARE_PATH", "/opt/one::/opt/two", 1);
  const auto dirs = fw::SearchPath::standard().dirs();
  ::unsetenv("HCQ_FIRMWARE_PATH");
  REQUIRE(dirs.size() == 5);
  CHECK(dirs[0] == "/opt/one");
  CHECK(dirs[1] == "/opt/two");
  CHECK(dirs[2] == "/lib/firmware/updates");
  CHECK(dirs[3] == "/lib/firmware");
  CHECK(dirs[4] == "/usr/lib/firmware");
  CHECK(fw::SearchPath::standard().dirs().size() == 3);
}

TEST_CASE("compressed real firmware decodes to the same bytes", "[firmware][loader]") {
  const std::string name = "amdgpu/gc_11_0_0_mec.bin";
  const Bytes plain = fwtest::read(name);
  const fs::path dir = fwtest::temp_dir("compressed");
  write(dir / (name + ".zst"), zstd(plain));
  write(dir / "other" / (name + ".xz"), xz(plain));
  const auto z = fw::load(name, fw::SearchPath({dir}));
  CHECK(z.bytes == plain);
  const auto x = fw::load(name, fw::SearchPath({dir / "other"}));
  CHECK(x.bytes == plain);
  // The parsers see the decompressed file; the name's .xz suffix does not change its kind.
  const auto f = fw::amdgpu::Firmware::parse(x.span(), x.path.string());
  CHECK(f.kind() == fw::amdgpu::Kind::gfx);
  // load_file recognises the format by its magic.
  CHECK(fw::load_file(dir / (name + ".zst")).bytes == plain);
  // A plain name is used as it is, whatever its first bytes: only .zst/.xz files are decoded.
  write(dir / "raw" / name, zstd(plain));
  const auto raw = fw::load(name, fw::SearchPath({dir / "raw"}));
  CHECK(raw.compression == fw::Compression::none);
  CHECK(raw.bytes == zstd(plain));
}

TEST_CASE("damaged compressed files are errors naming the file", "[firmware][loader]") {
  const Bytes plain = fwtest::read("amdgpu/sdma_6_0_0.bin");
  const fs::path dir = fwtest::temp_dir("damaged");
  const fw::SearchPath path({dir});
  Bytes z = zstd(plain);
  z.resize(z.size() / 2);
  write(dir / "t.bin.zst", z);
  CHECK_THAT(error_of([&] { fw::load("t.bin", path); }), Contains("t.bin.zst") && Contains("zstd"));
  Bytes x = xz(plain);
  x.resize(x.size() - 20);
  write(dir / "u.bin.xz", x);
  CHECK_THAT(error_of([&] { fw::load("u.bin", path); }), Contains("u.bin.xz") && Contains("xz"));
  x = xz(plain);
  x[x.size() / 2] ^= std::byte{0x55};
  write(dir / "v.bin.xz", x);
  CHECK_THAT(error_of([&] { fw::load("v.bin", path); }), Contains("v.bin.xz") && Contains("xz"));
  write(dir / "w.bin.zst", plain);  // not compressed at all
  CHECK_THAT(error_of([&] { fw::load("w.bin", path); }), Contains("w.bin.zst") && Contains("magic"));
  Bytes garbage = zstd(plain);
  garbage.insert(garbage.end(), 16, std::byte{0x42});  // trailing bytes that are not a frame
  CHECK_THAT(error_of([&] { fw::decompress_zstd(garbage, "g"); }), Contains("zstd"));
  CHECK_THAT(error_of([&] { fw::decompress_zstd({}, "empty"); }), Contains("empty"));
}

TEST_CASE("a missing file names every directory searched and what to do", "[firmware][loader]") {
  const fs::path dir = fwtest::temp_dir("missing");
  const auto msg = error_of([&] { fw::load("amdgpu/none.bin", fw::SearchPath({dir, "/nonexistent"})); });
  CHECK_THAT(msg, Contains("amdgpu/none.bin") && Contains(dir.string()) && Contains("/nonexistent") &&
                      Contains("tools/install-deps.sh"));
}

TEST_CASE("names must be relative and stay inside the firmware directories", "[firmware][loader]") {
  const fw::SearchPath path({fwtest::temp_dir("names")});
  for (const char* bad : {"", "/etc/passwd", "../etc/passwd", "amdgpu/../../x"}) {
    INFO(bad);
    try {
      path.find(bad);
      FAIL("accepted");
    } catch (const hcq::Error& e) {
      CHECK(e.code() == hcq::Errc::invalid_argument);
    }
  }
}
