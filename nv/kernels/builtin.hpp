// Kernels libhcq carries for its own use on nv devices, embedded at build time (nv/meson.build,
// tools/embed.py) from the cubins nv/kernels/regenerate.sh builds.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace hcq::nv {

// The cubin named `key` ("copy-sm_90": copy.cu for sm_90); empty when there is none.
std::span<const std::byte> builtin_kernel(std::string_view key) noexcept;

}  // namespace hcq::nv
