// The am backend's device (see device.hpp): "am:<pci address>" for a real GPU (root, amdgpu
// unbound) and "sim:gfx1100" for the device model, which hcq::devices() lists only with HCQ_SIM=1.
#include "am/device.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "am/ip/gfx_v11.hpp"
#include "am/ip/ih_v6.hpp"
#include "am/queue.hpp"
#include "am/sim/engines.hpp"
#include "am/sim/model.hpp"
#include "kmd-free/pci_open.hpp"
#include "round_up.hpp"

namespace hcq::am {

namespace {

constexpr uint64_t chunk_align = 64 * 1024;
constexpr uint64_t device_chunk = 64ull << 20, host_chunk = 16ull << 20;
constexpr uint64_t program_align = 256;  // COMPUTE_PGM_LO holds the code address >> 8
constexpr uint32_t wgp_cus = 2;          // a WGP is two CUs
// gfx11 limits (LLVM AMDGPUUsage; the CP's COMPUTE_NUM_THREAD fields).
constexpr uint32_t max_threads = 1024, max_lds = 64 * 1024, max_user_args = 4096 - 256;
constexpr uint64_t gpu_clock_hz = 100'000'000;  // the 100 MHz reference clock RELEASE_MEM timestamps count

using detail::round_up;

}  // namespace

AmDevice::AmDevice(const detail::UriParts& uri, std::unique_ptr<kmdfree::PciDevice> pci, bool simulated)
    : DeviceImpl(uri.text, "am") {
  register_queue_blocks();
  gpu_ = std::make_unique<Gpu>(std::move(pci), Gpu::Options{});
  gpu_->init();
  set_props(simulated);
  try {
    init_common();
    prepare_transfers();
  } catch (...) {
    fini_common();
    throw;
  }
}

AmDevice::~AmDevice() {
  fini_common();
  gpu_->fini();
}

void AmDevice::set_props(bool simulated) {
  const GcInfo& gc = gpu_->discovery().gc();
  props_.name = fmt::format("{}{}", gpu_->chip().product, simulated ? " (device model)" : "");
  props_.vendor = "amd";
  props_.arch = std::string(gpu_->chip().name);
  props_.pci_address = gpu_->pci().address().str();
  props_.program_format = "amdgpu-elf";
  props_.device_memory_bytes = gpu_->vram_size();
  props_.host_visible_device_memory_bytes = std::min(gpu_->vram_size(), gpu_->vram_bar().size());
  props_.compute_units = gc.num_se * gc.num_sa_per_se * (gc.num_wgp0_per_sa + gc.num_wgp1_per_sa) * wgp_cus;
  props_.max_threads_per_workgroup = max_threads;
  props_.max_workgroup_dims = {max_threads, max_threads, max_threads};
  props_.max_grid_dims = {0x7fffffff, 0xffff, 0xffff};
  props_.max_shared_bytes = max_lds;
  props_.max_kernel_args_bytes = max_user_args;
  props_.compute_queues = GfxV11::queues_per_pipe;  // one HQD each, MEC1 pipe 0
  props_.copy_queues = SdmaV6::rings;                     // one SDMA ring each, over both engines
  props_.timestamp_hz = gpu_clock_hz;
  props_.signal_compare_bits = 32;  // WAIT_REG_MEM and POLL_REGMEM compare 32 bits
  props_.min_buffer_alignment = program_align;
  props_.executes_kernels = !simulated;  // the model checks and records dispatches; it runs no RDNA3 code
}

uint64_t AmDevice::chunk_size(MemoryKind kind) const noexcept { return kind == MemoryKind::host ? host_chunk : device_chunk; }

detail::Chunk AmDevice::map_chunk(MemoryKind kind, uint64_t size) {
  size = round_up(size, chunk_align);
  detail::Chunk c;
  c.size = size;
  if (kind == MemoryKind::host) {
    HostBlock h = gpu_->alloc_host(size);
    c.gpu_va = h.va;
    c.cpu = h.buffer->cpu();
    std::lock_guard lock(mutex_);
    chunks_.emplace(c.gpu_va, std::move(h));
    return c;
  }
  // Device memory is executable (code objects live there) and, where BAR0 covers it, CPU-mapped.
  VramBlock v = gpu_->alloc_vram(size, chunk_align, true, MapFlags{.writable = true, .executable = true});
  if (kind == MemoryKind::device_host_visible && v.cpu == nullptr) {
    gpu_->free_vram(v);
    throw Error(Errc::out_of_memory, uri_, "memory",
                fmt::format("no CPU-visible VRAM left for {} MiB: BAR0 covers {} MiB (enable resizable BAR)", size >> 20,
                            gpu_->vram_bar().size() >> 20));
  }
  c.gpu_va = v.va;
  c.cpu = v.cpu;
  std::lock_guard lock(mutex_);
  chunks_.emplace(c.gpu_va, v);
  return c;
}

void AmDevice::unmap_chunk(MemoryKind, const detail::Chunk& chunk) noexcept {
  std::variant<VramBlock, HostBlock> block;
  {
    std::lock_guard lock(mutex_);
    auto it = chunks_.find(chunk.gpu_va);
    if (it == chunks_.end()) return;
    block = std::move(it->second);
    chunks_.erase(it);
  }
  if (auto* v = std::get_if<VramBlock>(&block)) gpu_->free_vram(*v);
  if (auto* h = std::get_if<HostBlock>(&block)) gpu_->free_host(*h);
}

std::shared_ptr<detail::QueueImpl> AmDevice::create_queue(QueueKind kind, std::shared_ptr<DeviceImpl> self) {
  if (kind == QueueKind::compute) return std::make_shared<AmComputeQueue>(std::move(self), *this);
  return std::make_shared<AmCopyQueue>(std::move(self), *this);
}

std::shared_ptr<detail::ProgramImpl> AmDevice::load_program(std::span<const std::byte> bytes, const std::string& name) {
  auto p = std::make_shared<AmProgram>();
  p->device = self(false);
  p->name = name;
  p->code = parse_code_object(bytes, name, props_.arch);
  p->image = alloc(p->code.image.size(), MemoryKind::device_host_visible, program_align, true);
  std::memcpy(p->image->cpu, p->code.image.data(), p->code.image.size());
  gpu_->hdp_flush();
  for (size_t i = 0; i < p->code.kernels.size(); ++i) p->kernels.push_back({p->code.kernels[i].info, i, p.get()});
  log_->debug("{}: {} kernels, {} byte image at GPU {:#x}", name, p->kernels.size(), p->code.image.size(), p->image->gpu_va);
  return p;
}

void AmDevice::add_health_check(const void* owner, std::function<std::string()> check) {
  std::lock_guard lock(mutex_);
  health_[owner] = std::move(check);
}

void AmDevice::remove_health_check(const void* owner) {
  std::lock_guard lock(mutex_);
  health_.erase(owner);
}

void AmDevice::poll_health() noexcept {
  try {
    if (auto* ih = gpu_->block<IhV6>())  // VM faults the IH ring received, decoded by the IH block
      if (auto fault = ih->check_faults()) return mark_lost(fault->what());
  } catch (const std::exception& e) {
    return mark_lost(e.what());
  }
  std::vector<std::function<std::string()>> checks;
  {
    std::lock_guard lock(mutex_);
    for (auto& [owner, c] : health_) checks.push_back(c);
  }
  for (auto& c : checks) {
    std::string why;
    try {
      why = c();
    } catch (const std::exception& e) {
      why = e.what();
    }
    if (!why.empty()) return mark_lost(why);
  }
}

}  // namespace hcq::am

