// The arithmetic of a bit field "hi:lo" inside one 32-bit word, shared by the register and method
// tables of the backends (am::Field, nv::reg::Field), which keep their own structs: am's carries
// the kernel's field name, nv's is two bytes.
#pragma once

#include <cstdint>

namespace hcq::detail::bits {

constexpr uint32_t width(uint8_t hi, uint8_t lo) { return hi - lo + 1u; }
constexpr uint32_t mask(uint8_t hi, uint8_t lo) {
  return (width(hi, lo) == 32 ? ~0u : (1u << width(hi, lo)) - 1u) << lo;
}
constexpr bool fits(uint8_t hi, uint8_t lo, uint32_t v) { return width(hi, lo) == 32 || (v >> width(hi, lo)) == 0; }
// `v` placed in the field (callers assert fits() first), and the field read back from a word.
constexpr uint32_t place(uint8_t hi, uint8_t lo, uint32_t v) { return (v << lo) & mask(hi, lo); }
constexpr uint32_t get(uint8_t hi, uint8_t lo, uint32_t word) { return (word & mask(hi, lo)) >> lo; }

static_assert(mask(31, 0) == 0xFFFFFFFFu && mask(4, 3) == 0x18u);
static_assert(place(4, 3, 2) == 0x10u && get(4, 3, 0x18u) == 3u && !fits(4, 3, 4));

}  // namespace hcq::detail::bits
