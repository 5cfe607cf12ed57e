// SimPciDevice: a PciDevice whose BARs, config space and reset call an in-process SimModel.
//
// DMA buffers are host memory with bus addresses from a private range (sim_dma_base upwards, never
// reused, a guard page between buffers), so a model that follows a stale or wild pointer gets null
// from SimHost::dma() instead of touching unrelated host memory.
#include "pci_sim.hpp"

#include <atomic>
#include <cassert>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "hcq/error.hpp"
#include "pci_common.hpp"
#include "pci_regs.hpp"

namespace hcq::kmdfree {

namespace {

constexpr uint16_t sim_domain = 0xffff;
constexpr unsigned devices_per_bus = 32;
constexpr uint64_t sim_dma_base = 0x8000'0000'0000;
constexpr uint64_t sim_page = 4096;
constexpr uint32_t all_ones = 0xffff'ffff;
constexpr int dword_bits = 32;

uint64_t round_up(uint64_t v, uint64_t align) { return (v + align - 1) / align * align; }

// The host side shared by a device and every DMA buffer it handed out (buffers may outlive it).
class HostState final : public SimHost {
 public:
  std::byte* dma(uint64_t bus, uint64_t bytes) noexcept override {
    std::lock_guard lock(mutex_);
    auto it = buffers_.upper_bound(bus);
    if (it == buffers_.begin()) return nullptr;
    --it;
    const auto& [start, range] = *it;
    uint64_t offset = bus - start;
    if (offset >= range.size || bytes > range.size - offset) return nullptr;
    return range.cpu + offset;
  }

  void interrupt(uint32_t vector) noexcept override {
    {
      std::lock_guard lock(irq_mutex_);
      ++pending_[vector];
    }
    irq_cv_.notify_all();
  }

  // Eventfd semantics: true when the vector fired since the last successful wait (all pending
  // firings are consumed at once).
  bool wait(uint32_t vector, std::chrono::milliseconds timeout) {
    std::unique_lock lock(irq_mutex_);
    bool fired = irq_cv_.wait_for(lock, timeout, [&] { return pending_[vector] != 0; });
    if (fired) pending_[vector] = 0;
    return fired;
  }

  uint64_t add_buffer(std::byte* cpu, uint64_t size) {
    std::lock_guard lock(mutex_);
    uint64_t bus = next_bus_;
    next_bus_ += round_up(size, sim_page) + sim_page;  // a guard page between buffers
    buffers_.emplace(bus, Range{cpu, size});
    return bus;
  }

  void remove_buffer(uint64_t bus) noexcept {
    std::lock_guard lock(mutex_);
    buffers_.erase(bus);
  }

 private:
  struct Range {
    std::byte* cpu;
    uint64_t size;
  };
  std::mutex mutex_;
  std::map<uint64_t, Range> buffers_;
  uint64_t next_bus_ = sim_dma_base;

  std::mutex irq_mutex_;
  std::condition_variable irq_cv_;
  std::map<uint32_t, uint64_t> pending_;
};

class SimDmaBuffer final : public DmaBuffer {
 public:
  SimDmaBuffer(std::shared_ptr<HostState> host, std::byte* cpu, uint64_t size)
      : host_(std::move(host)), cpu_(cpu), size_(size), bus_(host_->add_buffer(cpu, size)) {}
  ~SimDmaBuffer() override {
    host_->remove_buffer(bus_);
    std::free(cpu_);
  }
  std::byte* cpu() noexcept override { return cpu_; }
  uint64_t size() const noexcept override { return size_; }
  uint64_t bus_address(uint64_t offset) const noexcept override { return bus_ + offset; }
  bool contiguous() const noexcept override { return true; }

 private:
  std::shared_ptr<HostState> host_;
  std::byte* cpu_;
  uint64_t size_;
  uint64_t bus_;
};

// A register BAR: every access is a call into the model.
class SimRegisterBar final : public Bar {
 public:
  SimRegisterBar(SimModel& model, int index, uint64_t size) : model_(model), index_(index), size_(size) {}
  uint64_t size() const noexcept override { return size_; }
  uint32_t read32(uint64_t offset) noexcept override {
    if (!inside(offset, sizeof(uint32_t))) return all_ones;
    return model_.read32(index_, offset);
  }
  void write32(uint64_t offset, uint32_t value) noexcept override {
    if (inside(offset, sizeof(uint32_t))) model_.write32(index_, offset, value);
  }
  uint64_t read64(uint64_t offset) noexcept override {
    if (!inside(offset, sizeof(uint64_t))) return ~uint64_t{0};
    return model_.read64(index_, offset);
  }
  void write64(uint64_t offset, uint64_t value) noexcept override {
    if (inside(offset, sizeof(uint64_t))) model_.write64(index_, offset, value);
  }
  // Bulk copies are dword accesses; a partial last dword is read-modify-write.
  void read(uint64_t offset, void* dst, size_t bytes) noexcept override {
    auto* out = static_cast<std::byte*>(dst);
    for (size_t done = 0; done < bytes; done += sizeof(uint32_t)) {
      uint32_t v = read32(offset + done);
      std::memcpy(out + done, &v, std::min(sizeof v, bytes - done));
    }
  }
  void write(uint64_t offset, const void* src, size_t bytes) noexcept override {
    const auto* in = static_cast<const std::byte*>(src);
    for (size_t done = 0; done < bytes; done += sizeof(uint32_t)) {
      size_t n = std::min(sizeof(uint32_t), bytes - done);
      uint32_t v = n < sizeof(uint32_t) ? read32(offset + done) : 0;
      std::memcpy(&v, in + done, n);
      write32(offset + done, v);
    }
  }
  std::byte* direct() noexcept override { return nullptr; }

