// The tt device behind the hcq contract (URIs "tt:ttsim:/path/libttsim.so", "tt:N").
//
// Tenstorrent chips have no command processor that reads our command streams, so each queue's
// commands run on a host worker thread (hcq/src/host_queue.hpp, tt/queue.cpp), the way tt-metal's
// host dispatch mode works: waits and signals on host memory, copies through the Chip's NOC reads
// and writes, launches through the L1 mailbox (tt/launch.hpp). Graphs and patching work on those
// words as on any device.
//
// Memory (a "device address" is what kernels get for a `ptr`: NOC0 tile y << 6 | x in bits 48..59,
// the address inside that tile below; tt/kernels/hcq_tt_kernel.h):
//   device               DRAM channel 0 (2 GiB on Wormhole, 4 GiB on Blackhole), our own TLSF.
//   host                 Chip::alloc_host, reached by kernels through the PCIe tile.
//   device_host_visible  the same host memory: ttsim has no mappable BAR, and a TLB window per
//                        buffer is not worth its cost here; documented in docs/tt.md.
// Signals live in host memory (the front end's signal pages, MemoryKind::host); the worker reads
// and writes them through their CPU mapping.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "../hcq/src/backend.hpp"
#include "../hcq/src/tlsf.hpp"
#include "chip.hpp"
#include "launch.hpp"

namespace hcq::tt {

// Device addresses as kernels see them.
inline constexpr unsigned device_address_xy_shift = 48;
inline constexpr uint64_t device_address_local_mask = (1ull << device_address_xy_shift) - 1;
constexpr uint64_t device_address(NocXY tile, uint64_t local) {
  return (uint64_t{tile.y} << 6 | tile.x) << device_address_xy_shift | local;
}
constexpr NocXY device_address_tile(uint64_t address) {
  auto xy = static_cast<uint32_t>(address >> device_address_xy_shift);
  return {static_cast<uint8_t>(xy & 63), static_cast<uint8_t>((xy >> 6) & 63)};
}

struct TtProgram final : detail::ProgramImpl {
  L1Image image;
  uint64_t image_id = 0;
};

class TtDevice final : public detail::DeviceImpl {
 public:
  TtDevice(const detail::UriParts& uri, std::unique_ptr<Chip> chip, std::span<const std::byte> firmware);
  ~TtDevice() override;

  detail::Chunk map_chunk(MemoryKind kind, uint64_t size) override;
  void unmap_chunk(MemoryKind kind, const detail::Chunk& chunk) noexcept override;
  std::shared_ptr<detail::QueueImpl> create_queue(QueueKind kind, std::shared_ptr<DeviceImpl> self) override;
  std::shared_ptr<detail::ProgramImpl> load_program(std::span<const std::byte> bytes, const std::string& name) override;
  bool can_reach(const DeviceImpl& other) const noexcept override { return &other == this; }
  // Every device keeps its signals in CPU-mapped host memory; the worker uses that mapping.
  std::optional<uint64_t> signal_address(const detail::SignalImpl& s, std::string*) override {
    return reinterpret_cast<uintptr_t>(s.slot);
  }

  // For the queue workers. Chip accesses are serialised (ttsim is single-threaded): take
  // chip_mutex() for each access, never across a wait (the Launcher takes it itself).
  Chip& chip() noexcept { return *chip_; }
  std::mutex& chip_mutex() noexcept { return chip_mutex_; }
  Launcher& launcher() noexcept { return *launcher_; }
  // The CPU pointer of [address, address + bytes) in host memory of this device, or nullptr when
  // the range is not inside one host chunk.
  std::byte* host_pointer(uint64_t address, uint64_t bytes) const noexcept;
  // Whether [address, address + bytes) lies in this device's DRAM allocation.
  bool is_dram(uint64_t address, uint64_t bytes) const noexcept;

 private:
  std::unique_ptr<Chip> chip_;
  std::mutex chip_mutex_;
  std::unique_ptr<Launcher> launcher_;
  NocXY dram_tile_;
  detail::Tlsf dram_;
  mutable std::mutex memory_mutex_;
  std::map<uint64_t, Chip::HostBuffer> host_chunks_;  // by device address
  std::atomic<uint64_t> next_image_id_{1};
};

}  // namespace hcq::tt
