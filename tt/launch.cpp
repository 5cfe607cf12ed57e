#include "launch.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "../hcq/src/log.hpp"
#include "chips.hpp"
#include "hcq/error.hpp"

namespace hcq::tt {

namespace {

using Clock = std::chrono::steady_clock;

const char* state_name(uint32_t state) {
  switch (state) {
    case HCQ_TT_STATE_HELD: return "HELD";
    case HCQ_TT_STATE_READY: return "READY";
    case HCQ_TT_STATE_RUNNING: return "RUNNING";
    default: return "unknown";
  }
}

hcq_tt_mailbox held_mailbox() {
  hcq_tt_mailbox mb{};
  mb.state = HCQ_TT_STATE_HELD;
  return mb;
}

// Logical coordinates of a usable Tensix tile: its column and row among the usable ones.
std::pair<size_t, size_t> logical_of(std::span<const NocXY> all, NocXY tile) {
  std::set<uint8_t> xs, ys;
  for (NocXY t : all) {
    xs.insert(t.x);
    ys.insert(t.y);
  }
  return {static_cast<size_t>(std::distance(xs.begin(), xs.find(tile.x))),
          static_cast<size_t>(std::distance(ys.begin(), ys.find(tile.y)))};
}

}  // namespace

Launcher::Launcher(Chip& chip, L1Image firmware, LaunchTimeouts timeouts, std::mutex* chip_mutex)
    : chip_(chip),
      firmware_(std::move(firmware)),
      timeouts_(timeouts),
      cores_(chip.tensix().begin(), chip.tensix().end()),
      loaded_(cores_.size(), 0),
      chip_mutex_(chip_mutex) {
  if (cores_.empty()) throw Error(Errc::unsupported, chip_.name(), "launch", "the chip lists no usable Tensix core");
}

std::vector<NocXY> Launcher::tiles(std::span<const uint32_t> cores) const {
  std::vector<NocXY> out;
  for (uint32_t c : cores) out.push_back(cores_[c]);
  return out;
}

std::string Launcher::core_name(uint32_t core) const {
  NocXY xy = cores_.at(core);
  auto [lx, ly] = logical_of(cores_, xy);
  return fmt::format("core {} (logical ({},{}), NOC ({},{}))", core, lx, ly, xy.x, xy.y);
}

std::string Launcher::describe(const hcq_tt_mailbox& mb) {
  const hcq_tt_dispatch& d = mb.dispatch;
  std::string magic = mb.magic == HCQ_TT_FW_MAGIC ? "" : fmt::format(" (magic 0x{:08x}: our firmware never ran)", mb.magic);
  return fmt::format("state {} (0x{:x}), go {}, done {}, workgroup ({},{},{}), launches {}, result {}{}", state_name(mb.state),
                     mb.state, mb.go, mb.done, d.workgroup[0], d.workgroup[1], d.workgroup[2], mb.launches, mb.result,
                     magic);
}

std::unique_lock<std::mutex> Launcher::lock_chip() {
  return chip_mutex_ ? std::unique_lock(*chip_mutex_) : std::unique_lock<std::mutex>();
}

hcq_tt_mailbox Launcher::read_mailbox(uint32_t core) {
  auto lock = lock_chip();
  return read_mailbox_locked(core);
}

hcq_tt_mailbox Launcher::read_mailbox_locked(uint32_t core) {
  hcq_tt_mailbox mb{};
  chip_.noc_read(cores_.at(core), HCQ_TT_MAILBOX_BASE, &mb, sizeof(mb));
  return mb;
}

uint64_t Launcher::scratch_bytes() const noexcept {
  return chip_.table().l1_size - HCQ_TT_SCRATCH_BASE - HCQ_TT_SHARED_BYTES;
}

void Launcher::boot() {
  std::vector<uint32_t> all(cores_.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  auto t0 = Clock::now();
  std::lock_guard cores(launch_mutex_);
  boot_cores(all);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  log::device("tt", chip_.name())->info("firmware v{} running on {} Tensix cores after {} ms", HCQ_TT_FW_VERSION, all.size(), ms);
}

// Hold in reset, load, release BRISC only, wait for READY.
void Launcher::boot_cores(std::span<const uint32_t> cores) {
  auto targets = tiles(cores);
  auto lock = lock_chip();
  for (NocXY t : targets) chip_.noc_write32(t, soft_reset::address, soft_reset::all);
  for (const L1Segment& s : firmware_.segments) chip_.noc_broadcast(targets, s.address, s.bytes.data(), s.bytes.size());
  uint32_t jump = encode_jal_x0(HCQ_TT_RESET_VECTOR, HCQ_TT_FIRMWARE_BASE);
  chip_.noc_broadcast(targets, HCQ_TT_RESET_VECTOR, &jump, sizeof(jump));
  hcq_tt_mailbox mb = held_mailbox();
  chip_.noc_broadcast(targets, HCQ_TT_MAILBOX_BASE, &mb, sizeof(mb));
  for (uint32_t c : cores) loaded_[c] = 0;
  // Read back before the release: posted writes have landed once a read on the same path returns.
  for (NocXY t : targets) (void)chip_.noc_read32(t, HCQ_TT_MAILBOX_BASE);
  for (NocXY t : targets) chip_.noc_write32(t, soft_reset::address, soft_reset::run_brisc_only);
  if (lock.owns_lock()) lock.unlock();
  wait_ready(cores);
}

void Launcher::wait_ready(std::span<const uint32_t> cores) {
  auto deadline = Clock::now() + timeouts_.boot;
  for (uint32_t c : cores) {
    for (;; std::this_thread::yield()) {  // other users of the chip get their turn between rounds
      auto lock = lock_chip();
      hcq_tt_mailbox mb = read_mailbox_locked(c);
      if (mb.magic == HCQ_TT_FW_MAGIC && mb.state == HCQ_TT_STATE_READY) break;
      if (Clock::now() > deadline) {
        throw Error(Errc::timeout, chip_.name(), "firmware",
                    fmt::format("{} not READY {} ms after its release from reset: {}; soft reset reads 0x{:x}. Is the "
                                "firmware image ours (tt/firmware) and the chip table's L1 size right?",
                                core_name(c), timeouts_.boot.count(), describe(mb),
                                chip_.noc_read32(cores_[c], soft_reset::address)));
      }
      chip_.idle();
    }
  }
}

void Launcher::write_launch(const KernelLaunch& k, std::span<const uint32_t> cores, uint32_t total) {
  std::vector<NocXY> reload;
  for (uint32_t c : cores) {
    if (loaded_[c] != k.image_id) reload.push_back(cores_[c]);
  }
  if (!reload.empty()) {
    for (const L1Segment& s : k.image->segments) chip_.noc_broadcast(reload, s.address, s.bytes.data(), s.bytes.size());
    for (uint32_t c : cores) loaded_[c] = k.image_id;
  }
  auto targets = tiles(cores);
  if (!k.args.empty()) chip_.noc_broadcast(targets, HCQ_TT_ARGS_BASE, k.args.data(), k.args.size());
  ++sequence_;
  auto n = static_cast<uint32_t>(cores.size());
  for (uint32_t i = 0; i < n; ++i) {
    hcq_tt_mailbox mb{};
    mb.kernel_entry = k.entry;
    mb.args = HCQ_TT_ARGS_BASE;
    hcq_tt_dispatch& d = mb.dispatch;
    std::copy(k.grid, k.grid + 3, d.grid);
    std::copy(k.block, k.block + 3, d.block);
    d.first_workgroup = static_cast<uint32_t>(uint64_t{total} * i / n);
    d.workgroup_count = static_cast<uint32_t>(uint64_t{total} * (i + 1) / n) - d.first_workgroup;
    d.shared = HCQ_TT_SCRATCH_BASE;
    d.shared_bytes = k.shared_bytes;
    d.scratch = HCQ_TT_SCRATCH_BASE + HCQ_TT_SHARED_BYTES;
    d.scratch_bytes = static_cast<uint32_t>(scratch_bytes());
    d.noc_xy = uint32_t{targets[i].y} << 6 | targets[i].x;
    d.core = i;
    d.core_count = n;
    constexpr size_t from = offsetof(hcq_tt_mailbox, kernel_entry);
    chip_.noc_write(targets[i], HCQ_TT_MAILBOX_BASE + from, reinterpret_cast<const std::byte*>(&mb) + from,
                    sizeof(mb) - from, Ordering::strict);
  }
  for (NocXY t : targets) chip_.noc_write32(t, HCQ_TT_MAILBOX_BASE + offsetof(hcq_tt_mailbox, go), sequence_);
}

// The cores of `cores` that have not finished when `timeout` ran out (empty: all done).
std::vector<uint32_t> Launcher::poll_done(std::span<const uint32_t> cores, std::chrono::milliseconds timeout) {
  std::vector<uint32_t> pending(cores.begin(), cores.end());
  auto deadline = Clock::now() + timeout;
  for (; !pending.empty(); std::this_thread::yield()) {  // other users of the chip get their turn between rounds
    auto lock = lock_chip();
    std::erase_if(pending, [&](uint32_t c) {
      return chip_.noc_read32(cores_[c], HCQ_TT_MAILBOX_BASE + offsetof(hcq_tt_mailbox, done)) == sequence_;
    });
    if (pending.empty() || Clock::now() > deadline) break;
    chip_.idle();
  }
  return pending;
}

LaunchResult Launcher::launch(const KernelLaunch& k) {
  uint64_t total = uint64_t{k.grid[0]} * k.grid[1] * k.grid[2];
  if (!k.image || total == 0 || total > UINT32_MAX || k.args.size() > HCQ_TT_ARGS_SIZE || k.shared_bytes > HCQ_TT_SHARED_BYTES) {
    throw Error(Errc::invalid_argument, chip_.name(), "launch",
                fmt::format("kernel '{}': {} workgroups, {} bytes of arguments (at most {}), {} bytes of shared memory "
                            "(at most {})",
                            k.name, total, k.args.size(), HCQ_TT_ARGS_SIZE, k.shared_bytes, HCQ_TT_SHARED_BYTES));
  }
  size_t limit = k.max_cores ? std::min<size_t>(k.max_cores, cores_.size()) : cores_.size();
  std::vector<uint32_t> used(std::min<uint64_t>(total, limit));
  for (uint32_t i = 0; i < used.size(); ++i) used[i] = i;
  std::lock_guard owner(launch_mutex_);
  {
    auto lock = lock_chip();
    write_launch(k, used, static_cast<uint32_t>(total));
  }
  auto stuck = poll_done(used, timeouts_.launch);
  if (!stuck.empty()) recover_and_throw(k, stuck, used.size());
  auto lock = lock_chip();
  for (uint32_t c : used) {
    uint32_t base = HCQ_TT_MAILBOX_BASE + offsetof(hcq_tt_mailbox, result);
    uint32_t code = chip_.noc_read32(cores_[c], base);
    if (code != 0) return {true, c, code, chip_.noc_read32(cores_[c], base + 4)};
  }
  return {};
}

void Launcher::recover_and_throw(const KernelLaunch& k, std::span<const uint32_t> stuck, size_t of) {
  hcq_tt_mailbox mb = read_mailbox(stuck[0]);
  std::string first = core_name(stuck[0]);
  std::string message = fmt::format("kernel '{}' did not finish within {} ms on {} of {} cores; first: {}: mailbox {}", k.name,
                                    timeouts_.launch.count(), stuck.size(), of, first, describe(mb));
  try {
    boot_cores(stuck);
  } catch (const Error& e) {
    throw Error(Errc::device_lost, chip_.name(), "launch", message + "; rebooting those cores failed too: " + e.what());
  }
  throw Error(Errc::timeout, chip_.name(), "launch",
              message + "; those cores were put back into reset and their firmware reloaded, so the chip needs no reset");
}

}  // namespace hcq::tt
