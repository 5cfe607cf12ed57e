// A small, bounded MessagePack reader for the AMDGPU metadata note of amdgcn code objects
// (am/program.cpp). Spec: https://github.com/msgpack/msgpack/blob/master/spec.md.
//
// The input is untrusted: every length is checked against the bytes left before anything is read
// or allocated (an array of n elements needs at least n bytes), nesting is limited, and anything
// malformed throws MsgpackError with the byte offset. Strings and binary data point into the
// caller's bytes, which must outlive the tree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hcq::am::msgpack {

class MsgpackError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Node {
  enum class Type : uint8_t { nil, boolean, uint, sint, f64, str, bin, array, map };
  Type type = Type::nil;
  bool b = false;
  uint64_t u = 0;
  int64_t i = 0;
  double f = 0;
  std::string_view s;                         // str, and bin as bytes
  std::vector<Node> items;                    // array
  std::vector<std::pair<Node, Node>> pairs;   // map

  bool is_str() const noexcept { return type == Type::str; }
  bool is_map() const noexcept { return type == Type::map; }
  bool is_array() const noexcept { return type == Type::array; }
  // An unsigned integer (a non-negative signed one too), if this is one.
  bool as_uint(uint64_t& out) const noexcept;
  // The value of `key` in a map with string keys, or nullptr (also for a non-map).
  const Node* find(std::string_view key) const noexcept;
};

inline constexpr unsigned max_depth = 32;

// Parses exactly one object that spans all of `bytes` (trailing bytes are an error).
Node parse(std::span<const std::byte> bytes);

}  // namespace hcq::am::msgpack
