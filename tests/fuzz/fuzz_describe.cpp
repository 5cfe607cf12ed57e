// libFuzzer target: format detection and the description hcq-fw prints, under every file name shape
// (the first input byte picks the name, so name-dependent paths are reached too).
#include "fuzz_common.hpp"
#include "hcq/firmware/describe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const names[] = {"amdgpu/gc_11_0_0_mec.bin", "amdgpu/psp_13_0_6_sos.bin", "amdgpu/smu_13_0_0.bin",
                                      "amdgpu/gc_12_0_0_toc.bin", "nvidia/ga102/gsp/bootloader-535.113.01.bin",
                                      "nvidia/ga102/gsp/booter_load-535.113.01.bin", "qcom/a630_sqe.fw",
                                      "qcom/a660_gmu.bin", "qcom/a630_gmu.bin", "unknown.bin"};
  if (size == 0) return 0;
  const char* name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
  fuzz::expect_ok_or_error([&] {
    const auto d = hcq::fw::describe(fuzz::bytes(data + 1, size - 1), name);
    volatile size_t n = d.header.size() + d.sections.size() + d.tables.size();
    (void)n;
  });
  return 0;
}
