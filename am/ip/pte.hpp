// GPU page-table entries: the bits amdgpu_vm.h defines (AMDGPU_PTE_*, AMDGPU_PDE_*; torvalds/linux,
// also in tinygrad's extra/amdpci/headers/amdgpu_vm.h) and where each generation puts MTYPE and the
// "this PDE is a leaf" bit. One PteLayout per format (gfx11 here; gfx12/gfx9 are rows, not branches).
//
// Levels (gmc_v11_0.c: amdgpu_vm_adjust_size(adev, 256 * 1024, 9, 3, 48)): a 48-bit VA, four levels
// PDB2 -> PDB1 -> PDB0 -> PTB, 9 bits each, 4 KiB tables of 512 entries.
#pragma once

#include <cstdint>
#include <string>

namespace hcq::am {

// Page attributes for GPU mappings.
struct MapFlags {
  bool writable = true;
  bool executable = false;
  bool uncached = false;  // MTYPE UC: host memory the CPU polls, signal pages
  bool system = false;    // the address is a host bus address (DMA buffer), not VRAM
  bool snooped = false;   // coherent with CPU caches (host memory)
};

namespace pte {

inline constexpr uint64_t valid = 1ull << 0;
inline constexpr uint64_t system = 1ull << 1;
inline constexpr uint64_t snooped = 1ull << 2;
inline constexpr uint64_t tmz = 1ull << 3;
inline constexpr uint64_t executable = 1ull << 4;
inline constexpr uint64_t readable = 1ull << 5;
inline constexpr uint64_t writeable = 1ull << 6;
inline constexpr unsigned frag_shift = 7;  // bits 11:7, log2 of the contiguous run in 4 KiB pages
inline constexpr uint64_t frag_mask = 0x1full << frag_shift;
inline constexpr uint64_t address_mask = 0x0000fffffffff000ull;  // bits 47:12

inline constexpr unsigned levels = 4;  // PDB2, PDB1, PDB0, PTB
inline constexpr unsigned entries_per_table = 512;
inline constexpr uint64_t table_bytes = 4096;
inline constexpr uint64_t page_bytes = 4096;
inline constexpr uint64_t huge_2m = 2ull << 20;
inline constexpr unsigned va_bits = 48;
// VA bit where each level's index starts: PDB2 39, PDB1 30, PDB0 21, PTB 12.
constexpr unsigned level_shift(unsigned level) { return 39 - 9 * level; }
constexpr unsigned level_index(uint64_t va, unsigned level) { return unsigned(va >> level_shift(level)) & 0x1ff; }
const char* level_name(unsigned level);  // "PDB2", "PDB1", "PDB0", "PTB"

// Where one generation puts the fields that moved.
struct Layout {
  const char* name;
  unsigned mtype_shift;
  uint64_t mtype_mask;   // at mtype_shift
  uint64_t leaf_in_pde;  // set on a PDB1/PDB0 entry that maps a huge page (AMDGPU_PDE_PTE)
  uint64_t mtype_uc;     // MTYPE for uncached mappings
  uint64_t mtype_default;
};
// gfx10/gfx11: MTYPE bits 50:48 (AMDGPU_PTE_MTYPE_NV10), PDE_PTE bit 54; soc21 MTYPE_UC 3, MTYPE_NC/C_RW_US 0.
inline constexpr Layout gfx11{"gfx11", 48, 0x7, 1ull << 54, 3, 0};

// A directory entry pointing at the next-level table at MC address `table`.
uint64_t encode_pde(const Layout& l, uint64_t table);
// A leaf mapping MC/bus address `phys` at `level` (3: a 4 KiB PTE, 2: a 2 MiB PDB0 leaf, 1: 1 GiB),
// with fragment `frag` (log2 of the aligned contiguous run in 4 KiB pages).
uint64_t encode_leaf(const Layout& l, uint64_t phys, const MapFlags& f, unsigned level, unsigned frag);

struct Decoded {
  bool valid = false, leaf = false, system = false, snooped = false, readable = false, writeable = false, executable = false;
  unsigned frag = 0, mtype = 0;
  uint64_t address = 0;
};
Decoded decode(const Layout& l, uint64_t entry, unsigned level);
std::string describe(const Layout& l, uint64_t entry, unsigned level);  // "leaf 0x8000200000 RW- vram frag 9"

}  // namespace pte
}  // namespace hcq::am
