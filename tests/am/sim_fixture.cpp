#include "sim_fixture.hpp"

#include <unistd.h>

#include "hcq/firmware/loader.hpp"
#include "kmd-free/pci_sim.hpp"

namespace amtest {

hcq::am::Gpu::Options fast_options() {
  hcq::am::Gpu::Options o;
  o.poll_timeout = std::chrono::milliseconds(300);
  return o;
}

SimGpu open(hcq::am::sim::ModelOptions model, hcq::am::Gpu::Options options) {
  auto m = hcq::am::sim::make_gfx1100(std::move(model));
  SimGpu s;
  s.model = dynamic_cast<hcq::am::sim::Inspect*>(m.get());
  s.gpu = std::make_unique<hcq::am::Gpu>(hcq::kmdfree::open_sim(std::move(m)), std::move(options));
  return s;
}

bool have_firmware() {
  auto path = hcq::fw::SearchPath::standard();
  for (const char* f : {"amdgpu/psp_13_0_0_sos.bin", "amdgpu/smu_13_0_0.bin", "amdgpu/sdma_6_0_0.bin",
                        "amdgpu/gc_11_0_0_mec.bin", "amdgpu/gc_11_0_0_imu.bin", "amdgpu/gc_11_0_0_rlc.bin"})
    if (!path.find(f)) return false;
  return true;
}

std::filesystem::path temp_dir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("hcq-am-" + tag + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace amtest
