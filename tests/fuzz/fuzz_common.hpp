// Shared by the libFuzzer targets (tests/fuzz/run.sh builds and runs them): the input as bytes, and a
// read of the ends of every view a parser hands out, so that a view outside the input is an ASan report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hcq/error.hpp"
#include "hcq/firmware/image.hpp"

namespace fuzz {

inline std::span<const std::byte> bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

// The first and last byte of a view: libFuzzer's input is a heap block of exactly its size, so a view
// reaching past it (or starting before it) is an ASan report here.
inline void touch(std::span<const std::byte> b) {
  if (b.empty()) return;
  volatile uint8_t sink = std::to_integer<uint8_t>(b.front()) ^ std::to_integer<uint8_t>(b.back());
  (void)sink;
}

inline void touch(std::span<const hcq::fw::Image> images) {
  for (const auto& i : images) touch(i.bytes);
}

// Runs `f`; hcq::Error is the expected answer to bad input, anything else escapes and is a finding.
template <class F>
void expect_ok_or_error(F&& f) {
  try {
    f();
  } catch (const hcq::Error& e) {
    if (e.code() == hcq::Errc::internal) __builtin_trap();  // a parser's own bounds check tripped
  }
}

}  // namespace fuzz
