#include "page_table.hpp"

#include <fmt/format.h>

#include <bit>

#include "hcq/error.hpp"

namespace hcq::am {

using namespace pte;

namespace {
constexpr unsigned ptb = levels - 1;
constexpr unsigned pdb0 = levels - 2;
constexpr unsigned max_frag = 31;  // the 5-bit field
constexpr uint64_t va_limit = 1ull << va_bits;
}  // namespace

PageTable::PageTable(const Layout& layout, PageTableMemory& memory, std::string device)
    : layout_(layout), mem_(memory), device_(std::move(device)) {
  root_ = mem_.alloc_table();
  tables_ = 1;
}

PageTable::~PageTable() { free_tree(root_, 0); }

void PageTable::fail(const std::string& message) const { throw Error(Errc::invalid_argument, device_, "GMC", message); }

uint64_t PageTable::entry_address(uint64_t table, uint64_t va, unsigned level) const {
  return table + uint64_t(level_index(va, level)) * sizeof(uint64_t);
}

uint64_t PageTable::table_for(uint64_t va, unsigned level) {
  uint64_t table = root_;
  for (unsigned l = 0; l < level; ++l) {
    uint64_t at = entry_address(table, va, l);
    Decoded d = decode(layout_, mem_.read_entry(at), l);
    if (d.valid && d.leaf)
      fail(fmt::format("VA {:#x} is already mapped by a {} leaf; unmap it first", va, level_name(l)));
    if (!d.valid) {
      uint64_t next = mem_.alloc_table();
      ++tables_;
      mem_.write_entry(at, encode_pde(layout_, next));
      table = next;
    } else {
      table = d.address;
    }
  }
  return table;
}

// The largest k (>= min_frag) such that the 2^k-page block around `va` lies inside [start, end) and
// maps to a physical block with the same alignment.
unsigned PageTable::fragment(uint64_t va, uint64_t phys, uint64_t start, uint64_t end, unsigned min_frag) const {
  uint64_t delta = phys - va;
  unsigned align = delta == 0 ? max_frag : std::min<unsigned>(max_frag, unsigned(std::countr_zero(delta)) - 12);
  for (unsigned k = std::min(align, max_frag); k > min_frag; --k) {
    uint64_t block = page_bytes << k;
    uint64_t lo = va & ~(block - 1);
    if (lo >= start && lo + block <= end && lo + block > lo) return k;
  }
  return min_frag;
}

void PageTable::map(uint64_t va, uint64_t phys, uint64_t size, const MapFlags& flags) {
  if ((va | phys | size) & (page_bytes - 1) || size == 0)
    fail(fmt::format("map of VA {:#x} -> {:#x} size {:#x}: all three must be non-zero multiples of 4 KiB", va, phys, size));
  if (va >= va_limit || size > va_limit - va)
    fail(fmt::format("map of VA [{:#x}, {:#x}) leaves the {}-bit VA space", va, va + size, va_bits));
  const uint64_t end = va + size;
  for (uint64_t v = va, p = phys; v < end;) {
    bool huge = v % huge_2m == 0 && p % huge_2m == 0 && end - v >= huge_2m;
    unsigned level = huge ? pdb0 : ptb;
    uint64_t at = entry_address(table_for(v, level), v, level);
    uint64_t old = mem_.read_entry(at);
    if (old & valid)
      fail(fmt::format("VA {:#x} is already mapped ({}); unmap it first", v, describe(layout_, old, level)));
    unsigned frag = fragment(v, p, va, end, huge ? 9 : 0);
    mem_.write_entry(at, encode_leaf(layout_, p, flags, level, frag));
    uint64_t step = huge ? huge_2m : page_bytes;
    v += step;
    p += step;
  }
}

bool PageTable::table_empty(uint64_t table) {
  for (unsigned i = 0; i < entries_per_table; ++i)
    if (mem_.read_entry(table + i * sizeof(uint64_t)) & valid) return false;
  return true;
}

void PageTable::unmap(uint64_t va, uint64_t size) noexcept {
  const uint64_t end = va + size;
  for (uint64_t v = va; v < end && v < va_limit;) {
    uint64_t tables[levels] = {root_};
    unsigned level = 0;
    uint64_t at = 0;
    for (;; ++level) {
      at = entry_address(tables[level], v, level);
      Decoded d = decode(layout_, mem_.read_entry(at), level);
      if (!d.valid || d.leaf || level == ptb) break;
      tables[level + 1] = d.address;
    }
    uint64_t span = page_bytes << (9 * (ptb - level));
    if (mem_.read_entry(at) & valid) {
      mem_.write_entry(at, 0);
      // Free the tables this emptied, bottom up (never the root).
      for (unsigned l = level; l > 0 && table_empty(tables[l]); --l) {
        mem_.write_entry(entry_address(tables[l - 1], v, l - 1), 0);
        mem_.free_table(tables[l]);
        --tables_;
      }
    }
    v = (v & ~(span - 1)) + span;
  }
}

PageTable::Lookup PageTable::lookup(uint64_t va) {
  uint64_t table = root_;
  for (unsigned level = 0; level < levels; ++level) {
    uint64_t e = mem_.read_entry(entry_address(table, va, level));
    Decoded d = decode(layout_, e, level);
    if (!d.valid) return {false, 0, level, e};
    if (d.leaf) {
      uint64_t span = page_bytes << (9 * (ptb - level));
      return {true, d.address + (va & (span - 1)), level, e};
    }
    table = d.address;
  }
  return {};
}

void PageTable::free_tree(uint64_t table, unsigned level) noexcept {
  if (level < ptb) {
    for (unsigned i = 0; i < entries_per_table; ++i) {
      Decoded d = decode(layout_, mem_.read_entry(table + i * sizeof(uint64_t)), level);
      if (d.valid && !d.leaf) free_tree(d.address, level + 1);
    }
  }
  mem_.free_table(table);
}

}  // namespace hcq::am
