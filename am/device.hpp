// The hcq backend for AMD GPUs without a kernel driver: AmDevice over an am::Gpu (a real GPU by
// PCI address, "am:0000:03:00.0", or the gfx1100 device model, "sim:gfx1100"), its programs
// (amdgcn code objects, am/program.hpp) and its queues (queue_compute.cpp: PM4 on a MEC HQD;
// queue_copy.cpp: SDMA). See docs/am.md "Queues".
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <variant>

#include "am/gpu.hpp"
#include "am/program.hpp"
#include "backend.hpp"

namespace hcq::am {

class AmDevice final : public detail::DeviceImpl {
 public:
  AmDevice(const detail::UriParts& uri, std::unique_ptr<kmdfree::PciDevice> pci, bool simulated);
  ~AmDevice() override;

  detail::Chunk map_chunk(MemoryKind kind, uint64_t size) override;
  void unmap_chunk(MemoryKind kind, const detail::Chunk& chunk) noexcept override;
  std::shared_ptr<detail::QueueImpl> create_queue(QueueKind kind, std::shared_ptr<DeviceImpl> self) override;
  std::shared_ptr<detail::ProgramImpl> load_program(std::span<const std::byte> bytes, const std::string& name) override;
  bool can_reach(const DeviceImpl& other) const noexcept override { return &other == this; }
  uint64_t chunk_size(MemoryKind kind) const noexcept override;
  void poll_health() noexcept override;

  Gpu& gpu() noexcept { return *gpu_; }
  // Queues report a stopped HQD through this (poll_health asks each).
  void add_health_check(const void* owner, std::function<std::string()> check);
  void remove_health_check(const void* owner);

 private:
  void set_props(bool simulated);

  std::unique_ptr<Gpu> gpu_;
  std::mutex mutex_;
  std::map<uint64_t, std::variant<VramBlock, HostBlock>> chunks_;  // by GPU address
  std::map<const void*, std::function<std::string()>> health_;
};

struct AmProgram final : detail::ProgramImpl {
  CodeObject code;
  std::shared_ptr<detail::BufferImpl> image;  // the loaded image, in device memory
  const AmdKernel& kernel(const detail::KernelImpl& k) const { return code.kernels[k.entry]; }
  uint64_t code_va(const detail::KernelImpl& k) const { return image->gpu_va + kernel(k).code_offset; }
};

}  // namespace hcq::am
