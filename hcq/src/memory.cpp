// Buffers and the chunked heaps they come from.
#include <bit>

#include "backend.hpp"

namespace hcq {

std::string_view to_string(MemoryKind kind) noexcept {
  switch (kind) {
    case MemoryKind::device: return "device";
    case MemoryKind::host: return "host";
    case MemoryKind::device_host_visible: return "device_host_visible";
  }
  return "?";
}

Buffer::Buffer(std::shared_ptr<detail::BufferImpl> impl) : impl_(std::move(impl)), size_(impl_ ? impl_->size : 0) {}

uint64_t Buffer::gpu_address() const noexcept { return impl_ ? impl_->gpu_va + offset_ : 0; }
void* Buffer::cpu_ptr() const noexcept { return impl_ && impl_->cpu ? impl_->cpu + offset_ : nullptr; }
MemoryKind Buffer::kind() const noexcept { return impl_ ? impl_->kind : MemoryKind::device; }

Buffer Buffer::view(size_t offset, size_t size) const {
  if (!impl_) throw Error(Errc::invalid_argument, "", "buffer", "view() of an empty buffer handle");
  if (offset > size_ || size > size_ - offset) {
    throw Error(Errc::invalid_argument, impl_->device->uri(), "buffer",
                fmt::format("view at offset {} of {} bytes does not fit in a buffer of {} bytes", offset, size, size_));
  }
  Buffer b = *this;
  b.offset_ = offset_ + offset;
  b.size_ = size;
  return b;
}

}  // namespace hcq

namespace hcq::detail {

Heap::Heap(DeviceImpl& device, MemoryKind kind, uint64_t chunk_size)
    : device_(device), kind_(kind), chunk_size_(chunk_size) {}

Heap::~Heap() {
  for (auto& slot : chunks_) {
    if (slot) device_.unmap_chunk(kind_, slot->chunk);
  }
}

std::optional<Heap::Allocation> Heap::allocate(uint64_t size, uint64_t alignment) {
  // Large allocations get their own chunk, so freeing them returns the memory at once.
  if (size >= chunk_size_ / 2) {
    uint64_t rounded = (size + 4095) & ~uint64_t{4095};
    Chunk c = device_.map_chunk(kind_, rounded);
    if (c.gpu_va % alignment != 0) {
      device_.unmap_chunk(kind_, c);
      return std::nullopt;
    }
    chunks_.push_back(Slot{c, nullptr});
    return Allocation{c.gpu_va, c.cpu, chunks_.size() - 1};
  }
  for (size_t i = 0; i < chunks_.size(); ++i) {
    auto& slot = chunks_[i];
    if (!slot || !slot->tlsf) continue;
    if (auto va = slot->tlsf->allocate(size, alignment)) {
      std::byte* cpu = slot->chunk.cpu ? slot->chunk.cpu + (*va - slot->chunk.gpu_va) : nullptr;
      return Allocation{*va, cpu, i};
    }
  }
  Chunk c = device_.map_chunk(kind_, chunk_size_);
  auto tlsf = std::make_unique<Tlsf>(c.gpu_va, c.size, 16);
  auto va = tlsf->allocate(size, alignment);
  size_t index = chunks_.size();
  chunks_.push_back(Slot{c, std::move(tlsf)});
  if (!va) return std::nullopt;  // alignment larger than the chunk can honour
  return Allocation{*va, c.cpu ? c.cpu + (*va - c.gpu_va) : nullptr, index};
}

void Heap::free(const Allocation& a) {
  auto& slot = chunks_.at(a.chunk);
  if (!slot) return;
  if (!slot->tlsf) {
    device_.unmap_chunk(kind_, slot->chunk);
    slot.reset();
    return;
  }
  if (!slot->tlsf->free(a.gpu_va)) {
    device_.logger()->error("heap {}: free of 0x{:x}, which is not a live allocation", to_string(kind_), a.gpu_va);
  }
}

uint64_t Heap::bytes_in_chunks() const noexcept {
  uint64_t total = 0;
  for (auto& slot : chunks_) {
    if (slot) total += slot->chunk.size;
  }
  return total;
}

BufferImpl::~BufferImpl() {
  DeviceImpl* dev = device.get();
  MemoryKind k = kind;
  Heap::Allocation a = allocation;
  dev->defer([dev, k, a] { dev->heap(k).free(a); });
}

}  // namespace hcq::detail
