// The bounded MessagePack reader (see msgpack.hpp).
#include "am/msgpack.hpp"

#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace hcq::am::msgpack {

bool Node::as_uint(uint64_t& out) const noexcept {
  if (type == Type::uint) return out = u, true;
  if (type == Type::sint && i >= 0) return out = static_cast<uint64_t>(i), true;
  return false;
}

const Node* Node::find(std::string_view key) const noexcept {
  if (type != Type::map) return nullptr;
  for (const auto& [k, v] : pairs)
    if (k.type == Type::str && k.s == key) return &v;
  return nullptr;
}

namespace {

// Format bytes (the spec's names).
constexpr uint8_t nil = 0xc0, false_ = 0xc2, true_ = 0xc3, bin8 = 0xc4, bin16 = 0xc5, bin32 = 0xc6, float32 = 0xca,
                  float64 = 0xcb, uint8 = 0xcc, uint16 = 0xcd, uint32 = 0xce, uint64 = 0xcf, int8 = 0xd0, int16 = 0xd1,
                  int32 = 0xd2, int64 = 0xd3, str8 = 0xd9, str16 = 0xda, str32 = 0xdb, array16 = 0xdc,
                  array32 = 0xdd, map16 = 0xde, map32 = 0xdf;
constexpr uint8_t fixmap_first = 0x80, fixarray_first = 0x90, fixstr_first = 0xa0, negative_fixint_first = 0xe0;
constexpr uint8_t positive_fixint_last = 0x7f;

class Reader {
 public:
  explicit Reader(std::span<const std::byte> b) : b_(b) {}
  size_t pos() const { return pos_; }
  size_t left() const { return b_.size() - pos_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw MsgpackError(fmt::format("msgpack: {} at byte {} of {}", what, pos_, b_.size()));
  }
  uint64_t be(size_t n) {  // a big-endian unsigned integer of n bytes
    if (left() < n) fail(fmt::format("{}-byte value truncated", n));
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v = v << 8 | std::to_integer<uint8_t>(b_[pos_ + k]);
    pos_ += n;
    return v;
  }
  std::string_view bytes(uint64_t n) {
    if (n > left()) fail(fmt::format("string of {} bytes with {} left", n, left()));
    std::string_view s(reinterpret_cast<const char*>(b_.data() + pos_), static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  // Every element takes at least one byte: a count beyond the bytes left cannot be real.
  size_t count(uint64_t n, size_t per) {
    if (n > left() / per) fail(fmt::format("{} elements with {} bytes left", n, left()));
    return static_cast<size_t>(n);
  }

  Node node(unsigned depth);

 private:
  Node container(uint8_t tag, uint64_t n, unsigned depth);
  std::span<const std::byte> b_;
  size_t pos_ = 0;
};

Node Reader::container(uint8_t tag, uint64_t n, unsigned depth) {
  if (depth >= max_depth) fail(fmt::format("nesting deeper than {}", max_depth));
  Node out;
  const bool is_map = tag == map16 || tag == map32 || (tag & 0xf0) == fixmap_first;
  if (is_map) {
    out.type = Node::Type::map;
    out.pairs.reserve(count(n, 2));
    for (uint64_t k = 0; k < n; ++k) {
      Node key = node(depth + 1);
      out.pairs.emplace_back(std::move(key), node(depth + 1));
    }
  } else {
    out.type = Node::Type::array;
    out.items.reserve(count(n, 1));
    for (uint64_t k = 0; k < n; ++k) out.items.push_back(node(depth + 1));
  }
  return out;
}

Node Reader::node(unsigned depth) {
  if (left() == 0) fail("value truncated");
  const uint8_t t = std::to_integer<uint8_t>(b_[pos_++]);
  Node n;
  if (t <= positive_fixint_last) return n.type = Node::Type::uint, n.u = t, n;
  if (t >= negative_fixint_first) return n.type = Node::Type::sint, n.i = static_cast<int8_t>(t), n;
  if ((t & 0xf0) == fixmap_first || (t & 0xf0) == fixarray_first) return container(t, t & 0x0f, depth);
  if ((t & 0xe0) == fixstr_first) return n.type = Node::Type::str, n.s = bytes(t & 0x1f), n;
  switch (t) {
    case nil: return n;
    case false_:
    case true_: return n.type = Node::Type::boolean, n.b = t == true_, n;
    case uint8: return n.type = Node::Type::uint, n.u = be(1), n;
    case uint16: return n.type = Node::Type::uint, n.u = be(2), n;
    case uint32: return n.type = Node::Type::uint, n.u = be(4), n;
    case uint64: return n.type = Node::Type::uint, n.u = be(8), n;
    case int8: return n.type = Node::Type::sint, n.i = static_cast<int8_t>(be(1)), n;
    case int16: return n.type = Node::Type::sint, n.i = static_cast<int16_t>(be(2)), n;
    case int32: return n.type = Node::Type::sint, n.i = static_cast<int32_t>(be(4)), n;
    case int64: return n.type = Node::Type::sint, n.i = static_cast<int64_t>(be(8)), n;
    case float32: return n.type = Node::Type::f64, n.f = std::bit_cast<float>(static_cast<uint32_t>(be(4))), n;
    case float64: return n.type = Node::Type::f64, n.f = std::bit_cast<double>(be(8)), n;
    case str8: return n.type = Node::Type::str, n.s = bytes(be(1)), n;
    case str16: return n.type = Node::Type::str, n.s = bytes(be(2)), n;
    case str32: return n.type = Node::Type::str, n.s = bytes(be(4)), n;
    case bin8: return n.type = Node::Type::bin, n.s = bytes(be(1)), n;
    case bin16: return n.type = Node::Type::bin, n.s = bytes(be(2)), n;
    case bin32: return n.type = Node::Type::bin, n.s = bytes(be(4)), n;
    case array16:
    case map16: return container(t, be(2), depth);
    case array32:
    case map32: return container(t, be(4), depth);
    default: --pos_; fail(fmt::format("unsupported type byte {:#04x}", t));
  }
}

}  // namespace

Node parse(std::span<const std::byte> bytes) {
  Reader r(bytes);
  Node n = r.node(0);
  if (r.left() != 0) r.fail(fmt::format("{} trailing bytes", r.left()));
  return n;
}

}  // namespace hcq::am::msgpack
