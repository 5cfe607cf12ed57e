#pragma once

namespace hcq {
// The library's version, "major.minor.patch"; the C ABI reports the same through hcq_version().
const char* version() noexcept;
}  // namespace hcq
