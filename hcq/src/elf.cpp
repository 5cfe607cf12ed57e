// A bounds-checked ELF reader; see elf.hpp. Layouts follow the System V gABI, chapter 4.
//
// Rules kept throughout: every read goes through load<T>(), which checks its own bounds; every
// offset + size is checked with in_bounds() (no addition that can wrap); every count is bounded by
// the bytes that hold it, by division, before anything is reserved or looped over.
#include "elf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

#include "hcq/error.hpp"

namespace hcq::detail {

namespace {

using Bytes = std::span<const std::byte>;

// Whether [offset, offset + size) lies inside `total` bytes, without overflowing.
bool in_bounds(uint64_t offset, uint64_t size, uint64_t total) { return offset <= total && size <= total - offset; }

bool is_pow2_or_zero(uint64_t v) { return (v & (v - 1)) == 0; }

uint64_t round_up(uint64_t v, uint64_t pow2) { return (v + pow2 - 1) & ~(pow2 - 1); }  // v < 2^63

// A little-endian unsigned integer at `off`. Callers check bounds first; this re-checks anyway so that
// a bug here is an exception, never an out-of-bounds read.
template <class T>
T load(Bytes b, uint64_t off) {
  if (!in_bounds(off, sizeof(T), b.size()))
    throw Error(Errc::internal, "", "elf",
                fmt::format("read of {} bytes at {:#x} outside {:#x} bytes", sizeof(T), off, b.size()));
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v = static_cast<T>(v | static_cast<T>(static_cast<T>(std::to_integer<uint8_t>(b[off + i])) << (8 * i)));
  return v;
}

enum class StrStatus { ok, outside, unterminated };
struct StrFailure {
  std::size_t position;  // in the indices looked up; == their count when all are good
  StrStatus status;
};

// Resolves string-table offsets into views (without their NUL). The string at i ends at the first NUL at or
// after i; visiting the offsets in sorted order lets neighbours share that NUL, so each byte of the table is
// scanned at most once: a hostile table (many names inside one long run) costs O(table + n log n), not
// O(table * n).
StrFailure lookup_strings(Bytes table, const std::vector<uint32_t>& indices, std::vector<std::string_view>& out) {
  std::vector<std::size_t> order(indices.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return indices[a] < indices[b]; });
  out.assign(indices.size(), {});
  const char* chars = reinterpret_cast<const char*>(table.data());
  std::size_t nul = 0;  // the NUL ending the previous string
  bool have_nul = false;
  for (const std::size_t k : order) {
    const std::size_t index = indices[k];
    if (index >= table.size()) return {k, StrStatus::outside};
    if (!have_nul || index > nul) {
      const void* found = std::memchr(chars + index, 0, table.size() - index);
      if (found == nullptr) return {k, StrStatus::unterminated};
      nul = static_cast<std::size_t>(static_cast<const char*>(found) - chars);
      have_nul = true;
    }
    out[k] = std::string_view(chars + index, nul - index);
  }
  return {indices.size(), StrStatus::ok};
}

// Decodes the section header at `at` (the caller has checked it lies in `b`); `name` gets sh_name.
ElfSection decode_shdr(Bytes b, uint64_t at, bool is64, uint32_t& name) {
  auto u32 = [&](uint64_t o) { return load<uint32_t>(b, at + o); };
  auto u64 = [&](uint64_t o) { return load<uint64_t>(b, at + o); };
  ElfSection s;
  name = u32(0);
  s.type = u32(4);
  if (is64) {
    s.flags = u64(8), s.addr = u64(16), s.offset = u64(24), s.size = u64(32);
    s.link = u32(40), s.info = u32(44), s.align = u64(48), s.entsize = u64(56);
  } else {
    s.flags = u32(8), s.addr = u32(12), s.offset = u32(16), s.size = u32(20);
    s.link = u32(24), s.info = u32(28), s.align = u32(32), s.entsize = u32(36);
  }
  return s;
}

ElfSegment decode_phdr(Bytes b, uint64_t at, bool is64) {
  auto u32 = [&](uint64_t o) { return load<uint32_t>(b, at + o); };
  auto u64 = [&](uint64_t o) { return load<uint64_t>(b, at + o); };
  ElfSegment p;
  p.type = u32(0);
  if (is64) {
    p.flags = u32(4), p.offset = u64(8), p.vaddr = u64(16), p.paddr = u64(24);
    p.filesz = u64(32), p.memsz = u64(40), p.align = u64(48);
  } else {
    p.offset = u32(4), p.vaddr = u32(8), p.paddr = u32(12), p.filesz = u32(16);
    p.memsz = u32(20), p.flags = u32(24), p.align = u32(28);
  }
  return p;
}

// Decodes symbol `at` of a table; `name` gets st_name.
ElfSymbol decode_sym(Bytes b, uint64_t at, bool is64, uint32_t& name) {
  ElfSymbol s;
  name = load<uint32_t>(b, at);
  const uint64_t info_at = is64 ? 4 : 12;
  const uint8_t info = load<uint8_t>(b, at + info_at);
  s.type = static_cast<uint8_t>(info & 0xf);
  s.bind = static_cast<uint8_t>(info >> 4);
  s.other = load<uint8_t>(b, at + info_at + 1);
  s.shndx = load<uint16_t>(b, at + info_at + 2);
  if (is64) {
    s.value = load<uint64_t>(b, at + 8), s.size = load<uint64_t>(b, at + 16);
  } else {
    s.value = load<uint32_t>(b, at + 4), s.size = load<uint32_t>(b, at + 8);
  }
  return s;
}

ElfRelocation decode_rel(Bytes b, uint64_t at, bool is64, bool rela) {
  ElfRelocation r;
  if (is64) {
    r.offset = load<uint64_t>(b, at);
    const uint64_t info = load<uint64_t>(b, at + 8);
    r.symbol = static_cast<uint32_t>(info >> 32);
    r.type = static_cast<uint32_t>(info & 0xffffffffu);
    if (rela) r.addend = static_cast<int64_t>(load<uint64_t>(b, at + 16));
  } else {
    r.offset = load<uint32_t>(b, at);
    const uint32_t info = load<uint32_t>(b, at + 4);
    r.symbol = info >> 8;
    r.type = info & 0xffu;
    if (rela) r.addend = static_cast<int32_t>(load<uint32_t>(b, at + 8));
  }
  return r;
}

}  // namespace

