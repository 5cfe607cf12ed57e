// Reading the kernel's text interfaces (sysfs, procfs) under a root that tests replace with a
// fixture tree. Every read reports why it failed, so a field can say "n/a: needs root" instead of
// going blank.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"

namespace hcq::smi {

struct Roots {
  std::string sys = "/sys";
  std::string proc = "/proc";
  std::string locks = "/run/lock/hcq";  // kmd-free device locks (kmd-free/device_lock.hpp)
  std::string pci_ids = "/usr/share/misc/pci.ids";
  // The machine itself, as opposed to a fixture tree: only then may readers open devices
  // (RM, NVML) or use libpciaccess, which always reads the real /sys.
  bool live() const { return sys == "/sys" && proc == "/proc"; }
};

struct Read {
  std::string path;
  std::optional<std::string> text;  // trailing whitespace stripped
  int err = 0;                      // errno when text is empty
};

// Reads a small attribute file (up to 64 KiB).
Read read_attr(const std::string& path);
// The missing-value a failed read deserves: ENOENT -> not supported, EACCES/EPERM -> needs root,
// EBUSY/EAGAIN -> device busy, anything else -> read error; the detail names the file.
Value missing_from(const Read& r, const std::string& source);

// "42", "-1", "0x1e52" (base 0 accepts a 0x prefix); surrounding spaces allowed.
std::optional<int64_t> parse_int(std::string_view s, int base = 10);
std::optional<double> parse_double(std::string_view s);
// A file's text for a message: quoted, one line, at most 40 bytes, control and non-ASCII bytes
// as \xNN so the message stays valid UTF-8.
std::string excerpt(std::string_view text);

// An integer attribute as a value; a non-number is a read error naming the file and its text.
Value int_attr(const std::string& path, const std::string& source);
// An integer attribute times `scale`, as a floating-point value (millidegrees -> degrees).
Value scaled_attr(const std::string& path, const std::string& source, double scale);
// Printable text in UTF-8 (tabs and newlines allowed): what a text value may hold.
bool printable_utf8(std::string_view s);
// A text attribute as a value; an empty file is "not supported", binary content a read error.
Value text_attr(const std::string& path, const std::string& source);

// Directory entries (no "." or ".."), sorted; empty when the directory cannot be read.
std::vector<std::string> list_dir(const std::string& path);
std::optional<std::string> read_link(const std::string& path);
bool exists(const std::string& path);

std::string_view trim(std::string_view s);
std::vector<std::string_view> split_ws(std::string_view s);

}  // namespace hcq::smi
