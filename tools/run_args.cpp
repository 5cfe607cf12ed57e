// hcq-run's command-line values; see run_args.hpp.
#include "run_args.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

namespace hcq_run {

static_assert(std::endian::native == std::endian::little, "values are stored as little-endian bit patterns");

namespace {

constexpr Elem all_elems[] = {Elem::u8, Elem::u32, Elem::i32, Elem::u64, Elem::i64, Elem::f32, Elem::f64};
constexpr std::string_view buffer_forms = "TYPE[N], TYPE[N]=v, TYPE[N]=iota, TYPE[N]=a,b,c or @file.bin";

bool is_float(Elem e) { return e == Elem::f32 || e == Elem::f64; }
bool is_signed(Elem e) { return e == Elem::i32 || e == Elem::i64; }

std::string elem_list() {
  std::string out;
  for (Elem e : all_elems) out += fmt::format("{}{}", out.empty() ? "" : ", ", to_string(e));
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

struct Integer {
  bool negative = false;
  uint64_t magnitude = 0;
};

// "-3", "42", "0x10"; nullopt when `t` is not an integer at all. Throws when it does not fit 64 bits.
std::optional<Integer> parse_integer(std::string_view t) {
  Integer out;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    out.negative = t[0] == '-';
    t.remove_prefix(1);
  }
  int base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    t.remove_prefix(2);
  }
  if (t.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out.magnitude, base);
  if (ec == std::errc::result_out_of_range) throw UsageError("does not fit in 64 bits");
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return out;
}

// The bit pattern of `v`, checked against the range of the integer type `e`.
uint64_t integer_bits(Integer v, Elem e) {
  unsigned bits = static_cast<unsigned>(size_of(e) * 8);
  uint64_t umax = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  uint64_t pos_max = is_signed(e) ? umax >> 1 : umax;
  uint64_t neg_max = is_signed(e) ? pos_max + 1 : 0;
  if (v.negative ? v.magnitude > neg_max : v.magnitude > pos_max) {
    if (is_signed(e)) throw UsageError(fmt::format("out of range for {}: -{}..{}", to_string(e), neg_max, pos_max));
    throw UsageError(fmt::format("out of range for {}: 0..{}", to_string(e), pos_max));
  }
  uint64_t out = v.negative ? ~v.magnitude + 1 : v.magnitude;
  return out & umax;
}

uint64_t float_bits(std::string_view text, Elem e) {
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  bool f32 = e == Elem::f32;
  double d = f32 ? static_cast<double>(std::strtof(s.c_str(), &end)) : std::strtod(s.c_str(), &end);
  bool whole = !s.empty() && s[0] != ' ' && end == s.c_str() + s.size();
  if (!whole) throw UsageError("is not a number");
  if (errno == ERANGE && std::isinf(d)) throw UsageError(fmt::format("is out of range for {}", to_string(e)));
  return f32 ? std::bit_cast<uint32_t>(static_cast<float>(d)) : std::bit_cast<uint64_t>(d);
}

void put(std::vector<std::byte>& bytes, size_t index, Elem e, uint64_t bits) {
  std::memcpy(bytes.data() + index * size_of(e), &bits, size_of(e));
}

template <class T>
uint64_t bits_of(T v) {
  uint64_t out = 0;
  std::memcpy(&out, &v, sizeof v);
  return out;
}

uint64_t iota_bits(size_t i, Elem e) {
  switch (e) {
    case Elem::u8: return bits_of(static_cast<uint8_t>(i));
    case Elem::u32: return bits_of(static_cast<uint32_t>(i));
    case Elem::i32: return bits_of(static_cast<int32_t>(i));
    case Elem::u64: return bits_of(static_cast<uint64_t>(i));
    case Elem::i64: return bits_of(static_cast<int64_t>(i));
    case Elem::f32: return bits_of(static_cast<float>(i));
    case Elem::f64: return bits_of(static_cast<double>(i));
  }
  return 0;
}

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  std::vector<std::byte> bytes;
  std::transform(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>(), std::back_inserter(bytes),
                 [](char c) { return static_cast<std::byte>(c); });
  if (f.bad()) throw std::runtime_error(fmt::format("reading {} failed: {}", path, std::strerror(errno)));
  if (bytes.empty()) throw std::runtime_error(fmt::format("{} is empty", path));
  return bytes;
}

HostBuffer file_buffer(Elem type, std::string_view path) {
  if (path.empty()) throw UsageError(fmt::format("no file name after '@' (use {})", buffer_forms));
  HostBuffer b{type, read_file(std::string(path))};
  if (b.bytes.size() % size_of(type) != 0) {
    throw UsageError(fmt::format("{} holds {} bytes, not a whole number of {} elements", path, b.bytes.size(),
                                 to_string(type)));
  }
  return b;
}

Elem parse_elem(std::string_view name) {
  if (auto e = elem_from(name)) return *e;
  throw UsageError(fmt::format("unknown element type '{}' (use {})", name, elem_list()));
}

