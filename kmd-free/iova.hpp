// An IOVA allocator for VFIO DMA mappings: first fit over a free list, ranges merged on free.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

namespace hcq::kmdfree {

class IovaAllocator {
 public:
  // Hands out addresses in [base, base + size). `base` and `size` must be multiples of 4 KiB.
  IovaAllocator(uint64_t base, uint64_t size);
  // `bytes` rounded up to 4 KiB, aligned to `align` (a power of two >= 4 KiB); nullopt when no
  // free range fits or the arguments are bad.
  std::optional<uint64_t> allocate(uint64_t bytes, uint64_t align);
  // Returns a range from allocate(); false (and nothing changes) for anything else.
  bool free(uint64_t iova);
  uint64_t free_bytes() const;

 private:
  mutable std::mutex mutex_;
  std::map<uint64_t, uint64_t> free_;  // start -> size
  std::map<uint64_t, uint64_t> used_;  // start -> size
};

}  // namespace hcq::kmdfree
