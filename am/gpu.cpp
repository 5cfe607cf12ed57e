// am::Gpu: opening, discovery, register access with trace decoding, polls, and the bring-up order
// (amdev.py's: SOC, GMC, IH, PSP, SMU, then the queue side's GFX and SDMA). Memory is gpu_memory.cpp.
#include "gpu.hpp"
#include "gpu_memory.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <thread>

#include "ip/roles.hpp"
#include "registers/nbio_4_3_0.hpp"

namespace hcq::am {

namespace {

constexpr int bar_vram = 0, bar_doorbell = 2, bar_mmio = 5;
constexpr uint64_t mib = 1 << 20;
constexpr auto poll_interval = std::chrono::microseconds(20);
constexpr unsigned fb_location_shift = 24;  // MC_VM_FB_LOCATION_BASE holds the address >> 24

std::mutex& block_factories_mutex() {
  static std::mutex m;
  return m;
}
std::vector<std::pair<std::string, BlockFactory>>& block_factories() {
  static std::vector<std::pair<std::string, BlockFactory>> list;
  return list;
}

std::string device_name(const kmdfree::PciDevice& pci) {
  if (pci.transport() == "sim") return fmt::format("am {} (sim)", pci.address().str());
  return fmt::format("am {}", pci.address().str());
}

}  // namespace

void add_block_factory(std::string name, BlockFactory factory) {
  std::lock_guard lock(block_factories_mutex());
  for (auto& [n, f] : block_factories())
    if (n == name) {
      f = std::move(factory);
      return;
    }
  block_factories().emplace_back(std::move(name), std::move(factory));
}

Gpu::Gpu(std::unique_ptr<kmdfree::PciDevice> pci, Options options)
    : pci_(std::move(pci)), options_(std::move(options)), name_(device_name(*pci_)), log_(log::device("am", name_)) {
  if (!pci_->has_bar(bar_mmio) || !pci_->has_bar(bar_vram) || !pci_->has_bar(bar_doorbell))
    fail(Errc::unsupported, "pci",
         fmt::format("{:04x}:{:04x} lacks BAR0 (VRAM), BAR2 (doorbells) or BAR5 (registers): not an AMD GPU function",
                     pci_->identity().vendor, pci_->identity().device));
  mmio_ = &pci_->bar(bar_mmio);
  read_discovery();
  std::string tried;
  chip_ = select_chip(discovery_, &tried);
  if (!chip_)
    fail(Errc::unsupported, "discovery",
         fmt::format("no chip row for gc {} / mp0 {} (known: {}); this GPU is not supported yet",
                     discovery_.version(HwIp::gc).text(), discovery_.version(HwIp::mp0).text(), tried));
  fb_base_ = uint64_t(chip_->fb_location_base->fields[0].get(read(*chip_->fb_location_base))) << fb_location_shift;
  log_->info("{}: {} MiB VRAM, {}", chip_->name, vram_size_ / mib, discovery_.describe());
  init_memory();
  chip_->make_blocks(*this, blocks_);
  std::vector<std::pair<std::string, BlockFactory>> extra;
  {
    std::lock_guard lock(block_factories_mutex());
    extra = block_factories();
  }
  for (auto& [block_name, make] : extra) blocks_.push_back(make(*this));
}

Gpu::~Gpu() {
  fini();
  blocks_.clear();
  memory_.reset();
}

void Gpu::fail(std::string_view block, std::string message) const { fail(Errc::device_lost, block, std::move(message)); }

void Gpu::fail(Errc code, std::string_view block, std::string message) const {
  throw Error(code, name_, std::string(block), message);
}

fw::SearchPath Gpu::firmware_search_path() const {
  std::vector<std::filesystem::path> dirs;
  if (!options_.firmware_path.empty()) dirs.emplace_back(options_.firmware_path);
  if (!options_.firmware_path_only) {
    const fw::SearchPath standard = fw::SearchPath::standard();
    dirs.insert(dirs.end(), standard.dirs().begin(), standard.dirs().end());
  }
  return fw::SearchPath(std::move(dirs));
}

// ---- Discovery -------------------------------------------------------------------------------------

std::vector<std::byte> Gpu::read_vram(uint64_t offset, uint64_t bytes) {
  std::vector<std::byte> out(bytes);
  kmdfree::Bar& vram = pci_->bar(bar_vram);
  if (offset + bytes <= vram.size()) {
    vram.read(offset, out.data(), bytes);
    return out;
  }
  // A small BAR: MM_INDEX/MM_DATA reach all of VRAM a dword at a time (amdgpu_device_mm_access).
  for (uint64_t i = 0; i < bytes; i += 4) {
    uint64_t a = offset + i;
    mmio_->write32(nbio_4_3_0::mm_index_hi_dword * 4, uint32_t(a >> 31));
    mmio_->write32(nbio_4_3_0::mm_index_dword * 4, uint32_t(a & 0x7fffffff) | nbio_4_3_0::mm_index_aperture_vram);
    uint32_t v = mmio_->read32(nbio_4_3_0::mm_data_dword * 4);
    std::memcpy(out.data() + i, &v, std::min<uint64_t>(4, bytes - i));
  }
  return out;
}

void Gpu::read_discovery() {
  uint32_t mb = mmio_->read32(nbio_4_3_0::rcc_config_memsize_dword * 4);
  if (mb == 0 || mb == 0xffffffffu)
    fail(Errc::io, "discovery",
         fmt::format("RCC_CONFIG_MEMSIZE reads {:#x}: the GPU does not answer on BAR5 (powered down, or a reset is "
                     "needed: try `echo 1 > /sys/bus/pci/devices/{}/reset`)",
                     mb, pci_->address().str()));
  vram_size_ = uint64_t(mb) * mib;
  if (vram_size_ < discovery::tmr_offset) fail(Errc::io, "discovery", fmt::format("RCC_CONFIG_MEMSIZE says {} MiB", mb));
  auto table = read_vram(vram_size_ - discovery::tmr_offset, discovery::tmr_size);
  discovery_ = Discovery::parse(table, name_);
}

// ---- Registers -------------------------------------------------------------------------------------

uint32_t Gpu::address(const Reg& r, unsigned inst) const {
  auto base = discovery_.base(r.ip, inst, r.seg);
  if (!base)
    fail(Errc::internal, to_string(r.ip),
         fmt::format("discovery gives no base for {} instance {} segment {} (register {})", to_string(r.ip), inst, r.seg, r.name));
  return *base + r.offset;
}

std::string Gpu::decode(const Reg& r, uint32_t value) {
  std::string out;
  for (const Field& f : r.fields) {
    if (f.width() == 32) continue;
    out += fmt::format("{}{}={:#x}", out.empty() ? "" : " ", f.name, f.get(value));
  }
  return out.empty() ? fmt::format("{:#010x}", value) : fmt::format("{:#010x} ({})", value, out);
}

uint32_t Gpu::raw_read(uint32_t dword) {
  uint64_t byte = uint64_t(dword) * 4;
  if (byte + 4 <= mmio_->size()) return mmio_->read32(byte);
  mmio_->write32(uint64_t(address(*chip_->indirect_index)) * 4, uint32_t(byte));
  return mmio_->read32(uint64_t(address(*chip_->indirect_data)) * 4);
}

void Gpu::raw_write(uint32_t dword, uint32_t value) {
  uint64_t byte = uint64_t(dword) * 4;
  if (byte + 4 <= mmio_->size()) return mmio_->write32(byte, value);
  mmio_->write32(uint64_t(address(*chip_->indirect_index)) * 4, uint32_t(byte));
  mmio_->write32(uint64_t(address(*chip_->indirect_data)) * 4, value);
}

uint32_t Gpu::read_dword(uint32_t dword) {
  uint32_t v = raw_read(dword);
  if (log_->should_log(spdlog::level::trace)) log_->trace("rd dword {:#x} = {:#010x}", dword, v);
  return v;
}

void Gpu::write_dword(uint32_t dword, uint32_t value) {
  if (log_->should_log(spdlog::level::trace)) log_->trace("wr dword {:#x} = {:#010x}", dword, value);
  raw_write(dword, value);
}

uint32_t Gpu::read(const Reg& r, unsigned inst) {
  uint32_t v = raw_read(address(r, inst));
  if (log_->should_log(spdlog::level::trace)) log_->trace("rd {}[{}] = {}", r.name, inst, decode(r, v));
  return v;
}

void Gpu::write(const Reg& r, uint32_t value, unsigned inst) {
  if (log_->should_log(spdlog::level::trace)) log_->trace("wr {}[{}] = {}", r.name, inst, decode(r, value));
  raw_write(address(r, inst), value);
}

void Gpu::update(const Reg& r, std::initializer_list<std::pair<std::string_view, uint32_t>> fields, unsigned inst) {
  uint32_t v = read(r, inst);
  for (auto [field, x] : fields) v = (v & ~r[field].mask()) | r[field](x);
  write(r, v, inst);
}

uint32_t Gpu::poll(std::string_view block, const Reg& r, uint32_t mask, uint32_t value, std::string_view what_to_do,
                   unsigned inst) {
  return poll_until(block, r, [&](uint32_t v) { return (v & mask) == value; },
                    fmt::format("(value & {:#x}) == {:#x}", mask, value), what_to_do, inst);
}

uint32_t Gpu::poll_until(std::string_view block, const Reg& r, const std::function<bool(uint32_t)>& done,
                         std::string_view expected, std::string_view what_to_do, unsigned inst) {
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    uint32_t v = raw_read(address(r, inst));
    if (done(v)) return v;
    auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= options_.poll_timeout)
      fail(Errc::timeout, block,
           fmt::format("{} = {} after {} ms; waited for {}. {}", r.name, decode(r, v),
                       std::chrono::duration_cast<std::chrono::milliseconds>(waited).count(), expected, what_to_do));
    std::this_thread::sleep_for(poll_interval);
  }
}