void ElfFile::fail(const std::string& msg) const {
  throw Error(Errc::bad_code_object, "", "elf", fmt::format("{}: {}", what_, msg));
}

std::string ElfFile::label(const ElfSection& s) const {
  if (s.name.empty()) return fmt::format("section {}", s.index);
  return fmt::format("section {} ({})", s.index, s.name);
}

void ElfFile::fail_string(const ElfSection& strtab, uint64_t index, bool outside, const std::string& field) const {
  if (outside)
    fail(fmt::format("{} {:#x} is outside the string table {} ({:#x} bytes)", field, index, label(strtab),
                     strtab.data.size()));
  fail(fmt::format("{} {:#x}: the string is not NUL-terminated inside the string table {} ({:#x} bytes)", field, index,
                   label(strtab), strtab.data.size()));
}

ElfFile ElfFile::parse(std::span<const std::byte> bytes, std::string what) {
  ElfFile f;
  f.bytes_ = bytes;
  f.what_ = std::move(what);
  f.read_header();
  const std::vector<uint32_t> names = f.read_section_headers();
  f.read_section_names(names);
  f.check_section_data();
  f.read_segments();
  return f;
}

void ElfFile::read_header() {
  const uint64_t n = bytes_.size();
  if (n < elf::ei_nident)
    fail(fmt::format("the file is {} bytes, too short for an ELF identification ({} bytes)", n, elf::ei_nident));
  auto u8 = [&](uint64_t o) { return load<uint8_t>(bytes_, o); };
  if (u8(0) != elf::elfmag[0] || u8(1) != elf::elfmag[1] || u8(2) != elf::elfmag[2] || u8(3) != elf::elfmag[3])
    fail(fmt::format("bad magic {:02x} {:02x} {:02x} {:02x}, expected 7f 45 4c 46 (\"\\x7fELF\"): not an ELF file",
                     u8(0), u8(1), u8(2), u8(3)));
  const uint8_t cls = u8(elf::ei_class), data = u8(elf::ei_data), version = u8(elf::ei_version);
  if (cls != elf::elfclass32 && cls != elf::elfclass64)
    fail(fmt::format("e_ident[EI_CLASS] is {}, expected 1 (ELFCLASS32) or 2 (ELFCLASS64)", cls));
  if (data == elf::elfdata2msb)
    fail("e_ident[EI_DATA] is 2 (ELFDATA2MSB): big-endian files are not supported, only little-endian (ELFDATA2LSB)");
  if (data != elf::elfdata2lsb)
    fail(fmt::format("e_ident[EI_DATA] is {}, expected 1 (ELFDATA2LSB, little-endian)", data));
  if (version != elf::ev_current) fail(fmt::format("e_ident[EI_VERSION] is {}, expected 1 (EV_CURRENT)", version));
  is64_ = cls == elf::elfclass64;
  const uint64_t ehsize = is64_ ? elf::ehdr64_size : elf::ehdr32_size;
  if (n < ehsize)
    fail(fmt::format("the file is {} bytes, too short for the ELF{} header ({} bytes)", n, is64_ ? 64 : 32, ehsize));
  os_abi_ = u8(elf::ei_osabi);
  abi_version_ = u8(elf::ei_abiversion);
  auto u16 = [&](uint64_t o) { return load<uint16_t>(bytes_, o); };
  auto u32 = [&](uint64_t o) { return load<uint32_t>(bytes_, o); };
  auto word = [&](uint64_t o) { return is64_ ? load<uint64_t>(bytes_, o) : load<uint32_t>(bytes_, o); };
  type_ = u16(16);
  machine_ = u16(18);
  const uint32_t e_version = u32(20);
  const uint64_t w = is64_ ? 8 : 4;  // Addr/Off size; the fields after e_version shift by it
  entry_ = word(24), phoff_ = word(24 + w), shoff_ = word(24 + 2 * w);
  const uint64_t rest = 24 + 3 * w;
  flags_ = u32(rest);
  const uint16_t e_ehsize = u16(rest + 4);
  phentsize_ = u16(rest + 6), phnum_ = u16(rest + 8);
  shentsize_ = u16(rest + 10), shnum_ = u16(rest + 12), shstrndx_ = u16(rest + 14);
  if (e_version != elf::ev_current) fail(fmt::format("e_version is {}, expected 1 (EV_CURRENT)", e_version));
  if (e_ehsize != ehsize)
    fail(fmt::format("e_ehsize is {}, expected {} for ELFCLASS{}", e_ehsize, ehsize, is64_ ? 64 : 32));
}

