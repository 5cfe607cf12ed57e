// The cubin loader; see cubin.hpp. Format facts are from nv-hopper.md §6-7 and were checked against
// nvcc 13.0 output (tests/kernels/nv/); the mangled-name grammar is the Itanium C++ ABI's
// (https://itanium-cxx-abi.github.io/cxx-abi/abi.html#mangling), of which only builtin types,
// pointers, qualifiers, plain and nested names, type template arguments and substitutions are
// followed.
//
// The input is untrusted: the ELF reader (hcq/src/elf.hpp) validates headers, section bounds,
// symbol and relocation tables; everything read here (records, offsets, sizes, symbol values) is
// checked against the bytes that hold it before use, with arithmetic that cannot wrap.
#include "cubin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>

#include "elf.hpp"
#include "hcq/error.hpp"
#include "hcq/nv_kernel.h"
#include "signature.hpp"

namespace hcq::nv {

namespace {

using hcq::detail::ElfFile;
using hcq::detail::ElfSection;
using hcq::detail::ElfSymbol;
namespace elf = hcq::detail::elf;
using Bytes = std::span<const std::byte>;

constexpr uint8_t sto_cuda_entry = 0x10;       // st_other bit of a kernel entry symbol
constexpr uint64_t prefetch_slack = 4096;       // bytes the image extends past the last code byte
constexpr uint64_t bank_alignment = 256;        // image alignment of a constant bank (QMD: address >> 6)
constexpr uint64_t bank_granule = 16;           // QMD bank sizes are in units of 16 bytes
constexpr uint64_t code_alignment = 128;        // .text sections are 128-byte aligned by nvcc
constexpr uint64_t max_section_alignment = 1u << 20;
constexpr uint64_t max_image_bytes = uint64_t{1} << 30;  // 1 GiB: a limit for hostile NOBITS sizes
constexpr uint32_t max_banks = 8;              // the QMD's CONSTANT_BUFFER(0..7)
constexpr uint32_t sm90_shared_reserve = 1024;  // sm_90 reserves 1 KiB of every block's shared memory

[[noreturn]] void fail(const std::string& what, const std::string& msg) {
  throw Error(Errc::bad_code_object, "", "program", what + ": " + msg);
}

bool in_bounds(uint64_t offset, uint64_t size, uint64_t total) { return offset <= total && size <= total - offset; }

template <class T>
T load(Bytes b, uint64_t off) {
  if (!in_bounds(off, sizeof(T), b.size()))
    throw Error(Errc::internal, "", "program", fmt::format("cubin: read of {} bytes at {:#x} outside {:#x} bytes", sizeof(T), off, b.size()));
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v = static_cast<T>(v | static_cast<T>(static_cast<T>(std::to_integer<uint8_t>(b[off + i])) << (8 * i)));
  return v;
}

template <class T>
void store(std::span<std::byte> b, uint64_t off, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) b[off + i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
}

uint64_t round_up(uint64_t v, uint64_t pow2) { return (v + pow2 - 1) & ~(pow2 - 1); }  // callers keep v < 2^62

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// ---- .nv.info records ---------------------------------------------------------------------------

struct InfoRecord {
  uint8_t format = 0, attr = 0;
  uint16_t value = 0;  // formats 1-3: the inline value; format 4: the payload's length
  Bytes payload;
  uint64_t offset = 0;  // of the record in its section
};

std::vector<InfoRecord> read_info(const ElfSection& s, const std::string& what) {
  if (s.data.size() != s.size) fail(what, fmt::format("{}: has no file data (type {:#x})", s.name, s.type));
  std::vector<InfoRecord> out;
  uint64_t pos = 0;
  while (pos < s.data.size()) {
    if (s.data.size() - pos < 4)
      fail(what, fmt::format("{}: record at offset {:#x} is cut off: {} bytes left, a record header is 4", s.name, pos, s.data.size() - pos));
    InfoRecord r;
    r.offset = pos;
    r.format = load<uint8_t>(s.data, pos);
    r.attr = load<uint8_t>(s.data, pos + 1);
    r.value = load<uint16_t>(s.data, pos + 2);
    pos += 4;
    if (r.format == eiattr::fmt_sval) {
      if (r.value > s.data.size() - pos)
        fail(what, fmt::format("{}: record at offset {:#x} (attribute {:#04x}) has a {}-byte payload, but only {} bytes remain", s.name,
                               r.offset, r.attr, r.value, s.data.size() - pos));
      r.payload = s.data.subspan(pos, r.value);
      pos += r.value;
    } else if (r.format < eiattr::fmt_nval || r.format > eiattr::fmt_hval) {
      fail(what, fmt::format("{}: record at offset {:#x} has format {}, expected 1-4", s.name, r.offset, r.format));
    }
    out.push_back(r);
  }
  return out;
}

// The payload of a format-4 record, which must be `size` bytes (or a multiple of `size` when `multiple`).
Bytes payload(const InfoRecord& r, uint64_t size, const ElfSection& s, const std::string& what, const char* attr_name, bool multiple = false) {
  const bool good = r.format == eiattr::fmt_sval && (multiple ? r.payload.size() % size == 0 : r.payload.size() == size);
  if (!good)
    fail(what, fmt::format("{}: {} record at offset {:#x} has format {} and {} bytes of payload, expected format 4 and {}{} bytes", s.name,
                           attr_name, r.offset, r.format, r.payload.size(), multiple ? "a multiple of " : "", size));
  return r.payload;
}

// An inline value (formats 2 and 3), or a 4-byte payload.
uint32_t scalar(const InfoRecord& r, const ElfSection& s, const std::string& what, const char* attr_name) {
  if (r.format == eiattr::fmt_bval) return r.value & 0xffu;
  if (r.format == eiattr::fmt_hval) return r.value;
  return load<uint32_t>(payload(r, 4, s, what, attr_name), 0);
}

// ---- the mangled-name reader ---------------------------------------------------------------------

class Demangler {
 public:
  explicit Demangler(std::string_view s) : s_(s) {}

