// libFuzzer target: the amdgpu parser, every kind, on the same input.
#include "fuzz_common.hpp"
#include "hcq/firmware/amdgpu.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hcq::fw::amdgpu;
  const auto b = fuzz::bytes(data, size);
  for (Kind kind : {Kind::common, Kind::gfx, Kind::rlc, Kind::mes, Kind::imu, Kind::sdma, Kind::psp, Kind::psp_image,
                    Kind::ta, Kind::smc, Kind::rlc_toc, Kind::dmcub, Kind::vcn}) {
    fuzz::expect_ok_or_error([&] {
      const auto f = Firmware::parse(b, "fuzz.bin", kind);
      fuzz::touch(f.payload());
      fuzz::touch(f.images());
    });
  }
  return 0;
}