// ---- Bring-up ------------------------------------------------------------------------------------

bool Gpu::warm_restart_possible() {
  if (read(*chip_->boot_scratch) != boot_magic) return false;
  if (read(*chip_->run_scratch) != 0) {
    log_->info("the last session did not finish cleanly ({} = {:#x}): cold start", chip_->run_scratch->name,
               read(*chip_->run_scratch));
    return false;
  }
  auto* psp = block<SecureProcessor>();
  return psp && psp->sos_alive();
}

// A GPU someone else left running (the amdgpu kernel driver, or us after a crash) goes through a mode1
// reset first, as amdev.py does: its firmware state is unknown.
void Gpu::reset_if_left_running() {
  auto* psp = block<SecureProcessor>();
  auto* smu = block<PowerManager>();
  if (!psp || !smu || !psp->sos_alive()) return;
  if (!smu->alive()) {
    log_->warn("PSP firmware is running but the SMU does not answer; going on without a reset");
    return;
  }
  log_->info("firmware left running by another session: mode1 reset through the SMU");
  pci_->set_bus_master(false);
  smu->mode1_reset();
  psp->wait_reset_done();
  pci_->set_bus_master(true);
}

void Gpu::init_blocks(const std::function<void(const BlockReport&)>& progress, BringUp how) {
  size_t up = 0;
  try {
    for (; up < blocks_.size(); ++up) {
      IpBlock& b = *blocks_[up];
      auto t0 = std::chrono::steady_clock::now();
      if (how == BringUp::resume) {
        b.resume();
      } else if (warm_ && b.keeps_state_when_warm()) {
        log_->info("{}: left running by our last session, reused", b.name());
      } else {
        b.init_hw();
      }
      auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
      log_->info("{} {} in {} us {}", b.name(), how == BringUp::resume ? "resumed" : "up", took.count(), b.firmware_versions());
      if (progress) progress({std::string(b.name()), b.firmware_versions(), took});
    }
  } catch (...) {
    log_->error("{} stopped at {}; taking down the blocks already up", how == BringUp::resume ? "resume" : "bring-up",
                blocks_[up]->name());
    while (up-- > 0) blocks_[up]->fini_hw();
    throw;
  }
}

