// A small sim::Context for testing the model's engines (am/sim/cp.cpp, sdma.cpp) without the
// model's platform side: registers in a map with hooks, one flat, identity-mapped memory window
// (anything outside it is a VM fault, recorded like the model's GMC records it), doorbells, a
// counter for the GPU clock and a settable set of loaded firmware.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <vector>

#include "am/sim/context.hpp"

namespace hcq::am::test {

class FakeContext final : public sim::Context {
 public:
  static constexpr uint64_t mem_base = 0x100000, mem_size = 4 << 20;
  static constexpr uint32_t gc_seg0 = 0x1260, gc_seg1 = 0xa000;  // the gfx1100 model's GC bases

  struct Interrupt {
    uint32_t client, src;
    std::array<uint32_t, 4> context;
  };

  FakeContext() : mem_(mem_size) {}

  // --- what a test does as the driver ---
  void drv_write(const Reg& r, uint32_t v) { drv_write(address(r), v); }
  void drv_write(uint32_t dword, uint32_t v) {
    std::vector<std::function<void(uint32_t)>> hooks;
    {
      std::lock_guard l(m_);
      regs_[dword] = v;
      if (auto it = write_hooks_.find(dword); it != write_hooks_.end()) hooks = it->second;
    }
    for (auto& h : hooks) h(v);
  }
  // A read as the driver does it: through the read hook the engine installed, if any.
  uint32_t drv_read(const Reg& r) {
    std::function<uint32_t()> hook;
    {
      std::lock_guard l(m_);
      if (auto it = read_hooks_.find(address(r)); it != read_hooks_.end()) hook = it->second;
    }
    return hook ? hook() : reg(address(r));
  }
  void ring(uint32_t index, uint64_t value) {
    std::function<void(uint64_t)> hook;
    {
      std::lock_guard l(m_);
      if (auto it = doorbells_.find(index); it != doorbells_.end()) hook = it->second;
    }
    if (hook) hook(value);
  }
  std::byte* host(uint64_t va) { return mem_.data() + (va - mem_base); }
  template <class T> T load(uint64_t va) {
    std::lock_guard l(m_);
    T v;
    std::memcpy(&v, host(va), sizeof v);
    return v;
  }
  template <class T> void store(uint64_t va, T v) {
    std::lock_guard l(m_);
    std::memcpy(host(va), &v, sizeof v);
  }
  void store_words(uint64_t va, const std::vector<uint32_t>& w) {
    std::lock_guard l(m_);
    std::memcpy(host(va), w.data(), w.size() * 4);
  }
  // Polls until pred() holds (2 s at most).
  template <class Pred> bool eventually(Pred pred) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return pred();
  }
  void load_firmware(uint32_t type) {
    std::lock_guard l(m_);
    firmware_.insert(type);
  }
  std::vector<sim::VmFault> faults() {
    std::lock_guard l(m_);
    return faults_;
  }
  std::vector<Interrupt> interrupts() {
    std::lock_guard l(m_);
    return interrupts_;
  }

  // --- sim::Context ---
  uint32_t address(const Reg& r, unsigned inst = 0) const override {
    return (r.seg == 0 ? gc_seg0 : gc_seg1) + r.offset + inst * 0x600;
  }
  uint32_t reg(uint32_t dword) const override {
    std::lock_guard l(m_);
    auto it = regs_.find(dword);
    return it == regs_.end() ? 0 : it->second;
  }
  void set_reg(uint32_t dword, uint32_t value) override {
    std::lock_guard l(m_);
    regs_[dword] = value;
  }
  using sim::Context::reg;
  using sim::Context::set_reg;
  void on_write(uint32_t dword, std::function<void(uint32_t)> hook) override {
    std::lock_guard l(m_);
    write_hooks_[dword].push_back(std::move(hook));
  }
  void on_read(uint32_t dword, std::function<uint32_t()> hook) override {
    std::lock_guard l(m_);
    read_hooks_[dword] = std::move(hook);
  }
  void on_doorbell(uint32_t index, std::function<void(uint64_t)> hook) override {
    std::lock_guard l(m_);
    doorbells_[index] = std::move(hook);
  }
  bool read(sim::Client c, unsigned vmid, uint64_t va, void* dst, size_t bytes) override {
    std::lock_guard l(m_);
    if (!inside(c, vmid, va, bytes, false)) return false;
    std::memcpy(dst, host(va), bytes);
    return true;
  }
  bool write(sim::Client c, unsigned vmid, uint64_t va, const void* src, size_t bytes) override {
    std::lock_guard l(m_);
    if (!inside(c, vmid, va, bytes, true)) return false;
    std::memcpy(host(va), src, bytes);
    return true;
  }
  std::byte* mc(uint64_t, size_t) override { return nullptr; }
  void interrupt(uint32_t client, uint32_t src, std::span<const uint32_t, 4> context, unsigned) override {
    std::lock_guard l(m_);
    interrupts_.push_back({client, src, {context[0], context[1], context[2], context[3]}});
  }
  uint64_t gpu_clock() const override { return ++clock_; }
  bool firmware_loaded(uint32_t type) const override {
    std::lock_guard l(m_);
    return firmware_.count(type) != 0;
  }

 private:
  bool inside(sim::Client c, unsigned vmid, uint64_t va, size_t bytes, bool w) {
    if (vmid == 0 && va >= mem_base && va - mem_base <= mem_size && mem_size - (va - mem_base) >= bytes) return true;
    faults_.push_back({c, vmid, va, w, "outside the fake context's memory"});
    return false;
  }

  mutable std::mutex m_;
  std::vector<std::byte> mem_;
  std::map<uint32_t, uint32_t> regs_;
  std::map<uint32_t, std::vector<std::function<void(uint32_t)>>> write_hooks_;
  std::map<uint32_t, std::function<uint32_t()>> read_hooks_;
  std::map<uint32_t, std::function<void(uint64_t)>> doorbells_;
  std::set<uint32_t> firmware_;
  std::vector<sim::VmFault> faults_;
  std::vector<Interrupt> interrupts_;
  mutable std::atomic<uint64_t> clock_{1000};
};

}  // namespace hcq::am::test
