// Tlsf: a two-level segregated fit allocator over an integer range.
//
// It hands out sub-ranges of [base, base + size): byte offsets inside a device-memory chunk or
// addresses in a GPU virtual-address space. It never touches the managed memory; every block
// descriptor lives in a vector-backed node pool outside the range. Allocate and free are O(1)
// (bitmap scans plus a hash lookup); only an allocation that the good-fit search cannot serve
// falls back to checking the few blocks that might still fit (see find_block).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace hcq::detail {

class Tlsf {
 public:
  // Manages [base, base + size). min_alignment (power of two, >= 1) rounds every size and alignment up.
  Tlsf(uint64_t base, uint64_t size, uint64_t min_alignment = 16);

  // nullopt when no free block can hold `size` bytes at `alignment` (power of two). size 0 or a
  // non-power-of-two alignment -> nullopt as well (callers validate and report).
  std::optional<uint64_t> allocate(uint64_t size, uint64_t alignment = 1);
  // false if `address` is not the start of a live allocation (double free, foreign address).
  bool free(uint64_t address);
  // Size of the live allocation starting at address (as rounded), or nullopt.
  std::optional<uint64_t> allocation_size(uint64_t address) const;

  uint64_t base() const { return base_; }
  uint64_t size() const { return size_; }
  uint64_t bytes_used() const { return used_; }
  uint64_t bytes_free() const { return size_ - used_; }  // alignment fragments count as free
  uint64_t largest_free_block() const;
  size_t allocation_count() const { return live_.size(); }

  // Walks every structure and throws std::logic_error describing the first broken invariant. For tests.
  void check_invariants() const;

 private:
  static constexpr uint32_t kNil = UINT32_MAX;
  static constexpr unsigned kSlLog = 5;  // 32 second-level slices per power of two
  static constexpr unsigned kSlCount = 1u << kSlLog;
  static constexpr unsigned kFlCount = 64;  // one first level per bit of a 64-bit size

  // One block of the range, free or allocated. Blocks tile the range in address order through
  // prev_phys/next_phys; free blocks are also on the list of their slot through prev_free/next_free.
  // Recycled nodes are chained through next_free.
  struct Node {
    uint64_t start;
    uint64_t size;
    uint32_t prev_phys, next_phys;
    uint32_t prev_free, next_free;
    bool free;
  };
  struct Slot {
    unsigned fl, sl;
  };

  static Slot slot_floor(uint64_t size);
  static std::optional<Slot> slot_ceil(uint64_t size);
  static unsigned list_of(Slot s) { return s.fl * kSlCount + s.sl; }
  std::optional<Slot> first_nonempty(Slot from) const;
  uint32_t find_block(uint64_t size, uint64_t align) const;

  void stock_spares();
  uint32_t new_node();  // pops a stocked spare
  void link_free(uint32_t i);
  void unlink_free(uint32_t i);
  uint32_t split(uint32_t i, uint64_t at);
  void absorb_next(uint32_t i);

  void check_tiling(size_t& free_blocks, size_t& node_count) const;
  void check_lists(size_t free_blocks) const;

  uint64_t base_;
  uint64_t size_;
  uint64_t granule_;  // min_alignment
  uint64_t slack_;    // least padding a block start can already provide (see find_block)
  uint64_t used_ = 0;
  uint64_t fl_bitmap_ = 0;                       // bit fl: sl_bitmap_[fl] != 0
  std::array<uint32_t, kFlCount> sl_bitmap_{};   // bit sl of [fl]: list (fl, sl) is not empty
  std::array<uint32_t, kFlCount * kSlCount> heads_;
  std::vector<Node> nodes_;  // node 0 always starts at base_: it is never merged into a predecessor
  uint32_t spare_ = kNil;    // chain of recycled nodes
  std::unordered_map<uint64_t, uint32_t> live_;  // allocation start -> node
};

}  // namespace hcq::detail