  std::optional<cubin_detail::Demangled> run() {
    if (!starts_with(s_, "_Z")) return std::nullopt;
    p_ = 2;
    cubin_detail::Demangled out;
    bool templated = false;
    if (!name(out.name, templated)) return std::nullopt;
    Kind ignored;
    if (templated && !type(ignored)) return std::nullopt;  // a template function's encoding starts with its return type
    if (s_.substr(p_) == "v") return out;                  // no parameters
    while (p_ < s_.size()) {
      Kind t;
      if (!type(t)) return std::nullopt;
      out.kinds.push_back(t.known ? std::optional<ArgKind>(t.kind) : std::nullopt);
    }
    return out;
  }

 private:
  struct Kind {
    bool known = false;  // false: a type outside hcq's kinds
    ArgKind kind = ArgKind::u32;
  };
  static Kind of(ArgKind k) { return Kind{true, k}; }

  bool peek(char c) const { return p_ < s_.size() && s_[p_] == c; }
  bool digit() const { return p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9'; }

  bool source_name(std::string& out) {
    uint64_t n = 0;
    if (!digit()) return false;
    while (digit()) {
      n = n * 10 + static_cast<uint64_t>(s_[p_++] - '0');
      if (n > s_.size()) return false;
    }
    if (n == 0 || n > s_.size() - p_) return false;
    out = std::string(s_.substr(p_, n));
    p_ += n;
    return true;
  }

  // I <type>+ E; the arguments' kinds are what T_, T0_, ... stand for.
  bool template_args() {
    ++p_;  // I
    targs_.clear();
    while (!peek('E')) {
      Kind t;
      if (p_ >= s_.size() || !type(t)) return false;
      targs_.push_back(t);
    }
    ++p_;  // E
    return true;
  }

  // The function's name: <source-name> [I...E], L<source-name>, or N <source-name>+ [I...E] E.
  bool name(std::string& base, bool& templated) {
    if (peek('L')) ++p_;  // internal linkage
    if (digit()) {
      if (!source_name(base)) return false;
      if (peek('I')) {
        subs_.push_back(Kind{});  // the template's name
        templated = true;
        return template_args();
      }
      return true;
    }
    if (!peek('N')) return false;
    ++p_;
    bool first = true;
    while (!peek('E')) {
      if (p_ >= s_.size()) return false;
      if (!first) subs_.push_back(Kind{});  // each prefix of the name
      first = false;
      if (peek('I')) {
        templated = true;
        if (!template_args()) return false;
        if (!peek('E')) return false;  // only the last component may have template arguments here
      } else if (!source_name(base)) {
        return false;
      }
    }
    ++p_;  // E
    return true;
  }

  // One <type> into `out`; false when the name is beyond this reader.
  bool type(Kind& out) {
    if (p_ >= s_.size() || depth_ >= max_depth) return false;
    ++depth_;
    const bool ok = type_inner(out);
    --depth_;
    return ok;
  }

  bool type_inner(Kind& out) {
    const char c = s_[p_];
    out = Kind{};
    switch (c) {
      case 'j': ++p_; out = of(ArgKind::u32); return true;
      case 'i': ++p_; out = of(ArgKind::i32); return true;
      case 'm': case 'y': ++p_; out = of(ArgKind::u64); return true;
      case 'l': case 'x': ++p_; out = of(ArgKind::i64); return true;
      case 'f': ++p_; out = of(ArgKind::f32); return true;
      case 'd': ++p_; out = of(ArgKind::f64); return true;
      case 'v': case 'b': case 'c': case 'a': case 'h': case 's': case 't': case 'w': case 'e': case 'g': case 'n': case 'o': case 'z':
        ++p_;
        return true;
      case 'D':  // Dh (half), Dn (nullptr_t), Ds, Di, Du: single-letter extended builtins only
        if (p_ + 1 >= s_.size() || std::string_view("hnsiu").find(s_[p_ + 1]) == std::string_view::npos) return false;
        p_ += 2;
        return true;
      case 'P': {
        ++p_;
        Kind pointee;
        if (!type(pointee)) return false;
        out = of(ArgKind::pointer);
        subs_.push_back(out);
        return true;
      }
      case 'K': case 'V': case 'r':
        while (peek('K') || peek('V') || peek('r')) ++p_;
        if (!type(out)) return false;
        subs_.push_back(out);
        return true;
      case 'N': {  // a nested class name: each prefix and the whole are substitution candidates
        ++p_;
        std::string ignored;
        while (!peek('E')) {
          if (!source_name(ignored)) return false;
          subs_.push_back(Kind{});
        }
        ++p_;
        return true;
      }
      case 'S': {  // S_ is candidate 0, S<base-36>_ is candidate n + 1
        ++p_;
        uint64_t index = 0;
        if (!peek('_')) {
          uint64_t n = 0;
          bool any = false;
          while (p_ < s_.size() && ((s_[p_] >= '0' && s_[p_] <= '9') || (s_[p_] >= 'A' && s_[p_] <= 'Z'))) {
            n = n * 36 + static_cast<uint64_t>(s_[p_] <= '9' ? s_[p_] - '0' : s_[p_] - 'A' + 10);
            if (n > subs_.size()) return false;
            any = true;
            ++p_;
          }
          if (!any) return false;  // St, Sa, Ss, ...: std:: abbreviations
          index = n + 1;
        }
        if (!peek('_') || index >= subs_.size()) return false;
        ++p_;
        out = subs_[index];
        return true;
      }
      case 'T': {  // T_ is template argument 0, T<n>_ is n + 1
        ++p_;
        uint64_t index = 0;
        if (!peek('_')) {
          uint64_t n = 0;
          if (!digit()) return false;
          while (digit()) {
            n = n * 10 + static_cast<uint64_t>(s_[p_++] - '0');
            if (n > targs_.size()) return false;
          }
          index = n + 1;
        }
        if (!peek('_') || index >= targs_.size()) return false;
        ++p_;
        out = targs_[index];
        subs_.push_back(out);
        return true;
      }
      default: {
        std::string ignored;
        if (!source_name(ignored) || peek('I')) return false;  // class templates are not followed
        subs_.push_back(Kind{});
        return true;
      }
    }
  }

  std::string_view s_;
  std::size_t p_ = 0;
  std::vector<Kind> subs_;
  std::vector<Kind> targs_;
  static constexpr int max_depth = 32;  // nested pointers/qualifiers; a hostile name cannot recurse deeper
  int depth_ = 0;
};

// ---- kernels ------------------------------------------------------------------------------------

std::string list_names(const std::vector<CubinKernel>& kernels) {
  std::string out;
  for (const CubinKernel& k : kernels) {
    if (!out.empty()) out += ", ";
    out += k.info.name;
    if (!k.alias.empty()) out += fmt::format(" ({})", k.alias);
  }
  return out.empty() ? std::string("none") : out;
}

struct Parser {
  const std::string& what;
  const ElfFile& elf;
  std::vector<ElfSymbol> symbols;
  uint32_t symtab_index = 0;
  CubinImage out;
  std::vector<std::optional<uint64_t>> placed;  // image offset of each section that is in the image

