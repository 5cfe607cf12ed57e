// Our firmware images by architecture, from the arrays tools/embed.py writes at build time
// (tt/firmware/meson.build).
#include "firmware/builtin.hpp"

#include <string_view>

namespace hcq::tt {

std::span<const std::byte> builtin_firmware_image(std::string_view key) noexcept;

std::span<const std::byte> builtin_firmware(Arch arch) noexcept {
  return builtin_firmware_image(arch == Arch::wormhole_b0 ? "wormhole_b0" : "blackhole");
}

}  // namespace hcq::tt
