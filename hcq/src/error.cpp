#include "hcq/error.hpp"

#include <fmt/format.h>

namespace hcq {

std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument: return "invalid argument";
    case Errc::not_found: return "not found";
    case Errc::unsupported: return "unsupported";
    case Errc::out_of_memory: return "out of memory";
    case Errc::timeout: return "timeout";
    case Errc::device_lost: return "device lost";
    case Errc::bad_code_object: return "bad code object";
    case Errc::io: return "I/O error";
    case Errc::busy: return "busy";
    case Errc::internal: return "internal error";
  }
  return "unknown error";
}

static std::string compose(const std::string& device, const std::string& block, const std::string& message) {
  if (device.empty() && block.empty()) return message;
  if (device.empty()) return fmt::format("{}: {}", block, message);
  if (block.empty()) return fmt::format("{}: {}", device, message);
  return fmt::format("{}: {}: {}", device, block, message);
}

Error::Error(Errc code, std::string device, std::string block, const std::string& message)
    : std::runtime_error(compose(device, block, message)),
      code_(code),
      device_(std::move(device)),
      block_(std::move(block)),
      detail_(message) {}

}  // namespace hcq
