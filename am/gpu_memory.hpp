// am::Gpu's memory state (gpu_memory.cpp): VRAM and VA allocators and the VMID-0 page tables.
#pragma once

#include <memory>
#include <mutex>

#include "gpu.hpp"
#include "ip/page_table.hpp"
#include "tlsf.hpp"

namespace hcq::am {

inline constexpr uint64_t va_base = 0x2000'0000'0000ull;  // tinygrad AMMemoryManager's VA start
inline constexpr uint64_t va_bytes = 1ull << 44;
inline constexpr uint64_t page = pte::page_bytes;

struct Gpu::Memory final : PageTableMemory {
  Memory(Gpu& g, uint64_t usable) : gpu(g), vram(g.vram_bar()), phys(0, usable, page), va(va_base, va_bytes, page) {}

  uint64_t alloc_table() override;
  void free_table(uint64_t off) noexcept override { phys.free(off); }
  uint64_t read_entry(uint64_t off) override { return vram.read64(off); }
  void write_entry(uint64_t off, uint64_t value) override { vram.write64(off, value); }

  Gpu& gpu;
  kmdfree::Bar& vram;
  detail::Tlsf phys;
  detail::Tlsf va;
  std::unique_ptr<PageTable> pt;
  std::mutex mutex;
};

}  // namespace hcq::am
