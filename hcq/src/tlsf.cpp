#include "tlsf.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::detail {

namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(Errc::invalid_argument, "", "allocator", message);
}

// Bytes from `address` up to the next multiple of `align` (a power of two).
uint64_t padding(uint64_t address, uint64_t align) { return (0 - address) & (align - 1); }

bool fits(uint64_t start, uint64_t block_size, uint64_t size, uint64_t align) {
  uint64_t pad = padding(start, align);
  return pad <= block_size && block_size - pad >= size;
}

}  // namespace

Tlsf::Tlsf(uint64_t base, uint64_t size, uint64_t min_alignment)
    : base_(base), size_(size), granule_(min_alignment) {
  if (size == 0) invalid(fmt::format("cannot manage an empty range at {:#x}: size is 0", base));
  if (size > UINT64_MAX - base)
    invalid(fmt::format("range base {:#x} + size {:#x} overflows 64 bits", base, size));
  if (!std::has_single_bit(min_alignment))
    invalid(fmt::format("min_alignment {} is not a power of two >= 1", min_alignment));
  // Every block starts on a granule except possibly the one at an unaligned base.
  slack_ = padding(base, granule_) == 0 ? granule_ : 1;
  heads_.fill(kNil);
  nodes_.push_back(Node{base, size, kNil, kNil, kNil, kNil, true});
  link_free(0);
}

// The mapping from a block size to its free list. First level fl = floor(log2(size)), so level fl
// holds sizes in [2^fl, 2^(fl+1)). Second level sl cuts that interval into kSlCount equal slices:
// it is the kSlLog bits right below the leading one. Below 2^kSlLog a slice would be narrower
// than one byte, so there each size gets a slot of its own (and some slots stay unused).
Tlsf::Slot Tlsf::slot_floor(uint64_t size) {
  unsigned fl = static_cast<unsigned>(std::bit_width(size)) - 1;
  uint64_t top = fl >= kSlLog ? size >> (fl - kSlLog) : size << (kSlLog - fl);
  return {fl, static_cast<unsigned>(top - kSlCount)};
}

// The lowest slot whose blocks are all >= size: round size up to the next slice boundary, so no
// list has to be searched. nullopt when that boundary does not fit 64 bits.
std::optional<Tlsf::Slot> Tlsf::slot_ceil(uint64_t size) {
  unsigned fl = static_cast<unsigned>(std::bit_width(size)) - 1;
  if (fl >= kSlLog) {
    uint64_t slice = (uint64_t{1} << (fl - kSlLog)) - 1;
    if (size > UINT64_MAX - slice) return std::nullopt;
    size += slice;
  }
  return slot_floor(size);
}

// The first non-empty list at or after `from` in size order: the rest of from's level through
// its second-level bitmap, then the lowest non-empty higher level through the first-level bitmap.
std::optional<Tlsf::Slot> Tlsf::first_nonempty(Slot from) const {
  uint32_t same_level = sl_bitmap_[from.fl] & (~uint32_t{0} << from.sl);
  if (same_level != 0) return Slot{from.fl, static_cast<unsigned>(std::countr_zero(same_level))};
  if (from.fl + 1 >= kFlCount) return std::nullopt;
  uint64_t higher = fl_bitmap_ & (~uint64_t{0} << (from.fl + 1));
  if (higher == 0) return std::nullopt;
  unsigned fl = static_cast<unsigned>(std::countr_zero(higher));
  return Slot{fl, static_cast<unsigned>(std::countr_zero(sl_bitmap_[fl]))};
}

// A free block that can hold `size` bytes at `align`, or kNil.
uint32_t Tlsf::find_block(uint64_t size, uint64_t align) const {
  // Good fit, O(1): a block of size + worst-case padding fits wherever it starts, and every block
  // in slot_ceil(that) or above is at least that big, so the head of the first such list will do.
  uint64_t worst_pad = align - slack_;
  if (size <= UINT64_MAX - worst_pad) {
    if (auto ceil = slot_ceil(size + worst_pad)) {
      if (auto hit = first_nonempty(*ceil)) return heads_[list_of(*hit)];
    }
  }
  // Every list from there up is empty. Blocks that are too small for the worst case may still
  // fit (e.g. the whole range at an aligned base), and they can only sit in the lists between
  // slot_floor(size) and slot_ceil(need): check each exactly, smallest slots first. Linear in the
  // number of such blocks, but reached only when the request is large for what is left.
  for (auto s = first_nonempty(slot_floor(size)); s;) {
    for (uint32_t i = heads_[list_of(*s)]; i != kNil; i = nodes_[i].next_free) {
      if (fits(nodes_[i].start, nodes_[i].size, size, align)) return i;
    }
    if (s->sl + 1 < kSlCount) {
      s = first_nonempty(Slot{s->fl, s->sl + 1});
    } else {
      s = s->fl + 1 < kFlCount ? first_nonempty(Slot{s->fl + 1, 0}) : std::nullopt;
    }
  }
  return kNil;
}

