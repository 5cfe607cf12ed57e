// A bit field inside one 32-bit method data word, as NVIDIA's class headers write them ("hi:lo").
//
// The register headers in this folder are our own tables. Names are NVIDIA's names from the
// public class headers (open-gpu-doc `classes/`, open-gpu-kernel-modules
// `src/common/sdk/nvidia/inc/class/`) in lower case, without the class prefix, with a field's
// values after its name (NVC86F_SEM_EXECUTE_OPERATION_RELEASE -> host::sem_execute_operation_release),
// so each one can be looked up there; every table names the header it was checked against.
#pragma once

#include <cassert>
#include <cstdint>

#include "bit_field.hpp"

namespace hcq::nv::reg {

struct Field {
  uint8_t hi;
  uint8_t lo;

  constexpr uint32_t width() const { return detail::bits::width(hi, lo); }
  constexpr uint32_t mask() const { return detail::bits::mask(hi, lo); }
  constexpr bool fits(uint32_t v) const { return detail::bits::fits(hi, lo, v); }
  // The value placed in the field. A value wider than the field is a programming error (the
  // method tables are fixed): asserted in debug builds, truncated to the field in release.
  constexpr uint32_t operator()(uint32_t v) const {
    assert(fits(v) && "value does not fit its method field");
    return detail::bits::place(hi, lo, v);
  }
  // The field's value read back from a data word.
  constexpr uint32_t get(uint32_t word) const { return detail::bits::get(hi, lo, word); }
};

static_assert(Field{31, 0}.mask() == 0xFFFFFFFFu);
static_assert(Field{4, 3}(2) == 0x10u);
static_assert(Field{4, 3}.get(0x18u) == 3u);

}  // namespace hcq::nv::reg
