#include "devices.hpp"

#include <cstdlib>

namespace hcq::test {

std::vector<std::string> conformance_devices() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("HCQ_CONFORMANCE_DEVICES"); env && *env) {
    std::string_view list = env;
    while (!list.empty()) {
      size_t comma = list.find(',');
      out.emplace_back(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
    return out;
  }
  const char* hw = std::getenv("HCQ_TEST_HW");
  bool with_hw = hw && std::string_view(hw) == "1";
  for (const auto& d : devices()) {
    bool simulated = d.backend == "cpu" || d.backend == "sim" || d.uri.find("ttsim") != std::string::npos;
    if (simulated || with_hw) out.push_back(d.uri);
  }
  out.push_back("cpu:1?signal_bits=32");
  return out;
}

std::string conformance_program_path(const Device& device) {
  const auto& p = device.props();
  const char* env = std::getenv("HCQ_TEST_KERNELS_DIR");  // a build copied to another machine
  std::string dir = env && *env ? env : HCQ_TEST_KERNELS_DIR;
  if (p.vendor == "cpu") return dir + "/conformance-cpu.so";
  return dir + "/conformance-" + p.vendor + "-" + p.arch + ".bin";
}

Program conformance_program(Device& device) { return device.load_program_file(conformance_program_path(device)); }

}  // namespace hcq::test