 private:
  bool inside(uint64_t offset, uint64_t bytes) const noexcept {
    bool ok = offset % bytes == 0 && offset < size_ && size_ - offset >= bytes;
    assert(ok && "simulated BAR access outside the BAR or misaligned");
    return ok;
  }
  SimModel& model_;
  int index_;
  uint64_t size_;
};

// A memory-backed BAR (VRAM): loads and stores into the model's memory; aligned 4- and 8-byte
// accesses are atomic so a model's worker threads see whole values.
class SimMemoryBar final : public Bar {
 public:
  SimMemoryBar(std::byte* memory, uint64_t size) : memory_(memory), size_(size) {}
  uint64_t size() const noexcept override { return size_; }
  uint32_t read32(uint64_t offset) noexcept override { return inside(offset, 4) ? load<uint32_t>(offset) : all_ones; }
  void write32(uint64_t offset, uint32_t value) noexcept override {
    if (inside(offset, 4)) store(offset, value);
  }
  uint64_t read64(uint64_t offset) noexcept override { return inside(offset, 8) ? load<uint64_t>(offset) : ~uint64_t{0}; }
  void write64(uint64_t offset, uint64_t value) noexcept override {
    if (inside(offset, 8)) store(offset, value);
  }
  void read(uint64_t offset, void* dst, size_t bytes) noexcept override {
    if (inside_range(offset, bytes)) std::memcpy(dst, memory_ + offset, bytes);
  }
  void write(uint64_t offset, const void* src, size_t bytes) noexcept override {
    if (inside_range(offset, bytes)) std::memcpy(memory_ + offset, src, bytes);
  }
  std::byte* direct() noexcept override { return memory_; }

 private:
  template <typename T>
  T load(uint64_t offset) const noexcept {
    return std::atomic_ref<T>(*reinterpret_cast<T*>(memory_ + offset)).load(std::memory_order_acquire);
  }
  template <typename T>
  void store(uint64_t offset, T value) noexcept {
    std::atomic_ref<T>(*reinterpret_cast<T*>(memory_ + offset)).store(value, std::memory_order_release);
  }
  bool inside(uint64_t offset, uint64_t bytes) const noexcept {
    bool ok = offset % bytes == 0 && inside_range(offset, bytes);
    assert(ok && "simulated BAR access outside the BAR or misaligned");
    return ok;
  }
  bool inside_range(uint64_t offset, uint64_t bytes) const noexcept {
    bool ok = offset <= size_ && size_ - offset >= bytes;
    assert(ok && "simulated BAR copy outside the BAR");
    return ok;
  }
  std::byte* memory_;
  uint64_t size_;
};

std::atomic<unsigned> next_sim_slot{0};

PciAddress next_sim_address() {
  unsigned slot = next_sim_slot.fetch_add(1);
  PciAddress a;
  a.domain = sim_domain;
  a.bus = static_cast<uint8_t>(slot / devices_per_bus);
  a.device = static_cast<uint8_t>(slot % devices_per_bus);
  return a;
}

class SimPciDevice final : public PciDevice {
 public:
  explicit SimPciDevice(std::unique_ptr<SimModel> model)
      : model_(std::move(model)), address_(next_sim_address()), name_(detail::error_device("sim", address_)),
        host_(std::make_shared<HostState>()) {
    identity_ = model_->identity();
    for (const auto& spec : model_->bars()) {
      if (spec.index < 0 || spec.index >= pci_regs::bar_count || spec.size == 0 || specs_[spec.index].size != 0) {
        throw Error(Errc::invalid_argument, name_, "pci",
                    fmt::format("device model declares BAR {} of {} bytes (twice, out of range or empty)", spec.index, spec.size));
      }
      specs_[spec.index] = spec;
    }
    write_identity();
    model_->attach(*host_);
  }

  const PciAddress& address() const noexcept override { return address_; }
  const PciIdentity& identity() const noexcept override { return identity_; }
  std::string_view transport() const noexcept override { return "sim"; }

  uint32_t config_read(uint32_t offset, int width) override {
    detail::check_config_access(name_, offset, width, pci_regs::extended_size);
    return model_->config_read(offset, width);
  }
  void config_write(uint32_t offset, uint32_t value, int width) override {
    detail::check_config_access(name_, offset, width, pci_regs::extended_size);
    model_->config_write(offset, value, width);
  }

