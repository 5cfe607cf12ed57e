// Kernel signatures as text, "name(a: ptr, n: u32)": the metadata format of cpu code objects and
// of the optional signature annotations in other code objects (see include/hcq/cpu_kernel.h).
#pragma once

#include <string>
#include <string_view>

#include "hcq/program.hpp"

namespace hcq::detail {

std::string_view trim(std::string_view s);
bool is_identifier(std::string_view s);
// The ArgKind spelled `s` ("ptr", "u32", ...); false when `s` names none.
bool kind_from(std::string_view s, ArgKind& out);

// Parses "name(a: ptr, n: u32)" into a KernelInfo (offsets at natural alignment, size rounded to
// 8). Throws hcq::Error(bad_code_object) naming `what` and the problem. A by-value block is
// `bytes[N]` (aligned to the largest power of two up to 8 that divides N, as a C struct of that
// size usually is) or `bytes[N:A]` with its alignment A (1, 2, 4, 8 or 16) given.
KernelInfo parse_signature(std::string_view signature, const std::string& what);

}  // namespace hcq::detail
