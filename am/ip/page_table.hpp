// The VMID-0 page tables the driver builds in VRAM: 4 levels (pte.hpp), 2 MiB leaves in PDB0 where the
// VA and the physical address are both 2 MiB aligned and at least 2 MiB remain, 4 KiB PTEs elsewhere,
// each leaf with the fragment size of the aligned contiguous run it is part of (amdgpu_vm_pt.c's
// amdgpu_vm_pte_fragment does the same job).
//
// Tables live wherever PageTableMemory puts them (VRAM through BAR0 on the device, a byte array in
// the unit tests); the builder only reads and writes 64-bit entries by MC address.
#pragma once

#include <cstdint>
#include <string>

#include "pte.hpp"

namespace hcq::am {

class PageTableMemory {
 public:
  virtual ~PageTableMemory() = default;
  // A zeroed, 4 KiB-aligned 4 KiB table; returns its MC address. Throws hcq::Error(out_of_memory).
  virtual uint64_t alloc_table() = 0;
  virtual void free_table(uint64_t mc) noexcept = 0;
  virtual uint64_t read_entry(uint64_t mc) = 0;
  virtual void write_entry(uint64_t mc, uint64_t value) = 0;
};

class PageTable {
 public:
  // Allocates the root (PDB2) table. `device` names the GPU in errors.
  PageTable(const pte::Layout& layout, PageTableMemory& memory, std::string device);
  ~PageTable();
  PageTable(const PageTable&) = delete;
  PageTable& operator=(const PageTable&) = delete;

  uint64_t root() const noexcept { return root_; }
  const pte::Layout& layout() const noexcept { return layout_; }

  // Maps [va, va + size) to the contiguous [phys, phys + size). All three 4 KiB aligned and inside the
  // 48-bit VA space; a page already mapped is refused. Throws hcq::Error(invalid_argument) naming the VA.
  void map(uint64_t va, uint64_t phys, uint64_t size, const MapFlags& flags);
  // Clears the leaves of [va, va + size) and frees tables left empty. Pages not mapped are skipped.
  void unmap(uint64_t va, uint64_t size) noexcept;

  struct Lookup {
    bool mapped = false;
    uint64_t phys = 0;    // the translation of va
    unsigned level = 0;   // of the leaf (or where the walk stopped)
    uint64_t entry = 0;   // the leaf (or the invalid entry)
  };
  Lookup lookup(uint64_t va);

  // Number of tables in use (root included): for tests and logs.
  size_t tables() const noexcept { return tables_; }

 private:
  uint64_t entry_address(uint64_t table, uint64_t va, unsigned level) const;
  uint64_t table_for(uint64_t va, unsigned level);  // walks down to `level`'s table, creating tables on the way
  unsigned fragment(uint64_t va, uint64_t phys, uint64_t start, uint64_t end, unsigned min_frag) const;
  bool table_empty(uint64_t table);
  void free_tree(uint64_t table, unsigned level) noexcept;
  [[noreturn]] void fail(const std::string& message) const;

  const pte::Layout& layout_;
  PageTableMemory& mem_;
  std::string device_;
  uint64_t root_ = 0;
  size_t tables_ = 0;
};

}  // namespace hcq::am
