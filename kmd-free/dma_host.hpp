// Host memory for DMA: anonymous or hugepage mappings, locked, with bus addresses.
//
// Without an IOMMU the bus address of a page is its physical address, which the kernel tells
// root (CAP_SYS_ADMIN) through /proc/self/pagemap; everyone else reads PFN 0 there. Locked pages
// are not swapped out; the kernel may still migrate them (compaction), which VFIO's pinning
// prevents: prefer VFIO where an IOMMU exists (docs/kmd-free.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pci_device.hpp"

namespace hcq::kmdfree {

inline constexpr uint64_t dma_page_size = 4096;
inline constexpr uint64_t dma_hugepage_size = 2 * 1024 * 1024;

// An anonymous mapping, locked in memory, zeroed; unmapped when destroyed. `huge` asks for
// 2 MiB hugepages (MAP_HUGETLB). Throws hcq::Error (out_of_memory) naming `device` on failure.
class HostPages {
 public:
  HostPages(uint64_t size, bool huge, const std::string& device);
  ~HostPages();
  HostPages(const HostPages&) = delete;
  HostPages& operator=(const HostPages&) = delete;

  std::byte* data() const noexcept { return data_; }
  uint64_t mapped_size() const noexcept { return mapped_; }
  bool huge() const noexcept { return huge_; }

 private:
  std::byte* data_ = nullptr;
  uint64_t mapped_ = 0;
  bool huge_ = false;
};

// Physical addresses of the 4 KiB pages of [addr, addr + bytes) from a pagemap file. Throws
// hcq::Error (io / unsupported) naming `device` when the file cannot be read or hides the PFNs.
std::vector<uint64_t> physical_pages(const std::string& pagemap, const std::byte* addr, uint64_t bytes, const std::string& device);

// DMA memory without an IOMMU: locked host pages with physical bus addresses. A contiguous
// request gets one 2 MiB hugepage (or, up to 4 KiB, one page) and fails with a clear message
// when none is reserved.
std::unique_ptr<DmaBuffer> alloc_physical_dma(uint64_t size, bool contiguous, const std::string& device,
                                              const std::string& pagemap = "/proc/self/pagemap");

}  // namespace hcq::kmdfree
