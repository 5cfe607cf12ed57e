// Tests for the bounds-checked ELF reader (hcq/src/elf.hpp): a real host ELF (this test binary), small
// ELF32/ELF64 images built here, targeted hostile inputs and a deterministic random-mutation loop.
#include "elf.hpp"

#include <elf.h>  // only to cross-check elf.hpp's constants and to read this binary independently

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <type_traits>

#include <fmt/format.h>

#include "hcq/error.hpp"

using Catch::Contains;
using hcq::detail::ElfFile;
using hcq::detail::ElfSection;
namespace E = hcq::detail::elf;

// ---- elf.hpp's constants agree with <elf.h> ----------------------------------------------------------
static_assert(E::elfmag[0] == ELFMAG0 && E::elfmag[1] == ELFMAG1 && E::elfmag[2] == ELFMAG2 && E::elfmag[3] == ELFMAG3);
static_assert(E::ei_class == EI_CLASS && E::ei_data == EI_DATA && E::ei_version == EI_VERSION);
static_assert(E::ei_osabi == EI_OSABI && E::ei_abiversion == EI_ABIVERSION && E::ei_nident == EI_NIDENT);
static_assert(E::elfclass32 == ELFCLASS32 && E::elfclass64 == ELFCLASS64 && E::ev_current == EV_CURRENT);
static_assert(E::elfdata2lsb == ELFDATA2LSB && E::elfdata2msb == ELFDATA2MSB);
static_assert(E::et_none == ET_NONE && E::et_rel == ET_REL && E::et_exec == ET_EXEC && E::et_dyn == ET_DYN &&
              E::et_core == ET_CORE);
static_assert(E::em_x86_64 == EM_X86_64 && E::em_aarch64 == EM_AARCH64 && E::em_riscv == EM_RISCV &&
              E::em_cuda == EM_CUDA && E::em_amdgpu == EM_AMDGPU);
static_assert(E::shn_undef == SHN_UNDEF && E::shn_loreserve == SHN_LORESERVE && E::shn_abs == SHN_ABS &&
              E::shn_common == SHN_COMMON && E::shn_xindex == SHN_XINDEX && E::pn_xnum == PN_XNUM);
static_assert(E::sht_null == SHT_NULL && E::sht_progbits == SHT_PROGBITS && E::sht_symtab == SHT_SYMTAB &&
              E::sht_strtab == SHT_STRTAB && E::sht_rela == SHT_RELA && E::sht_hash == SHT_HASH &&
              E::sht_dynamic == SHT_DYNAMIC && E::sht_note == SHT_NOTE && E::sht_nobits == SHT_NOBITS &&
              E::sht_rel == SHT_REL && E::sht_shlib == SHT_SHLIB && E::sht_dynsym == SHT_DYNSYM &&
              E::sht_init_array == SHT_INIT_ARRAY && E::sht_fini_array == SHT_FINI_ARRAY &&
              E::sht_preinit_array == SHT_PREINIT_ARRAY && E::sht_group == SHT_GROUP &&
              E::sht_symtab_shndx == SHT_SYMTAB_SHNDX && E::sht_loos == SHT_LOOS && E::sht_loproc == SHT_LOPROC &&
              E::sht_hiproc == SHT_HIPROC && E::sht_louser == SHT_LOUSER);
static_assert(E::shf_write == SHF_WRITE && E::shf_alloc == SHF_ALLOC && E::shf_execinstr == SHF_EXECINSTR &&
              E::shf_merge == SHF_MERGE && E::shf_strings == SHF_STRINGS && E::shf_info_link == SHF_INFO_LINK &&
              E::shf_link_order == SHF_LINK_ORDER && E::shf_os_nonconforming == SHF_OS_NONCONFORMING &&
              E::shf_group == SHF_GROUP && E::shf_tls == SHF_TLS && E::shf_maskos == SHF_MASKOS &&
              E::shf_maskproc == SHF_MASKPROC);
static_assert(E::stt_notype == STT_NOTYPE && E::stt_object == STT_OBJECT && E::stt_func == STT_FUNC &&
              E::stt_section == STT_SECTION && E::stt_file == STT_FILE && E::stt_common == STT_COMMON &&
              E::stt_tls == STT_TLS && E::stt_loos == STT_LOOS && E::stt_loproc == STT_LOPROC);
static_assert(E::stb_local == STB_LOCAL && E::stb_global == STB_GLOBAL && E::stb_weak == STB_WEAK &&
              E::stb_loos == STB_LOOS && E::stb_loproc == STB_LOPROC);
static_assert(E::stv_default == STV_DEFAULT && E::stv_internal == STV_INTERNAL && E::stv_hidden == STV_HIDDEN &&
              E::stv_protected == STV_PROTECTED);
static_assert(E::pt_null == PT_NULL && E::pt_load == PT_LOAD && E::pt_dynamic == PT_DYNAMIC &&
              E::pt_interp == PT_INTERP && E::pt_note == PT_NOTE && E::pt_shlib == PT_SHLIB && E::pt_phdr == PT_PHDR &&
              E::pt_tls == PT_TLS && E::pt_loos == PT_LOOS && E::pt_loproc == PT_LOPROC);
static_assert(E::pf_x == PF_X && E::pf_w == PF_W && E::pf_r == PF_R);
static_assert(E::ehdr32_size == sizeof(Elf32_Ehdr) && E::ehdr64_size == sizeof(Elf64_Ehdr) &&
              E::shdr32_size == sizeof(Elf32_Shdr) && E::shdr64_size == sizeof(Elf64_Shdr) &&
              E::phdr32_size == sizeof(Elf32_Phdr) && E::phdr64_size == sizeof(Elf64_Phdr) &&
              E::sym32_size == sizeof(Elf32_Sym) && E::sym64_size == sizeof(Elf64_Sym) &&
              E::rel32_size == sizeof(Elf32_Rel) && E::rel64_size == sizeof(Elf64_Rel) &&
              E::rela32_size == sizeof(Elf32_Rela) && E::rela64_size == sizeof(Elf64_Rela));

// Two functions of this binary whose symbols the host-ELF test looks up.
extern "C" [[gnu::noinline, gnu::used]] int hcq_elf_test_marker_a(int x) { return x * 3 + 1; }
extern "C" [[gnu::noinline, gnu::used]] int hcq_elf_test_marker_b(int x) { return x * 5 + 2; }

