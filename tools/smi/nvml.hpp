// NVML, loaded at run time when the NVIDIA driver ships it, for the values the open RM interface
// does not expose (power draw and limit, clocks, fan). Every value it gives is tagged "nvml".
#pragma once

#include <memory>
#include <string>

#include "model.hpp"

namespace hcq::smi {

class Nvml {
 public:
  // dlopens `path` ("" = libnvidia-ml.so.1) and initialises it; nullptr with `why` set when the
  // library is absent or refuses (no NVIDIA driver, a driver/library mismatch).
  static std::unique_ptr<Nvml> open(const std::string& path, std::string* why);
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;

  // Puts power, clocks and fan of the GPU at `bdf` into `r` (values or why not).
  void read(const std::string& bdf, Record& r);

  struct Api;

 private:
  explicit Nvml(void* handle, std::unique_ptr<Api> api);
  void* handle_;
  std::unique_ptr<Api> api_;
};

}  // namespace hcq::smi
