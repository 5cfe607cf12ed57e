// libFuzzer target: the .zst and .xz decoders (with a 16 MiB output limit to keep runs fast).
#include "fuzz_common.hpp"
#include "hcq/firmware/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto b = fuzz::bytes(data, size);
  constexpr uint64_t limit = uint64_t{16} << 20;
  fuzz::expect_ok_or_error([&] { fuzz::touch(hcq::fw::decompress_zstd(b, "fuzz.zst", limit)); });
  fuzz::expect_ok_or_error([&] { fuzz::touch(hcq::fw::decompress_xz(b, "fuzz.xz", limit)); });
  return 0;
}