// "1024", "0x400", "4K", "1M", "1G" (binary multiples); empty when `text` is empty.
size_t parse_count(std::string_view text, Elem type) {
  uint64_t scale = 1;
  if (!text.empty() && (text.back() == 'K' || text.back() == 'M' || text.back() == 'G')) {
    scale = text.back() == 'K' ? 1ull << 10 : text.back() == 'M' ? 1ull << 20 : 1ull << 30;
    text.remove_suffix(1);
  }
  auto n = parse_integer(text);
  if (!n || n->negative || n->magnitude == 0) throw UsageError(fmt::format("'{}' is not a positive element count", text));
  uint64_t limit = std::numeric_limits<size_t>::max() / size_of(type) / scale;
  if (n->magnitude > limit) throw UsageError(fmt::format("{} elements of {} are too many", text, to_string(type)));
  return static_cast<size_t>(n->magnitude * scale);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// Fills `b` (already sized, or empty for TYPE[]) from the text after '='.
void fill(HostBuffer& b, std::string_view init) {
  Elem e = b.type;
  if (init == "iota") {
    if (b.bytes.empty()) throw UsageError("TYPE[]=iota needs a count: TYPE[N]=iota");
    for (size_t i = 0; i < b.count(); ++i) put(b.bytes, i, e, iota_bits(i, e));
    return;
  }
  auto values = split(init, ',');
  if (b.bytes.empty()) b.bytes.resize(values.size() * size_of(e));
  if (values.size() != 1 && values.size() != b.count()) {
    throw UsageError(fmt::format("{} values for {} elements (give one value to fill, or exactly {})", values.size(),
                                 b.count(), b.count()));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    try {
      put(b.bytes, i, e, parse_value(values[i], e));
    } catch (const UsageError& err) {
      throw UsageError(fmt::format("value #{} '{}' {}", i, values[i], err.what()));
    }
  }
  if (values.size() == 1) {
    for (size_t i = 1; i < b.count(); ++i) std::memcpy(b.bytes.data() + i * size_of(e), b.bytes.data(), size_of(e));
  }
}

}  // namespace

std::string_view to_string(Elem e) noexcept {
  constexpr std::string_view names[] = {"u8", "u32", "i32", "u64", "i64", "f32", "f64"};
  return names[static_cast<size_t>(e)];
}

size_t size_of(Elem e) noexcept {
  constexpr size_t sizes[] = {1, 4, 4, 8, 8, 4, 8};
  return sizes[static_cast<size_t>(e)];
}

std::optional<Elem> elem_from(std::string_view name) noexcept {
  for (Elem e : all_elems) {
    if (to_string(e) == name) return e;
  }
  return std::nullopt;
}

Elem elem_of(hcq::ArgKind kind) noexcept {
  switch (kind) {
    case hcq::ArgKind::u32: return Elem::u32;
    case hcq::ArgKind::i32: return Elem::i32;
    case hcq::ArgKind::i64: return Elem::i64;
    case hcq::ArgKind::f32: return Elem::f32;
    case hcq::ArgKind::f64: return Elem::f64;
    default: return Elem::u64;
  }
}

uint64_t parse_value(std::string_view text, Elem e) {
  if (is_float(e)) return float_bits(text, e);
  if (auto v = parse_integer(text)) return integer_bits(*v, e);
  char* end = nullptr;
  std::string s(text);
  std::strtod(s.c_str(), &end);
  bool number = !s.empty() && end == s.c_str() + s.size();
  throw UsageError(number ? fmt::format("is not an integer ({} takes integers)", to_string(e)) : "is not a number");
}

