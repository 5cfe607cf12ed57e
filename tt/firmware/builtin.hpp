// Our BRISC firmware (tt/firmware) for each architecture, compiled into libhcq when the build found
// riscv64-unknown-elf-gcc; empty otherwise (the tt backend then refuses to open with that reason).
#pragma once

#include <cstddef>
#include <span>

#include "chip.hpp"

namespace hcq::tt {

std::span<const std::byte> builtin_firmware(Arch arch) noexcept;

}  // namespace hcq::tt
