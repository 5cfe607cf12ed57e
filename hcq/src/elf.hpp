// A bounds-checked, vendor-neutral reader for ELF code objects.
//
// Every backend loads ELF: host shared objects (CPU backend), NVIDIA cubins (ELF64, .nv.info, RELA),
// AMD code objects (ELF64 with notes) and Tenstorrent RISC-V kernels (ELF32, rv32). The input is
// untrusted: every offset, size, count, index and string is checked, with overflow-safe arithmetic,
// before it is used. Anything malformed throws hcq::Error(Errc::bad_code_object, "", "elf", msg),
// where msg names the file, the field, the expected and the actual value.
//
// Only little-endian files are accepted, of either class (ELFCLASS32, ELFCLASS64).
//
// Lifetime: an ElfFile and everything it hands out (names, data spans) refer to the caller's bytes;
// those bytes must outlive the ElfFile and every value obtained from it. ElfFile itself may be
// copied and moved freely (nothing points into its own storage).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hcq::detail {

// ELF constants, from the System V ABI "generic ABI" (gABI), chapter 4 "Object Files"
// (https://www.sco.com/developers/gabi/latest/contents.html) and the elf(5) Linux man page.
// Named like the specification, in lower case, so that they never collide with <elf.h>'s macros.
namespace elf {

// e_ident
inline constexpr unsigned char elfmag[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr std::size_t ei_class = 4, ei_data = 5, ei_version = 6, ei_osabi = 7, ei_abiversion = 8;
inline constexpr std::size_t ei_nident = 16;
inline constexpr uint8_t elfclass32 = 1, elfclass64 = 2;
inline constexpr uint8_t elfdata2lsb = 1, elfdata2msb = 2;
inline constexpr uint32_t ev_current = 1;

// e_type
inline constexpr uint16_t et_none = 0, et_rel = 1, et_exec = 2, et_dyn = 3, et_core = 4;

// e_machine
inline constexpr uint16_t em_x86_64 = 62, em_aarch64 = 183, em_cuda = 190, em_amdgpu = 224, em_riscv = 243;

// Special section indices; PN_XNUM is the e_phnum escape.
inline constexpr uint16_t shn_undef = 0, shn_loreserve = 0xff00, shn_abs = 0xfff1, shn_common = 0xfff2,
                          shn_xindex = 0xffff;
inline constexpr uint16_t pn_xnum = 0xffff;

// sh_type
inline constexpr uint32_t sht_null = 0, sht_progbits = 1, sht_symtab = 2, sht_strtab = 3, sht_rela = 4, sht_hash = 5,
                          sht_dynamic = 6, sht_note = 7, sht_nobits = 8, sht_rel = 9, sht_shlib = 10, sht_dynsym = 11,
                          sht_init_array = 14, sht_fini_array = 15, sht_preinit_array = 16, sht_group = 17,
                          sht_symtab_shndx = 18;
inline constexpr uint32_t sht_loos = 0x60000000, sht_loproc = 0x70000000, sht_hiproc = 0x7fffffff,
                          sht_louser = 0x80000000;

// sh_flags
inline constexpr uint64_t shf_write = 0x1, shf_alloc = 0x2, shf_execinstr = 0x4, shf_merge = 0x10, shf_strings = 0x20,
                          shf_info_link = 0x40, shf_link_order = 0x80, shf_os_nonconforming = 0x100, shf_group = 0x200,
                          shf_tls = 0x400, shf_maskos = 0x0ff00000, shf_maskproc = 0xf0000000;

// st_info: type in the low 4 bits, binding in the high 4 bits; st_other: visibility in the low 2 bits.
inline constexpr uint8_t stt_notype = 0, stt_object = 1, stt_func = 2, stt_section = 3, stt_file = 4, stt_common = 5,
                         stt_tls = 6, stt_loos = 10, stt_loproc = 13;
inline constexpr uint8_t stb_local = 0, stb_global = 1, stb_weak = 2, stb_loos = 10, stb_loproc = 13;
inline constexpr uint8_t stv_default = 0, stv_internal = 1, stv_hidden = 2, stv_protected = 3;

// p_type, p_flags
inline constexpr uint32_t pt_null = 0, pt_load = 1, pt_dynamic = 2, pt_interp = 3, pt_note = 4, pt_shlib = 5,
                          pt_phdr = 6, pt_tls = 7, pt_loos = 0x60000000, pt_loproc = 0x70000000;
inline constexpr uint32_t pf_x = 0x1, pf_w = 0x2, pf_r = 0x4;

// Sizes of the on-disk structures (Ehdr, Shdr, Phdr, Sym, Rel, Rela) for each class.
inline constexpr std::size_t ehdr32_size = 52, ehdr64_size = 64;
inline constexpr std::size_t shdr32_size = 40, shdr64_size = 64;
inline constexpr std::size_t phdr32_size = 32, phdr64_size = 56;
inline constexpr std::size_t sym32_size = 16, sym64_size = 24;
inline constexpr std::size_t rel32_size = 8, rel64_size = 16, rela32_size = 12, rela64_size = 24;

}  // namespace elf

struct ElfSection {
  uint32_t index = 0;
  std::string_view name;  // empty when the file has no section-name string table
  uint32_t type = 0;
  uint64_t flags = 0, addr = 0, offset = 0, size = 0;
  uint32_t link = 0, info = 0;
  uint64_t align = 0, entsize = 0;
  std::span<const std::byte> data;  // empty for SHT_NULL, SHT_NOBITS and size 0
};

struct ElfSegment {
  uint32_t type = 0, flags = 0;
  uint64_t offset = 0, vaddr = 0, paddr = 0, filesz = 0, memsz = 0, align = 0;
  std::span<const std::byte> data;  // the filesz bytes at offset
};

struct ElfSymbol {
  std::string_view name;
  uint64_t value = 0, size = 0;
  uint8_t type = 0, bind = 0, other = 0;  // type = st_info & 0xf, bind = st_info >> 4
  uint16_t shndx = 0;                     // raw st_shndx (SHN_XINDEX is not resolved)
};

struct ElfRelocation {
  uint64_t offset = 0;
  uint32_t type = 0;
  uint32_t symbol = 0;  // index into the section's linked symbol table
  int64_t addend = 0;   // 0 for SHT_REL
};

struct ElfNote {
  std::string_view name;  // without the terminating NUL
  uint32_t type = 0;
  std::span<const std::byte> desc;
};

class ElfFile {
 public:
  // Parses and validates the ELF header, the section header table, section names, section data
  // bounds and the program header table. `what` names the file in messages ("vadd.so", "<memory>").
  // Throws hcq::Error(Errc::bad_code_object, "", "elf", msg). `bytes` must outlive the result.
  static ElfFile parse(std::span<const std::byte> bytes, std::string what);

