// libFuzzer target: the GSP-RM ELF parser (and libhcq's ELF reader under it).
#include "fuzz_common.hpp"
#include "hcq/firmware/nvidia.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::expect_ok_or_error([&] {
    const auto g = hcq::fw::nvidia::GspFirmware::parse(fuzz::bytes(data, size), "gsp-fuzz.bin");
    fuzz::touch(g.images());
    for (const auto& family : g.signature_families()) fuzz::touch(g.signature(family)->bytes);
  });
  return 0;
}
