// Reading sysfs PCI attributes, and listing functions by class and vendor (libpciaccess-free:
// the GPU machines have no pciaccess.h, so this reads /sys/bus/pci/devices directly).
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <fstream>

#include "pci_common.hpp"
#include "pci_open.hpp"

namespace hcq::kmdfree {

namespace detail {

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text;
  std::getline(in, text, '\0');
  if (in.bad()) return std::nullopt;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::optional<uint64_t> parse_hex(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<PciIdentity> read_sysfs_identity(const std::string& dir) {
  auto field = [&](const char* name, uint64_t max) -> std::optional<uint64_t> {
    auto text = read_text(dir + "/" + name);
    auto v = text ? parse_hex(*text) : std::nullopt;
    return v && *v <= max ? v : std::nullopt;
  };
  constexpr uint64_t u8 = 0xff, u16 = 0xffff, u24 = 0xffffff;
  auto vendor = field("vendor", u16), device = field("device", u16), cls = field("class", u24);
  if (!vendor || !device || !cls) return std::nullopt;
  PciIdentity id;
  id.vendor = static_cast<uint16_t>(*vendor);
  id.device = static_cast<uint16_t>(*device);
  id.class_code = static_cast<uint32_t>(*cls);
  id.revision = static_cast<uint8_t>(field("revision", u8).value_or(0));
  id.subsystem_vendor = static_cast<uint16_t>(field("subsystem_vendor", u16).value_or(0));
  id.subsystem_device = static_cast<uint16_t>(field("subsystem_device", u16).value_or(0));
  return id;
}

std::string bound_driver(const std::string& dir) {
  char target[PATH_MAX];
  ssize_t n = ::readlink((dir + "/driver").c_str(), target, sizeof target - 1);
  if (n <= 0) return {};
  std::string_view link(target, static_cast<size_t>(n));
  auto slash = link.rfind('/');
  return std::string(slash == std::string_view::npos ? link : link.substr(slash + 1));
}

int write_text(const std::string& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);  // as the shell's `echo >` does
  if (fd < 0) return errno;
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = n == static_cast<ssize_t>(text.size()) ? 0 : (n < 0 ? errno : EIO);
  ::close(fd);
  return err;
}

}  // namespace detail

std::vector<PciFunction> enumerate_pci(const PciMatch& match, const std::string& sysfs_root) {
  std::vector<PciFunction> found;
  DIR* d = ::opendir(sysfs_root.c_str());
  if (!d) return found;
  while (dirent* e = ::readdir(d)) {
    auto address = PciAddress::parse(e->d_name);
    if (!address) continue;
    std::string dir = sysfs_root + "/" + e->d_name;
    auto id = detail::read_sysfs_identity(dir);
    if (!id) continue;
    if (match.vendor && id->vendor != *match.vendor) continue;
    if (match.device && id->device != *match.device) continue;
    if (match.class_code && (id->class_code & match.class_mask) != (*match.class_code & match.class_mask)) continue;
    found.push_back({*address, *id, detail::bound_driver(dir)});
  }
  ::closedir(d);
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
  return found;
}

}  // namespace hcq::kmdfree