  bool is_64() const { return is64_; }
  uint16_t type() const { return type_; }
  uint16_t machine() const { return machine_; }
  uint8_t os_abi() const { return os_abi_; }
  uint8_t abi_version() const { return abi_version_; }
  uint32_t flags() const { return flags_; }
  uint64_t entry() const { return entry_; }
  const std::string& what() const { return what_; }
  std::span<const std::byte> bytes() const { return bytes_; }

  std::span<const ElfSection> sections() const { return sections_; }
  const ElfSection* section(std::string_view name) const;  // first section with that name, or nullptr
  std::span<const ElfSegment> segments() const { return segments_; }

  // The sections passed below must be sections of this file (as returned by sections()/section());
  // another section throws Errc::invalid_argument. Malformed contents throw Errc::bad_code_object.

  // Decodes an SHT_SYMTAB or SHT_DYNSYM section, entry 0 included. Checks sh_entsize, sh_link (an
  // SHT_STRTAB), every st_name (inside the string table, NUL-terminated in it) and every st_shndx.
  std::vector<ElfSymbol> symbols(const ElfSection& symtab) const;
  // The first *defined* (st_shndx != SHN_UNDEF) symbol called `name`, searching the first SHT_SYMTAB
  // section (.symtab), then the first SHT_DYNSYM section (.dynsym). Throws if a table searched is malformed.
  std::optional<ElfSymbol> find_symbol(std::string_view name) const;
  // Decodes an SHT_REL or SHT_RELA section. Checks sh_entsize and that every symbol index is inside
  // the symbol table named by sh_link (sh_link may be 0 only if every symbol index is 0).
  std::vector<ElfRelocation> relocations(const ElfSection& rel) const;
  // Decodes an SHT_NOTE section (or a PT_NOTE segment). Each note, its descriptor and the next note
  // start at a multiple of 4 bytes from the start of the section, or of 8 when its alignment is 8 (as
  // GNU property notes in ELF64 are; the same rule binutils applies). The last note may omit its
  // trailing padding. namesz, when nonzero, counts a NUL terminator, which must be there.
  std::vector<ElfNote> notes(const ElfSection& note) const;
  std::vector<ElfNote> notes(const ElfSegment& note) const;

 private:
  ElfFile() = default;

  [[noreturn]] void fail(const std::string& msg) const;
  // Fails for a string-table index that is outside the table or whose string has no NUL in it.
  [[noreturn]] void fail_string(const ElfSection& strtab, uint64_t index, bool outside, const std::string& field) const;
  std::string label(const ElfSection& s) const;  // "section 7 (.dynsym)"
  const ElfSection& own(const ElfSection& s, const char* op) const;
  uint64_t entry_count(const ElfSection& s, uint64_t entry_size, const char* kind) const;
  const ElfSection& linked(const ElfSection& s, const char* expected) const;
  void bind_data(ElfSection& s) const;
  std::vector<ElfNote> decode_notes(std::span<const std::byte> data, uint64_t align, const std::string& where) const;

  // Parsing steps, in order.
  void read_header();
  std::vector<uint32_t> read_section_headers();  // returns each section's sh_name
  void read_section_names(const std::vector<uint32_t>& names);
  void check_section_data();
  void read_segments();

  std::span<const std::byte> bytes_;
  std::string what_;
  bool is64_ = false;
  uint16_t type_ = 0, machine_ = 0;
  uint8_t os_abi_ = 0, abi_version_ = 0;
  uint32_t flags_ = 0;
  uint64_t entry_ = 0;
  uint64_t phoff_ = 0, shoff_ = 0;
  uint16_t phentsize_ = 0, phnum_ = 0, shentsize_ = 0, shnum_ = 0, shstrndx_ = 0;
  std::vector<ElfSection> sections_;
  std::vector<ElfSegment> segments_;
};

}  // namespace hcq::detail