std::vector<uint32_t> ElfFile::read_section_headers() {
  const uint64_t n = bytes_.size();
  if (shoff_ == 0) {
    if (shnum_ != 0) fail(fmt::format("e_shoff is 0 (no section header table) but e_shnum is {}", shnum_));
    if (shstrndx_ != 0) fail(fmt::format("e_shoff is 0 (no section header table) but e_shstrndx is {}", shstrndx_));
    return {};
  }
  const uint64_t min = is64_ ? elf::shdr64_size : elf::shdr32_size;
  if (shentsize_ < min) fail(fmt::format("e_shentsize is {}, expected at least {}", shentsize_, min));
  if (!in_bounds(shoff_, shentsize_, n))
    fail(fmt::format("section header table: e_shoff {:#x} + e_shentsize {} runs past the end of the file ({:#x} bytes)",
                     shoff_, shentsize_, n));
  uint32_t name0 = 0;
  const ElfSection s0 = decode_shdr(bytes_, shoff_, is64_, name0);
  uint64_t count = shnum_;
  if (count == 0) {  // the extended count lives in section 0's sh_size
    count = s0.size;
    if (count == 0) fail(fmt::format("e_shnum is 0 and section 0's sh_size is 0, but e_shoff is {:#x}", shoff_));
  }
  if (count > (n - shoff_) / shentsize_ || count > std::numeric_limits<uint32_t>::max())
    fail(
        fmt::format("section header table: {}{} entries of {} bytes at e_shoff {:#x} run past the end of the file "
                    "({:#x} bytes)",
                    count, shnum_ == 0 ? " (section 0's sh_size)" : " (e_shnum)", shentsize_, shoff_, n));
  std::vector<uint32_t> names(static_cast<std::size_t>(count));
  sections_.resize(static_cast<std::size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    sections_[i] = decode_shdr(bytes_, shoff_ + i * shentsize_, is64_, names[i]);
    sections_[i].index = static_cast<uint32_t>(i);
  }
  return names;
}

