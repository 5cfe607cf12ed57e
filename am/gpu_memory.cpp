// am::Gpu memory: a first-fit-ish TLSF over VRAM (hcq/src/tlsf.hpp), a TLSF over the VMID-0 VA range,
// and the page tables (ip/page_table.hpp) kept in VRAM through BAR0. VA layout as tinygrad's
// AMMemoryManager: 2^44 bytes from 0x2000_0000_0000, indexed from that start.
#include <fmt/format.h>

#include <cstring>
#include <mutex>

#include "gpu_memory.hpp"
#include "round_up.hpp"

namespace hcq::am {

namespace {
constexpr uint64_t huge = pte::huge_2m;
using detail::round_up;
}  // namespace

uint64_t Gpu::Memory::alloc_table() {
  auto off = phys.allocate(pte::table_bytes, pte::table_bytes);
  if (!off) gpu.fail(Errc::out_of_memory, "GMC", "no VRAM left for a page table");
  if (*off + pte::table_bytes > vram.size())
    gpu.fail(Errc::unsupported, "GMC",
             fmt::format("page table at VRAM {:#x} is past the {} MiB BAR0; enable resizable BAR (Above 4G decoding) "
                         "in the firmware setup",
                         *off, vram.size() >> 20));
  static const std::byte zeros[pte::table_bytes] = {};
  vram.write(*off, zeros, sizeof zeros);
  return *off;
}

void Gpu::init_memory() {
  if (vram_size_ <= chip_->reserved_vram_top) fail(Errc::unsupported, "GMC", fmt::format("{} MiB of VRAM is too little", vram_size_ >> 20));
  memory_ = std::make_unique<Memory>(*this, vram_size_ - chip_->reserved_vram_top);
  memory_->pt = std::make_unique<PageTable>(*chip_->pte, *memory_, name_);
}

uint64_t Gpu::va_start() const noexcept { return va_base; }
uint64_t Gpu::va_end() const noexcept { return va_base + va_bytes - 1; }
uint64_t Gpu::page_table_root() const noexcept { return memory_->pt->root(); }
PageTable& Gpu::page_table() noexcept { return *memory_->pt; }

VramBlock Gpu::alloc_vram(uint64_t size, uint64_t align, bool map, MapFlags flags) {
  if (size == 0 || (align & (align - 1)))
    fail(Errc::invalid_argument, "GMC", fmt::format("alloc_vram({}, align {}): size 0 or alignment not a power of two", size, align));
  size = round_up(size, page);
  align = std::max(align, size >= huge ? huge : page);  // 2 MiB leaves need 2 MiB-aligned VRAM
  std::unique_lock lock(memory_->mutex);
  auto off = memory_->phys.allocate(size, align);
  if (!off)
    fail(Errc::out_of_memory, "GMC",
         fmt::format("no {:#x} bytes of VRAM left ({:#x} free, largest block {:#x})", size, memory_->phys.bytes_free(),
                     memory_->phys.largest_free_block()));
  VramBlock b{*off, fb_base_ + *off, 0, size, nullptr};
  kmdfree::Bar& bar = vram_bar();
  if (bar.direct() && *off + size <= bar.size()) b.cpu = bar.direct() + *off;
  if (map) {
    auto va = memory_->va.allocate(size, align);
    if (!va) {
      memory_->phys.free(*off);
      fail(Errc::out_of_memory, "GMC", fmt::format("no {:#x} bytes of GPU VA left", size));
    }
    b.va = *va;
    memory_->pt->map(*va - va_base, *off, size, flags);
    lock.unlock();
    invalidate_tlb();
  }
  return b;
}

void Gpu::free_vram(VramBlock& b) noexcept {
  if (!b.size) return;
  {
    std::lock_guard lock(memory_->mutex);
    if (b.va) {
      memory_->pt->unmap(b.va - va_base, b.size);
      memory_->va.free(b.va);
    }
    memory_->phys.free(b.offset);
  }
  if (b.va) {
    try {
      invalidate_tlb();
    } catch (const std::exception& e) {
      log_->warn("TLB invalidation after a free failed: {}", e.what());
    }
  }
  b = {};
}

HostBlock Gpu::alloc_host(uint64_t size, MapFlags flags) {
  if (size == 0) fail(Errc::invalid_argument, "GMC", "alloc_host(0)");
  size = round_up(size, page);
  flags.system = true;
  HostBlock h{pci_->alloc_dma(size, false), 0};
  std::unique_lock lock(memory_->mutex);
  auto va = memory_->va.allocate(size, size >= huge ? huge : page);
  if (!va) fail(Errc::out_of_memory, "GMC", fmt::format("no {:#x} bytes of GPU VA left", size));
  h.va = *va;
  // One mapping per run of contiguous bus addresses.
  for (uint64_t o = 0; o < size;) {
    uint64_t start = h.buffer->bus_address(o), run = page;
    while (o + run < size && h.buffer->bus_address(o + run) == start + run) run += page;
    memory_->pt->map(*va - va_base + o, start, run, flags);
    o += run;
  }
  lock.unlock();
  invalidate_tlb();
  return h;
}

void Gpu::free_host(HostBlock& h) noexcept {
  if (!h.buffer) return;
  {
    std::lock_guard lock(memory_->mutex);
    memory_->pt->unmap(h.va - va_base, h.buffer->size());
    memory_->va.free(h.va);
  }
  try {
    invalidate_tlb();
  } catch (const std::exception& e) {
    log_->warn("TLB invalidation after a free failed: {}", e.what());
  }
  h.buffer.reset();
  h.va = 0;
}

}  // namespace hcq::am
