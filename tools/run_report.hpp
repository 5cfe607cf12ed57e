// hcq-run's output: the result of a run and the kernel list, as text or as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hcq/hcq.hpp"
#include "run_args.hpp"

namespace hcq_run {

struct Launch {
  hcq::Dim3 grid;
  hcq::Dim3 block;
};

// Microseconds per run; device_us is empty when the device has no timestamp clock.
struct Timing {
  std::vector<double> device_us;
  std::vector<double> wall_us;
};

struct Stats {
  double min = 0;
  double median = 0;
};
Stats summarize(std::vector<double> samples);

struct RunReport {
  const hcq::Device& device;
  const hcq::KernelInfo& kernel;
  const std::string& file;
  const Launch& launch;
  const std::vector<BoundArg>& args;  // buffers hold what was downloaded after the run
  const Timing& timing;
  bool full = false;  // every element, not the first 16
};

void print_run(const RunReport& r);
nlohmann::ordered_json run_json(const RunReport& r);

void print_list(const hcq::Device& dev, const std::string& file, const std::vector<hcq::KernelInfo>& kernels);
nlohmann::ordered_json list_json(const hcq::Device& dev, const std::string& file, const std::vector<hcq::KernelInfo>& kernels);

}  // namespace hcq_run
