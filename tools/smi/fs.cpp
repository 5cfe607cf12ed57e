#include "fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace hcq::smi {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

Read read_attr(const std::string& path) {
  Read r{path, std::nullopt, 0};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    r.err = errno;
    return r;
  }
  std::string text;
  char buf[4096];
  while (text.size() < 65536) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      r.err = errno;
      ::close(fd);
      return r;
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  while (!text.empty() && (std::isspace(static_cast<unsigned char>(text.back())) || text.back() == '\0')) text.pop_back();
  r.text = std::move(text);
  return r;
}

Value missing_from(const Read& r, const std::string& source) {
  switch (r.err) {
    case ENOENT:
    case ENOTDIR: return Value::none(Missing::not_supported, source, fmt::format("no {}", r.path));
    case EACCES: return Value::none(Missing::needs_root, source, r.path);
    // EPERM on sysfs comes from the driver, not the permission check (that is EACCES): amdgpu
    // returns it for its world-readable files while the GPU is runtime-suspended or in reset.
    case EPERM: return Value::none(Missing::device_busy, source, fmt::format("{}: the driver refused (device asleep or in reset)", r.path));
    case EBUSY:
    case EAGAIN: return Value::none(Missing::device_busy, source, r.path);
    default: return Value::none(Missing::read_error, source, fmt::format("{}: {}", r.path, std::strerror(r.err)));
  }
}

std::optional<int64_t> parse_int(std::string_view s, int base) {
  s = trim(s);
  bool neg = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  if (base == 0) {
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 10;
    }
  }
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size() || v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

std::string excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u >= 0x7f) {
      out += fmt::format("\\x{:02x}", u);  // binary stays readable and valid UTF-8
    } else {
      out += c;
    }
  }
  return "'" + out + (text.size() > 40 ? "...'" : "'");
}

std::optional<double> parse_double(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

Value int_attr(const std::string& path, const std::string& source) {
  Read r = read_attr(path);
  if (!r.text) return missing_from(r, source);
  if (auto v = parse_int(*r.text)) return Value::of(*v, source);
  return Value::none(Missing::read_error, source, fmt::format("{}: {} is not an integer", path, excerpt(*r.text)));
}

Value scaled_attr(const std::string& path, const std::string& source, double scale) {
  Read r = read_attr(path);
  if (!r.text) return missing_from(r, source);
  if (auto v = parse_int(*r.text)) return Value::of(static_cast<double>(*v) * scale, source);
  return Value::none(Missing::read_error, source, fmt::format("{}: {} is not an integer", path, excerpt(*r.text)));
}

bool printable_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n') return false;
      ++i;
      continue;
    }
    size_t n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

Value text_attr(const std::string& path, const std::string& source) {
  Read r = read_attr(path);
  if (!r.text) return missing_from(r, source);
  if (r.text->empty()) return Value::none(Missing::not_supported, source, fmt::format("{} is empty", path));
  if (!printable_utf8(*r.text)) return Value::none(Missing::read_error, source, fmt::format("{}: not text (binary or invalid UTF-8)", path));
  return Value::of(*r.text, source);
}

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = ::opendir(path.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    out.emplace_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> read_link(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf) - 1);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace hcq::smi
