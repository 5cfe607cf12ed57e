// am::Gpu: one AMD GPU driven without a kernel driver, over a kmdfree::PciDevice (sysfs, VFIO or
// a simulated function). It owns discovery, register access, the IP blocks and GPU memory; the
// hcq backend (am/device.cpp, am/queue_*.cpp) sits on top and never touches a register itself
// except through the blocks.
//
// This header is the contract between the platform side (discovery, GMC, IH, PSP, SMU, SOC) and
// the queue side (GFX/MEC, SDMA, the hcq backend): add to it, do not change what a member means.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chips.hpp"
#include "discovery.hpp"
#include "ip/pte.hpp"
#include "ip_block.hpp"
#include "log.hpp"
#include "hcq/error.hpp"
#include "registers/reg.hpp"
#include "hcq/firmware/loader.hpp"
#include "kmd-free/pci_device.hpp"

namespace hcq::am {

class PageTable;

// MapFlags (page attributes for GPU mappings) is in ip/pte.hpp, with the PTE codec that encodes them.

// IP blocks beyond the platform's (the queue side's GFX and SDMA): appended after SMU, in the order
// added. Explicit calls only (no global constructors); a later call with the same name replaces it.
using BlockFactory = std::function<std::unique_ptr<IpBlock>(Gpu&)>;
void add_block_factory(std::string name, BlockFactory factory);

// VRAM owned by the caller; freed when dropped.
struct VramBlock {
  uint64_t offset = 0;   // from the start of VRAM (BAR0 offset where the BAR covers it)
  uint64_t mc = 0;       // the MC (physical) address: fb_base + offset
  uint64_t va = 0;       // GPU virtual address in VMID 0, 0 when not mapped
  uint64_t size = 0;
  std::byte* cpu = nullptr;  // through BAR0 when the BAR covers it, else null
};

// Host memory mapped for the GPU.
struct HostBlock {
  std::unique_ptr<kmdfree::DmaBuffer> buffer;
  uint64_t va = 0;
};

class Gpu {
 public:
  struct Options {
    bool allow_unbind = false;        // detach the bound kernel driver (hcq-bringup --unbind)
    std::string firmware_path;        // prepended to the firmware search path
    bool firmware_path_only = false;  // search firmware_path alone (tests: a directory without the files)
    std::chrono::milliseconds poll_timeout{2000};
  };
  // Reads discovery (the transport that opened `pci` holds the device lock), builds the blocks; does not start them (init(), which also
  // runs their init_sw the first time, so that a missing firmware file can be fixed and init() retried).
  Gpu(std::unique_ptr<kmdfree::PciDevice> pci, Options options);
  ~Gpu();  // fini() if initialised
  Gpu(const Gpu&) = delete;
  Gpu& operator=(const Gpu&) = delete;

  // Brings every block up in order; a warm restart when the GPU was left running by us.
  // `progress` is told of each block as it comes up (hcq-bringup prints it).
  struct BlockReport {
    std::string block;
    std::string firmware;  // versions loaded, "" when none
    std::chrono::microseconds took{0};
  };
  void init(const std::function<void(const BlockReport&)>& progress = {});
  void fini() noexcept;

  // The lifecycle past bring-up (amdgpu_device.c amdgpu_device_ip_suspend / _resume; docs/am.md
  // "Suspend and resume"). wait_idle polls every block's idle_state() until all are idle; after
  // `timeout` it throws hcq::Error(timeout) naming the first block still busy and its status
  // registers. suspend() waits for idle, then suspends the blocks backwards (queues are dequeued
  // with their pointers saved; page tables stay in VRAM); if a block fails, the blocks already
  // suspended are resumed and the error is thrown. resume() resumes them forwards (PSP reloads the
  // firmware, GFX and SDMA bring back every queue that existed), reporting each block like init().
  void wait_idle(std::chrono::milliseconds timeout);
  void suspend(std::chrono::milliseconds idle_timeout);
  void resume(const std::function<void(const BlockReport&)>& progress = {});
  bool suspended() const noexcept { return suspended_; }

  // "am 0000:03:00.0" (or "am ffff:00:00.0 (sim:gfx1100)") for messages.
  const std::string& name() const noexcept { return name_; }
  const Chip& chip() const noexcept { return *chip_; }
  const Discovery& discovery() const noexcept { return discovery_; }
  kmdfree::PciDevice& pci() noexcept { return *pci_; }
  const log::Logger& logger() const noexcept { return log_; }
  Options& options() noexcept { return options_; }  // a retry may fix the firmware path first
  bool initialised() const noexcept { return initialised_; }
  bool warm_started() const noexcept { return warm_; }  // the last init() reused a GPU we had left running
  // The firmware search path the blocks load from (Options applied).
  fw::SearchPath firmware_search_path() const;