void Gpu::init(const std::function<void(const BlockReport&)>& progress) {
  if (initialised_) return;
  // init_sw once per block (firmware, memory); a block that failed here is retried by the next init().
  for (; sw_done_ < blocks_.size(); ++sw_done_) blocks_[sw_done_]->init_sw();
  pci_->set_bus_master(true);
  warm_ = warm_restart_possible();
  if (!warm_) reset_if_left_running();
  write(*chip_->run_scratch, 1);
  init_blocks(progress, BringUp::init);
  write(*chip_->boot_scratch, boot_magic);
  initialised_ = true;
}

void Gpu::fini() noexcept {
  if (!initialised_) return;
  if (!suspended_)
    for (size_t i = blocks_.size(); i-- > 0;) blocks_[i]->fini_hw();
  try {
    write(*chip_->run_scratch, 0);
  } catch (const std::exception& e) {
    log_->warn("could not mark the clean finish: {}", e.what());
  }
  initialised_ = suspended_ = false;
}

// ---- Suspend and resume ------------------------------------------------------------------------

void Gpu::wait_idle(std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const IpBlock* busy = nullptr;
    IpBlock::IdleState state;
    for (auto& b : blocks_) {
      state = b->idle_state();
      if (!state.idle) {
        busy = b.get();
        break;
      }
    }
    if (!busy) return;
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= timeout)
      fail(Errc::timeout, busy->name(),
           fmt::format("still busy after {} ms: {}. Wait for the work queued on the GPU to finish (signal the values "
                       "its waits expect, or destroy the queue that waits) before suspending",
                       std::chrono::duration_cast<std::chrono::milliseconds>(waited).count(), state.status));
    std::this_thread::sleep_for(poll_interval);
  }
}

