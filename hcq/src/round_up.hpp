// `v` rounded up to a multiple of `a` (any a > 0): sizes and offsets padded to an alignment, in
// the front end and the backends that include hcq/src (am, nv).
#pragma once

#include <cstdint>

namespace hcq::detail {

constexpr uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

static_assert(round_up(0, 256) == 0 && round_up(1, 256) == 256 && round_up(256, 256) == 256 && round_up(7, 3) == 9);

}  // namespace hcq::detail
