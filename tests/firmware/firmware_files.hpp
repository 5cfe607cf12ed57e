// The installed firmware the tests decode: found through the loader's own search path
// ($HCQ_FIRMWARE_PATH, /lib/firmware/updates, /lib/firmware, /usr/lib/firmware). CI installs Debian's
// firmware-amd-graphics, firmware-nvidia-graphics and firmware-qcom-soc (tools/install-deps.sh);
// when they are absent the tests fail and say so, they never skip.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

#include "hcq/error.hpp"
#include "hcq/firmware/loader.hpp"

namespace fwtest {

using Bytes = std::vector<std::byte>;

// Relative names ("amdgpu/gc_11_0_0_mec.bin") under `dir` of the search path whose file name (without
// .zst/.xz) `wanted` accepts, sorted, without duplicates. Fails the test (with the install hint) when none.
std::vector<std::string> installed(const std::string& dir, const std::function<bool(std::string_view)>& wanted,
                                   const std::string& package);

// Every amdgpu file of the gfx9.4.3 (MI300X), gfx11 and gfx12 families: GC 9.4.3, 11.x, 12.x;
// PSP/SMU 13.x and 14.x; SDMA 4.4.2, 6.x, 7.x; VCN 4.x, 5.x; DCN 3.1.4-3.5 and 4.x.
std::vector<std::string> amdgpu_family_files();
std::vector<std::string> nvidia_gsp_files();         // nvidia/*/gsp/gsp-*.bin
std::vector<std::string> nvidia_booter_files();      // nvidia/*/gsp/booter_{load,unload}-*.bin
std::vector<std::string> nvidia_bootloader_files();  // nvidia/*/gsp/bootloader-*.bin
std::vector<std::string> adreno_sqe_files();         // qcom/*_sqe.fw
std::vector<std::string> adreno_gmu_files();         // qcom/*_gmu.bin

// The decompressed bytes of an installed file.
Bytes read(const std::string& name);

// A little-endian u32 at `off` (REQUIREs it to be inside).
uint32_t u32(const Bytes& b, size_t off);
void put_u32(Bytes& b, size_t off, uint32_t v);

// The hcq::Error `f` throws; fails the test when it throws nothing, or an internal error (a parser's
// own bounds check tripping is a bug, not a verdict on the input).
hcq::Error error_of(const std::function<void()>& f);

// A fresh empty directory under the system temp directory, removed at exit of the test binary.
std::string temp_dir(const std::string& tag);

}  // namespace fwtest
