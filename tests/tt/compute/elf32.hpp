// Builds small RV32 ELF executables in memory for the loader's tests: a header, program headers
// and the segments' bytes, with fields the test may then break on purpose. Layout: the System V
// gABI (Elf32_Ehdr 52 bytes, Elf32_Phdr 32 bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace hcq::tt::test {

struct Seg {
  uint32_t vaddr;
  uint32_t filesz;
  uint32_t memsz;
};

inline void put16(std::vector<std::byte>& b, size_t at, uint16_t v) { std::memcpy(b.data() + at, &v, 2); }
inline void put32(std::vector<std::byte>& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }

inline constexpr size_t ehdr_size = 52, phdr_size = 32;
inline constexpr uint16_t em_riscv = 243, et_exec = 2;

inline std::vector<std::byte> elf32(const std::vector<Seg>& segs, uint32_t entry = 0x4000) {
  size_t data_at = ehdr_size + phdr_size * segs.size();
  size_t total = data_at;
  for (const auto& s : segs) total += s.filesz;
  std::vector<std::byte> b(total);
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 1 /*32*/, 1 /*LE*/, 1 /*version*/};
  std::memcpy(b.data(), ident, sizeof(ident));
  put16(b, 16, et_exec);
  put16(b, 18, em_riscv);
  put32(b, 20, 1);
  put32(b, 24, entry);
  put32(b, 28, static_cast<uint32_t>(ehdr_size));  // e_phoff
  put32(b, 32, 0);                                 // e_shoff: no sections
  put16(b, 40, ehdr_size);
  put16(b, 42, phdr_size);
  put16(b, 44, static_cast<uint16_t>(segs.size()));
  put16(b, 46, 40);  // e_shentsize
  size_t off = data_at;
  for (size_t i = 0; i < segs.size(); ++i) {
    size_t p = ehdr_size + i * phdr_size;
    put32(b, p, 1);  // PT_LOAD
    put32(b, p + 4, static_cast<uint32_t>(off));
    put32(b, p + 8, segs[i].vaddr);
    put32(b, p + 12, segs[i].vaddr);
    put32(b, p + 16, segs[i].filesz);
    put32(b, p + 20, segs[i].memsz);
    put32(b, p + 24, 7);
    put32(b, p + 28, 4);
    for (uint32_t k = 0; k < segs[i].filesz; ++k) b[off + k] = static_cast<std::byte>(0xA0 + (k & 15));
    off += segs[i].filesz;
  }
  return b;
}

}  // namespace hcq::tt::test
