// Opening the gfx1100 model under an am::Gpu for the sim tests.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "am/gpu.hpp"
#include "am/sim/model.hpp"

// Sim cases need the real firmware files: without them they say so and pass nothing.
#define AM_NEED_FIRMWARE()                                      \
  do {                                                          \
    if (!amtest::have_firmware()) {                             \
      WARN("gfx1100 firmware not installed: case not run");     \
      return;                                                   \
    }                                                           \
  } while (0)

namespace amtest {

struct SimGpu {
  hcq::am::sim::Inspect* model = nullptr;  // owned by the device inside gpu
  std::unique_ptr<hcq::am::Gpu> gpu;
};

hcq::am::Gpu::Options fast_options();  // short poll timeout: error paths end quickly
SimGpu open(hcq::am::sim::ModelOptions model = {}, hcq::am::Gpu::Options options = fast_options());
// Whether the gfx1100 firmware files are on the search path (tools/install-deps.sh installs them).
bool have_firmware();
// A fresh empty directory under the system temp dir, removed by the caller.
std::filesystem::path temp_dir(const std::string& tag);

}  // namespace amtest
