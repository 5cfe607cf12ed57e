// open_chip(): picks the transport from the spec (chip.hpp).
#include <cctype>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "chip.hpp"
#include "hcq/error.hpp"
#include "iface/kmdfree.hpp"
#include "iface/ttkmd.hpp"
#include "iface/ttsim.hpp"

namespace hcq::tt {

namespace {

constexpr std::string_view scheme = "tt:";
constexpr std::string_view ttsim_prefix = "ttsim";
constexpr const char* ttsim_env = "HCQ_TTSIM";

// "dddd:bb:dd.f" or "bb:dd.f": the shape of a PCI address (kmd-free checks the rest).
bool looks_like_bdf(std::string_view s) {
  size_t dot = s.rfind('.');
  return dot != std::string_view::npos && dot + 2 == s.size() && s.find(':') != std::string_view::npos;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::unique_ptr<Chip> open_sim(std::string_view spec, std::string_view rest) {
  std::string path;
  if (rest.size() > ttsim_prefix.size() && rest[ttsim_prefix.size()] == ':') path = rest.substr(ttsim_prefix.size() + 1);
  if (path.empty()) {
    const char* env = std::getenv(ttsim_env);
    if (!env || !*env) {
      throw Error(Errc::not_found, std::string(spec), "ttsim",
                  "no simulator given: use tt:ttsim:/path/to/libttsim.so or set HCQ_TTSIM (build it from "
                  "tenstorrent/ttsim with ./make.py :build)");
    }
    path = env;
  }
  return open_ttsim(path);
}

}  // namespace

std::unique_ptr<Chip> open_chip(std::string_view spec) {
  std::string_view rest = spec;
  if (rest.starts_with(scheme)) rest.remove_prefix(scheme.size());
  if (rest == ttsim_prefix || rest.starts_with(std::string(ttsim_prefix) + ":")) return open_sim(spec, rest);
  if (all_digits(rest)) return open_ttkmd(static_cast<uint32_t>(std::stoul(std::string(rest))));
  if (looks_like_bdf(rest)) return open_kmdfree(std::string(rest));  // sysfs, or "vfio:<address>"
  throw Error(Errc::not_found, std::string(spec), "open",
              fmt::format("'{}' is not a tt device: use tt:N (tt-kmd /dev/tenstorrent/N), tt:0000:01:00.0 or "
                          "tt:vfio:0000:01:00.0 (kmd-free) or tt:ttsim:/path/libttsim.so",
                          spec));
}

}  // namespace hcq::tt
