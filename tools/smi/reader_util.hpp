// Small helpers the sysfs vendor readers (amdgpu.cpp, tenstorrent.cpp, kgsl.cpp, hwmon.cpp)
// share; private to tools/smi.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs.hpp"  // excerpt()
#include "model.hpp"

namespace hcq::smi {

// Why `driver`'s sysfs files cannot exist for this record, or nullopt when `driver` owns it.
// read_pci has filled F::driver: a kernel driver's name, "none", or a kmd-free lock holder.
inline std::optional<std::string> not_owned_by(const Record& r, std::string_view driver) {
  const std::string* owner = r.at(F::driver).text();
  if (owner && *owner == driver) return std::nullopt;
  if (!owner || *owner == "none") return std::string("no driver bound");
  if (owner->rfind("libhcq", 0) == 0) return "owned by " + *owner;
  return "bound to " + *owner;
}

// Puts the same missing value into several fields.
inline void put_all(Record& r, std::initializer_list<F> fields, const Value& v) {
  for (F f : fields) r.put(f, v);
}

// "a, b, c"
inline std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string s;
  for (const auto& p : parts) {
    if (!s.empty()) s += sep;
    s += p;
  }
  return s;
}

// Hz as whole MHz, rounded (sysfs clocks in Hz: amdgpu hwmon freqN_input, KGSL gpuclk). Written
// so that no reading, however absurd, overflows.
inline int64_t hz_to_mhz(int64_t hz) { return hz / 1'000'000 + (hz % 1'000'000 >= 500'000 ? 1 : 0); }

}  // namespace hcq::smi
