// libFuzzer target: the booter (nvfw_hs_header_v2) and bootloader (RM_RISCV_UCODE_DESC) parsers.
#include "fuzz_common.hpp"
#include "hcq/firmware/nvidia.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hcq::fw::nvidia;
  const auto b = fuzz::bytes(data, size);
  fuzz::expect_ok_or_error([&] { fuzz::touch(BooterFirmware::parse(b, "booter_load-fuzz.bin").images()); });
  fuzz::expect_ok_or_error([&] { fuzz::touch(BootloaderFirmware::parse(b, "bootloader-fuzz.bin").images()); });
  return 0;
}