  Parser(const std::string& w, const ElfFile& e) : what(w), elf(e) {}

  const ElfSection* named(std::string_view prefix, std::string_view fn) const {
    std::string n(prefix);
    n += fn;
    return elf.section(n);
  }

  void header() {
    if (!elf.is_64()) fail(what, "not a cubin: ELFCLASS32, expected ELFCLASS64");
    if (elf.machine() != elf::em_cuda)
      fail(what, fmt::format("not a cubin: e_machine is {}, expected {} (EM_CUDA)", elf.machine(), elf::em_cuda));
    if (elf.type() == elf::et_rel)
      fail(what, "a relocatable cubin (nvcc -rdc / -dc output): link it into an executable cubin (nvlink -cubin) first");
    if (elf.type() != elf::et_exec) fail(what, fmt::format("e_type is {}, expected {} (ET_EXEC)", elf.type(), elf::et_exec));
    out.sm = (elf.flags() >> 8) & 0xffu;
    if (out.sm == 0) fail(what, fmt::format("e_flags {:#x} holds no SM version in bits 15:8", elf.flags()));
    const ElfSection* symtab = nullptr;
    for (const ElfSection& s : elf.sections())
      if (s.type == elf::sht_symtab) {
        symtab = &s;
        break;
      }
    if (symtab == nullptr) fail(what, "no symbol table (.symtab): a cubin names its kernels there");
    symtab_index = symtab->index;
    symbols = elf.symbols(*symtab);
  }

  static bool is_shared(std::string_view n) { return n == ".nv.shared" || starts_with(n, ".nv.shared."); }
  static bool is_local(std::string_view n) { return n == ".nv.local" || starts_with(n, ".nv.local."); }
  static bool is_cbank0(std::string_view n) { return n == ".nv.constant0" || starts_with(n, ".nv.constant0."); }

