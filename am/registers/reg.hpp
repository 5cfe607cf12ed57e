// Register descriptions for AMD GPUs: our own tables of the facts in Linux's
// drivers/gpu/drm/amd/include/asic_reg/<ip>/<ip>_<ver>_offset.h and _sh_mask.h (torvalds/linux).
//
// A register is (IP, segment, dword offset); its absolute dword address is
// base[ip][instance][segment] + offset, with the bases from IP discovery (am/discovery.hpp). One
// header per IP version (gc_11_0_0.hpp, mp_13_0_0.hpp, ...) holds only the registers we use, each
// under the kernel's name (regCP_MEC_RS64_CNTL -> gc_11_0_0::CP_MEC_RS64_CNTL) with its fields in
// the kernel's spelling, so every line can be checked against the kernel headers.
#pragma once

#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>

#include "bit_field.hpp"

namespace hcq::am {

// IP blocks as IP discovery names them; the hardware ids are in discovery.cpp.
enum class HwIp : uint8_t { gc, hdp, sdma0, sdma1, mmhub, athub, nbio, mp0, mp1, osssys, smuio, thm, df, umc, vcn, dcn, count };
std::string_view to_string(HwIp ip) noexcept;

struct Field {
  std::string_view name;  // the kernel's field name, lower case: "mec_pipe0_reset"
  uint8_t hi;
  uint8_t lo;

  constexpr uint32_t width() const { return detail::bits::width(hi, lo); }
  constexpr uint32_t mask() const { return detail::bits::mask(hi, lo); }
  constexpr bool fits(uint32_t v) const { return detail::bits::fits(hi, lo, v); }
  constexpr uint32_t operator()(uint32_t v) const {
    assert(fits(v) && "value does not fit its register field");
    return detail::bits::place(hi, lo, v);
  }
  constexpr uint32_t get(uint32_t word) const { return detail::bits::get(hi, lo, word); }
};

struct Reg {
  std::string_view name;  // "CP_MEC_RS64_CNTL"
  HwIp ip;
  uint8_t seg;            // the BASE_IDX of the kernel's offset header
  uint32_t offset;        // dwords, inside the segment
  std::span<const Field> fields;

  // The field named `field` (a programming error if absent: asserted).
  constexpr const Field& operator[](std::string_view field) const {
    for (const Field& f : fields)
      if (f.name == field) return f;
    assert(false && "no such field");
    return fields[0];
  }
};

// A register value built field by field: value(reg, {{"rb_size", 10}, {"rb_enable", 1}}).
constexpr uint32_t value(const Reg& r, std::initializer_list<std::pair<std::string_view, uint32_t>> fields) {
  uint32_t v = 0;
  for (auto [name, x] : fields) v |= r[name](x);
  return v;
}

}  // namespace hcq::am
