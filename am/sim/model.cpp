// The gfx1100 device model: BARs, the sparse register file with its hooks, Context for the engines,
// power-on state and resets, and "sim:gfx1100" registration. The platform parts are gmc.cpp, ih.cpp,
// psp.cpp, smu.cpp; the chip description is discovery_gfx1100.cpp.
#include "model.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>

#include "am/registers/gchub_11_0_0.hpp"
#include "am/registers/mmhub_3_0_0.hpp"
#include "am/registers/nbio_4_3_0.hpp"
#include "hcq/error.hpp"
#include "psp.hpp"

namespace hcq::am::sim {

namespace {

constexpr uint16_t amd_vendor = 0x1002;
constexpr uint16_t navi31_device = 0x744c;  // RX 7900 XTX (tinygrad PCIIface's id list; pci.ids)
constexpr uint8_t navi31_revision = 0xc8;
constexpr uint32_t display_vga_class = 0x030000;
constexpr int bar_vram = 0, bar_doorbell = 2, bar_mmio = 5;
constexpr uint64_t doorbell_bar_bytes = 2 << 20;
constexpr uint64_t mmio_bar_bytes = 1 << 20;
constexpr uint64_t mib = 1 << 20;
// The byte offset in BAR5 whose write is an HDP flush (nbio_v4_3.c: the remap page at the top of the
// register hole, MMIO_REG_HOLE_OFFSET = 0x80000 - 4 KiB, HDP_MEM_FLUSH_CNTL first in it).
constexpr uint32_t hdp_flush_remap_byte = 0x80000 - 0x1000;
constexpr uint64_t gpu_clock_hz = 100'000'000;
constexpr uint64_t min_vram_mb = 64, max_vram_mb = 16384;

std::mutex& factories_mutex() {
  static std::mutex m;
  return m;
}
std::vector<std::pair<std::string, EngineFactory>>& factories() {
  static std::vector<std::pair<std::string, EngineFactory>> list;
  return list;
}

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};

class Gfx1100 final : public kmdfree::SimModel, public Platform, public Inspect {
 public:
  explicit Gfx1100(ModelOptions options) : options_(std::move(options)), gmc_(*this), ih_(*this), psp_(*this), smu_(*this, psp_) {
    vram_size_ = options_.vram_mb * mib;
    vram_.reset(static_cast<std::byte*>(std::calloc(vram_size_, 1)));
    if (!vram_) throw Error(Errc::out_of_memory, "", "sim", fmt::format("cannot allocate {} MiB of model VRAM", options_.vram_mb));
    image_ = build_discovery(gfx1100_layout());
    discovery_ = Discovery::parse(image_, "sim:gfx1100");
    power_on();
    std::vector<std::pair<std::string, EngineFactory>> all;
    {
      std::lock_guard lock(factories_mutex());
      all = factories();
    }
    all.insert(all.end(), options_.engines.begin(), options_.engines.end());
    for (auto& [name, make] : all) engines_.push_back(make(*this));
  }

  using Context::reg;
  using Context::set_reg;

  // ---- SimModel --------------------------------------------------------------------------------
  kmdfree::PciIdentity identity() const override {
    return {amd_vendor, navi31_device, navi31_revision, display_vga_class, amd_vendor, navi31_device};
  }
  std::vector<kmdfree::SimBarSpec> bars() const override {
    return {{bar_vram, vram_size_, true}, {bar_doorbell, doorbell_bar_bytes, false}, {bar_mmio, mmio_bar_bytes, false}};
  }
  void attach(kmdfree::SimHost& host) override { host_ = &host; }
  std::byte* memory(int bar) override { return bar == bar_vram ? vram_.get() : nullptr; }

  uint32_t read32(int bar, uint64_t offset) override {
    if (bar == bar_doorbell) return uint32_t(doorbell_value(offset));
    return read_reg(uint32_t(offset / 4));
  }
  void write32(int bar, uint64_t offset, uint32_t value) override {
    if (bar == bar_doorbell) return ring_doorbell(offset, value);
    write_reg(uint32_t(offset / 4), value);
  }
  uint64_t read64(int bar, uint64_t offset) override {
    if (bar == bar_doorbell) return doorbell_value(offset);
    return SimModel::read64(bar, offset);
  }
  void write64(int bar, uint64_t offset, uint64_t value) override {
    if (bar == bar_doorbell) return ring_doorbell(offset, value);
    SimModel::write64(bar, offset, value);
  }
  void reset() override { mode1_reset(); }