// Backwards, as amdgpu_device_ip_suspend; a failure resumes what was already suspended.
void Gpu::suspend_blocks() {
  size_t i = blocks_.size();
  try {
    for (; i-- > 0;) {
      blocks_[i]->suspend();
      log_->info("{} suspended", blocks_[i]->name());
    }
  } catch (...) {
    log_->error("suspend stopped at {}; resuming the blocks already suspended", blocks_[i]->name());
    for (size_t j = i + 1; j < blocks_.size(); ++j) blocks_[j]->resume();
    throw;
  }
}

void Gpu::suspend(std::chrono::milliseconds idle_timeout) {
  if (!initialised_ || suspended_)
    fail(Errc::invalid_argument, "gpu", initialised_ ? "suspend(): already suspended" : "suspend(): the GPU is not initialised");
  wait_idle(idle_timeout);
  suspend_blocks();
  suspended_ = true;
}

void Gpu::resume(const std::function<void(const BlockReport&)>& progress) {
  if (!suspended_) fail(Errc::invalid_argument, "gpu", "resume(): the GPU is not suspended");
  try {
    init_blocks(progress, BringUp::resume);
  } catch (...) {
    suspended_ = initialised_ = false;  // every block is down: the next init() starts over
    throw;
  }
  suspended_ = false;
}

void Gpu::hdp_flush() {
  if (auto* soc = block<HdpFlush>()) soc->hdp_flush();
}

void Gpu::invalidate_tlb(unsigned vmid) {
  hdp_flush();
  if (auto* gmc = block<TlbInvalidate>()) gmc->invalidate_tlb(vmid);
}

kmdfree::Bar& Gpu::doorbells() { return pci_->bar(bar_doorbell); }
kmdfree::Bar& Gpu::vram_bar() { return pci_->bar(bar_vram); }

}  // namespace hcq::am