  Bar& bar(int index) override {
    if (!has_bar(index)) {
      throw Error(Errc::not_found, name_, "pci", fmt::format("BAR {} is not a memory BAR of this device model", index));
    }
    std::lock_guard lock(bar_mutex_);
    auto& slot = bars_[index];
    if (!slot) slot = make_bar(specs_[index]);
    return *slot;
  }
  bool has_bar(int index) const noexcept override {
    return index >= 0 && index < pci_regs::bar_count && specs_[index].size != 0;
  }
  uint64_t bar_size(int index) const noexcept override { return has_bar(index) ? specs_[index].size : 0; }

  std::unique_ptr<DmaBuffer> alloc_dma(uint64_t size, bool /*contiguous: always*/) override {
    if (size == 0) throw Error(Errc::invalid_argument, name_, "dma", "a DMA buffer of 0 bytes");
    uint64_t bytes = round_up(size, sim_page);
    auto* cpu = static_cast<std::byte*>(bytes < size ? nullptr : std::aligned_alloc(sim_page, bytes));
    if (!cpu) throw Error(Errc::out_of_memory, name_, "dma", fmt::format("cannot allocate {} bytes of host memory", size));
    std::memset(cpu, 0, bytes);
    return std::make_unique<SimDmaBuffer>(host_, cpu, size);
  }

  bool has_interrupts() const noexcept override { return true; }
  bool wait_interrupt(uint32_t vector, std::chrono::milliseconds timeout) override { return host_->wait(vector, timeout); }

  // Both kinds reset the model (a secondary bus reset resets every function below the bridge);
  // the command register goes back to 0 as after a real FLR.
  void reset(ResetKind /*kind*/) override {
    model_->reset();
    model_->config_write(pci_regs::command, 0, 2);
  }

 private:
  void write_identity() {
    model_->config_write(pci_regs::vendor_id, identity_.vendor, 2);
    model_->config_write(pci_regs::device_id, identity_.device, 2);
    model_->config_write(pci_regs::revision_id, identity_.revision, 1);
    model_->config_write(pci_regs::class_prog, identity_.class_code & 0xff, 1);
    model_->config_write(pci_regs::class_prog + 1, (identity_.class_code >> 8) & 0xffff, 2);
    model_->config_write(pci_regs::subsystem_vendor_id, identity_.subsystem_vendor, 2);
    model_->config_write(pci_regs::subsystem_id, identity_.subsystem_device, 2);
  }

  std::unique_ptr<Bar> make_bar(const SimBarSpec& spec) {
    if (!spec.memory_backed) return std::make_unique<SimRegisterBar>(*model_, spec.index, spec.size);
    std::byte* memory = model_->memory(spec.index);
    if (!memory) throw Error(Errc::internal, name_, "pci", fmt::format("device model has no memory behind BAR {}", spec.index));
    return std::make_unique<SimMemoryBar>(memory, spec.size);
  }

  std::unique_ptr<SimModel> model_;
  PciAddress address_;
  std::string name_;
  std::shared_ptr<HostState> host_;
  PciIdentity identity_;
  SimBarSpec specs_[pci_regs::bar_count] = {};
  std::mutex bar_mutex_;
  std::unique_ptr<Bar> bars_[pci_regs::bar_count];
};

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::vector<SimModelInfo>& registry() {
  static std::vector<SimModelInfo> models;
  return models;
}

}  // namespace

uint32_t SimModel::config_read(uint32_t offset, int width) {
  if (offset >= pci_regs::legacy_size) return 0;  // no extended capabilities
  return detail::config_field(reinterpret_cast<const uint8_t*>(config_), offset, width);
}

void SimModel::config_write(uint32_t offset, uint32_t value, int width) {
  if (offset >= pci_regs::legacy_size) return;
  detail::set_config_field(reinterpret_cast<uint8_t*>(config_), offset, value, width);
}

uint64_t SimModel::read64(int bar, uint64_t offset) {
  uint64_t lo = read32(bar, offset);
  uint64_t hi = read32(bar, offset + sizeof(uint32_t));
  return lo | (hi << dword_bits);
}

void SimModel::write64(int bar, uint64_t offset, uint64_t value) {
  write32(bar, offset, static_cast<uint32_t>(value));
  write32(bar, offset + sizeof(uint32_t), static_cast<uint32_t>(value >> dword_bits));
}

void register_sim_model(SimModelInfo info) {
  if (info.name.empty() || !info.create) throw Error(Errc::invalid_argument, "", "sim", "a device model needs a name and a create function");
  std::lock_guard lock(registry_mutex());
  for (auto& m : registry()) {
    if (m.name == info.name) {  // registering again (a second explicit call) replaces it
      m = std::move(info);
      return;
    }
  }
  registry().push_back(std::move(info));
}

const std::vector<SimModelInfo>& sim_models() {
  std::lock_guard lock(registry_mutex());
  return registry();
}

std::unique_ptr<PciDevice> open_sim(std::unique_ptr<SimModel> model) {
  if (!model) throw Error(Errc::invalid_argument, "", "sim", "open_sim needs a device model");
  return std::make_unique<SimPciDevice>(std::move(model));
}

}  // namespace hcq::kmdfree