  // ---- Context ---------------------------------------------------------------------------------
  uint32_t address(const Reg& r, unsigned inst = 0) const override {
    auto base = discovery_.base(r.ip, inst, r.seg);
    if (!base) throw Error(Errc::internal, "sim:gfx1100", "sim", fmt::format("no base for {} segment {}", r.name, r.seg));
    return *base + r.offset;
  }
  uint32_t reg(uint32_t dword) const override {
    std::lock_guard lock(mutex_);
    auto it = regs_.find(dword);
    return it == regs_.end() ? 0 : it->second;
  }
  void set_reg(uint32_t dword, uint32_t value) override {
    std::lock_guard lock(mutex_);
    regs_[dword] = value;
  }
  void on_write(uint32_t dword, std::function<void(uint32_t)> hook) override {
    std::lock_guard lock(mutex_);
    write_hooks_[dword].push_back(std::move(hook));
  }
  void on_read(uint32_t dword, std::function<uint32_t()> hook) override {
    std::lock_guard lock(mutex_);
    read_hooks_[dword] = std::move(hook);
  }
  void on_doorbell(uint32_t index, std::function<void(uint64_t)> hook) override {
    std::lock_guard lock(mutex_);
    doorbell_hooks_[index] = std::move(hook);
  }
  bool read(Client client, unsigned vmid, uint64_t va, void* dst, size_t bytes) override {
    return copy(client, vmid, va, static_cast<std::byte*>(dst), bytes, false);
  }
  bool write(Client client, unsigned vmid, uint64_t va, const void* src, size_t bytes) override {
    return copy(client, vmid, va, const_cast<std::byte*>(static_cast<const std::byte*>(src)), bytes, true);
  }
  std::byte* mc(uint64_t address, size_t bytes) override {
    if (address >= gfx1100_fb_base && address - gfx1100_fb_base <= vram_size_ && bytes <= vram_size_ - (address - gfx1100_fb_base))
      return vram_.get() + (address - gfx1100_fb_base);
    return host_ ? host_->dma(address, bytes) : nullptr;
  }
  void interrupt(uint32_t client_id, uint32_t src_id, std::span<const uint32_t, 4> context, unsigned vmid) override {
    ih_.raise(client_id, src_id, context, vmid);
  }
  uint64_t gpu_clock() const override {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
    return uint64_t(ns) / (1'000'000'000 / gpu_clock_hz);
  }
  bool firmware_loaded(uint32_t psp_fw_type) const override {
    std::lock_guard lock(mutex_);
    for (uint32_t t : loaded_)
      if (t == psp_fw_type) return true;
    return false;
  }

  // ---- Platform --------------------------------------------------------------------------------
  std::byte* vram() noexcept override { return vram_.get(); }
  uint64_t vram_size() const noexcept override { return vram_size_; }
  uint64_t fb_base() const noexcept override { return gfx1100_fb_base; }
  kmdfree::SimHost& host() noexcept override { return *host_; }
  void record_fault(const VmFault& f) override {
    std::lock_guard lock(mutex_);
    faults_.push_back(f);
  }
  void firmware_accepted(uint32_t type) override {
    std::lock_guard lock(mutex_);
    loaded_.push_back(type);
  }
  void psp_refused(std::string why) override {
    std::lock_guard lock(mutex_);
    psp_error_ = std::move(why);
  }
  void mode1_reset() override {
    power_on();
    for (auto& e : engines_) e->reset();
  }
  uint64_t engines_busy_ns() const override {
    uint64_t sum = 0;
    for (auto& e : engines_) sum += e->busy_ns();
    return sum;
  }
  bool psp_dead() const noexcept override { return options_.psp_dead; }

  // ---- Inspect ---------------------------------------------------------------------------------
  std::vector<VmFault> faults() const override {
    std::lock_guard lock(mutex_);
    return faults_;
  }
  std::vector<uint32_t> loaded_firmware() const override {
    std::lock_guard lock(mutex_);
    return loaded_;
  }
  std::string psp_last_error() const override {
    std::lock_guard lock(mutex_);
    return psp_error_;
  }
  uint64_t hdp_flushes() const override { return hdp_flushes_.load(); }
  Context& context() override { return *this; }

 private:
  void power_on();
  void install_hubs();
  uint32_t read_reg(uint32_t dword);
  void write_reg(uint32_t dword, uint32_t value);
  uint64_t doorbell_value(uint64_t offset);
  void ring_doorbell(uint64_t offset, uint64_t value);
  bool copy(Client client, unsigned vmid, uint64_t va, std::byte* buf, size_t bytes, bool write);

  ModelOptions options_;
  uint64_t vram_size_ = 0;
  std::unique_ptr<std::byte, FreeDeleter> vram_;
  std::vector<std::byte> image_;
  Discovery discovery_;
  kmdfree::SimHost* host_ = nullptr;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();

  mutable std::mutex mutex_;
  std::unordered_map<uint32_t, uint32_t> regs_;
  std::unordered_map<uint32_t, std::vector<std::function<void(uint32_t)>>> write_hooks_;
  std::unordered_map<uint32_t, std::function<uint32_t()>> read_hooks_;
  std::unordered_map<uint32_t, std::function<void(uint64_t)>> doorbell_hooks_;
  std::map<uint64_t, uint64_t> doorbells_;
  std::vector<VmFault> faults_;
  std::vector<uint32_t> loaded_;
  std::string psp_error_;
  std::atomic<uint64_t> hdp_flushes_{0};
  uint32_t mm_index_ = 0, mm_index_hi_ = 0;

  Gmc gmc_;
  Ih ih_;
  Psp psp_;
  Smu smu_;
  std::vector<std::unique_ptr<Engine>> engines_;
};

// Power-on register values (VRAM survives, as it does a mode1 reset), then every part's hooks.
void Gfx1100::power_on() {
  {
    std::lock_guard lock(mutex_);
    regs_.clear();
    write_hooks_.clear();
    read_hooks_.clear();
    doorbell_hooks_.clear();
    doorbells_.clear();
    loaded_.clear();
  }
  std::memcpy(vram_.get() + vram_size_ - discovery::tmr_offset, image_.data(), image_.size());
  set_reg(nbio_4_3_0::rcc_config_memsize_dword, uint32_t(options_.vram_mb));
  set_reg(nbio_4_3_0::BIF_BX0_REMAP_HDP_MEM_FLUSH_CNTL, hdp_flush_remap_byte);
  on_write(hdp_flush_remap_byte / 4, [this](uint32_t) { ++hdp_flushes_; });
  // HDP flush requests from the CP/SDMA (WAIT_REG_MEM on REQ/DONE): done at once.
  uint32_t done = address(nbio_4_3_0::BIF_BX_PF0_GPU_HDP_FLUSH_DONE);
  on_write(address(nbio_4_3_0::BIF_BX_PF0_GPU_HDP_FLUSH_REQ), [this, done](uint32_t v) {
    ++hdp_flushes_;
    set_reg(done, v);
  });
  install_hubs();
  gmc_.install();
  ih_.install();
  psp_.install();
  smu_.install();
}

void Gfx1100::install_hubs() {
  const uint64_t fb_top = gfx1100_fb_base + vram_size_ - 1;
  for (const Hub* hub : {&mmhub_3_0_0::hub, &gchub_11_0_0::hub}) {
    set_reg(hub->mc_vm_fb_location_base, uint32_t(gfx1100_fb_base >> 24));
    set_reg(hub->mc_vm_fb_location_top, uint32_t(fb_top >> 24));
    // The invalidation semaphore is always free, an invalidation completes at once.
    on_read(address(hub->vm_invalidate_eng17_sem), [] { return 1u; });
    uint32_t ack = address(hub->vm_invalidate_eng17_ack);
    on_write(address(hub->vm_invalidate_eng17_req), [this, ack, hub](uint32_t v) {
      set_reg(ack, hub->vm_invalidate_eng17_req["per_vmid_invalidate_req"].get(v));
    });
  }
}

uint32_t Gfx1100::read_reg(uint32_t dword) {
  if (dword == address(nbio_4_3_0::BIF_BX_PF0_RSMU_DATA)) return read_reg(reg(nbio_4_3_0::BIF_BX_PF0_RSMU_INDEX) / 4);
  if (dword == nbio_4_3_0::mm_data_dword && (mm_index_ & nbio_4_3_0::mm_index_aperture_vram)) {
    uint64_t a = uint64_t(mm_index_hi_) << 31 | (mm_index_ & ~nbio_4_3_0::mm_index_aperture_vram);
    uint32_t v = ~0u;
    if (a + 4 <= vram_size_) std::memcpy(&v, vram_.get() + a, 4);
    return v;
  }
  std::function<uint32_t()> hook;
  {
    std::lock_guard lock(mutex_);
    if (auto it = read_hooks_.find(dword); it != read_hooks_.end()) hook = it->second;
  }
  return hook ? hook() : reg(dword);
}

void Gfx1100::write_reg(uint32_t dword, uint32_t value) {
  if (dword == address(nbio_4_3_0::BIF_BX_PF0_RSMU_DATA))
    return write_reg(reg(nbio_4_3_0::BIF_BX_PF0_RSMU_INDEX) / 4, value);
  if (dword == nbio_4_3_0::mm_index_dword) mm_index_ = value;
  if (dword == nbio_4_3_0::mm_index_hi_dword) mm_index_hi_ = value;
  if (dword == nbio_4_3_0::mm_data_dword && (mm_index_ & nbio_4_3_0::mm_index_aperture_vram)) {
    uint64_t a = uint64_t(mm_index_hi_) << 31 | (mm_index_ & ~nbio_4_3_0::mm_index_aperture_vram);
    if (a + 4 <= vram_size_) std::memcpy(vram_.get() + a, &value, 4);
    return;
  }
  std::vector<std::function<void(uint32_t)>> hooks;
  {
    std::lock_guard lock(mutex_);
    regs_[dword] = value;
    if (auto it = write_hooks_.find(dword); it != write_hooks_.end()) hooks = it->second;
  }
  for (auto& h : hooks) h(value);
}

uint64_t Gfx1100::doorbell_value(uint64_t offset) {
  std::lock_guard lock(mutex_);
  auto it = doorbells_.find(offset / 8);
  return it == doorbells_.end() ? 0 : it->second;
}

void Gfx1100::ring_doorbell(uint64_t offset, uint64_t value) {
  std::function<void(uint64_t)> hook;
  {
    std::lock_guard lock(mutex_);
    doorbells_[offset / 8] = value;
    if (auto it = doorbell_hooks_.find(uint32_t(offset / 8)); it != doorbell_hooks_.end()) hook = it->second;
  }
  if (hook) hook(value);
}

bool Gfx1100::copy(Client client, unsigned vmid, uint64_t va, std::byte* buf, size_t bytes, bool write) {
  while (bytes) {
    uint64_t in_page = std::min<uint64_t>(bytes, 4096 - (va & 4095));
    std::byte* p = gmc_.translate(client, vmid, va, in_page, write);
    if (!p) return false;
    if (write)
      std::memcpy(p, buf, in_page);
    else
      std::memcpy(buf, p, in_page);
    va += in_page;
    buf += in_page;
    bytes -= in_page;
  }
  return true;
}

}  // namespace

void add_engine_factory(std::string name, EngineFactory factory) {
  std::lock_guard lock(factories_mutex());
  for (auto& [n, f] : factories())
    if (n == name) {
      f = std::move(factory);
      return;
    }
  factories().emplace_back(std::move(name), std::move(factory));
}

ModelOptions parse_options(const std::vector<std::pair<std::string, std::string>>& options) {
  ModelOptions o;
  for (const auto& [key, value] : options) {
    if (key == "vram_mb") {
      char* end = nullptr;
      unsigned long long mb = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end || mb < min_vram_mb || mb > max_vram_mb || (mb & (mb - 1)))
        throw Error(Errc::invalid_argument, "sim:gfx1100", "sim",
                    fmt::format("vram_mb={} is not a power of two in [{}, {}]", value, min_vram_mb, max_vram_mb));
      o.vram_mb = mb;
    } else if (key == "psp" && (value == "dead" || value == "ok")) {
      o.psp_dead = value == "dead";
    } else {
      throw Error(Errc::invalid_argument, "sim:gfx1100", "sim",
                  fmt::format("unknown option {}={}; the gfx1100 model takes vram_mb=<MiB> and psp=dead|ok", key, value));
    }
  }
  return o;
}

std::unique_ptr<kmdfree::SimModel> make_gfx1100(ModelOptions options) { return std::make_unique<Gfx1100>(std::move(options)); }

void register_gfx1100() {
  kmdfree::register_sim_model({"gfx1100", "AMD Radeon RX 7900 XTX (Navi 31) device model",
                               [](const std::vector<std::pair<std::string, std::string>>& options) {
                                 return make_gfx1100(parse_options(options));
                               }});
}

}  // namespace hcq::am::sim