void ElfFile::bind_data(ElfSection& s) const {
  if (!is_pow2_or_zero(s.align))
    fail(fmt::format("{}: sh_addralign {:#x} is not 0 or a power of two", label(s), s.align));
  if (s.type == elf::sht_null || s.type == elf::sht_nobits || s.size == 0) {
    s.data = {};
    return;
  }
  if (!in_bounds(s.offset, s.size, bytes_.size()))
    fail(fmt::format("{}: offset {:#x} + size {:#x} runs past the end of the file ({:#x} bytes)", label(s), s.offset,
                     s.size, bytes_.size()));
  s.data = bytes_.subspan(static_cast<std::size_t>(s.offset), static_cast<std::size_t>(s.size));
}

void ElfFile::read_section_names(const std::vector<uint32_t>& names) {
  uint64_t index = shstrndx_;
  const char* via = "e_shstrndx";
  if (shstrndx_ == elf::shn_xindex) {
    index = sections_.at(0).link;  // sections exist: e_shoff != 0 whenever e_shstrndx != 0
    via = "e_shstrndx is SHN_XINDEX and section 0's sh_link";
  } else if (shstrndx_ >= elf::shn_loreserve) {
    fail(fmt::format("e_shstrndx {:#x} is a reserved index, expected a section index or SHN_XINDEX (0xffff)",
                     shstrndx_));
  }
  if (index == 0) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] != 0)
        fail(fmt::format("section {}: sh_name is {:#x} but there is no section-name string table (e_shstrndx is 0)", i,
                         names[i]));
    return;
  }
  if (index >= sections_.size())
    fail(fmt::format("{} is {}, expected a section index less than {}", via, index, sections_.size()));
  ElfSection& table = sections_[index];
  if (table.type != elf::sht_strtab)
    fail(fmt::format("{} is {}, a section of type {:#x}, expected SHT_STRTAB (3)", via, index, table.type));
  bind_data(table);
  std::vector<std::string_view> strings;
  const StrFailure bad = lookup_strings(table.data, names, strings);
  if (bad.status != StrStatus::ok)
    fail_string(table, names[bad.position], bad.status == StrStatus::outside,
                fmt::format("section {}: sh_name", bad.position));
  for (std::size_t i = 0; i < names.size(); ++i) sections_[i].name = strings[i];
}

void ElfFile::check_section_data() {
  for (ElfSection& s : sections_) bind_data(s);
}

void ElfFile::read_segments() {
  const uint64_t n = bytes_.size();
  uint64_t count = phnum_;
  if (phnum_ == elf::pn_xnum) {  // the real count lives in section 0's sh_info
    if (sections_.empty()) fail("e_phnum is PN_XNUM (0xffff) but there is no section 0 to hold the real count");
    count = sections_[0].info;
  }
  if (count == 0) return;
  const uint64_t min = is64_ ? elf::phdr64_size : elf::phdr32_size;
  if (phentsize_ < min) fail(fmt::format("e_phentsize is {}, expected at least {}", phentsize_, min));
  if (phoff_ > n || count > (n - phoff_) / phentsize_)
    fail(
        fmt::format("program header table: {} entries of {} bytes at e_phoff {:#x} run past the end of the file "
                    "({:#x} bytes)",
                    count, phentsize_, phoff_, n));
  segments_.resize(static_cast<std::size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    ElfSegment& p = segments_[i];
    p = decode_phdr(bytes_, phoff_ + i * phentsize_, is64_);
    if (!is_pow2_or_zero(p.align))
      fail(fmt::format("segment {}: p_align {:#x} is not 0 or a power of two", i, p.align));
    if (p.type == elf::pt_load && p.filesz > p.memsz)
      fail(fmt::format("segment {}: p_filesz {:#x} is larger than p_memsz {:#x}", i, p.filesz, p.memsz));
    if (p.filesz == 0) continue;
    if (!in_bounds(p.offset, p.filesz, n))
      fail(fmt::format("segment {}: p_offset {:#x} + p_filesz {:#x} runs past the end of the file ({:#x} bytes)", i,
                       p.offset, p.filesz, n));
    p.data = bytes_.subspan(static_cast<std::size_t>(p.offset), static_cast<std::size_t>(p.filesz));
  }
}