std::string format_element(const std::byte* bytes, Elem e, size_t index) {
  const std::byte* p = bytes + index * size_of(e);
  auto load = [p]<class T>(T v) {
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (e) {
    case Elem::u8: return fmt::format("{}", load(uint8_t{}));
    case Elem::u32: return fmt::format("{}", load(uint32_t{}));
    case Elem::i32: return fmt::format("{}", load(int32_t{}));
    case Elem::u64: return fmt::format("{}", load(uint64_t{}));
    case Elem::i64: return fmt::format("{}", load(int64_t{}));
    case Elem::f32: return fmt::format("{}", load(float{}));
    case Elem::f64: return fmt::format("{}", load(double{}));
  }
  return "?";
}

HostBuffer parse_buffer_spec(std::string_view spec) {
  if (spec.starts_with('@')) return file_buffer(Elem::u8, spec.substr(1));
  size_t at = spec.find('@');
  size_t open = spec.find('[');
  if (at != std::string_view::npos && at < open) return file_buffer(parse_elem(spec.substr(0, at)), spec.substr(at + 1));
  size_t close = spec.find(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    throw UsageError(fmt::format("is not a buffer (use {}, TYPE one of {})", buffer_forms, elem_list()));
  }
  HostBuffer b{parse_elem(spec.substr(0, open)), {}};
  std::string_view count = spec.substr(open + 1, close - open - 1);
  std::string_view rest = spec.substr(close + 1);
  if (!count.empty()) b.bytes.resize(parse_count(count, b.type) * size_of(b.type));
  if (rest.empty()) {
    if (count.empty()) throw UsageError("TYPE[] needs values: TYPE[]=a,b,c");
    return b;
  }
  if (rest[0] != '=') throw UsageError(fmt::format("unexpected '{}' after ']' (use {})", rest, buffer_forms));
  fill(b, rest.substr(1));
  return b;
}

hcq::Dim3 parse_dims(std::string_view text, std::string_view what) {
  auto parts = split(text, ',');
  if (parts.size() > 3) throw UsageError(fmt::format("{} '{}': at most 3 dimensions (X[,Y[,Z]])", what, text));
  uint32_t v[3] = {1, 1, 1};
  for (size_t i = 0; i < parts.size(); ++i) {
    std::optional<Integer> n;
    try {
      n = parse_integer(parts[i]);
    } catch (const UsageError&) {
    }
    if (!n || n->negative || n->magnitude == 0 || n->magnitude > std::numeric_limits<uint32_t>::max()) {
      throw UsageError(fmt::format("{} '{}': '{}' is not a positive 32-bit integer (use X[,Y[,Z]])", what, text, parts[i]));
    }
    v[i] = static_cast<uint32_t>(n->magnitude);
  }
  return {v[0], v[1], v[2]};
}

std::string signature(const hcq::KernelInfo& kernel) {
  std::string out = kernel.name + "(";
  for (size_t i = 0; i < kernel.args.size(); ++i) {
    out += fmt::format("{}{}: {}", i ? ", " : "", kernel.args[i].name, hcq::to_string(kernel.args[i].kind));
  }
  return out + ")";
}

namespace {

// Which spec each argument gets: name=SPEC by name, the others in order into the arguments left.
std::vector<std::optional<std::string>> assign(const hcq::KernelInfo& k, const std::vector<std::string>& specs) {
  std::vector<std::optional<std::string>> given(k.args.size());
  std::vector<std::string> positional;
  for (const auto& s : specs) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || !is_identifier(std::string_view(s).substr(0, eq))) {
      positional.push_back(s);
      continue;
    }
    auto it = std::find_if(k.args.begin(), k.args.end(), [&](const hcq::ArgInfo& a) { return a.name == s.substr(0, eq); });
    if (it == k.args.end()) throw UsageError(fmt::format("'{}': kernel {} has no argument '{}'", s, signature(k), s.substr(0, eq)));
    auto index = static_cast<size_t>(it - k.args.begin());
    if (given[index]) throw UsageError(fmt::format("argument #{} '{}' is given twice: '{}' and '{}'", index, it->name, *given[index], s));
    given[index] = s.substr(eq + 1);
  }
  size_t next = 0;
  for (const auto& s : positional) {
    while (next < given.size() && given[next]) ++next;
    if (next == given.size()) {
      throw UsageError(fmt::format("kernel {} takes {} argument(s), {} given; '{}' is one too many", signature(k),
                                   k.args.size(), specs.size(), s));
    }
    given[next] = s;
  }
  return given;
}

void parse_arg(BoundArg& arg) {
  if (arg.info.kind == hcq::ArgKind::pointer) {
    arg.host = parse_buffer_spec(arg.spec);
    return;
  }
  if (arg.info.kind == hcq::ArgKind::bytes) {
    throw UsageError(fmt::format("is a {}-byte block passed by value (bytes[{}]); hcq-run takes only buffers and scalars, use the API's "
                                 "KernelArgs::set_bytes", arg.info.size, arg.info.size));
  }
  bool looks_like_buffer = arg.spec.find('[') != std::string::npos || arg.spec.find('@') != std::string::npos;
  if (looks_like_buffer) throw UsageError("is a buffer, but the argument is a scalar (give a number)");
  arg.bits = parse_value(arg.spec, elem_of(arg.info.kind));
}

}  // namespace

std::vector<BoundArg> bind_args(const hcq::KernelInfo& kernel, const std::vector<std::string>& specs) {
  auto given = assign(kernel, specs);
  std::string missing;
  for (size_t i = 0; i < given.size(); ++i) {
    if (!given[i]) missing += fmt::format("{}{}", missing.empty() ? "" : ", ", kernel.args[i].name);
  }
  if (!missing.empty()) {
    throw UsageError(fmt::format("kernel {} takes {} argument(s), {} given; missing: {}", signature(kernel),
                                 kernel.args.size(), specs.size(), missing));
  }
  std::vector<BoundArg> out;
  for (size_t i = 0; i < given.size(); ++i) {
    BoundArg arg{kernel.args[i], *given[i], std::nullopt, 0};
    auto where = fmt::format("argument #{} '{}' ({}) = '{}'", i, arg.info.name, hcq::to_string(arg.info.kind), arg.spec);
    try {
      parse_arg(arg);
    } catch (const UsageError& e) {
      throw UsageError(fmt::format("{}: {}", where, e.what()));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(fmt::format("{}: {}", where, e.what()));
    }
    out.push_back(std::move(arg));
  }
  return out;
}

}  // namespace hcq_run