namespace hcq::detail {

namespace {

// "sim:gfx1100?vram_mb=256" -> the kmd-free spec "sim:gfx1100,vram_mb=256".
std::string sim_spec(const UriParts& uri) {
  std::string spec = "sim:" + (uri.rest.empty() ? std::string("gfx1100") : uri.rest);
  for (const auto& [k, v] : uri.options) spec += "," + k + "=" + v;
  return spec;
}

void register_sim() {
  am::sim::register_gfx1100();
  am::sim::register_queue_engines();
}

}  // namespace

Backend make_am_backend() {
  Backend b;
  b.scheme = "am";
  b.uri_forms = {"am:<pci address> (an AMD GPU without its kernel driver: root, amdgpu unbound; docs/am.md)"};
  b.enumerate = [] { return std::vector<DeviceEntry>{}; };  // never the default device: named explicitly only
  b.open = [](const UriParts& uri) -> std::shared_ptr<DeviceImpl> {
    return std::make_shared<am::AmDevice>(uri, kmdfree::open_pci(uri.rest), false);
  };
  b.canonical = [](const UriParts& uri) { return "am:" + uri.rest; };
  return b;
}

Backend make_sim_backend() {
  Backend b;
  b.scheme = "sim";
  b.uri_forms = {"sim:gfx1100[?vram_mb=N] (the AMD gfx1100 device model; listed only with HCQ_SIM=1)"};
  b.enumerate = [] {
    std::vector<DeviceEntry> out;
    if (const char* e = std::getenv("HCQ_SIM"); e && std::string_view(e) == "1")
      out.push_back({"sim:gfx1100", "AMD Radeon RX 7900 XTX device model (sim)", "sim", -10});
    return out;
  };
  b.open = [](const UriParts& uri) -> std::shared_ptr<DeviceImpl> {
    register_sim();
    return std::make_shared<am::AmDevice>(uri, kmdfree::open_pci(sim_spec(uri)), true);
  };
  b.canonical = [](const UriParts& uri) { return "sim:" + (uri.rest.empty() ? std::string("gfx1100") : uri.rest); };
  return b;
}

}  // namespace hcq::detail
