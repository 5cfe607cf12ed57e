// Loading cpu code objects: host ELF shared objects with an ".hcq.kernels" metadata section
// (format in include/hcq/cpu_kernel.h).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "../src/backend.hpp"

namespace hcq::cpu {

// Validates the ELF and its records, then loads it with dlopen from an anonymous file.
std::shared_ptr<detail::ProgramImpl> load_host_elf(std::shared_ptr<detail::DeviceImpl> device,
                                                   std::span<const std::byte> bytes, const std::string& name);

}  // namespace hcq::cpu