  // ".nv.constantN" or ".nv.constantN.<fn>" (N != 0): N and the kernel name (empty for a module bank).
  static std::optional<std::pair<uint32_t, std::string_view>> bank_of(std::string_view n) {
    if (!starts_with(n, ".nv.constant")) return std::nullopt;
    n.remove_prefix(std::string_view(".nv.constant").size());
    uint32_t index = 0;
    std::size_t digits = 0;
    while (digits < n.size() && digits < 3 && n[digits] >= '0' && n[digits] <= '9') index = index * 10 + static_cast<uint32_t>(n[digits++] - '0');
    if (digits == 0 || index == 0) return std::nullopt;
    n.remove_prefix(digits);
    if (n.empty()) return std::pair{index, std::string_view{}};
    if (n[0] != '.' || n.size() == 1) return std::nullopt;
    return std::pair{index, n.substr(1)};
  }

  // Lays out every loadable section: code, banks other than 0, __device__ data.
  void layout() {
    placed.assign(elf.sections().size(), std::nullopt);
    uint64_t end = 0, code_end = 0;
    for (const ElfSection& s : elf.sections()) {
      if ((s.flags & elf::shf_alloc) == 0 || s.size == 0) continue;
      if (is_shared(s.name) || is_local(s.name) || is_cbank0(s.name)) continue;
      if (s.type != elf::sht_progbits && s.type != elf::sht_nobits) continue;
      if (s.align > max_section_alignment || (s.align & (s.align - 1)) != 0)
        fail(what, fmt::format("{}: alignment {:#x} is not a power of two up to {:#x}", s.name, s.align, max_section_alignment));
      const bool code = (s.flags & elf::shf_execinstr) != 0;
      const auto bank = bank_of(s.name);
      uint64_t align = std::max<uint64_t>(s.align, 1);
      if (code) align = std::max(align, code_alignment);
      if (bank) align = std::max(align, bank_alignment);
      if (bank && bank->first >= max_banks)
        fail(what, fmt::format("{}: constant bank {}, but a launch binds banks 0-{} only", s.name, bank->first, max_banks - 1));
      const uint64_t offset = round_up(end, align);
      if (s.size > max_image_bytes)
        fail(what, fmt::format("{}: {:#x} bytes is more than the image limit of {:#x} bytes", s.name, s.size, max_image_bytes));
      const uint64_t size = bank ? round_up(s.size, bank_granule) : s.size;
      if (offset > max_image_bytes - size)
        fail(what, fmt::format("{}: {:#x} bytes at image offset {:#x} take the image past its limit of {:#x} bytes", s.name, s.size, offset,
                               max_image_bytes));
      placed[s.index] = offset;
      end = offset + size;
      if (code) code_end = std::max(code_end, end);
      out.alignment = std::max(out.alignment, align);
      if (bank && bank->second.empty()) out.banks.push_back({bank->first, offset, size});
    }
    if (code_end > 0) end = std::max(end, code_end + prefetch_slack);
    out.image.assign(end, std::byte{0});
    for (const ElfSection& s : elf.sections()) {
      if (!placed[s.index] || s.type == elf::sht_nobits) continue;
      if (s.data.size() != s.size) fail(what, fmt::format("{}: PROGBITS section without its {:#x} bytes", s.name, s.size));
      std::memcpy(out.image.data() + *placed[s.index], s.data.data(), s.data.size());
    }
    std::sort(out.banks.begin(), out.banks.end(), [](const CubinBank& a, const CubinBank& b) { return a.index < b.index; });
    for (std::size_t i = 1; i < out.banks.size(); ++i)
      if (out.banks[i].index == out.banks[i - 1].index) fail(what, fmt::format("two sections for constant bank {}", out.banks[i].index));
  }

  // Per-function values of the module's .nv.info, by function symbol index.
  struct FunctionAttrs {
    uint32_t registers = 0, frame = 0, min_stack = 0, max_stack = 0;
  };
  std::map<uint32_t, FunctionAttrs> module_info() {
    std::map<uint32_t, FunctionAttrs> attrs;
    const ElfSection* info = elf.section(".nv.info");
    if (info == nullptr) return attrs;
    for (const InfoRecord& r : read_info(*info, what)) {
      const char* name = nullptr;
      switch (r.attr) {
        case eiattr::regcount: name = "REGCOUNT"; break;
        case eiattr::frame_size: name = "FRAME_SIZE"; break;
        case eiattr::min_stack_size: name = "MIN_STACK_SIZE"; break;
        case eiattr::max_stack_size: name = "MAX_STACK_SIZE"; break;
        default: continue;
      }
      const Bytes p = payload(r, 8, *info, what, name);
      FunctionAttrs& a = attrs[load<uint32_t>(p, 0)];
      const uint32_t v = load<uint32_t>(p, 4);
      switch (r.attr) {
        case eiattr::regcount: a.registers = v; break;
        case eiattr::frame_size: a.frame = v; break;
        case eiattr::min_stack_size: a.min_stack = v; break;
        default: a.max_stack = v; break;
      }
    }
    return attrs;
  }