namespace {

using Image = std::vector<std::byte>;
using namespace std::string_view_literals;

// ---- a tiny ELF image builder ------------------------------------------------------------------------
void put(Image& img, uint64_t off, uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width; ++i) img.at(off + i) = static_cast<std::byte>((v >> (8 * i)) & 0xff);
}
void append(Image& img, uint64_t v, unsigned width) {
  img.resize(img.size() + width);
  put(img, img.size() - width, v, width);
}
void pad_to(Image& img, uint64_t align) {
  while (align > 1 && img.size() % align != 0) img.push_back(std::byte{0});
}
Image bytes_of(std::string_view s) {
  Image out;
  for (char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

struct StrTab {
  Image bytes{std::byte{0}};
  uint32_t add(std::string_view s) {
    const auto off = static_cast<uint32_t>(bytes.size());
    for (char c : s) bytes.push_back(static_cast<std::byte>(c));
    bytes.push_back(std::byte{0});
    return off;
  }
};

struct Sym {
  uint32_t name;
  uint64_t value, size;
  uint8_t info, other;
  uint16_t shndx;
};
Image sym_image(bool is64, const std::vector<Sym>& syms) {
  Image out;
  for (const Sym& s : syms) {
    append(out, s.name, 4);
    if (!is64) append(out, s.value, 4), append(out, s.size, 4);
    append(out, s.info, 1), append(out, s.other, 1), append(out, s.shndx, 2);
    if (is64) append(out, s.value, 8), append(out, s.size, 8);
  }
  return out;
}

struct Rel {
  uint64_t offset;
  uint32_t sym, type;
  int64_t addend;
};
Image rel_image(bool is64, bool rela, const std::vector<Rel>& rels) {
  Image out;
  const unsigned w = is64 ? 8 : 4;
  for (const Rel& r : rels) {
    append(out, r.offset, w);
    append(out, is64 ? (uint64_t{r.sym} << 32 | r.type) : (r.sym << 8 | (r.type & 0xff)), w);
    if (rela) append(out, static_cast<uint64_t>(r.addend), w);
  }
  return out;
}

struct Note {
  std::string name;
  uint32_t type;
  Image desc;
};
Image note_image(const std::vector<Note>& notes, unsigned pad) {
  Image out;
  for (const Note& n : notes) {
    append(out, n.name.empty() ? 0 : n.name.size() + 1, 4), append(out, n.desc.size(), 4), append(out, n.type, 4);
    const Image name = bytes_of(n.name);
    out.insert(out.end(), name.begin(), name.end());
    if (!n.name.empty()) out.push_back(std::byte{0});
    pad_to(out, pad);
    out.insert(out.end(), n.desc.begin(), n.desc.end());
    pad_to(out, pad);
  }
  return out;
}

struct Section {
  std::string name;
  uint32_t type = SHT_NULL;
  uint64_t flags = 0, addr = 0;
  Image data;
  uint32_t link = 0, info = 0;
  uint64_t align = 1, entsize = 0, nobits_size = 0;
};
Section named(std::string name, uint32_t type) {
  Section s;
  s.name = std::move(name), s.type = type;
  return s;
}
struct Segment {
  uint32_t type, flags, section;
  uint64_t vaddr, memsz, align;
};

// A built image and where things landed in it.
struct Built {
  Image img;
  bool is64 = false;
  uint64_t shoff = 0, phoff = 0;
  std::vector<uint64_t> offsets;  // each section's sh_offset
  unsigned w() const { return is64 ? 8 : 4; }
  uint64_t shdr(uint32_t i) const { return shoff + i * (is64 ? 64 : 40); }
  uint64_t phdr(uint32_t i) const { return phoff + i * (is64 ? 56 : 32); }
};
// Field offsets inside the ELF header, a section header and a program header, per class.
struct EhdrOff {
  uint64_t phoff, shoff, ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
EhdrOff eh(bool is64) {
  return is64 ? EhdrOff{32, 40, 52, 54, 56, 58, 60, 62} : EhdrOff{28, 32, 40, 42, 44, 46, 48, 50};
}
struct ShdrOff {
  uint64_t name, type, flags, addr, offset, size, link, info, align, entsize;
};
ShdrOff sh(bool is64) {
  return is64 ? ShdrOff{0, 4, 8, 16, 24, 32, 40, 44, 48, 56} : ShdrOff{0, 4, 8, 12, 16, 20, 24, 28, 32, 36};
}
struct PhdrOff {
  uint64_t type, flags, offset, vaddr, filesz, memsz, align;
};
PhdrOff ph(bool is64) { return is64 ? PhdrOff{0, 4, 8, 16, 32, 40, 48} : PhdrOff{0, 24, 4, 8, 16, 20, 28}; }

struct ElfBuilder {
  bool is64 = true;
  uint16_t type = ET_DYN, machine = 0;
  uint8_t os_abi = 0, abi_version = 0;
  uint32_t flags = 0;
  uint64_t entry = 0;
  std::vector<Section> sections{Section{}};  // section 0 is SHT_NULL; .shstrtab is appended by build()
  std::vector<Segment> segments;

  Built build() const {
    Built b;
    b.is64 = is64;
    const unsigned w = is64 ? 8 : 4;
    const uint64_t ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32, shentsize = is64 ? 64 : 40;
    std::vector<Section> secs = sections;
    if (secs.size() > 1) {
      secs.push_back(named(".shstrtab", SHT_STRTAB));
    }
    StrTab names;
    std::vector<uint32_t> name_offs;
    for (const Section& s : secs) name_offs.push_back(s.name.empty() ? 0 : names.add(s.name));
    if (secs.size() > 1) secs.back().data = names.bytes;
    b.img.resize(ehsize + phentsize * segments.size());
    b.phoff = segments.empty() ? 0 : ehsize;
    b.offsets.assign(secs.size(), 0);
    for (std::size_t i = 1; i < secs.size(); ++i) {
      pad_to(b.img, secs[i].align);
      b.offsets[i] = b.img.size();
      if (secs[i].type != SHT_NOBITS) b.img.insert(b.img.end(), secs[i].data.begin(), secs[i].data.end());
    }
    if (secs.size() > 1) {  // the section header table comes last: any truncation cuts it
      pad_to(b.img, w);
      b.shoff = b.img.size();
      for (std::size_t i = 0; i < secs.size(); ++i) {
        const Section& s = secs[i];
        append(b.img, name_offs[i], 4), append(b.img, s.type, 4), append(b.img, s.flags, w);
        append(b.img, s.addr, w), append(b.img, b.offsets[i], w);
        append(b.img, s.type == SHT_NOBITS ? s.nobits_size : s.data.size(), w);
        append(b.img, s.link, 4), append(b.img, s.info, 4), append(b.img, i ? s.align : 0, w),
            append(b.img, s.entsize, w);
      }
    }
    Image h = {std::byte{0x7f}, std::byte{'E'}, std::byte{'L'}, std::byte{'F'}};
    append(h, is64 ? ELFCLASS64 : ELFCLASS32, 1), append(h, ELFDATA2LSB, 1), append(h, EV_CURRENT, 1);
    append(h, os_abi, 1), append(h, abi_version, 1), pad_to(h, 16);
    append(h, type, 2), append(h, machine, 2), append(h, EV_CURRENT, 4), append(h, entry, w);
    append(h, b.phoff, w), append(h, b.shoff, w), append(h, flags, 4), append(h, ehsize, 2);
    append(h, phentsize, 2), append(h, segments.size(), 2), append(h, shentsize, 2);
    append(h, secs.size() > 1 ? secs.size() : 0, 2), append(h, secs.size() > 1 ? secs.size() - 1 : 0, 2);
    std::copy(h.begin(), h.end(), b.img.begin());
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const Segment& g = segments[i];
      const uint64_t at = b.phdr(static_cast<uint32_t>(i));
      const Section& s = secs.at(g.section);
      const PhdrOff o = ph(is64);
      put(b.img, at + o.type, g.type, 4), put(b.img, at + o.flags, g.flags, 4);
      put(b.img, at + o.offset, b.offsets[g.section], w), put(b.img, at + o.vaddr, g.vaddr, w);
      put(b.img, at + o.vaddr + w, g.vaddr, w);  // p_paddr follows p_vaddr
      put(b.img, at + o.filesz, s.type == SHT_NOBITS ? 0 : s.data.size(), w);
      put(b.img, at + o.memsz, g.memsz, w), put(b.img, at + o.align, g.align, w);
    }
    return b;
  }
};

// The sample: 1 .text, 2 .data, 3 .bss, 4 .symtab, 5 .strtab, 6 .rela.text, 7 .rel.data, 8 .note,
// 9 .note8 (8-byte padded), 10 .shstrtab; segments: 0 PT_LOAD .text, 1 PT_NOTE .note, 2 PT_LOAD .data+.bss.
Image text_bytes() { return bytes_of("\x13\x05\x10\x00\x67\x80\x00\x00hcq-text"sv); }
Image data_bytes() { return bytes_of("DATA1234"); }
Image desc_bytes() { return bytes_of("abcde"); }
Image amd_desc() { return bytes_of("\x01\x02\x03\x04\x05\x06\x07\x08"); }
Image gnu_desc() { return bytes_of("\x02\x00\x00\xc0\x04\x00\x00\x00\x03\x00\x00\x00"sv); }
constexpr uint8_t info(uint8_t bind, uint8_t type) { return static_cast<uint8_t>(bind << 4 | type); }

Built make_sample(bool is64) {
  ElfBuilder b;
  b.is64 = is64;
  b.type = is64 ? ET_DYN : ET_EXEC;
  b.machine = is64 ? EM_AMDGPU : EM_RISCV;
  b.os_abi = is64 ? 64 : 0, b.abi_version = is64 ? 3 : 0;
  b.flags = is64 ? 0x4c : 0x1;
  b.entry = is64 ? 0 : 0x1000;
  const uint64_t w = is64 ? 8 : 4;
  StrTab str;
  const std::vector<Sym> syms = {
      {0, 0, 0, 0, 0, 0},
      {str.add("local_helper"), 0x1000, 8, info(STB_LOCAL, STT_FUNC), 0, 1},
      {str.add("vadd"), 0x1008, 8, info(STB_GLOBAL, STT_FUNC), STV_PROTECTED, 1},
      {str.add("counter"), 0x2008, 4, info(STB_WEAK, STT_OBJECT), 0, 3},
      {str.add("extern_fn"), 0, 0, info(STB_GLOBAL, STT_NOTYPE), 0, SHN_UNDEF},
      {str.add("abs_sym"), 0x1234, 0, info(STB_GLOBAL, STT_NOTYPE), STV_HIDDEN, SHN_ABS},
  };
  const uint32_t ef = static_cast<uint32_t>(is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym));
  b.sections.push_back({".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x1000, text_bytes(), 0, 0, 4, 0, 0});
  b.sections.push_back({".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x2000, data_bytes(), 0, 0, 8, 0, 0});
  b.sections.push_back({".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x2008, {}, 0, 0, 8, 0, 0x40});
  b.sections.push_back({".symtab", SHT_SYMTAB, 0, 0, sym_image(is64, syms), 5, 2, w, ef, 0});
  b.sections.push_back({".strtab", SHT_STRTAB, 0, 0, str.bytes, 0, 0, 1, 0, 0});
  b.sections.push_back({".rela.text", SHT_RELA, SHF_INFO_LINK, 0,
                        rel_image(is64, true, {{0x4, 4, 2, -8}, {0xc, 2, 1, 0x100}, {0x0, 0, 0, 0}}), 4, 1, w,
                        is64 ? sizeof(Elf64_Rela) : sizeof(Elf32_Rela), 0});
  b.sections.push_back({".rel.data", SHT_REL, SHF_INFO_LINK, 0, rel_image(is64, false, {{0x2000, 3, 3, 0}}), 4, 2, w,
                        is64 ? sizeof(Elf64_Rel) : sizeof(Elf32_Rel), 0});
  b.sections.push_back({".note", SHT_NOTE, SHF_ALLOC, 0,
                        note_image({{"HCQ", 1, desc_bytes()}, {"", 2, {}}, {"AMDGPU", 32, amd_desc()}}, 4), 0, 0, 4, 0,
                        0});
  b.sections.push_back({".note8", SHT_NOTE, SHF_ALLOC, 0, note_image({{"GNU", 5, gnu_desc()}}, 8), 0, 0, 8, 0, 0});
  b.segments.push_back({PT_LOAD, PF_R | PF_X, 1, 0x1000, 16, 0x1000});
  b.segments.push_back({PT_NOTE, PF_R, 8, 0, 0, 4});
  b.segments.push_back({PT_LOAD, PF_R | PF_W, 2, 0x2000, 0x48, 0x1000});
  return b.build();
}

ElfFile parse(const Image& img, std::string what = "<test>") { return ElfFile::parse(img, std::move(what)); }

// Runs f; returns the hcq::Error's what(), "no error", or "wrong code: ..." for another Errc.
template <class F>
std::string elf_error(F&& f) {
  try {
    f();
  } catch (const hcq::Error& e) {
    if (e.code() != hcq::Errc::bad_code_object || e.block() != "elf")
      return "wrong code or block: " + std::string(e.what());
    return e.what();
  }
  return "no error";
}
std::string parse_error(const Image& img) {
  return elf_error([&] { (void)parse(img); });
}

// Calls f; an hcq::Error(bad_code_object) is an acceptable outcome, any other exception escapes.
template <class F>
void guarded(F&& f) {
  try {
    f();
  } catch (const hcq::Error& e) {
    if (e.code() != hcq::Errc::bad_code_object) throw std::logic_error(std::string("wrong code: ") + e.what());
  }
}

// Calls every accessor; touches every byte and character handed out so that ASan checks them.
uint64_t exercise(const ElfFile& f) {
  uint64_t sum = f.is_64() + f.type() + f.machine() + f.os_abi() + f.abi_version() + f.flags() + f.entry();
  auto touch = [&](std::span<const std::byte> d) {
    for (std::byte b : d) sum += std::to_integer<uint8_t>(b);
  };
  auto touch_str = [&](std::string_view s) {
    for (char c : s) sum += static_cast<unsigned char>(c);
  };
  for (const ElfSection& s : f.sections()) {
    touch(s.data), touch_str(s.name);
    guarded([&] {
      if (s.type == SHT_SYMTAB || s.type == SHT_DYNSYM)
        for (const auto& y : f.symbols(s)) touch_str(y.name), sum += y.value + y.size + y.shndx;
      if (s.type == SHT_REL || s.type == SHT_RELA)
        for (const auto& r : f.relocations(s)) sum += r.offset + r.symbol + r.type + static_cast<uint64_t>(r.addend);
      if (s.type == SHT_NOTE)
        for (const auto& n : f.notes(s)) touch_str(n.name), touch(n.desc);
    });
  }
  for (const auto& p : f.segments()) {
    touch(p.data);
    if (p.type == PT_NOTE)
      guarded([&] {
        for (const auto& n : f.notes(p)) touch_str(n.name), touch(n.desc);
      });
  }
  guarded([&] {
    if (auto y = f.find_symbol("vadd")) touch_str(y->name);
  });
  return sum + (f.section(".text") != nullptr);
}

Image read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  Image out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

}  // namespace

TEST_CASE("elf: this test binary parses and agrees with a direct <elf.h> read", "[unit][elf]") {
  using Ehdr = std::conditional_t<sizeof(void*) == 8, Elf64_Ehdr, Elf32_Ehdr>;
  using Shdr = std::conditional_t<sizeof(void*) == 8, Elf64_Shdr, Elf32_Shdr>;
  using Phdr = std::conditional_t<sizeof(void*) == 8, Elf64_Phdr, Elf32_Phdr>;
  const Image img = read_file("/proc/self/exe");
  REQUIRE(img.size() > sizeof(Ehdr));
  const ElfFile f = ElfFile::parse(img, "/proc/self/exe");
  Ehdr e;
  std::memcpy(&e, img.data(), sizeof e);
  CHECK(f.is_64() == (sizeof(void*) == 8));
#if defined(__x86_64__)
  CHECK(f.machine() == EM_X86_64);
#elif defined(__aarch64__)
  CHECK(f.machine() == EM_AARCH64);
#elif defined(__riscv)
  CHECK(f.machine() == EM_RISCV);
#endif
  CHECK(f.machine() == e.e_machine);
  CHECK(f.type() == e.e_type);
  CHECK(f.entry() == e.e_entry);
  CHECK(f.flags() == e.e_flags);
  CHECK(f.what() == "/proc/self/exe");

  Shdr first;
  std::memcpy(&first, img.data() + e.e_shoff, sizeof first);
  const uint64_t shnum = e.e_shnum != 0 ? e.e_shnum : first.sh_size;
  const uint64_t shstrndx = e.e_shstrndx == SHN_XINDEX ? first.sh_link : e.e_shstrndx;
  REQUIRE(f.sections().size() == shnum);
  Shdr names;
  std::memcpy(&names, img.data() + e.e_shoff + shstrndx * e.e_shentsize, sizeof names);
  for (uint64_t i = 0; i < shnum; ++i) {
    Shdr s;
    std::memcpy(&s, img.data() + e.e_shoff + i * e.e_shentsize, sizeof s);
    const ElfSection& got = f.sections()[i];
    CHECK(got.index == i);
    CHECK(got.name == reinterpret_cast<const char*>(img.data() + names.sh_offset + s.sh_name));
    CHECK((got.type == s.sh_type && got.flags == s.sh_flags && got.addr == s.sh_addr));
    CHECK((got.offset == s.sh_offset && got.size == s.sh_size && got.link == s.sh_link && got.info == s.sh_info));
    CHECK((got.align == s.sh_addralign && got.entsize == s.sh_entsize));
    if (s.sh_type != SHT_NOBITS && s.sh_type != SHT_NULL && s.sh_size != 0)
      CHECK((got.data.data() == img.data() + s.sh_offset && got.data.size() == s.sh_size));
  }
  REQUIRE(f.segments().size() == e.e_phnum);
  for (uint64_t i = 0; i < e.e_phnum; ++i) {
    Phdr p;
    std::memcpy(&p, img.data() + e.e_phoff + i * e.e_phentsize, sizeof p);
    const auto& got = f.segments()[i];
    CHECK((got.type == p.p_type && got.flags == p.p_flags && got.offset == p.p_offset && got.vaddr == p.p_vaddr));
    CHECK((got.filesz == p.p_filesz && got.memsz == p.p_memsz && got.align == p.p_align &&
           got.data.size() == p.p_filesz));
  }

  const ElfSection* text = f.section(".text");
  REQUIRE(text != nullptr);
  CHECK(text->type == SHT_PROGBITS);
  CHECK((text->flags & SHF_EXECINSTR) != 0);
  const ElfSection* symtab = f.section(".symtab") ? f.section(".symtab") : f.section(".dynsym");
  REQUIRE(symtab != nullptr);
  CHECK(f.symbols(*symtab).size() == symtab->size / symtab->entsize);
  const auto main_sym = f.find_symbol("main");
  REQUIRE(main_sym.has_value());
  CHECK(main_sym->type == STT_FUNC);
  CHECK(main_sym->bind == STB_GLOBAL);
  const auto a = f.find_symbol("hcq_elf_test_marker_a"), b = f.find_symbol("hcq_elf_test_marker_b");
  REQUIRE((a && b));
  CHECK((a->type == STT_FUNC && a->size > 0 && a->shndx == text->index));
  // Link-time addresses differ from run-time ones by the load bias; differences do not.
  const auto addr_a = reinterpret_cast<std::uintptr_t>(&hcq_elf_test_marker_a);
  const auto addr_b = reinterpret_cast<std::uintptr_t>(&hcq_elf_test_marker_b);
  CHECK(a->value - b->value == static_cast<uint64_t>(addr_a - addr_b));
  CHECK_FALSE(f.find_symbol("hcq_elf_no_such_symbol").has_value());

  int relocation_sections = 0, note_sections = 0;
  for (const ElfSection& s : f.sections()) {
    if (s.type == SHT_REL || s.type == SHT_RELA) {
      ++relocation_sections;
      CHECK(f.relocations(s).size() == s.size / s.entsize);
    }
    if (s.type == SHT_NOTE) {
      ++note_sections;
      CHECK_FALSE(f.notes(s).empty());
    }
    if (s.name == ".note.gnu.build-id") {
      const auto n = f.notes(s);
      REQUIRE(n.size() == 1);
      CHECK((n[0].name == "GNU" && n[0].type == NT_GNU_BUILD_ID && n[0].desc.size() >= 8));
    }
  }
  CHECK(note_sections > 0);
  INFO("relocation sections: " << relocation_sections);
  for (const auto& p : f.segments())
    if (p.type == PT_NOTE) CHECK_FALSE(f.notes(p).empty());
  exercise(f);
}

TEST_CASE("elf: built ELF32 (RISC-V) and ELF64 (AMDGPU) images decode exactly", "[unit][elf]") {
  const bool is64 = GENERATE(false, true);
  CAPTURE(is64);
  const Built b = make_sample(is64);
  const ElfFile f = parse(b.img, "sample.o");
  CHECK(f.is_64() == is64);
  CHECK(f.type() == (is64 ? ET_DYN : ET_EXEC));
  CHECK(f.machine() == (is64 ? EM_AMDGPU : EM_RISCV));
  CHECK(f.os_abi() == (is64 ? 64 : 0));
  CHECK(f.abi_version() == (is64 ? 3 : 0));
  CHECK(f.flags() == (is64 ? 0x4cu : 0x1u));
  CHECK(f.entry() == (is64 ? 0u : 0x1000u));
  CHECK(f.what() == "sample.o");
  CHECK(f.bytes().data() == b.img.data());

  const uint64_t w = is64 ? 8 : 4, sym = is64 ? 24 : 16, rela = is64 ? 24 : 12, rel = is64 ? 16 : 8;
  struct Expect {
    std::string_view name;
    uint32_t type;
    uint64_t flags, addr, size;
    uint32_t link, info;
    uint64_t align, entsize;
  };
  const Expect expect[] = {
      {"", SHT_NULL, 0, 0, 0, 0, 0, 0, 0},
      {".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x1000, 16, 0, 0, 4, 0},
      {".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x2000, 8, 0, 0, 8, 0},
      {".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x2008, 0x40, 0, 0, 8, 0},
      {".symtab", SHT_SYMTAB, 0, 0, 6 * sym, 5, 2, w, sym},
      {".strtab", SHT_STRTAB, 0, 0, 45, 0, 0, 1, 0},
      {".rela.text", SHT_RELA, SHF_INFO_LINK, 0, 3 * rela, 4, 1, w, rela},
      {".rel.data", SHT_REL, SHF_INFO_LINK, 0, rel, 4, 2, w, rel},
      {".note", SHT_NOTE, SHF_ALLOC, 0, 64, 0, 0, 4, 0},
      {".note8", SHT_NOTE, SHF_ALLOC, 0, 32, 0, 0, 8, 0},
      {".shstrtab", SHT_STRTAB, 0, 0, 78, 0, 0, 1, 0},
  };
  REQUIRE(f.sections().size() == std::size(expect));
  for (uint32_t i = 0; i < std::size(expect); ++i) {
    const ElfSection& s = f.sections()[i];
    const Expect& x = expect[i];
    CAPTURE(i);
    CHECK((s.index == i && s.name == x.name && s.type == x.type && s.flags == x.flags && s.addr == x.addr));
    CHECK((s.offset == b.offsets[i] && s.size == x.size && s.link == x.link && s.info == x.info));
    CHECK((s.align == x.align && s.entsize == x.entsize));
    const bool no_data = x.type == SHT_NULL || x.type == SHT_NOBITS;
    CHECK(s.data.size() == (no_data ? 0 : x.size));
    if (!no_data) CHECK(s.data.data() == b.img.data() + b.offsets[i]);
    CHECK(f.section(x.name) == (i == 0 ? &f.sections()[0] : &s));
  }
  CHECK(std::equal(f.sections()[1].data.begin(), f.sections()[1].data.end(), text_bytes().begin()));
  CHECK(f.section(".nope") == nullptr);

  REQUIRE(f.segments().size() == 3);
  const auto& s0 = f.segments()[0];
  CHECK((s0.type == PT_LOAD && s0.flags == (PF_R | PF_X) && s0.offset == b.offsets[1] && s0.vaddr == 0x1000));
  CHECK((s0.paddr == 0x1000 && s0.filesz == 16 && s0.memsz == 16 && s0.align == 0x1000));
  CHECK(s0.data.data() == f.sections()[1].data.data());
  CHECK((f.segments()[1].type == PT_NOTE && f.segments()[1].filesz == 64 && f.segments()[1].align == 4));
  const auto& s2 = f.segments()[2];
  CHECK((s2.type == PT_LOAD && s2.flags == (PF_R | PF_W) && s2.filesz == 8 && s2.memsz == 0x48 && s2.vaddr == 0x2000));

  const auto syms = f.symbols(f.sections()[4]);
  REQUIRE(syms.size() == 6);
  CHECK((syms[0].name.empty() && syms[0].value == 0 && syms[0].shndx == SHN_UNDEF));
  CHECK((syms[1].name == "local_helper" && syms[1].value == 0x1000 && syms[1].size == 8));
  CHECK((syms[1].type == STT_FUNC && syms[1].bind == STB_LOCAL && syms[1].other == 0 && syms[1].shndx == 1));
  CHECK((syms[2].name == "vadd" && syms[2].value == 0x1008 && syms[2].type == STT_FUNC && syms[2].bind == STB_GLOBAL));
  CHECK((syms[2].other == STV_PROTECTED && syms[2].shndx == 1));
  CHECK((syms[3].name == "counter" && syms[3].value == 0x2008 && syms[3].size == 4 && syms[3].type == STT_OBJECT));
  CHECK((syms[3].bind == STB_WEAK && syms[3].shndx == 3));
  CHECK((syms[4].name == "extern_fn" && syms[4].shndx == SHN_UNDEF && syms[4].type == STT_NOTYPE));
  CHECK((syms[5].name == "abs_sym" && syms[5].value == 0x1234 && syms[5].shndx == SHN_ABS &&
         syms[5].other == STV_HIDDEN));
  REQUIRE(f.find_symbol("vadd").has_value());
  CHECK(f.find_symbol("vadd")->value == 0x1008);
  CHECK(f.find_symbol("local_helper")->bind == STB_LOCAL);
  CHECK_FALSE(f.find_symbol("extern_fn").has_value());  // undefined symbols are not definitions
  CHECK_FALSE(f.find_symbol("vad").has_value());

  const auto relas = f.relocations(*f.section(".rela.text"));
  REQUIRE(relas.size() == 3);
  CHECK((relas[0].offset == 0x4 && relas[0].symbol == 4 && relas[0].type == 2 && relas[0].addend == -8));
  CHECK((relas[1].offset == 0xc && relas[1].symbol == 2 && relas[1].type == 1 && relas[1].addend == 0x100));
  CHECK((relas[2].offset == 0 && relas[2].symbol == 0 && relas[2].type == 0 && relas[2].addend == 0));
  const auto rels = f.relocations(*f.section(".rel.data"));
  REQUIRE(rels.size() == 1);
  CHECK((rels[0].offset == 0x2000 && rels[0].symbol == 3 && rels[0].type == 3 && rels[0].addend == 0));

  const auto notes = f.notes(*f.section(".note"));
  REQUIRE(notes.size() == 3);
  CHECK((notes[0].name == "HCQ" && notes[0].type == 1 && std::ranges::equal(notes[0].desc, desc_bytes())));
  CHECK((notes[1].name.empty() && notes[1].type == 2 && notes[1].desc.empty()));
  CHECK((notes[2].name == "AMDGPU" && notes[2].type == 32 && std::ranges::equal(notes[2].desc, amd_desc())));
  const auto seg_notes = f.notes(f.segments()[1]);
  REQUIRE(seg_notes.size() == 3);
  CHECK((seg_notes[2].name == "AMDGPU" && seg_notes[2].desc.data() == notes[2].desc.data()));
  const auto notes8 = f.notes(*f.section(".note8"));
  REQUIRE(notes8.size() == 1);
  CHECK((notes8[0].name == "GNU" && notes8[0].type == 5 && std::ranges::equal(notes8[0].desc, gnu_desc())));
  CHECK(notes8[0].desc.data() == f.section(".note8")->data.data() + 16);

  // A copy of a section is accepted; a section of another file, or the wrong kind of section, is not.
  const ElfSection copy = f.sections()[4];
  CHECK(f.symbols(copy).size() == 6);
  const Built other = make_sample(!is64);
  const ElfFile g = parse(other.img);
  const auto foreign = [&] { (void)f.symbols(g.sections()[4]); };
  REQUIRE_THROWS_AS(foreign(), hcq::Error);
  try {
    foreign();
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::invalid_argument);
    CHECK_THAT(e.what(), Contains("not a section of this file"));
  }
  CHECK_THAT(elf_error([&] { (void)f.symbols(f.sections()[1]); }), Contains("expected SHT_SYMTAB (2) or SHT_DYNSYM"));
  CHECK_THAT(elf_error([&] { (void)f.relocations(f.sections()[4]); }), Contains("expected SHT_RELA (4) or SHT_REL"));
  CHECK_THAT(elf_error([&] { (void)f.notes(f.sections()[1]); }), Contains("expected SHT_NOTE"));
  CHECK_THAT(elf_error([&] { (void)f.notes(f.segments()[0]); }),
             Contains("segment 0: p_type is 0x1, expected PT_NOTE"));
  CHECK(exercise(f) != 0);
}

TEST_CASE("elf: the SHN_XINDEX and PN_XNUM escapes are honoured", "[unit][elf]") {
  const bool is64 = GENERATE(false, true);
  CAPTURE(is64);
  Built b = make_sample(is64);
  const EhdrOff e = eh(is64);
  const ShdrOff s = sh(is64);
  put(b.img, e.shnum, 0, 2);
  put(b.img, b.shdr(0) + s.size, 11, b.w());
  put(b.img, e.shstrndx, SHN_XINDEX, 2);
  put(b.img, b.shdr(0) + s.link, 10, 4);
  put(b.img, e.phnum, PN_XNUM, 2);
  put(b.img, b.shdr(0) + s.info, 3, 4);
  const ElfFile f = parse(b.img);
  REQUIRE(f.sections().size() == 11);
  CHECK(f.sections()[10].name == ".shstrtab");
  CHECK(f.section(".symtab")->index == 4);
  CHECK(f.segments().size() == 3);
  CHECK(f.sections()[0].data.empty());  // section 0's sh_size is a count here, not a size

  put(b.img, b.shdr(0) + s.link, 11, 4);
  CHECK_THAT(parse_error(b.img),
             Contains("e_shstrndx is SHN_XINDEX and section 0's sh_link is 11, expected a section index less than 11"));
  put(b.img, b.shdr(0) + s.link, 10, 4);
  put(b.img, b.shdr(0) + s.size, 0, b.w());
  CHECK_THAT(parse_error(b.img), Contains("e_shnum is 0 and section 0's sh_size is 0"));
  put(b.img, b.shdr(0) + s.size, is64 ? 0x7fffffffffffffff : 0x7fffffff, b.w());
  CHECK_THAT(parse_error(b.img), Contains("(section 0's sh_size) entries of"));
}

TEST_CASE("elf: a header-only file has no sections or segments", "[unit][elf]") {
  const bool is64 = GENERATE(false, true);
  ElfBuilder b;
  b.is64 = is64;
  b.machine = EM_RISCV;
  Built built = b.build();
  const ElfFile f = parse(built.img);
  CHECK(f.sections().empty());
  CHECK(f.segments().empty());
  CHECK_FALSE(f.find_symbol("main").has_value());
  put(built.img, eh(is64).shnum, 3, 2);
  CHECK_THAT(parse_error(built.img), Contains("e_shoff is 0 (no section header table) but e_shnum is 3"));
  put(built.img, eh(is64).shnum, 0, 2);
  put(built.img, eh(is64).phnum, PN_XNUM, 2);
  CHECK_THAT(parse_error(built.img), Contains("e_phnum is PN_XNUM"));
}

TEST_CASE("elf: every truncation of a valid image is rejected cleanly", "[unit][elf]") {
  const bool is64 = GENERATE(false, true);
  const Built b = make_sample(is64);
  for (std::size_t len = 0; len < b.img.size(); ++len) {
    const Image cut(b.img.begin(), b.img.begin() + static_cast<std::ptrdiff_t>(len));
    const std::string err = parse_error(cut);  // the section header table is last: any cut reaches it
    if (err.find("elf: <test>: ") != 0) FAIL("length " << len << ": " << err);
  }
  CHECK_THAT(parse_error({}), Contains("the file is 0 bytes, too short for an ELF identification (16 bytes)"));
  const Image ident(b.img.begin(), b.img.begin() + 20);
  CHECK_THAT(parse_error(ident),
             Contains(is64 ? "too short for the ELF64 header (64 bytes)" : "ELF32 header (52 bytes)"));
  const Image no_shdrs(b.img.begin(), b.img.begin() + static_cast<std::ptrdiff_t>(b.shoff + (is64 ? 72 : 48)));
  CHECK_THAT(parse_error(no_shdrs), Contains("section header table: 11 (e_shnum) entries of"));
}

TEST_CASE("elf: flipping any byte of the ELF header never crashes", "[unit][elf]") {
  const bool is64 = GENERATE(false, true);
  const Built b = make_sample(is64);
  int parsed = 0;
  for (std::size_t off = 0; off < (is64 ? 64u : 52u); ++off)
    for (const uint8_t mask : {0x01, 0x02, 0x10, 0x80, 0xff}) {
      Image img = b.img;
      img[off] ^= std::byte{mask};
      const std::string err = elf_error([&] {
        exercise(parse(img));
        ++parsed;
      });
      if (err != "no error" && err.find("elf: <test>: ") != 0) FAIL("offset " << off << ": " << err);
    }
  CHECK(parsed > 0);  // flips of e_type, e_machine, e_entry, e_flags and e_ident padding still parse
}

TEST_CASE("elf: many names inside one long string cost linear time, not quadratic", "[unit][elf]") {
  constexpr uint32_t count = 20000, run = 1 << 20;  // the quadratic reading scans 2 x 20000 x 1 MiB
  ElfBuilder b;
  b.machine = EM_CUDA;
  Section strtab = named(".strtab", SHT_STRTAB);
  strtab.data.assign(run, std::byte{'a'});
  strtab.data.back() = std::byte{0};
  std::vector<Sym> syms;
  for (uint32_t i = 0; i < count; ++i) syms.push_back({i, i, 0, info(STB_GLOBAL, STT_FUNC), 0, 1});
  Section symtab{".symtab", SHT_SYMTAB, 0, 0, sym_image(true, syms), 1, 0, 8, sizeof(Elf64_Sym), 0};
  b.sections.push_back(strtab);
  b.sections.push_back(symtab);
  for (uint32_t i = 3; i < count; ++i) b.sections.push_back(named("s", SHT_PROGBITS));
  Built built = b.build();
  put(built.img, eh(true).shstrndx, 1, 2);  // every section name now lies inside the long run
  for (uint32_t i = 0; i < count; ++i) put(built.img, built.shdr(i) + sh(true).name, i, 4);
  const ElfFile f = parse(built.img);
  REQUIRE(f.sections().size() == count + 1);
  CHECK(f.sections()[count - 1].name.size() == run - count);
  const auto symbols = f.symbols(f.sections()[2]);
  REQUIRE(symbols.size() == count);
  CHECK((symbols[0].name.size() == run - 1 && symbols[count - 1].name.size() == run - count));
  CHECK_FALSE(f.find_symbol("a").has_value());
}

// One corruption of the sample: write `value` (`width` bytes) at `offset`, expect a message containing `expect`.
struct Patch {
  uint64_t offset, value;
  unsigned width;
  std::string expect;
};
Image patched(const Built& b, const Patch& p) {
  Image img = b.img;
  put(img, p.offset, p.value, p.width);
  return img;
}

TEST_CASE("elf: hostile headers are rejected with messages naming the field", "[unit][elf]") {
  const bool is64 = GENERATE(false, true);
  CAPTURE(is64);
  const Built b = make_sample(is64);
  const EhdrOff e = eh(is64);
  const ShdrOff s = sh(is64);
  const PhdrOff p = ph(is64);
  const unsigned w = b.w();
  const uint64_t size = b.img.size(), big = is64 ? 0xFFFFFFFFFFFFFFF0 : 0xFFFFFFF0;
  const std::vector<Patch> patches = {
      {1, 'X', 1, "bad magic 7f 58 4c 46, expected 7f 45 4c 46 (\"\\x7fELF\"): not an ELF file"},
      {EI_DATA, ELFDATA2MSB, 1,
       "e_ident[EI_DATA] is 2 (ELFDATA2MSB): big-endian files are not supported, only little-endian"},
      {EI_DATA, 7, 1, "e_ident[EI_DATA] is 7, expected 1"},
      {EI_CLASS, 3, 1, "e_ident[EI_CLASS] is 3, expected 1 (ELFCLASS32) or 2 (ELFCLASS64)"},
      {EI_VERSION, 0, 1, "e_ident[EI_VERSION] is 0"},
      {20, 2, 4, "e_version is 2, expected 1"},
      {e.ehsize, 40, 2, "e_ehsize is 40, expected"},
      {e.shentsize, 16, 2, "e_shentsize is 16, expected at least"},
      {e.shoff, size + 8, w, "section header table: e_shoff"},
      {e.shoff, ~0ull, w, "runs past the end of the file"},
      {e.shnum, 0xfeff, 2,
       fmt::format("section header table: 65279 (e_shnum) entries of {} bytes at e_shoff {:#x} run past the end of "
                   "the file ({:#x} bytes)",
                   is64 ? 64 : 40, b.shoff, size)},
      {e.shstrndx, 50, 2, "e_shstrndx is 50, expected a section index less than 11"},
      {e.shstrndx, 0xff05, 2, "e_shstrndx 0xff05 is a reserved index"},
      {e.shstrndx, 1, 2, "e_shstrndx is 1, a section of type 0x1, expected SHT_STRTAB"},
      {e.shstrndx, 0, 2, "section 1: sh_name is 0x1 but there is no section-name string table"},
      {e.phentsize, 8, 2, "e_phentsize is 8, expected at least"},
      {e.phnum, 0xfff0, 2, "program header table: 65520 entries"},
      {e.phoff, ~0ull, w,
       fmt::format("program header table: 3 entries of {} bytes at e_phoff {:#x}", is64 ? 56 : 32,
                   is64 ? ~0ull : 0xffffffffull)},
      {b.shdr(1) + s.offset, big, w,
       fmt::format("elf: <test>: section 1 (.text): offset {:#x} + size 0x10 runs past the end of the file ({:#x} "
                   "bytes)",
                   big, size)},
      {b.shdr(2) + s.size, big, w,
       fmt::format("section 2 (.data): offset {:#x} + size {:#x} runs past", b.offsets[2], big)},
      {b.shdr(2) + s.name, 0x10000, 4, "section 2: sh_name 0x10000 is outside the string table section 10"},
      {b.shdr(10) + s.size, 0x10000, w, "section 10: offset"},
      {b.offsets[10] + 77, 'x', 1, "section 10: sh_name 0x44: the string is not NUL-terminated"},
      {b.shdr(1) + s.align, 12, w, "section 1 (.text): sh_addralign 0xc is not 0 or a power of two"},
      {b.phdr(0) + p.offset, big, w, fmt::format("segment 0: p_offset {:#x} + p_filesz 0x10 runs past", big)},
      {b.phdr(0) + p.memsz, 8, w, "segment 0: p_filesz 0x10 is larger than p_memsz 0x8"},
      {b.phdr(2) + p.align, 3, w, "segment 2: p_align 0x3 is not 0 or a power of two"},
  };
  for (const Patch& patch : patches) {
    CAPTURE(patch.offset, patch.value);
    CHECK_THAT(parse_error(patched(b, patch)), Contains(patch.expect));
  }
  REQUIRE_THROWS_WITH(parse(patched(b, patches[1])), Contains("big-endian"));
  const Image nobits = patched(b, {b.shdr(3) + s.offset, big, w, ""});
  CHECK(parse(nobits).section(".bss")->data.empty());  // SHT_NOBITS has no file data to check
}

TEST_CASE("elf: hostile symbol, relocation and note tables are rejected with messages naming the field",
          "[unit][elf]") {
  const bool is64 = GENERATE(false, true);
  CAPTURE(is64);
  const Built b = make_sample(is64);
  const ShdrOff s = sh(is64);
  const unsigned w = b.w();
  const uint64_t sym = is64 ? 24 : 16, sym2 = b.offsets[4] + 2 * sym, shndx2 = sym2 + (is64 ? 6 : 14);
  const uint64_t rela = is64 ? 24 : 12, rsym1 = b.offsets[6] + rela + (is64 ? 12 : 5), note = b.offsets[8];
  struct Case {
    uint32_t section;  // whose table is decoded
    Patch patch;
  };
  const std::vector<Case> cases = {
      {4, {b.shdr(4) + s.entsize, 0, w, "section 4 (.symtab): sh_entsize is 0, expected"}},
      {4, {b.shdr(4) + s.entsize, 4, w, "sh_entsize is 4, expected at least"}},
      {4, {b.shdr(4) + s.size, 5 * sym + 1, w, "is not a multiple of sh_entsize"}},
      {4, {b.shdr(4) + s.link, 0, 4, "sh_link is 0, expected the index of its string table"}},
      {4, {b.shdr(4) + s.link, 99, 4, "sh_link is 99"}},
      {4, {b.shdr(4) + s.link, 1, 4, "sh_link 1 names section 1 (.text), of type 0x1, expected SHT_STRTAB"}},
      {4, {sym2, 45, 4, "section 4 (.symtab): symbol 2: st_name 0x2d is outside the string table section 5 (.strtab)"}},
      {4, {shndx2, 77, 2, "symbol 2 (vadd): st_shndx is 77"}},
      // A string table whose last string lacks its NUL: the symbol naming it is rejected.
      {4, {b.offsets[5] + 44, 'X', 1, "symbol 5: st_name 0x25: the string is not NUL-terminated inside the string"}},
      {6, {b.shdr(6) + s.entsize, 0, w, "section 6 (.rela.text): sh_entsize is 0"}},
      {6, {b.shdr(6) + s.link, 1, 4, "expected SHT_SYMTAB (2) or SHT_DYNSYM"}},
      {6,
       {rsym1, 99, is64 ? 4u : 3u, "relocation 1: symbol index is 99, expected less than 6 (the symbols in section 4"}},
      {6, {b.shdr(6) + s.link, 0, 4, "relocation 0: symbol index is 4, but sh_link is 0"}},
      {8,
       {note, 0xFFFFFFFF, 4,
        "section 8 (.note): note 0 at offset 0x0: namesz 0xffffffff runs past the end of the notes (0x40"}},
      {8, {note + 4, 0xFFFFFFFD, 4, "note 0 at offset 0x0: descsz 0xfffffffd"}},
      {8, {note + 15, 'Q', 1, "note 0 at offset 0x0: the name is not NUL-terminated within namesz 4"}},
      {8, {note + 24 + 4, 41, 4, "note 1 at offset 0x18: descsz 0x29"}},
      {8, {b.shdr(8) + s.size, 64 - 4, w, "note 2 at offset 0x24: descsz 0x8"}},
      {8, {b.shdr(8) + s.size, 30, w, "note 1 at offset 0x18: 6 bytes left, too few for a note header"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.patch.offset, c.patch.value);
    const Image img = patched(b, c.patch);
    const ElfFile f = parse(img);  // the headers are fine; decoding the table is not
    const ElfSection& sec = f.sections()[c.section];
    CHECK_THAT(elf_error([&] {
                 if (sec.type == SHT_SYMTAB) (void)f.symbols(sec);
                 if (sec.type == SHT_RELA) (void)f.relocations(sec);
                 if (sec.type == SHT_NOTE) (void)f.notes(sec);
               }),
               Contains(c.patch.expect));
    if (c.section == 4) CHECK_THAT(elf_error([&] { (void)f.find_symbol("vadd"); }), Contains(c.patch.expect));
  }
  const Image shrunk = patched(b, {b.shdr(6) + s.size, 2 * rela, w, ""});
  const ElfFile fs = parse(shrunk);
  CHECK(fs.relocations(fs.sections()[6]).size() == 2);
  const Image unpadded = patched(b, {b.shdr(9) + s.size, 28, w, ""});  // the last note may lack its padding
  const ElfFile fu = parse(unpadded);
  CHECK(fu.notes(fu.sections()[9]).size() == 1);
}

TEST_CASE("elf: random mutations either parse with working accessors or throw hcq::Error", "[unit][elf]") {
  // clang-format off
  static constexpr uint64_t interesting[] = {0, 1, 2, 4, 7, 8, 0x10, 0x40, 0x7f, 0x80, 0xff, 0xff00, 0xffff, 0x7fffffff,
      0x80000000, 0xfffffff0, 0xffffffff, 0x7fffffffffffffff, 0xfffffffffffffff0, ~0ull};
  // clang-format on
  const std::array<Image, 2> originals = {make_sample(false).img, make_sample(true).img};
  std::mt19937 rng(0x68637121);
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    Image img = originals[iter % 2];
    for (uint32_t ops = 1 + rng() % 3; ops > 0 && !img.empty(); --ops) {
      const uint32_t op = rng() % 6;
      const unsigned width = op == 2 ? 2 : op == 3 ? 4 : 8;
      if (op == 0) img[rng() % img.size()] = static_cast<std::byte>(rng());
      if (op == 1) img[rng() % img.size()] ^= static_cast<std::byte>(1u << (rng() % 8));
      if (op >= 2 && op <= 4 && img.size() >= width) {
        const uint64_t off = (rng() % (img.size() / width)) * width;
        const uint64_t v = rng() % 4 == 0 ? img.size() + rng() % 16 - 8 : interesting[rng() % std::size(interesting)];
        put(img, off, v, width);
      }
      if (op == 5) img.resize(rng() % img.size());
    }
    try {
      exercise(parse(img, "<fuzz>"));
      ++parsed;
    } catch (const hcq::Error& e) {
      if (e.code() != hcq::Errc::bad_code_object) FAIL("iteration " << iter << ": " << e.what());
      ++rejected;
    } catch (const std::exception& e) {
      FAIL("iteration " << iter << ": unexpected exception: " << e.what());
    }
  }
  INFO("parsed " << parsed << ", rejected " << rejected);
  CHECK(parsed > 1000);
  CHECK(rejected > 1000);
}