const ElfSection* ElfFile::section(std::string_view name) const {
  for (const ElfSection& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

const ElfSection& ElfFile::own(const ElfSection& s, const char* op) const {
  if (s.index < sections_.size()) {
    const ElfSection& o = sections_[s.index];
    if (o.type == s.type && o.offset == s.offset && o.size == s.size && o.data.data() == s.data.data()) return o;
  }
  throw Error(Errc::invalid_argument, "", "elf",
              fmt::format("{}: {}: section {} ({}) is not a section of this file", what_, op, s.index, s.name));
}

uint64_t ElfFile::entry_count(const ElfSection& s, uint64_t entry_size, const char* kind) const {
  if (s.entsize == 0)
    fail(fmt::format("{}: sh_entsize is 0, expected {} (the size of an ELF{} {})", label(s), entry_size,
                     is64_ ? 64 : 32, kind));
  if (s.entsize < entry_size)
    fail(fmt::format("{}: sh_entsize is {}, expected at least {} (the size of an ELF{} {})", label(s), s.entsize,
                     entry_size, is64_ ? 64 : 32, kind));
  if (s.size % s.entsize != 0)
    fail(fmt::format("{}: sh_size {:#x} is not a multiple of sh_entsize {}", label(s), s.size, s.entsize));
  if (s.data.size() != s.size)
    fail(fmt::format("{}: a {} table must have file data, not type {:#x}", label(s), kind, s.type));
  return s.size / s.entsize;
}

const ElfSection& ElfFile::linked(const ElfSection& s, const char* expected) const {
  if (s.link == 0 || s.link >= sections_.size())
    fail(fmt::format("{}: sh_link is {}, expected the index of its {} (a section index from 1 to {})", label(s), s.link,
                     expected, sections_.size() - 1));
  return sections_[s.link];
}

std::vector<ElfSymbol> ElfFile::symbols(const ElfSection& symtab) const {
  const ElfSection& s = own(symtab, "symbols()");
  if (s.type != elf::sht_symtab && s.type != elf::sht_dynsym)
    fail(fmt::format("{}: sh_type is {:#x}, expected SHT_SYMTAB (2) or SHT_DYNSYM (11)", label(s), s.type));
  const uint64_t count = entry_count(s, is64_ ? elf::sym64_size : elf::sym32_size, "symbol");
  const ElfSection& strtab = linked(s, "string table");
  if (strtab.type != elf::sht_strtab)
    fail(fmt::format("{}: sh_link {} names {}, of type {:#x}, expected SHT_STRTAB (3)", label(s), s.link, label(strtab),
                     strtab.type));
  std::vector<ElfSymbol> out(static_cast<std::size_t>(count));
  std::vector<uint32_t> names(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = decode_sym(s.data, i * s.entsize, is64_, names[i]);
  std::vector<std::string_view> strings;
  const StrFailure bad = lookup_strings(strtab.data, names, strings);
  if (bad.status != StrStatus::ok)
    fail_string(strtab, names[bad.position], bad.status == StrStatus::outside,
                fmt::format("{}: symbol {}: st_name", label(s), bad.position));
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].name = strings[i];
    const uint16_t shndx = out[i].shndx;
    if (shndx != elf::shn_undef && shndx < elf::shn_loreserve && shndx >= sections_.size())
      fail(fmt::format("{}: symbol {} ({}): st_shndx is {}, expected a section index less than {} or a reserved index",
                       label(s), i, strings[i], shndx, sections_.size()));
  }
  return out;
}

std::optional<ElfSymbol> ElfFile::find_symbol(std::string_view name) const {
  // The gABI allows one SHT_SYMTAB and one SHT_DYNSYM; searching only the first of each keeps this linear in
  // the file size even when a hostile file has thousands of overlapping symbol tables.
  for (const uint32_t type : {elf::sht_symtab, elf::sht_dynsym}) {
    const auto table =
        std::find_if(sections_.begin(), sections_.end(), [&](const ElfSection& s) { return s.type == type; });
    if (table == sections_.end()) continue;
    for (const ElfSymbol& sym : symbols(*table))
      if (sym.name == name && sym.shndx != elf::shn_undef) return sym;
  }
  return std::nullopt;
}

std::vector<ElfRelocation> ElfFile::relocations(const ElfSection& rel) const {
  const ElfSection& s = own(rel, "relocations()");
  const bool rela = s.type == elf::sht_rela;
  if (!rela && s.type != elf::sht_rel)
    fail(fmt::format("{}: sh_type is {:#x}, expected SHT_RELA (4) or SHT_REL (9)", label(s), s.type));
  const uint64_t size =
      rela ? (is64_ ? elf::rela64_size : elf::rela32_size) : (is64_ ? elf::rel64_size : elf::rel32_size);
  const uint64_t count = entry_count(s, size, rela ? "Rela relocation" : "Rel relocation");
  uint64_t symbol_count = 0;
  const ElfSection* symtab = nullptr;
  if (s.link != 0) {
    symtab = &linked(s, "symbol table");
    if (symtab->type != elf::sht_symtab && symtab->type != elf::sht_dynsym)
      fail(fmt::format("{}: sh_link {} names {}, of type {:#x}, expected SHT_SYMTAB (2) or SHT_DYNSYM (11)", label(s),
                       s.link, label(*symtab), symtab->type));
    symbol_count = entry_count(*symtab, is64_ ? elf::sym64_size : elf::sym32_size, "symbol");
  }
  std::vector<ElfRelocation> out(static_cast<std::size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    out[i] = decode_rel(s.data, i * s.entsize, is64_, rela);
    if (out[i].symbol == 0 || out[i].symbol < symbol_count) continue;
    if (symtab == nullptr)
      fail(fmt::format("{}: relocation {}: symbol index is {}, but sh_link is 0 (no symbol table)", label(s), i,
                       out[i].symbol));
    fail(fmt::format("{}: relocation {}: symbol index is {}, expected less than {} (the symbols in {})", label(s), i,
                     out[i].symbol, symbol_count, label(*symtab)));
  }
  return out;
}

std::vector<ElfNote> ElfFile::notes(const ElfSection& note) const {
  const ElfSection& s = own(note, "notes()");
  if (s.type != elf::sht_note) fail(fmt::format("{}: sh_type is {:#x}, expected SHT_NOTE (7)", label(s), s.type));
  return decode_notes(s.data, s.align, label(s));
}

std::vector<ElfNote> ElfFile::notes(const ElfSegment& note) const {
  const auto it = std::find_if(segments_.begin(), segments_.end(), [&](const ElfSegment& p) {
    return p.type == note.type && p.offset == note.offset && p.filesz == note.filesz &&
           p.data.data() == note.data.data();
  });
  if (it == segments_.end())
    throw Error(Errc::invalid_argument, "", "elf",
                fmt::format("{}: notes(): the segment is not a segment of this file", what_));
  const std::string where = fmt::format("segment {}", it - segments_.begin());
  if (it->type != elf::pt_note) fail(fmt::format("{}: p_type is {:#x}, expected PT_NOTE (4)", where, it->type));
  return decode_notes(it->data, it->align, where);
}

std::vector<ElfNote> ElfFile::decode_notes(std::span<const std::byte> data, uint64_t align,
                                           const std::string& where) const {
  const uint64_t pad = align == 8 ? 8 : 4;
  const uint64_t size = data.size();
  std::vector<ElfNote> out;
  for (uint64_t pos = 0; pos < size;) {
    auto at = [&] { return fmt::format("{}: note {} at offset {:#x}", where, out.size(), pos); };  // for messages
    if (size - pos < 12) fail(fmt::format("{}: {} bytes left, too few for a note header (12 bytes)", at(), size - pos));
    const uint32_t namesz = load<uint32_t>(data, pos), descsz = load<uint32_t>(data, pos + 4);
    ElfNote note;
    note.type = load<uint32_t>(data, pos + 8);
    const uint64_t name_at = pos + 12;
    if (!in_bounds(name_at, namesz, size))
      fail(fmt::format("{}: namesz {:#x} runs past the end of the notes ({:#x} bytes)", at(), namesz, size));
    const uint64_t desc_at = round_up(name_at + namesz, pad);  // pos is a multiple of pad
    if (!in_bounds(desc_at, descsz, size))
      fail(fmt::format("{}: descsz {:#x} (after the padded name) runs past the end of the notes ({:#x} bytes)", at(),
                       descsz, size));
    if (namesz != 0) {
      if (data[name_at + namesz - 1] != std::byte{0})
        fail(fmt::format("{}: the name is not NUL-terminated within namesz {}", at(), namesz));
      note.name = std::string_view(reinterpret_cast<const char*>(data.data()) + name_at, namesz - 1);
    }
    note.desc = data.subspan(static_cast<std::size_t>(desc_at), descsz);
    out.push_back(note);
    pos = std::min(size, desc_at + round_up(descsz, pad));  // the last note may lack its padding
  }
  return out;
}

}  // namespace hcq::detail
