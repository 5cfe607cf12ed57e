// A memory-backed tt::Chip for the launch protocol's unit tests: each Tensix tile has an L1 and a
// soft-reset register, and idle() plays our firmware's side of the mailbox (tt/firmware/firmware.c)
// for tiles whose BRISC was released. A kernel is a host function registered at an entry address;
// an address with none registered never finishes (a hung kernel).
#pragma once

#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "chip.hpp"
#include "chips.hpp"
#include "firmware/layout.h"
#include "hcq/error.hpp"
#include "launch.hpp"

namespace hcq::tt::test {

class FakeChip final : public Chip {
 public:
  using Kernel = std::function<uint32_t(const hcq_tt_dispatch&, const std::byte* args)>;

  explicit FakeChip(size_t cores) : table_(wormhole_b0()) {
    for (uint8_t i = 0; i < cores; ++i) tiles_.push_back({static_cast<uint8_t>(1 + i % 4), static_cast<uint8_t>(1 + i / 4)});
    for (NocXY t : tiles_) tile(t);
    dram_.push_back({0, 0});
  }

  Arch arch() const noexcept override { return table_.arch; }
  const ChipTable& table() const noexcept override { return table_; }
  const std::string& name() const noexcept override { return name_; }
  std::span<const NocXY> tensix() const noexcept override { return tiles_; }
  std::span<const NocXY> dram() const noexcept override { return dram_; }

  void noc_write(NocXY t, uint64_t addr, const void* src, size_t bytes, Ordering) override {
    Tile& s = tile(t);
    if (addr == soft_reset::address) {
      std::memcpy(&s.reset, src, 4);
      resets.push_back(s.reset);
      return;
    }
    if (addr + bytes > s.l1.size()) throw Error(Errc::invalid_argument, name_, "fake", "write past L1");
    if (addr < HCQ_TT_ARGS_BASE && addr != HCQ_TT_MAILBOX_BASE + offsetof(hcq_tt_mailbox, kernel_entry) &&
        addr != HCQ_TT_MAILBOX_BASE + offsetof(hcq_tt_mailbox, go) && !(s.reset & soft_reset::brisc)) {
      firmware_written_while_running = true;  // firmware, vector or whole mailbox under a running core
    }
    std::memcpy(s.l1.data() + addr, src, bytes);
  }
  void noc_read(NocXY t, uint64_t addr, void* dst, size_t bytes) override {
    Tile& s = tile(t);
    if (addr == soft_reset::address) {
      std::memcpy(dst, &s.reset, 4);
      return;
    }
    std::memcpy(dst, s.l1.data() + addr, bytes);
  }
  void noc_broadcast(std::span<const NocXY> tiles, uint64_t addr, const void* src, size_t bytes) override {
    for (NocXY t : tiles) noc_write(t, addr, src, bytes, Ordering::posted);
  }
  void idle() noexcept override {
    ++idles;
    for (auto& [key, s] : state_) step(s);
  }
  HostBuffer alloc_host(uint64_t) override { throw Error(Errc::unsupported, name_, "fake", "no host memory"); }
  void free_host(const HostBuffer&) noexcept override {}

  std::map<uint32_t, Kernel> kernels;  // by entry address
  std::vector<uint32_t> resets;        // every soft-reset value written, in order
  bool firmware_written_while_running = false;
  bool firmware_boots = true;          // false: a core never reaches READY
  size_t idles = 0;

  hcq_tt_mailbox mailbox(NocXY t) {
    hcq_tt_mailbox mb;
    std::memcpy(&mb, tile(t).l1.data() + HCQ_TT_MAILBOX_BASE, sizeof(mb));
    return mb;
  }
  uint32_t word(NocXY t, uint32_t addr) {
    uint32_t v;
    std::memcpy(&v, tile(t).l1.data() + addr, 4);
    return v;
  }

 private:
  struct Tile {
    std::vector<std::byte> l1;
    uint32_t reset = soft_reset::all;
  };
  Tile& tile(NocXY t) {
    auto& s = state_[uint32_t{t.y} << 8 | t.x];
    if (s.l1.empty()) s.l1.resize(table_.l1_size);
    return s;
  }
  // One step of our firmware on a released core whose reset vector jumps to the firmware.
  void step(Tile& s) {
    if (s.reset & soft_reset::brisc || !firmware_boots) return;
    uint32_t vector;
    std::memcpy(&vector, s.l1.data(), 4);
    if (vector != encode_jal_x0(HCQ_TT_RESET_VECTOR, HCQ_TT_FIRMWARE_BASE)) return;
    auto* mb = reinterpret_cast<hcq_tt_mailbox*>(s.l1.data() + HCQ_TT_MAILBOX_BASE);
    if (mb->magic != HCQ_TT_FW_MAGIC) {
      mb->magic = HCQ_TT_FW_MAGIC;
      mb->version = HCQ_TT_FW_VERSION;
      mb->state = HCQ_TT_STATE_READY;
      return;
    }
    if (mb->go == mb->done) return;
    mb->state = HCQ_TT_STATE_RUNNING;
    auto k = kernels.find(mb->kernel_entry);
    if (k == kernels.end()) return;  // hangs
    hcq_tt_dispatch& d = mb->dispatch;
    mb->result = 0;
    for (uint32_t i = 0; i < d.workgroup_count && mb->result == 0; ++i) {
      uint32_t wg = d.first_workgroup + i;
      d.workgroup[0] = wg % d.grid[0];
      d.workgroup[1] = wg / d.grid[0] % d.grid[1];
      d.workgroup[2] = wg / (d.grid[0] * d.grid[1]);
      mb->result = k->second(d, s.l1.data() + mb->args);
      mb->result_workgroup = wg;
    }
    mb->launches++;
    mb->state = HCQ_TT_STATE_READY;
    mb->done = mb->go;
  }

  const ChipTable& table_;
  std::string name_ = "tt fake";
  std::vector<NocXY> tiles_;
  std::vector<NocXY> dram_;
  std::map<uint32_t, Tile> state_;
};

}  // namespace hcq::tt::test