  // VRAM as the GPU sees it: MC address of VRAM byte 0 (MC_VM_FB_LOCATION_BASE), and its size.
  uint64_t fb_base() const noexcept { return fb_base_; }
  uint64_t vram_size() const noexcept { return vram_size_; }
  // The VMID-0 address range the page tables cover (VM_CONTEXT0_PAGE_TABLE_START/END) and their root
  // (a VRAM offset, as the PDEs hold it).
  uint64_t va_start() const noexcept;
  uint64_t va_end() const noexcept;  // inclusive
  uint64_t page_table_root() const noexcept;
  // The page tables, for tools and tests (lookups only).
  PageTable& page_table() noexcept;

  // Registers by name, instance 0 unless given. Trace level logs each access decoded by field.
  uint32_t read(const Reg& r, unsigned inst = 0);
  void write(const Reg& r, uint32_t value, unsigned inst = 0);
  void update(const Reg& r, std::initializer_list<std::pair<std::string_view, uint32_t>> fields, unsigned inst = 0);
  uint32_t address(const Reg& r, unsigned inst = 0) const;  // absolute dword address
  // The register's value decoded by field: "rb_enable=1 rb_size=16 ..." (trace logs, error messages).
  static std::string decode(const Reg& r, uint32_t value);
  // Raw dword access by absolute address (BAR5, or the indirect pair past its end).
  uint32_t read_dword(uint32_t dword);
  void write_dword(uint32_t dword, uint32_t value);
  // Polls until (read(r) & mask) == value; throws hcq::Error(timeout) naming the block, the register,
  // the last value and `what_to_do`.
  uint32_t poll(std::string_view block, const Reg& r, uint32_t mask, uint32_t value, std::string_view what_to_do,
                unsigned inst = 0);
  // Polls until done(value); `expected` says what was waited for in the message.
  uint32_t poll_until(std::string_view block, const Reg& r, const std::function<bool(uint32_t)>& done,
                      std::string_view expected, std::string_view what_to_do, unsigned inst = 0);

  // GPU memory in VMID 0 (the kmd-free driver's one address space).
  VramBlock alloc_vram(uint64_t size, uint64_t align = 4096, bool map = true, MapFlags flags = {});
  void free_vram(VramBlock& block) noexcept;
  HostBlock alloc_host(uint64_t size, MapFlags flags = {.uncached = true, .system = true, .snooped = true});
  void free_host(HostBlock& block) noexcept;
  // Makes writes through BAR0 visible to the GPU (HDP flush) and GPU writes visible to the CPU.
  void hdp_flush();
  void invalidate_tlb(unsigned vmid = 0);

  // Doorbells: 64-bit slots in BAR2. alloc_doorbell returns a slot index (the kernel's
  // AMDGPU_NAVI10_DOORBELL_* numbering for fixed users).
  kmdfree::Bar& doorbells();
  kmdfree::Bar& vram_bar();

  // The blocks, for the hcq backend and tools (nullptr when absent).
  template <class Block> Block* block() noexcept {
    for (auto& b : blocks_)
      if (auto* p = dynamic_cast<Block*>(b.get())) return p;
    return nullptr;
  }

  // An error for a failure in `block`: hcq::Error{code, name(), block, message} (code: device_lost
  // unless given).
  [[noreturn]] void fail(std::string_view block, std::string message) const;
  [[noreturn]] void fail(Errc code, std::string_view block, std::string message) const;

 private:
  void read_discovery();
  void init_memory();
  uint32_t raw_read(uint32_t dword);
  void raw_write(uint32_t dword, uint32_t value);
  std::vector<std::byte> read_vram(uint64_t offset, uint64_t bytes);
  bool warm_restart_possible();
  void reset_if_left_running();
  enum class BringUp { init, resume };
  void init_blocks(const std::function<void(const BlockReport&)>& progress, BringUp how);
  void suspend_blocks();

  std::unique_ptr<kmdfree::PciDevice> pci_;
  Options options_;
  kmdfree::Bar* mmio_ = nullptr;
  uint64_t fb_base_ = 0;
  uint64_t vram_size_ = 0;
  bool warm_ = false;
  size_t sw_done_ = 0;  // blocks whose init_sw has run
  std::string name_;
  log::Logger log_;
  Discovery discovery_;
  const Chip* chip_ = nullptr;
  std::vector<std::unique_ptr<IpBlock>> blocks_;
  struct Memory;
  std::unique_ptr<Memory> memory_;
  bool initialised_ = false;
  bool suspended_ = false;
};

}  // namespace hcq::am
