#include "iova.hpp"

namespace hcq::kmdfree {

namespace {
constexpr uint64_t iova_page = 4096;
}

IovaAllocator::IovaAllocator(uint64_t base, uint64_t size) {
  if (size != 0 && base % iova_page == 0 && size % iova_page == 0 && base + size > base) free_.emplace(base, size);
}

std::optional<uint64_t> IovaAllocator::allocate(uint64_t bytes, uint64_t align) {
  if (bytes == 0 || align < iova_page || (align & (align - 1)) != 0) return std::nullopt;
  uint64_t need = (bytes + iova_page - 1) / iova_page * iova_page;
  if (need < bytes) return std::nullopt;
  std::lock_guard lock(mutex_);
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    auto [start, size] = *it;
    uint64_t aligned = (start + align - 1) & ~(align - 1);
    if (aligned < start || aligned - start >= size || size - (aligned - start) < need) continue;
    free_.erase(it);
    if (aligned > start) free_.emplace(start, aligned - start);
    uint64_t tail = size - (aligned - start) - need;
    if (tail) free_.emplace(aligned + need, tail);
    used_.emplace(aligned, need);
    return aligned;
  }
  return std::nullopt;
}

bool IovaAllocator::free(uint64_t iova) {
  std::lock_guard lock(mutex_);
  auto used = used_.find(iova);
  if (used == used_.end()) return false;
  uint64_t start = iova, size = used->second;
  used_.erase(used);
  auto next = free_.lower_bound(start);
  if (next != free_.end() && start + size == next->first) {
    size += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == start) {
      start = prev->first;
      size += prev->second;
      free_.erase(prev);
    }
  }
  free_.emplace(start, size);
  return true;
}

uint64_t IovaAllocator::free_bytes() const {
  std::lock_guard lock(mutex_);
  uint64_t total = 0;
  for (const auto& [start, size] : free_) total += size;
  return total;
}

}  // namespace hcq::kmdfree
