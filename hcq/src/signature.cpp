#include "signature.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::detail {

namespace {

constexpr size_t max_args = 64;
constexpr uint32_t max_block_bytes = 32764;  // the largest parameter block of any backend (sm_70+ CUDA)

// "bytes[N]" or "bytes[N:A]" into size and alignment; false when `s` is not of that form.
bool parse_block(std::string_view s, uint32_t& size, uint32_t& align) {
  if (!s.starts_with("bytes[") || !s.ends_with("]")) return false;
  s = s.substr(6, s.size() - 7);
  auto number = [](std::string_view t, uint32_t& out) {
    if (t.empty() || t.size() > 6 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    out = 0;
    for (char c : t) out = out * 10 + static_cast<uint32_t>(c - '0');
    return true;
  };
  size_t colon = s.find(':');
  if (!number(s.substr(0, colon), size) || size == 0 || size > max_block_bytes) return false;
  if (colon == std::string_view::npos) {
    align = 8;
    while (size % align != 0) align /= 2;
    return true;
  }
  return number(s.substr(colon + 1), align) && (align == 1 || align == 2 || align == 4 || align == 8 || align == 16);
}

[[noreturn]] void bad_signature(const std::string& what, const std::string& message) {
  throw Error(Errc::bad_code_object, "", "program", what + ": " + message);
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool kind_from(std::string_view s, ArgKind& out) {
  for (ArgKind k : {ArgKind::pointer, ArgKind::u32, ArgKind::i32, ArgKind::u64, ArgKind::i64, ArgKind::f32, ArgKind::f64}) {
    if (to_string(k) == s) {
      out = k;
      return true;
    }
  }
  return false;
}

KernelInfo parse_signature(std::string_view signature, const std::string& what) {
  KernelInfo info;
  size_t open = signature.find('(');
  if (open == std::string_view::npos || signature.back() != ')') {
    bad_signature(what, fmt::format("signature '{}' is not of the form name(arg: kind, ...)", signature));
  }
  info.name = std::string(trim(signature.substr(0, open)));
  if (!is_identifier(info.name)) bad_signature(what, fmt::format("signature '{}': '{}' is not a kernel name", signature, info.name));
  std::string_view list = trim(signature.substr(open + 1, signature.size() - open - 2));
  std::set<std::string, std::less<>> seen;
  uint32_t offset = 0;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    size_t colon = item.find(':');
    std::string_view name = trim(item.substr(0, colon));
    ArgKind kind = ArgKind::pointer;
    std::string_view spelled = colon == std::string_view::npos ? std::string_view{} : trim(item.substr(colon + 1));
    uint32_t size = 0, alignment = 0;
    bool known = colon != std::string_view::npos && (kind_from(spelled, kind) || parse_block(spelled, size, alignment));
    if (!is_identifier(name) || !known) {
      bad_signature(what, fmt::format("kernel '{}': argument '{}' is not 'name: kind' with kind one of ptr, u32, i32, u64, i64, "
                            "f32, f64, bytes[N] (1 <= N <= {}) or bytes[N:A] (A 1, 2, 4, 8 or 16)", info.name, item, max_block_bytes));
    }
    if (size != 0) {
      kind = ArgKind::bytes;
    } else {
      size = alignment = static_cast<uint32_t>(size_of(kind));
    }
    if (!seen.insert(std::string(name)).second) bad_signature(what, fmt::format("kernel '{}': argument '{}' twice", info.name, name));
    if (info.args.size() == max_args) bad_signature(what, fmt::format("kernel '{}': more than {} arguments", info.name, max_args));
    offset = (offset + alignment - 1) / alignment * alignment;
    info.args.push_back({std::string(name), kind, offset, size});
    offset += size;
    if (offset > max_block_bytes) bad_signature(what, fmt::format("kernel '{}': arguments take more than {} bytes", info.name, max_block_bytes));
  }
  info.args_size = (offset + 7) / 8 * 8;
  return info;
}

}  // namespace hcq::detail
