// libFuzzer target: the Adreno SQE and GMU (both layouts) parsers.
#include "fuzz_common.hpp"
#include "hcq/firmware/qcom.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hcq::fw::qcom;
  const auto b = fuzz::bytes(data, size);
  fuzz::expect_ok_or_error([&] { fuzz::touch(SqeFirmware::parse(b, "fuzz_sqe.fw").images()); });
  for (auto layout : {GmuFirmware::Layout::blocks, GmuFirmware::Layout::legacy}) {
    fuzz::expect_ok_or_error([&] {
      const auto g = GmuFirmware::parse(b, "fuzz_gmu.bin", layout);
      fuzz::touch(g.images());
      for (const auto& blk : g.blocks()) fuzz::touch(blk.data);
    });
  }
  return 0;
}
