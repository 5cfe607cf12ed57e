#include "chips.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace hcq::nv {

namespace {

// Class numbers: NVIDIA open-gpu-doc classes/ and open-gpu-kernel-modules src/common/sdk/nvidia/
// inc/class/ (clc6c0.h AMPERE_COMPUTE_A, clc7c0.h AMPERE_COMPUTE_B, clc9c0.h ADA_COMPUTE_A,
// clcbc0.h HOPPER_COMPUTE_A, clcdc0.h BLACKWELL_COMPUTE_A, clcec0.h BLACKWELL_COMPUTE_B; the
// matching DMA_COPY, CHANNEL_GPFIFO and USERMODE classes).. Only Hopper has run here (an H100);
// the other rows follow the same headers and are marked unverified. Newest first: a GPU also
// lists older classes. Copy queues run on COPY2: on the H100, COPY0 and COPY1 are the graphics
// engine's own (runlist 0, shared with compute) and COPY2 has a runlist of its own.
constexpr Chip chips[] = {
    {"Blackwell", 0xCEC0, 0xCAB5, 0xCA6F, 0xC761, 5, 2, false},
    {"Blackwell", 0xCDC0, 0xC9B5, 0xC96F, 0xC761, 5, 2, false},
    {"Hopper", 0xCBC0, 0xC8B5, 0xC86F, 0xC661, 4, 2, true},
    {"Ada", 0xC9C0, 0xC7B5, 0xC56F, 0xC561, 3, 2, false},
    {"Ampere", 0xC7C0, 0xC7B5, 0xC56F, 0xC561, 3, 2, false},
    {"Ampere", 0xC6C0, 0xC6B5, 0xC56F, 0xC561, 3, 2, false},
};

}  // namespace

const Chip* select_chip(std::span<const uint32_t> classes, std::string* missing) {
  auto has = [&](uint32_t c) { return std::find(classes.begin(), classes.end(), c) != classes.end(); };
  for (const Chip& c : chips) {
    if (has(c.compute_class) && has(c.copy_class) && has(c.gpfifo_class) && has(c.usermode_class)) return &c;
  }
  if (missing) {
    std::string want;
    for (const Chip& c : chips) {
      want += fmt::format("{}{} (compute {:#06x}, copy {:#06x}, gpfifo {:#06x}, usermode {:#06x})", want.empty() ? "" : "; ",
                          c.family, c.compute_class, c.copy_class, c.gpfifo_class, c.usermode_class);
    }
    *missing = want;
  }
  return nullptr;
}

}  // namespace hcq::nv
