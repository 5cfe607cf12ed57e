// Loading cpu code objects: host ELF shared objects with an ".hcq.kernels" metadata section
// (format in include/hcq/cpu_kernel.h).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "../src/backend.hpp"

namespace hcq::cpu {

// Parses "name(a: ptr, n: u32)" into a KernelInfo (offsets at natural alignment, size rounded to
// 8). Throws hcq::Error(bad_code_object) naming `what` and the problem.
KernelInfo parse_signature(std::string_view signature, const std::string& what);

// Validates the ELF and its records, then loads it with dlopen from an anonymous file.
std::shared_ptr<detail::ProgramImpl> load_host_elf(std::shared_ptr<detail::DeviceImpl> device,
                                                   std::span<const std::byte> bytes, const std::string& name);

}  // namespace hcq::cpu