std::optional<uint64_t> Tlsf::allocate(uint64_t size, uint64_t alignment) {
  if (size == 0 || !std::has_single_bit(alignment) || size > size_) return std::nullopt;
  size = (size + (granule_ - 1)) & ~(granule_ - 1);  // a wrap near 2^64 leaves 0
  if (size == 0 || size > size_) return std::nullopt;
  uint64_t align = std::max(alignment, granule_);
  uint32_t block = find_block(size, align);
  if (block == kNil) return std::nullopt;

  // Everything that can throw (pool growth, map insertion) happens before the first change.
  stock_spares();
  uint64_t pad = padding(nodes_[block].start, align);
  uint64_t start = nodes_[block].start + pad;
  auto entry = live_.try_emplace(start, kNil).first;

  unlink_free(block);
  if (pad != 0) {  // keep the fragment in front as a free block of its own
    uint32_t front = block;
    block = split(front, start);
    link_free(front);
  }
  if (nodes_[block].size > size) link_free(split(block, start + size));
  nodes_[block].free = false;
  used_ += size;
  entry->second = block;
  return start;
}

bool Tlsf::free(uint64_t address) {
  auto it = live_.find(address);
  if (it == live_.end()) return false;
  uint32_t block = it->second;
  live_.erase(it);
  used_ -= nodes_[block].size;
  nodes_[block].free = true;
  // Coalesce now, so that no two free blocks are ever neighbours.
  uint32_t next = nodes_[block].next_phys;
  if (next != kNil && nodes_[next].free) {
    unlink_free(next);
    absorb_next(block);
  }
  uint32_t prev = nodes_[block].prev_phys;
  if (prev != kNil && nodes_[prev].free) {
    unlink_free(prev);
    absorb_next(prev);
    block = prev;
  }
  link_free(block);
  return true;
}

std::optional<uint64_t> Tlsf::allocation_size(uint64_t address) const {
  auto it = live_.find(address);
  if (it == live_.end()) return std::nullopt;
  return nodes_[it->second].size;
}

uint64_t Tlsf::largest_free_block() const {
  if (fl_bitmap_ == 0) return 0;
  // The highest non-empty list holds the largest block, but its blocks share only a size slice.
  unsigned fl = static_cast<unsigned>(std::bit_width(fl_bitmap_)) - 1;
  unsigned sl = static_cast<unsigned>(std::bit_width(sl_bitmap_[fl])) - 1;
  uint64_t largest = 0;
  for (uint32_t i = heads_[list_of({fl, sl})]; i != kNil; i = nodes_[i].next_free) {
    largest = std::max(largest, nodes_[i].size);
  }
  return largest;
}

// Keeps two recycled nodes in stock: enough for the two splits of one allocation.
void Tlsf::stock_spares() {
  while (spare_ == kNil || nodes_[spare_].next_free == kNil) {
    if (nodes_.size() >= kNil) throw Error(Errc::out_of_memory, "", "allocator", "more than 2^32 - 1 blocks");
    nodes_.push_back(Node{0, 0, kNil, kNil, kNil, spare_, false});
    spare_ = static_cast<uint32_t>(nodes_.size() - 1);
  }
}

uint32_t Tlsf::new_node() {
  uint32_t i = spare_;
  spare_ = nodes_[i].next_free;
  return i;
}

void Tlsf::link_free(uint32_t i) {
  Slot s = slot_floor(nodes_[i].size);
  uint32_t& head = heads_[list_of(s)];
  nodes_[i].prev_free = kNil;
  nodes_[i].next_free = head;
  if (head != kNil) nodes_[head].prev_free = i;
  head = i;
  sl_bitmap_[s.fl] |= uint32_t{1} << s.sl;
  fl_bitmap_ |= uint64_t{1} << s.fl;
}

void Tlsf::unlink_free(uint32_t i) {
  Node& n = nodes_[i];
  if (n.next_free != kNil) nodes_[n.next_free].prev_free = n.prev_free;
  if (n.prev_free != kNil) {
    nodes_[n.prev_free].next_free = n.next_free;
    return;
  }
  Slot s = slot_floor(n.size);
  heads_[list_of(s)] = n.next_free;
  if (n.next_free != kNil) return;
  sl_bitmap_[s.fl] &= ~(uint32_t{1} << s.sl);
  if (sl_bitmap_[s.fl] == 0) fl_bitmap_ &= ~(uint64_t{1} << s.fl);
}

