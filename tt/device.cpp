// The tt device and its backend entry ("tt:ttsim:/path", "tt:N"; tt/device.hpp).
#include "device.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "chips.hpp"
#include "firmware/builtin.hpp"
#include "queue.hpp"

namespace hcq::tt {

namespace {

constexpr uint64_t dram_chunk_alignment = 2ull << 20;  // heaps ask for up to 2 MiB-aligned buffers
// The first 2 MiB of DRAM channel 0 stay unused, so that no buffer has device address 0 (the
// channel's first tile is (0,0) on Wormhole).
constexpr uint64_t dram_reserved = 2ull << 20;
constexpr uint32_t max_workgroup_threads = 1024;
constexpr uint32_t max_queues = 16;
constexpr uint64_t timestamp_hz = 1000000000;  // the workers stamp CLOCK_MONOTONIC nanoseconds
constexpr const char* ttsim_env = "HCQ_TTSIM";
// Buffers start on the NOC alignment our kernels need (HCQ_TT_ALIGN in tt/kernels/hcq_tt_kernel.h).
constexpr uint64_t buffer_alignment = 64;

std::string_view arch_name(Arch a) { return a == Arch::wormhole_b0 ? "wormhole_b0" : "blackhole"; }

LaunchTimeouts timeouts_from(const detail::UriParts& uri) {
  LaunchTimeouts t;
  for (const auto& [key, value] : uri.options) {
    uint64_t ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (key != "launch_timeout_ms" || ec != std::errc() || end != value.data() + value.size() || ms == 0) {
      throw Error(Errc::invalid_argument, uri.text, "open",
                  fmt::format("option {}={}: the tt device takes launch_timeout_ms=N (N > 0)", key, value));
    }
    t.launch = std::chrono::milliseconds(ms);
  }
  return t;
}

L1Image firmware_image(std::span<const std::byte> firmware, const Chip& chip) {
  if (firmware.empty()) {
    throw Error(Errc::unsupported, chip.name(), "firmware",
                "this libhcq was built without riscv64-unknown-elf-gcc, so it has no Tensix firmware; install "
                "gcc-riscv64-unknown-elf (tools/install-deps.sh) and rebuild");
  }
  return load_l1_image(firmware, "hcq-tt-firmware.elf", firmware_region(), chip.table().l1_size);
}

}  // namespace

TtDevice::TtDevice(const detail::UriParts& uri, std::unique_ptr<Chip> chip, std::span<const std::byte> firmware)
    : DeviceImpl(uri.text, "tt"),
      chip_(std::move(chip)),
      dram_tile_(chip_->dram().empty() ? NocXY{} : chip_->dram()[0]),
      dram_(dram_reserved, chip_->table().dram_channel_size - dram_reserved, 64) {
  if (chip_->dram().empty()) throw Error(Errc::unsupported, uri_, "open", "the chip lists no DRAM channel");
  launcher_ = std::make_unique<Launcher>(*chip_, firmware_image(firmware, *chip_), timeouts_from(uri), &chip_mutex_);
  launcher_->boot();
  const ChipTable& t = chip_->table();
  props_.name = fmt::format("Tenstorrent {} ({})", t.name, chip_->name());
  props_.vendor = "tenstorrent";
  props_.arch = std::string(arch_name(chip_->arch()));
  props_.program_format = "tt-rv32-elf";
  props_.device_memory_bytes = t.dram_channel_size;
  props_.host_visible_device_memory_bytes = 0;
  props_.compute_units = static_cast<uint32_t>(chip_->tensix().size());
  props_.max_threads_per_workgroup = max_workgroup_threads;
  props_.max_workgroup_dims = {max_workgroup_threads, max_workgroup_threads, 64};
  props_.max_grid_dims = {0x7fffffff, 65535, 65535};
  props_.max_shared_bytes = HCQ_TT_SHARED_BYTES;
  props_.max_kernel_args_bytes = HCQ_TT_ARGS_SIZE;
  props_.compute_queues = max_queues;
  props_.copy_queues = max_queues;
  props_.timestamp_hz = timestamp_hz;
  props_.signal_compare_bits = 64;
  props_.min_buffer_alignment = buffer_alignment;
  init_common();
}

TtDevice::~TtDevice() { fini_common(); }

detail::Chunk TtDevice::map_chunk(MemoryKind kind, uint64_t size) {
  if (kind == MemoryKind::device) {
    std::lock_guard lock(memory_mutex_);
    auto offset = dram_.allocate(size, dram_chunk_alignment);
    if (!offset) {
      throw Error(Errc::out_of_memory, uri_, "memory",
                  fmt::format("{} bytes of DRAM do not fit channel 0 ({} of {} bytes free, largest block {})", size,
                              dram_.bytes_free(), dram_.size(), dram_.largest_free_block()));
    }
    return detail::Chunk{device_address(dram_tile_, *offset), nullptr, size, *offset};
  }
  Chip::HostBuffer hb;
  {
    std::lock_guard chip_lock(chip_mutex_);
    hb = chip_->alloc_host(size);
  }
  if (hb.noc_address > device_address_local_mask) {
    chip_->free_host(hb);
    throw Error(Errc::unsupported, uri_, "memory",
                fmt::format("host memory at NOC address 0x{:x} does not fit the 48 bits of a device address", hb.noc_address));
  }
  uint64_t address = device_address(hb.pcie_tile, hb.noc_address);
  std::lock_guard lock(memory_mutex_);
  host_chunks_[address] = hb;
  return detail::Chunk{address, hb.cpu, size, 0};
}

void TtDevice::unmap_chunk(MemoryKind kind, const detail::Chunk& chunk) noexcept {
  if (kind == MemoryKind::device) {
    std::lock_guard lock(memory_mutex_);
    dram_.free(chunk.handle);
    return;
  }
  Chip::HostBuffer hb;
  {
    std::lock_guard lock(memory_mutex_);
    auto it = host_chunks_.find(chunk.gpu_va);
    if (it == host_chunks_.end()) return;
    hb = it->second;
    host_chunks_.erase(it);
  }
  std::lock_guard chip_lock(chip_mutex_);
  chip_->free_host(hb);
}

std::byte* TtDevice::host_pointer(uint64_t address, uint64_t bytes) const noexcept {
  std::lock_guard lock(memory_mutex_);
  auto it = host_chunks_.upper_bound(address);
  if (it == host_chunks_.begin()) return nullptr;
  --it;
  uint64_t offset = address - it->first;
  if (offset > it->second.size || bytes > it->second.size - offset) return nullptr;
  return it->second.cpu + offset;
}

bool TtDevice::is_dram(uint64_t address, uint64_t bytes) const noexcept {
  NocXY tile = device_address_tile(address);
  uint64_t local = address & device_address_local_mask;
  if (!(tile == dram_tile_) || local < dram_.base()) return false;
  uint64_t offset = local - dram_.base();
  return offset <= dram_.size() && bytes <= dram_.size() - offset;
}

std::shared_ptr<detail::QueueImpl> TtDevice::create_queue(QueueKind kind, std::shared_ptr<DeviceImpl> self) {
  return std::make_shared<TtQueue>(std::move(self), kind);
}

std::shared_ptr<detail::ProgramImpl> TtDevice::load_program(std::span<const std::byte> bytes, const std::string& name) {
  auto program = std::make_shared<TtProgram>();
  program->device = self(false);
  program->name = name;
  program->image = load_l1_image(bytes, name, kernel_region(), chip_->table().l1_size);
  program->image_id = next_image_id_.fetch_add(1);
  for (auto& k : read_kernels(bytes, name, program->image, props_.max_shared_bytes, props_.max_kernel_args_bytes)) {
    program->kernels.push_back({std::move(k.info), k.entry, program.get()});
  }
  logger()->debug("loaded {}: {} kernel(s), {} segment(s)", name, program->kernels.size(), program->image.segments.size());
  return program;
}

}  // namespace hcq::tt