  void kernels() {
    const auto attrs = module_info();
    for (uint32_t i = 0; i < symbols.size(); ++i) {
      const ElfSymbol& sym = symbols[i];
      if (sym.type != elf::stt_func || (sym.other & sto_cuda_entry) == 0 || sym.shndx == elf::shn_undef || sym.shndx >= elf::shn_loreserve)
        continue;
      kernel(i, sym, attrs);
    }
    for (std::size_t i = 0; i < out.kernels.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (out.kernels[i].info.name == out.kernels[j].info.name) fail(what, fmt::format("two kernels called '{}'", out.kernels[i].info.name));
  }

  void kernel(uint32_t sym_index, const ElfSymbol& sym, const std::map<uint32_t, FunctionAttrs>& attrs) {
    CubinKernel k;
    k.info.name = std::string(sym.name);
    if (k.info.name.empty()) fail(what, fmt::format("kernel symbol {} has no name", sym_index));
    const std::string who = fmt::format("kernel '{}'", k.info.name);

    // Code.
    const ElfSection& text = elf.sections()[sym.shndx];
    if (!placed[text.index] || (text.flags & elf::shf_execinstr) == 0)
      fail(what, fmt::format("{}: its symbol is in {}, which is not a loaded code section", who, text.name));
    if (!in_bounds(sym.value, sym.size, text.size))
      fail(what, fmt::format("{}: code at {:#x} + {:#x} lies outside {} ({:#x} bytes)", who, sym.value, sym.size, text.name, text.size));
    k.text_offset = *placed[text.index] + sym.value;
    k.text_size = sym.size != 0 ? sym.size : text.size - sym.value;

    // Constant bank 0 template.
    const ElfSection* c0 = named(".nv.constant0.", k.info.name);
    if (c0 == nullptr) fail(what, fmt::format("{}: no .nv.constant0.{} section (the kernel's constant bank 0)", who, k.info.name));
    if (c0->size > 0x10000) fail(what, fmt::format("{}: {} is {:#x} bytes, more than a 64 KiB constant bank", who, c0->name, c0->size));
    k.cbank0.assign(c0->size, std::byte{0});
    if (c0->type != elf::sht_nobits) {
      if (c0->data.size() != c0->size) fail(what, fmt::format("{}: {} has no file data", who, c0->name));
      std::memcpy(k.cbank0.data(), c0->data.data(), c0->data.size());
    }

    // Other per-kernel banks.
    for (const ElfSection& s : elf.sections()) {
      const auto bank = bank_of(s.name);
      if (bank && bank->second == k.info.name && placed[s.index]) k.banks.push_back({bank->first, *placed[s.index], round_up(s.size, bank_granule)});
    }

    // .nv.info.<fn>.
    const ElfSection* info = named(".nv.info.", k.info.name);
    if (info == nullptr) fail(what, fmt::format("{}: no .nv.info.{} section (its parameter table)", who, k.info.name));
    std::optional<uint32_t> param_bytes;
    std::optional<std::pair<uint32_t, uint32_t>> cbank;  // offset, size
    uint32_t max_threads = 0;
    for (const InfoRecord& r : read_info(*info, what)) {
      switch (r.attr) {
        case eiattr::kparam_info:
        case eiattr::kparam_info_v2: {
          const bool v2 = r.attr == eiattr::kparam_info_v2;
          const Bytes p = payload(r, 12, *info, what, v2 ? "KPARAM_INFO_V2" : "KPARAM_INFO");
          const uint32_t flags = load<uint32_t>(p, 8);
          k.params.push_back({load<uint16_t>(p, 4), load<uint16_t>(p, 6), v2 ? flags : flags >> 18});
          break;
        }
        case eiattr::cbank_param_size: param_bytes = scalar(r, *info, what, "CBANK_PARAM_SIZE"); break;
        case eiattr::param_cbank: {
          const Bytes p = payload(r, 8, *info, what, "PARAM_CBANK");
          const uint32_t bank_sym = load<uint32_t>(p, 0);
          if (bank_sym >= symbols.size() || symbols[bank_sym].shndx != c0->index)
            fail(what, fmt::format("{}: PARAM_CBANK names symbol {}, which is not in {}", who, bank_sym, c0->name));
          cbank = std::pair<uint32_t, uint32_t>{load<uint16_t>(p, 4), load<uint16_t>(p, 6)};
          break;
        }
        case eiattr::max_threads:
        case eiattr::reqntid: {
          const Bytes p = payload(r, 12, *info, what, r.attr == eiattr::max_threads ? "MAX_THREADS" : "REQNTID");
          const uint64_t n = uint64_t{load<uint32_t>(p, 0)} * load<uint32_t>(p, 4) * load<uint32_t>(p, 8);
          const uint32_t t = static_cast<uint32_t>(std::min<uint64_t>(n, std::numeric_limits<uint32_t>::max()));
          if (t != 0) max_threads = max_threads == 0 ? t : std::min(max_threads, t);
          break;
        }
        case eiattr::num_barriers: k.barriers = scalar(r, *info, what, "NUM_BARRIERS"); break;
        default: break;
      }
    }
    k.info.max_threads = max_threads;

    // Parameters: a contiguous block at param_base in bank 0.
    if (cbank) {
      k.param_base = cbank->first;
      if (param_bytes && *param_bytes != cbank->second)
        fail(what, fmt::format("{}: CBANK_PARAM_SIZE is {:#x} but PARAM_CBANK says {:#x}", who, *param_bytes, cbank->second));
      param_bytes = cbank->second;
    } else {
      if (!k.params.empty() || (param_bytes && *param_bytes != 0))
        fail(what, fmt::format("{}: has parameters but no PARAM_CBANK record placing them in constant bank 0", who));
      k.param_base = static_cast<uint32_t>(c0->size);
      param_bytes = 0;
    }
    if (uint64_t{k.param_base} + *param_bytes > c0->size)
      fail(what, fmt::format("{}: parameters at {:#x} + {:#x} lie outside {} ({:#x} bytes)", who, k.param_base, *param_bytes, c0->name, c0->size));
    k.info.args_size = *param_bytes;
    std::sort(k.params.begin(), k.params.end(), [](const CubinParam& a, const CubinParam& b) { return a.ordinal < b.ordinal; });
    for (std::size_t i = 0; i < k.params.size(); ++i) {
      const CubinParam& p = k.params[i];
      if (p.ordinal != i) fail(what, fmt::format("{}: parameter ordinals are not 0..{}: found {} at position {}", who, k.params.size() - 1, p.ordinal, i));
      if (p.size == 0 || !in_bounds(p.offset, p.size, *param_bytes))
        fail(what, fmt::format("{}: parameter {} ({} bytes at offset {:#x}) lies outside the {:#x} bytes of parameters", who, i, p.size, p.offset, *param_bytes));
    }

    // Module-level attributes of the function.
    if (auto a = attrs.find(sym_index); a != attrs.end()) {
      k.info.registers = a->second.registers;
      k.info.private_bytes = std::max({a->second.frame, a->second.min_stack, a->second.max_stack});
    }

    // Shared memory.
    k.shared_reserve = out.sm >= 90 ? sm90_shared_reserve : 0;
    if (const ElfSection* sh = named(".nv.shared.", k.info.name)) {
      if (sh->size > 0x100000) fail(what, fmt::format("{}: {} is {:#x} bytes, more than any GPU's shared memory", who, sh->name, sh->size));
      k.info.shared_bytes = static_cast<uint32_t>(sh->size > k.shared_reserve ? sh->size - k.shared_reserve : 0);
    }

    out.kernels.push_back(std::move(k));
  }

  // Names and kinds: annotations first, then mangled names and sizes.
  void arguments() {
    std::vector<bool> annotated(out.kernels.size(), false);
    std::vector<std::optional<cubin_detail::Demangled>> demangled;
    for (const CubinKernel& k : out.kernels) demangled.push_back(cubin_detail::demangle_kernel(k.info.name));
    auto unique_base = [&](const std::string& base) {
      std::size_t found = out.kernels.size(), count = 0;
      for (std::size_t i = 0; i < out.kernels.size(); ++i)
        if (out.kernels[i].info.name == base || (demangled[i] && demangled[i]->name == base)) {
          found = i;
          ++count;
        }
      return count == 1 ? found : out.kernels.size();
    };

    for (const ElfSymbol& sym : symbols) {
      if (!starts_with(sym.name, HCQ_NV_SIGNATURE_PREFIX) || sym.shndx == elf::shn_undef) continue;
      const std::string label(sym.name);
      if (sym.shndx >= elf::shn_loreserve) fail(what, fmt::format("annotation {} is not in a section", label));
      const ElfSection& s = elf.sections()[sym.shndx];
      if (s.type == elf::sht_nobits || s.data.size() != s.size || !in_bounds(sym.value, sym.size, s.data.size()) || sym.size == 0)
        fail(what, fmt::format("annotation {}: {:#x} bytes at {:#x} are not inside the data of {}", label, sym.size, sym.value, s.name));
      const Bytes text = s.data.subspan(sym.value, sym.size);
      const char* chars = reinterpret_cast<const char*>(text.data());
      const void* nul = std::memchr(chars, 0, text.size());
      if (nul == nullptr) fail(what, fmt::format("annotation {} is not NUL-terminated", label));
      const std::string_view signature(chars, static_cast<std::size_t>(static_cast<const char*>(nul) - chars));
      KernelInfo sig = hcq::detail::parse_signature(signature, what);

      std::size_t index = out.kernels.size();
      for (std::size_t i = 0; i < out.kernels.size(); ++i)
        if (out.kernels[i].info.name == sig.name) index = i;
      if (index == out.kernels.size()) index = unique_base(sig.name);
      if (index == out.kernels.size())
        fail(what, fmt::format("annotation {} describes kernel '{}', which this cubin does not have (kernels: {})", label, sig.name,
                               list_names(out.kernels)));
      CubinKernel& k = out.kernels[index];
      if (annotated[index]) fail(what, fmt::format("kernel '{}' has two annotations (the second is {})", k.info.name, label));
      annotated[index] = true;
      check_annotation(k, sig, signature);
      k.info.args = std::move(sig.args);
      k.annotated = true;
      if (sig.name != k.info.name) k.alias = sig.name;
    }

    for (std::size_t i = 0; i < out.kernels.size(); ++i) {
      CubinKernel& k = out.kernels[i];
      if (k.annotated) continue;
      describe_unannotated(k, demangled[i]);
      if (demangled[i] && demangled[i]->name != k.info.name && unique_base(demangled[i]->name) == i) k.alias = demangled[i]->name;
    }
    for (std::size_t i = 0; i < out.kernels.size(); ++i)
      for (std::size_t j = 0; j < out.kernels.size(); ++j)
        if (i != j && !out.kernels[i].alias.empty() && out.kernels[i].alias == out.kernels[j].info.name) out.kernels[i].alias.clear();
  }

  void check_annotation(const CubinKernel& k, const KernelInfo& sig, std::string_view text) const {
    const std::string who = fmt::format("kernel '{}': annotation '{}'", k.info.name, text);
    if (sig.args.size() != k.params.size())
      fail(what, fmt::format("{} has {} arguments, the cubin {} parameters", who, sig.args.size(), k.params.size()));
    for (std::size_t i = 0; i < k.params.size(); ++i) {
      const ArgInfo& a = sig.args[i];
      const CubinParam& p = k.params[i];
      if (a.offset != p.offset || a.size != p.size)
        fail(what, fmt::format("{}: argument '{}: {}' is {} bytes at offset {}, but the cubin's parameter {} is {} bytes at offset {}", who, a.name,
                               to_string(a.kind), a.size, a.offset, i, p.size, p.offset));
    }
  }

  void describe_unannotated(CubinKernel& k, const std::optional<cubin_detail::Demangled>& dm) const {
    bool use_names = dm && dm->kinds.size() == k.params.size();
    for (std::size_t i = 0; use_names && i < k.params.size(); ++i)
      if (dm->kinds[i] && size_of(*dm->kinds[i]) != k.params[i].size) use_names = false;
    for (std::size_t i = 0; i < k.params.size(); ++i) {
      const CubinParam& p = k.params[i];
      ArgKind kind = ArgKind::bytes;  // a by-value struct, or anything else of another size
      if (use_names && dm->kinds[i].has_value()) {
        kind = dm->kinds[i].value();
      } else if (p.size == 4) {
        kind = ArgKind::u32;
      } else if (p.size == 8) {
        kind = use_names ? ArgKind::u64 : ArgKind::pointer;  // with a mangled name: known not to be a pointer
      }
      k.info.args.push_back({fmt::format("arg{}", i), kind, p.offset, p.size});
    }
  }

  void relocations() {
    for (const ElfSection& s : elf.sections()) {
      if (s.type != elf::sht_rela && s.type != elf::sht_rel) continue;
      if (s.info >= elf.sections().size()) fail(what, fmt::format("{}: sh_info {} is not a section", s.name, s.info));
      const ElfSection& target = elf.sections()[s.info];
      if ((target.flags & elf::shf_alloc) == 0) continue;  // .debug_frame and the like
      const auto rels = elf.relocations(s);
      if (rels.empty()) continue;
      if (!placed[target.index])
        fail(what, fmt::format("{}: relocations of {}, which the loader does not place in the image, are not supported", s.name, target.name));
      const bool implicit_addend = s.type == elf::sht_rel;  // nvcc writes SHT_REL for sm_86, SHT_RELA for sm_90
      if (s.link != symtab_index) fail(what, fmt::format("{}: sh_link {} is not the symbol table (section {})", s.name, s.link, symtab_index));
      for (const auto& r : rels) {
        uint64_t at = r.offset, width = 0;
        switch (r.type) {
          case reloc::none: continue;
          case reloc::r_cuda_32: width = 4; break;
          case reloc::r_cuda_64: case reloc::r_cuda_g64: width = 8; break;
          case reloc::r_cuda_abs32_lo_32: case reloc::r_cuda_abs32_hi_32:
            if (r.offset > std::numeric_limits<uint64_t>::max() - 4) at = std::numeric_limits<uint64_t>::max();
            else at = r.offset + 4;
            width = 4;
            break;
          default:
            fail(what, fmt::format("{}: relocation at {:#x} has type {:#x}, which this loader does not know (it applies R_CUDA_32, R_CUDA_64, "
                                   "R_CUDA_G64, R_CUDA_ABS32_LO_32 and R_CUDA_ABS32_HI_32)", s.name, r.offset, r.type));
        }
        if (!in_bounds(at, width, target.size))
          fail(what, fmt::format("{}: relocation at {:#x} (type {:#x}) writes outside {} ({:#x} bytes)", s.name, r.offset, r.type, target.name, target.size));
        CubinReloc out_r;
        out_r.offset = *placed[target.index] + r.offset;
        out_r.type = r.type;
        out_r.addend = r.addend;
        if (implicit_addend) {  // SHT_REL: the addend is what the patched location holds
          if (width != 8 && r.type != reloc::r_cuda_32)
            fail(what, fmt::format("{}: relocation at {:#x} has type {:#x}, which needs an explicit addend (SHT_RELA)", s.name, r.offset, r.type));
          if (target.data.size() == target.size)
            out_r.addend = width == 8 ? static_cast<int64_t>(load<uint64_t>(target.data, at)) : int64_t{load<uint32_t>(target.data, at)};
        }
        const ElfSymbol& sym = symbols[r.symbol];
        out_r.symbol = std::string(sym.name);
        if (r.symbol == 0 || sym.shndx == elf::shn_undef) {
          if (r.symbol != 0 && sym.bind != elf::stb_weak)
            fail(what, fmt::format("{}: relocation at {:#x} refers to undefined symbol '{}'", s.name, r.offset, sym.name));
          out_r.value = 0;  // an undefined weak symbol is 0
        } else if (sym.shndx == elf::shn_abs) {
          out_r.value = sym.value;
        } else if (sym.shndx >= elf::shn_loreserve) {
          fail(what, fmt::format("{}: relocation at {:#x} refers to '{}' in special section {:#x}", s.name, r.offset, sym.name, sym.shndx));
        } else {
          const ElfSection& home = elf.sections()[sym.shndx];
          if (!placed[home.index])
            fail(what, fmt::format("{}: relocation at {:#x} refers to '{}' in {}, which is not in the image", s.name, r.offset, sym.name, home.name));
          if (sym.value > home.size)
            fail(what, fmt::format("{}: relocation at {:#x} refers to '{}' at {:#x}, past the end of {} ({:#x} bytes)", s.name, r.offset, sym.name,
                                   sym.value, home.name, home.size));
          out_r.in_image = true;
          out_r.value = *placed[home.index] + sym.value;
        }
        out.relocs.push_back(std::move(out_r));
      }
    }
  }
};

}  // namespace

namespace cubin_detail {
std::optional<Demangled> demangle_kernel(std::string_view symbol) { return Demangler(symbol).run(); }
}  // namespace cubin_detail

const CubinKernel* CubinImage::find(std::string_view name) const {
  for (const CubinKernel& k : kernels)
    if (k.info.name == name) return &k;
  for (const CubinKernel& k : kernels)
    if (!k.alias.empty() && k.alias == name) return &k;
  return nullptr;
}

const CubinKernel& CubinImage::kernel(std::string_view name) const {
  const CubinKernel* k = find(name);
  if (k == nullptr)
    throw Error(Errc::not_found, "", "program", fmt::format("{}: no kernel '{}'; the cubin has: {}", what, name, list_names(kernels)));
  return *k;
}

void CubinImage::relocate(std::span<std::byte> target, uint64_t base_va) const {
  if (target.size() < image.size())
    throw Error(Errc::invalid_argument, "", "program",
                fmt::format("{}: relocate(): the copy holds {:#x} bytes, the image {:#x}", what, target.size(), image.size()));
  if (base_va % alignment != 0)
    throw Error(Errc::invalid_argument, "", "program", fmt::format("{}: relocate(): base {:#x} is not a multiple of {:#x}", what, base_va, alignment));
  for (const CubinReloc& r : relocs) {
    const uint64_t s = (r.in_image ? base_va + r.value : r.value) + static_cast<uint64_t>(r.addend);
    switch (r.type) {
      case reloc::r_cuda_32: store<uint32_t>(target, r.offset, static_cast<uint32_t>(s)); break;
      case reloc::r_cuda_64:
      case reloc::r_cuda_g64: store<uint64_t>(target, r.offset, s); break;
      case reloc::r_cuda_abs32_lo_32: store<uint32_t>(target, r.offset + 4, static_cast<uint32_t>(s)); break;
      case reloc::r_cuda_abs32_hi_32: store<uint32_t>(target, r.offset + 4, static_cast<uint32_t>(s >> 32)); break;
      default: throw Error(Errc::internal, "", "program", fmt::format("{}: relocation type {:#x} kept but not applied", what, r.type));
    }
  }
}

CubinImage parse_cubin(std::span<const std::byte> bytes, const std::string& what) {
  const ElfFile elf = ElfFile::parse(bytes, what);
  Parser p(what, elf);
  p.out.what = what;
  p.header();
  p.layout();
  p.kernels();
  p.arguments();
  p.relocations();
  return std::move(p.out);
}

void check_sm(const CubinImage& image, uint32_t device_sm) {
  if (image.sm != device_sm)
    throw Error(Errc::bad_code_object, "", "program",
                fmt::format("{}: built for sm_{}, this device is sm_{}: rebuild it with nvcc -arch=sm_{}{}", image.what, image.sm, device_sm,
                            device_sm, device_sm == 90 ? "a" : ""));
}

}  // namespace hcq::nv