// Cuts block i (on no free list) at `at`; the new node takes [at, end) and is returned, unlisted.
uint32_t Tlsf::split(uint32_t i, uint64_t at) {
  uint32_t tail = new_node();
  Node& n = nodes_[i];
  uint64_t end = n.start + n.size;
  nodes_[tail] = Node{at, end - at, i, n.next_phys, kNil, kNil, true};
  if (n.next_phys != kNil) nodes_[n.next_phys].prev_phys = tail;
  n.next_phys = tail;
  n.size = at - n.start;
  return tail;
}

// Merges the physical successor of block i (on no free list) into i and recycles its node.
void Tlsf::absorb_next(uint32_t i) {
  uint32_t next = nodes_[i].next_phys;
  nodes_[i].size += nodes_[next].size;
  nodes_[i].next_phys = nodes_[next].next_phys;
  if (nodes_[next].next_phys != kNil) nodes_[nodes_[next].next_phys].prev_phys = i;
  nodes_[next].next_free = spare_;
  spare_ = next;
}

// Address-order walk: blocks tile [base, base + size), no free neighbours, counters agree.
void Tlsf::check_tiling(size_t& free_blocks, size_t& node_count) const {
  auto fail = [](const std::string& what) { throw std::logic_error("tlsf: " + what); };
  uint64_t expect = base_, end = base_ + size_, used = 0;
  size_t used_blocks = 0;
  free_blocks = node_count = 0;
  uint32_t prev = kNil;
  for (uint32_t i = 0; i != kNil; prev = i, i = nodes_[i].next_phys) {
    const Node& n = nodes_[i];
    if (++node_count > nodes_.size()) fail("cycle in the physical block chain");
    if (n.start != expect || n.size == 0 || n.size > end - expect)
      fail(fmt::format("block {} [{:#x}, +{:#x}) does not continue the tiling at {:#x}", i, n.start, n.size, expect));
    if (n.prev_phys != prev) fail(fmt::format("block {} has prev_phys {}, expected {}", i, n.prev_phys, prev));
    if (n.free && prev != kNil && nodes_[prev].free)
      fail(fmt::format("free blocks {} and {} are neighbours: not coalesced", prev, i));
    if (n.free) ++free_blocks;
    if (!n.free) {
      auto it = live_.find(n.start);
      if (it == live_.end() || it->second != i) fail(fmt::format("allocated block {} at {:#x} not in the live map", i, n.start));
      used += n.size;
      ++used_blocks;
    }
    expect += n.size;
  }
  if (expect != end) fail(fmt::format("blocks end at {:#x}, range ends at {:#x}", expect, end));
  if (used != used_) fail(fmt::format("allocated blocks hold {:#x} bytes, counter says {:#x}", used, used_));
  if (used_blocks != live_.size())
    fail(fmt::format("{} allocated blocks but {} live-map entries", used_blocks, live_.size()));
}

// Every list holds exactly the free blocks of its slot, and the bitmaps mirror list emptiness.
void Tlsf::check_lists(size_t free_blocks) const {
  auto fail = [](const std::string& what) { throw std::logic_error("tlsf: " + what); };
  size_t listed = 0;
  for (unsigned fl = 0; fl < kFlCount; ++fl) {
    if (((fl_bitmap_ >> fl) & 1) != (sl_bitmap_[fl] != 0)) fail(fmt::format("first-level bit {} is stray", fl));
    for (unsigned sl = 0; sl < kSlCount; ++sl) {
      uint32_t head = heads_[list_of({fl, sl})];
      if (((sl_bitmap_[fl] >> sl) & 1) != (head != kNil))
        fail(fmt::format("bit ({}, {}) disagrees with its list", fl, sl));
      uint32_t prev = kNil;
      for (uint32_t i = head; i != kNil; prev = i, i = nodes_[i].next_free) {
        const Node& n = nodes_[i];
        Slot s = slot_floor(n.size);
        if (++listed > free_blocks) fail("free lists hold more nodes than there are free blocks");
        if (!n.free || n.prev_free != prev || s.fl != fl || s.sl != sl)
          fail(fmt::format("block {} of size {:#x} is misplaced on list ({}, {})", i, n.size, fl, sl));
      }
    }
  }
  if (listed != free_blocks) fail(fmt::format("{} free blocks but {} on free lists", free_blocks, listed));
}

void Tlsf::check_invariants() const {
  size_t free_blocks = 0, node_count = 0;
  check_tiling(free_blocks, node_count);
  check_lists(free_blocks);
  for (uint32_t i = spare_; i != kNil; i = nodes_[i].next_free) {
    if (++node_count > nodes_.size()) throw std::logic_error("tlsf: recycled-node chain overlaps live blocks");
  }
  if (node_count != nodes_.size())
    throw std::logic_error(fmt::format("tlsf: {} nodes leaked from the pool", nodes_.size() - node_count));
}

}  // namespace hcq::detail