namespace hcq::detail {

Backend make_tt_backend() {
  Backend b;
  b.scheme = "tt";
  b.uri_forms = {"tt:ttsim:/path/libttsim.so (or tt:ttsim with HCQ_TTSIM)", "tt:N (tt-kmd /dev/tenstorrent/N)",
                 "tt:...?launch_timeout_ms=N"};
  b.enumerate = [] {
    std::vector<DeviceEntry> out;
    if (const char* sim = std::getenv(tt::ttsim_env); sim && *sim) {
      // Below the cpu device, as other device models: a default open() should not pick a simulator.
      out.push_back({fmt::format("tt:ttsim:{}", sim), fmt::format("Tenstorrent simulator ({})", sim), "tt", -10});
    }
    for (uint32_t i = 0; std::filesystem::exists(fmt::format("/dev/tenstorrent/{}", i)); ++i) {
      out.push_back({fmt::format("tt:{}", i), fmt::format("Tenstorrent device {}", i), "tt", 2});
    }
    return out;
  };
  b.open = [](const UriParts& uri) -> std::shared_ptr<DeviceImpl> {
    auto chip = tt::open_chip("tt:" + uri.rest);
    auto firmware = tt::builtin_firmware(chip->arch());
    return std::make_shared<tt::TtDevice>(uri, std::move(chip), firmware);
  };
  b.canonical = [](const UriParts& uri) { return uri.text; };
  return b;
}

}  // namespace hcq::detail
