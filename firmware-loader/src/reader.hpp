// Bounds-checked reads for the firmware parsers (private to firmware-loader).
//
// Rules kept by every parser: an offset + size is checked with in_bounds() (no addition that can
// wrap) before the bytes are touched; on-disk structs are copied out with read<T>(), which checks
// its own bounds again; every count is bounded by the bytes that hold its entries before anything is
// reserved or looped over. A failed check throws hcq::Error naming the file, the field, the
// expected and the actual value.
#pragma once

#include <fmt/format.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "hcq/error.hpp"
#include "hcq/firmware/image.hpp"

namespace hcq::fw::detail {

// Every on-disk layout here is little-endian and copied out with memcpy.
static_assert(std::endian::native == std::endian::little, "firmware parsers assume a little-endian host");

using Bytes = std::span<const std::byte>;

inline constexpr const char* block = "firmware";

// Whether [offset, offset + size) lies inside `total` bytes, without overflowing.
constexpr bool in_bounds(uint64_t offset, uint64_t size, uint64_t total) {
  return offset <= total && size <= total - offset;
}

// "<file>: <field>: expected <expected>, found <actual>"
[[noreturn]] inline void fail(Errc code, std::string_view file, std::string_view field, std::string_view expected,
                              std::string_view actual) {
  throw Error(code, "", block, fmt::format("{}: {}: expected {}, found {}", file, field, expected, actual));
}

[[noreturn]] inline void malformed(std::string_view file, std::string_view field, std::string_view expected,
                                   std::string_view actual) {
  fail(Errc::bad_code_object, file, field, expected, actual);
}

// Fails unless [offset, offset + size) lies inside [lo, hi): `field` names the range ("ucode"),
// `region` says what [lo, hi) is ("the payload").
inline void require_range(std::string_view file, std::string_view field, uint64_t offset, uint64_t size, uint64_t lo,
                          uint64_t hi, std::string_view region) {
  if (offset >= lo && offset <= hi && size <= hi - offset) return;
  const std::string found = size <= UINT64_MAX - offset
                                ? fmt::format("[{:#x}, {:#x})", offset, offset + size)
                                : fmt::format("{:#x} bytes at {:#x} (past the end of 64-bit space)", size, offset);
  malformed(file, field, fmt::format("a range inside {} [{:#x}, {:#x})", region, lo, hi), found);
}

// A trivially copyable on-disk struct at `offset`, bounds-checked.
template <class T>
T read(Bytes b, uint64_t offset, std::string_view file, std::string_view what) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (!in_bounds(offset, sizeof(T), b.size()))
    malformed(file, what, fmt::format("{} bytes at {:#x} inside the file", sizeof(T), offset),
              fmt::format("a file of {} bytes", b.size()));
  T v;
  std::memcpy(&v, b.data() + offset, sizeof(T));
  return v;
}

inline uint32_t le32(Bytes b, uint64_t offset, std::string_view file, std::string_view what) {
  return read<uint32_t>(b, offset, file, what);
}

// An Image over [offset, offset + size) of `b`; the caller has checked the range.
inline Image image(Bytes b, std::string name, uint64_t offset, uint64_t size, uint32_t fw_type = 0,
                   uint32_t fw_version = 0) {
  Image i;
  i.name = std::move(name);
  i.fw_type = fw_type;
  i.fw_version = fw_version;
  i.file_offset = offset;
  i.bytes = b.subspan(offset, size);
  return i;
}

// The name without its directories and without a .zst/.xz suffix: what the parsers match on.
inline std::string_view base_name(std::string_view name) {
  if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  for (std::string_view suffix : {".zst", ".xz"}) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
      name.remove_suffix(suffix.size());
  }
  return name;
}

inline bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}
inline bool starts_with(std::string_view s, std::string_view head) { return s.substr(0, head.size()) == head; }

}  // namespace hcq::fw::detail
