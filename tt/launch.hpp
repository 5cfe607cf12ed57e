// Bring-up and launches on Tensix cores with our own firmware (tt/firmware) and L1 mailbox
// protocol (tt/firmware/layout.h: hcq_tt_mailbox).
//
// Boot: every core is held in soft reset (all five RISC-V cores), the firmware image and the reset
// vector (`jal x0, firmware` at L1 0, where BRISC starts) are written, the mailbox is cleared to
// HELD, and only BRISC is released; the firmware writes magic, version and state READY.
// Launch: kernel image (when it changed on that core), argument block, per-core dispatch, then
// `go` = next sequence number; the firmware runs the core's workgroups and copies `go` to `done`.
// A launch that does not finish in time: the unfinished cores are put back into reset and booted
// again, then an hcq::Error(timeout) names the first of them (logical and NOC coordinates) and its
// mailbox state; this Launcher and its cores can be used again (the hcq device above it is lost
// all the same: tt/queue.cpp says why).
//
// Locking: one launch at a time owns the cores (launch_mutex_). The chip lock given to the
// constructor (the one every user of the Chip takes) is held only for each step of a launch and
// each round of a poll, never across a whole wait, so a copy queue keeps running meanwhile.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "chip.hpp"
#include "elf_loader.hpp"
#include "firmware/layout.h"

namespace hcq::tt {

// Mailbox layout, checked against the protocol (the firmware reads these offsets).
static_assert(offsetof(hcq_tt_mailbox, magic) == 0x00);
static_assert(offsetof(hcq_tt_mailbox, state) == 0x08);
static_assert(offsetof(hcq_tt_mailbox, done) == 0x10);
static_assert(offsetof(hcq_tt_mailbox, result) == 0x14);
static_assert(offsetof(hcq_tt_mailbox, go) == 0x20);
static_assert(offsetof(hcq_tt_mailbox, kernel_entry) == 0x24);
static_assert(offsetof(hcq_tt_mailbox, args) == 0x28);
static_assert(offsetof(hcq_tt_mailbox, dispatch) == 0x30);
static_assert(offsetof(hcq_tt_dispatch, workgroup) == 0x18);
static_assert(offsetof(hcq_tt_dispatch, noc_xy) == 0x3C);
static_assert(HCQ_TT_MAILBOX_BASE + sizeof(hcq_tt_mailbox) <= HCQ_TT_FIRMWARE_BASE);

// Soft reset of a Tensix tile's RISC-V cores (RISCV_DEBUG_REG_SOFT_RESET_0): tt-umd; ttsim
// data/{wh,bh}/tile_regs.json (riscv_debug_regs 0xFFB12000 + 0x1B0) and src/tile.cpp, which accepts
// only these five bits: BRISC 11, TRISC0-2 12-14, NCRISC 18. Same on Wormhole and Blackhole.
namespace soft_reset {
inline constexpr uint64_t address = 0xFFB121B0;
inline constexpr uint32_t brisc = 1u << 11;
inline constexpr uint32_t trisc0 = 1u << 12, trisc1 = 1u << 13, trisc2 = 1u << 14;
inline constexpr uint32_t ncrisc = 1u << 18;
inline constexpr uint32_t all = brisc | trisc0 | trisc1 | trisc2 | ncrisc;  // 0x47800
inline constexpr uint32_t run_brisc_only = all & ~brisc;                   // 0x47000
}  // namespace soft_reset

struct LaunchTimeouts {
  std::chrono::milliseconds boot{10000};
  std::chrono::milliseconds launch{30000};
};

struct KernelLaunch {
  std::string_view name;            // for messages
  const L1Image* image = nullptr;   // the code object's segments
  uint64_t image_id = 0;            // written to a core only when it differs from what is there
  uint32_t entry = 0;
  std::span<const std::byte> args;  // at most HCQ_TT_ARGS_SIZE
  uint32_t grid[3] = {1, 1, 1};
  uint32_t block[3] = {1, 1, 1};
  uint32_t shared_bytes = 0;        // at most HCQ_TT_SHARED_BYTES
  uint32_t max_cores = 0;           // 0: every usable core
};

struct LaunchResult {
  bool trapped = false;
  uint32_t core = 0;       // index into Launcher::cores()
  uint32_t code = 0;       // the non-zero value the kernel returned
  uint32_t workgroup = 0;  // linear index of the workgroup that returned it
};

class Launcher {
 public:
  // `chip_mutex`: the lock that serialises accesses to `chip`; nullptr when this Launcher is the
  // chip's only user.
  Launcher(Chip& chip, L1Image firmware, LaunchTimeouts timeouts = {}, std::mutex* chip_mutex = nullptr);

  // Holds every usable Tensix core in reset, loads the firmware, releases BRISC and waits for
  // READY. Throws hcq::Error (timeout) naming the first core that did not come up.
  void boot();
  // Runs one launch to completion. Throws hcq::Error(timeout) after recovering the cores (above),
  // or invalid_argument for a launch that does not fit the L1 map.
  LaunchResult launch(const KernelLaunch& k);

  std::span<const NocXY> cores() const noexcept { return cores_; }
  hcq_tt_mailbox read_mailbox(uint32_t core);  // takes the chip lock
  // "core 3 (logical (3,0), NOC (4,1))".
  std::string core_name(uint32_t core) const;
  // "state RUNNING (0x5eed), go 5, done 4, workgroup (1,0,0), launches 4, result 0".
  static std::string describe(const hcq_tt_mailbox& mb);
  uint64_t scratch_bytes() const noexcept;

 private:
  void boot_cores(std::span<const uint32_t> cores);
  void wait_ready(std::span<const uint32_t> cores);
  void write_launch(const KernelLaunch& k, std::span<const uint32_t> cores, uint32_t total);
  std::vector<uint32_t> poll_done(std::span<const uint32_t> cores, std::chrono::milliseconds timeout);
  [[noreturn]] void recover_and_throw(const KernelLaunch& k, std::span<const uint32_t> stuck, size_t of);
  std::vector<NocXY> tiles(std::span<const uint32_t> cores) const;
  std::unique_lock<std::mutex> lock_chip();
  hcq_tt_mailbox read_mailbox_locked(uint32_t core);

  Chip& chip_;
  L1Image firmware_;
  LaunchTimeouts timeouts_;
  std::vector<NocXY> cores_;
  std::vector<uint64_t> loaded_;  // image_id per core (0: none)
  std::mutex* chip_mutex_;
  std::mutex launch_mutex_;  // the cores, loaded_ and sequence_ belong to one launch at a time
  uint32_t sequence_ = 0;
};

}  // namespace hcq::tt
