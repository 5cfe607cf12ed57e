// DMA host memory without an IOMMU (dma_host.hpp).
#include "dma_host.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::kmdfree {

namespace {

// /proc/pid/pagemap (Documentation/admin-guide/mm/pagemap.rst): one 64-bit entry per virtual
// page; bit 63 "present", bits 0-54 the page frame number.
constexpr uint64_t pagemap_present = 1ull << 63;
constexpr uint64_t pagemap_pfn_mask = (1ull << 55) - 1;
constexpr unsigned page_shift = 12;
// mmap(2): the hugepage size is log2(size) << MAP_HUGE_SHIFT (linux/mman.h's MAP_HUGE_2MB).
constexpr int hugepage_2mb_log2 = 21;
constexpr int map_huge_2mb = hugepage_2mb_log2 << MAP_HUGE_SHIFT;

uint64_t round_up(uint64_t v, uint64_t align) { return (v + align - 1) / align * align; }

class PhysicalDmaBuffer final : public DmaBuffer {
 public:
  PhysicalDmaBuffer(std::unique_ptr<HostPages> pages, uint64_t size, std::vector<uint64_t> bus, bool contiguous)
      : pages_(std::move(pages)), size_(size), bus_(std::move(bus)), contiguous_(contiguous) {}
  std::byte* cpu() noexcept override { return pages_->data(); }
  uint64_t size() const noexcept override { return size_; }
  uint64_t bus_address(uint64_t offset) const noexcept override {
    if (contiguous_) return bus_[0] + offset;
    uint64_t page = offset / dma_page_size;
    return page < bus_.size() ? bus_[page] + offset % dma_page_size : 0;
  }
  bool contiguous() const noexcept override { return contiguous_; }

 private:
  std::unique_ptr<HostPages> pages_;
  uint64_t size_;
  std::vector<uint64_t> bus_;  // per 4 KiB page, or the start alone when contiguous
  bool contiguous_;
};

}  // namespace

HostPages::HostPages(uint64_t size, bool huge, const std::string& device) : huge_(huge) {
  uint64_t align = huge ? dma_hugepage_size : dma_page_size;
  mapped_ = round_up(size, align);
  if (size == 0 || mapped_ < size) throw Error(Errc::invalid_argument, device, "dma", fmt::format("a DMA buffer of {} bytes", size));
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED;
  if (huge) flags |= MAP_HUGETLB | map_huge_2mb;
  void* p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (p == MAP_FAILED) {
    int err = errno;
    throw Error(Errc::out_of_memory, device, "dma",
                huge ? fmt::format("no free 2 MiB hugepage for {} bytes ({}); reserve some: echo 16 > /proc/sys/vm/nr_hugepages",
                                   size, std::strerror(err))
                     : fmt::format("cannot map {} locked bytes ({}); raise the memlock limit (ulimit -l) or run as root",
                                   size, std::strerror(err)));
  }
  data_ = static_cast<std::byte*>(p);
  // MAP_LOCKED is best effort; mlock reports whether the pages really are resident and locked.
  if (::mlock(data_, mapped_) != 0) {
    int err = errno;
    ::munmap(data_, mapped_);
    throw Error(Errc::out_of_memory, device, "dma",
                fmt::format("cannot lock {} bytes ({}); raise the memlock limit (ulimit -l) or run as root", mapped_, std::strerror(err)));
  }
}

HostPages::~HostPages() {
  if (data_) ::munmap(data_, mapped_);
}

std::vector<uint64_t> physical_pages(const std::string& pagemap, const std::byte* addr, uint64_t bytes, const std::string& device) {
  int fd = ::open(pagemap.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(Errc::io, device, "dma", fmt::format("cannot open {}: {}", pagemap, std::strerror(errno)));
  uint64_t first = reinterpret_cast<uintptr_t>(addr) >> page_shift;
  uint64_t count = round_up(bytes, dma_page_size) / dma_page_size;
  std::vector<uint64_t> entries(count);
  ssize_t want = static_cast<ssize_t>(count * sizeof(uint64_t));
  ssize_t got = ::pread(fd, entries.data(), static_cast<size_t>(want), static_cast<off_t>(first * sizeof(uint64_t)));
  int err = errno;
  ::close(fd);
  if (got != want) {
    throw Error(Errc::io, device, "dma",
                fmt::format("read {} of {} pagemap bytes from {}: {}", got < 0 ? 0 : got, want, pagemap, got < 0 ? std::strerror(err) : "short read"));
  }
  std::vector<uint64_t> phys(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t pfn = entries[i] & pagemap_pfn_mask;
    if (!(entries[i] & pagemap_present)) {
      throw Error(Errc::io, device, "dma", fmt::format("page {} of a locked DMA buffer is not present (pagemap entry 0x{:016x})", i, entries[i]));
    }
    if (pfn == 0) {
      throw Error(Errc::unsupported, device, "dma",
                  fmt::format("{} hides physical addresses (PFN 0): DMA without an IOMMU needs root (CAP_SYS_ADMIN); "
                              "run as root or use VFIO (vfio:<bdf>)", pagemap));
    }
    phys[i] = pfn << page_shift;
  }
  return phys;
}

std::unique_ptr<DmaBuffer> alloc_physical_dma(uint64_t size, bool contiguous, const std::string& device, const std::string& pagemap) {
  if (contiguous && size > dma_hugepage_size) {
    throw Error(Errc::unsupported, device, "dma",
                fmt::format("a contiguous DMA buffer of {} bytes: without an IOMMU the most is one 2 MiB hugepage; "
                            "split the buffer or use VFIO (vfio:<bdf>)", size));
  }
  bool huge = contiguous && size > dma_page_size;
  auto pages = std::make_unique<HostPages>(size, huge, device);
  auto phys = physical_pages(pagemap, pages->data(), pages->mapped_size(), device);
  if (contiguous) {
    // A hugepage is physically contiguous; check it anyway, a wrong bus address corrupts memory.
    for (size_t i = 1; i < phys.size(); ++i) {
      if (phys[i] != phys[0] + i * dma_page_size) {
        throw Error(Errc::internal, device, "dma",
                    fmt::format("hugepage is not physically contiguous at page {} (0x{:x} after 0x{:x})", i, phys[i], phys[0]));
      }
    }
    phys.resize(1);
  }
  return std::make_unique<PhysicalDmaBuffer>(std::move(pages), size, std::move(phys), contiguous);
}

}  // namespace hcq::kmdfree
