// NvDevice: bring-up over the RM, memory, channels, and the backend entry ("nv", "nv:N").
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

#include "cubin_program.hpp"
#include "kernels/builtin.hpp"
#include "nv.hpp"
#include "queue.hpp"
#include "registers/host.hpp"
#include "round_up.hpp"

namespace hcq::nv {

namespace {

// GPU virtual addresses the backend hands out: above 4 GiB and below 2^40, because push buffers
// and QMDs must sit below 2^40 (GPFIFO entries and SEND_PCAS_A carry 40-bit addresses).
constexpr uint64_t va_base = 1ull << 32;
constexpr uint64_t va_limit = 1ull << 40;
constexpr uint64_t page_2m = 2ull << 20;
// Another device's signal pages are mapped one host page at a time (UVM wants PAGE_SIZE alignment).
const uint64_t foreign_page_bytes = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
constexpr uint64_t channel_va_bytes = 64ull << 20;

using detail::round_up;

uint32_t parse_index(const detail::UriParts& uri) {
  uint32_t index = 0;
  if (uri.rest.empty()) return 0;
  auto [end, ec] = std::from_chars(uri.rest.data(), uri.rest.data() + uri.rest.size(), index);
  if (ec != std::errc() || end != uri.rest.data() + uri.rest.size()) {
    throw Error(Errc::not_found, uri.text, "open", fmt::format("'{}' is not an nv device: use nv or nv:N", uri.text));
  }
  return index;
}

// nv:N?context=K: a further context on the same GPU (its own RM client, address space, channels),
// as a second CUDA context would be: what two devices of one process do to each other (waiting
// on the other's signals) can be run on a machine with a single GPU.
std::string canonical_uri(const detail::UriParts& uri) {
  uint32_t index = parse_index(uri);
  uint32_t context = 0;
  for (const auto& [key, value] : uri.options) {
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), context);
    if (key != "context" || ec != std::errc() || end != value.data() + value.size() || context > 63) {
      throw Error(Errc::invalid_argument, uri.text, "open",
                  fmt::format("'{}={}': nv devices take only context=K (0 to 63), a further context on the same GPU", key, value));
    }
  }
  return context ? fmt::format("nv:{}?context={}", index, context) : fmt::format("nv:{}", index);
}

const CardInfo& card_for(const detail::UriParts& uri, const std::vector<CardInfo>& cards) {
  uint32_t index = parse_index(uri);
  if (index >= cards.size()) {
    throw Error(Errc::not_found, uri.text, "open",
                cards.empty() ? std::string("no NVIDIA GPU: /dev/nvidiactl is absent or lists none")
                              : fmt::format("the NVIDIA driver lists {} GPU(s): use nv:0 to nv:{}", cards.size(), cards.size() - 1));
  }
  return cards[index];
}

}  // namespace

NvDevice::NvDevice(const detail::UriParts& uri, const CardInfo& card)
    : DeviceImpl(canonical_uri(uri), "nv"),
      rm_(fmt::format("nv {}", card.pci_address)),
      card_(card),
      va_(va_base, va_limit - va_base, 4096) {
  props_.pci_address = card.pci_address;
  dev_fd_ = rm_.open_device_fd(card.minor);

  // Device and subdevice, then the facts that pick our class table row.
  auto [device, subdevice] = rm_.alloc_gpu(card);
  device_ = device;
  subdevice_ = subdevice;

  abi::ClassListV2 classes{};
  rm_.control(device_, abi::ctrl::device_get_classlist_v2, classes, "GET_CLASSLIST_V2");
  std::string missing;
  chip_ = select_chip(std::span(classes.classList, std::min<uint32_t>(classes.numClasses, 200)), &missing);
  if (!chip_) {
    throw Error(Errc::unsupported, uri_, "chips",
                fmt::format("the GPU lists none of the class sets libhcq knows: {}; add its row to nv/chips.cpp", missing));
  }
  if (!chip_->verified) log_->warn("{} GPUs have not been run end to end by libhcq yet (docs/nv.md)", chip_->family);
  copy_engine_ = pick_copy_engine();

  abi::GpuNameString name{};
  rm_.control(subdevice_, abi::ctrl::gpu_get_name_string, name, "GPU_GET_NAME_STRING");
  name.ascii[sizeof(name.ascii) - 1] = 0;
  abi::GrInfoEntry gr[] = {{abi::gr_info::sm_version, 0},
                           {abi::gr_info::litter_num_gpcs, 0},
                           {abi::gr_info::litter_num_tpc_per_gpc, 0},
                           {abi::gr_info::litter_num_sm_per_tpc, 0},
                           {abi::gr_info::shader_pipe_sub_count, 0}};
  abi::GrGetInfo gi{};
  gi.grInfoListSize = std::size(gr);
  gi.grInfoList = reinterpret_cast<uintptr_t>(gr);
  rm_.control(subdevice_, abi::ctrl::gr_get_info, gi, "GR_GET_INFO");
  sm_version_ = gr[0].data;
  tpcs_ = gr[1].data * gr[2].data;  // the litter values: the most TPCs the chip can have
  abi::FbInfoV2 fb{};
  fb.fbInfoListSize = 2;
  fb.fbInfoList[0].index = abi::fb_info::total_ram_size_kib;
  fb.fbInfoList[1].index = abi::fb_info::usable_ram_size_kib;
  rm_.control(subdevice_, abi::ctrl::fb_get_info_v2, fb, "FB_GET_INFO_V2");

  props_.name = name.ascii;
  props_.vendor = "nvidia";
  props_.arch = fmt::format("sm_{}{}", (sm_version_ >> 8) & 0xff, sm_version_ & 0xf);
  props_.program_format = "cubin";
  props_.device_memory_bytes = uint64_t{fb.fbInfoList[1].data} * 1024;
  props_.host_visible_device_memory_bytes = std::min(props_.device_memory_bytes, card.bar1_bytes);
  props_.compute_units = gr[4].data * gr[3].data;  // enabled TPCs x SMs per TPC
  props_.max_threads_per_workgroup = 1024;
  props_.max_workgroup_dims = {1024, 1024, 64};
  props_.max_grid_dims = {0x7fffffff, 65535, 65535};
  props_.max_shared_bytes = 227 * 1024;  // sm_90's largest per-block carveout (CUDA programming guide)
  props_.max_kernel_args_bytes = 32764;  // CUDA 12.1+ limit for sm_70+ (constant bank 0 holds them)
  props_.compute_queues = 8;
  props_.copy_queues = 8;
  props_.timestamp_hz = 1000000000;  // semaphore timestamps are nanoseconds
  props_.signal_compare_bits = 64;
  props_.min_buffer_alignment = 256;
  log_->info("{} ({}, {} SMs, {} MiB), {} class set, driver {}", props_.name, props_.arch, props_.compute_units,
            props_.device_memory_bytes >> 20, chip_->family, rm_.driver_version());

  // UVM: register the GPU (its UUID), then a UVM-owned address space.
  abi::GidInfo gid{};
  gid.flags = abi::gid_format_binary;
  gid.length = 16;
  rm_.control(subdevice_, abi::ctrl::gpu_get_gid_info, gid, "GET_GID_INFO");
  std::memcpy(uuid_.bytes, gid.data, 16);
  abi::UvmRegisterGpu rg{};
  rg.gpu_uuid = uuid_;
  rg.rmCtrlFd = -1;
  rm_.uvm(abi::uvm::register_gpu, rg, "UVM_REGISTER_GPU");
  uvm_gpu_registered_ = true;
  abi::VaspaceAlloc vas{};
  vas.flags = abi::vaspace_flags::externally_owned | abi::vaspace_flags::enable_page_faulting;
  vas.vaBase = 0x1000;
  vas.vaSize = 0x1fffffb000000ull;  // the range UVM manages on a 49-bit VA GPU
  vaspace_ = rm_.alloc(device_, abi::cls::vaspace, &vas, "address space");
  abi::UvmRegisterGpuVaspace rv{};
  rv.gpuUuid = uuid_;
  rv.rmCtrlFd = rm_.ctl_fd();
  rv.hClient = rm_.root();
  rv.hVaSpace = vaspace_;
  rm_.uvm(abi::uvm::register_gpu_vaspace, rv, "UVM_REGISTER_GPU_VASPACE");
  uvm_vaspace_registered_ = true;

  // The channel group every queue's channel joins, and its context share.
  abi::ChannelGroupAlloc tsg{};
  tsg.engineType = abi::engine_graphics;
  tsg_ = rm_.alloc(device_, abi::cls::channel_group, &tsg, "channel group");
  abi::ContextShareAlloc cs{};
  cs.hVASpace = vaspace_;
  cs.flags = abi::ctxshare_async;
  ctxshare_ = rm_.alloc(tsg_, abi::cls::context_share, &cs, "context share");

  // The usermode page: its doorbell wakes the host engine for a channel's token.
  usermode_ = rm_.alloc(subdevice_, chip_->usermode_class, "usermode");
  auto [map, fd] = rm_.map_to_cpu(card.minor, device_, usermode_, 0x10000);
  usermode_map_ = map;
  usermode_fd_ = fd;
  doorbell_ = reinterpret_cast<volatile uint32_t*>(static_cast<std::byte*>(map) + reg::host::usermode_notify_channel_pending);

  try {
    init_common();
    // A compute channel first: in a graphics channel group, the compute object creates the
    // group's graphics context buffers, and UVM retains (UVM_REGISTER_CHANNEL) no channel of the
    // group before they exist: a copy channel registered first fails with NV_ERR_INVALID_OBJECT,
    // the RM logging "pGrCtxBufferMemDesc != NULL". Seen on the H100 (docs/nv.md).
    first_queue_ = new_queue(QueueKind::compute, true);
    // The copy channel upload()/download() use joins the group now, before any work runs: once,
    // a copy channel created for the first download after a graph's replays never ran (docs/nv.md).
    prepare_transfers();
  } catch (...) {
    first_queue_.reset();
    fini_common();  // the heaps unmap through this object's overrides, which die with it
    throw;
  }
}

NvDevice::~NvDevice() {
  first_queue_.reset();
  copy_program_.reset();  // deferred until the queues finished; before fini_common() drops the heaps
  local_.reset();  // before fini_common() drops the heaps it came from
  fini_common();
  for (const auto& [page, f] : foreign_pages_) unmap_foreign(f);
  foreign_pages_.clear();
  if (usermode_map_) munmap(usermode_map_, 0x10000);
  if (usermode_fd_ >= 0) ::close(usermode_fd_);
  if (uvm_vaspace_registered_) {
    abi::UvmUnregisterGpuVaspace un{uuid_, 0};
    ::ioctl(rm_.uvm_fd(), abi::uvm::unregister_gpu_vaspace, &un);
  }
  if (uvm_gpu_registered_) {
    abi::UvmUnregisterGpu ug{uuid_, 0};
    ::ioctl(rm_.uvm_fd(), abi::uvm::unregister_gpu, &ug);
  }
  if (dev_fd_ >= 0) ::close(dev_fd_);
  // ~Rm frees the client and with it every RM object.
}

uint64_t NvDevice::chunk_size(MemoryKind) const noexcept { return 64ull << 20; }

uint64_t NvDevice::reserve_va(uint64_t size, uint64_t alignment) {
  std::lock_guard lock(mutex_);
  auto va = va_.allocate(size, alignment);
  if (!va) {
    throw Error(Errc::out_of_memory, uri_, "memory",
                fmt::format("no {} MiB of GPU virtual address space left below 1 TiB ({} MiB free in pieces)", size >> 20,
                            va_.bytes_free() >> 20));
  }
  return *va;
}

void NvDevice::map_gpu(uint64_t va, uint64_t size, uint32_t memory, bool uncached) {
  abi::UvmRange range{va, size, 0, 0};
  rm_.uvm(abi::uvm::create_external_range, range, "UVM_CREATE_EXTERNAL_RANGE");
  auto map = std::make_unique<abi::UvmMapExternalAllocation>();
  std::memset(map.get(), 0, sizeof(*map));
  map->base = va;
  map->length = size;
  map->perGpuAttributes[0].gpuUuid = uuid_;
  map->perGpuAttributes[0].gpuMappingType = 1;                  // UvmGpuMappingTypeReadWriteAtomic
  map->perGpuAttributes[0].gpuCachingType = uncached ? 1 : 0;   // UvmGpuCachingTypeForceUncached : Default
  map->gpuAttributesCount = 1;
  map->rmCtrlFd = rm_.ctl_fd();
  map->hClient = rm_.root();
  map->hMemory = memory;
  rm_.uvm(abi::uvm::map_external_allocation, *map, "UVM_MAP_EXTERNAL_ALLOCATION");
}

detail::Chunk NvDevice::map_chunk(MemoryKind kind, uint64_t size) {
  size = round_up(size, page_2m);
  uint64_t va = reserve_va(size, page_2m);
  ChunkInfo info{0, nullptr, -1, size, kind};
  try {
    if (kind == MemoryKind::host) {
      // Pinned host pages, described to the RM and mapped into the GPU's address space.
      void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) {
        throw Error(Errc::out_of_memory, uri_, "memory", fmt::format("mmap of {} MiB of host memory: {}", size >> 20, std::strerror(errno)));
      }
      info.cpu_map = p;
      info.memory = rm_.alloc_os_descriptor(dev_fd_, device_, p, size);
      map_gpu(va, size, info.memory, true);
    } else {
      abi::MemoryAlloc m{};
      m.owner = rm_.root();
      m.type = abi::os32::type_image;
      m.flags = abi::os32::flags_ignore_bank_placement | abi::os32::flags_alignment_force | abi::os32::flags_persistent_vidmem |
                abi::os32::flags_map_not_required;
      m.attr = abi::os32::attr_page_size_huge | abi::os32::attr_location_vidmem | abi::os32::attr_physicality_allow_noncontig;
      m.attr2 = abi::os32::attr2_zbc_prefer_no_zbc | abi::os32::attr2_gpu_cacheable_yes | abi::os32::attr2_page_size_huge_2mb;
      m.format = abi::os32::format_default;
      m.size = size;
      m.alignment = page_2m;
      m.numaNode = -1;
      info.memory = rm_.alloc(device_, abi::cls::memory_local_user, &m, "device memory");
      map_gpu(va, size, info.memory, false);
      if (kind == MemoryKind::device_host_visible) {
        auto [p, fd] = rm_.map_to_cpu(card_.minor, device_, info.memory, size);
        info.cpu_map = p;
        info.cpu_fd = fd;
      }
    }
  } catch (...) {
    if (info.cpu_map) munmap(info.cpu_map, size);
    if (info.cpu_fd >= 0) ::close(info.cpu_fd);
    if (info.memory) rm_.free(info.memory);
    std::lock_guard lock(mutex_);
    va_.free(va);
    throw;
  }
  log_->debug("{} chunk: {} MiB at GPU {:#x}, RM object {:#x}", to_string(kind), size >> 20, va, info.memory);
  std::lock_guard lock(mutex_);
  chunks_[va] = info;
  return detail::Chunk{va, static_cast<std::byte*>(info.cpu_map), size, info.memory};
}

void NvDevice::unmap_chunk(MemoryKind, const detail::Chunk& chunk) noexcept {
  ChunkInfo info;
  {
    std::lock_guard lock(mutex_);
    auto it = chunks_.find(chunk.gpu_va);
    if (it == chunks_.end()) return;
    info = it->second;
    chunks_.erase(it);
  }
  abi::UvmRange range{chunk.gpu_va, info.size, 0, 0};
  ::ioctl(rm_.uvm_fd(), abi::uvm::free, &range);
  if (info.cpu_map) munmap(info.cpu_map, info.size);
  if (info.cpu_fd >= 0) ::close(info.cpu_fd);
  rm_.free(info.memory);
  std::lock_guard lock(mutex_);
  va_.free(chunk.gpu_va);
}

uint32_t NvDevice::memory_handle(uint64_t gpu_va) const {
  std::lock_guard lock(mutex_);
  auto it = chunks_.upper_bound(gpu_va);
  if (it == chunks_.begin() || gpu_va >= std::prev(it)->first + std::prev(it)->second.size) {
    throw Error(Errc::internal, uri_, "memory", fmt::format("no chunk holds GPU address {:#x}", gpu_va));
  }
  return std::prev(it)->second.memory;
}

uint64_t NvDevice::memory_offset(uint64_t gpu_va) const {
  std::lock_guard lock(mutex_);
  auto it = std::prev(chunks_.upper_bound(gpu_va));
  return gpu_va - it->first;
}

std::shared_ptr<detail::BufferImpl> NvDevice::alloc_internal(uint64_t size, MemoryKind kind) {
  return alloc(size, kind, 4096, true);
}

NvDevice::Channel NvDevice::create_channel(uint64_t gpfifo_va, uint32_t entries, uint32_t userd_memory, uint64_t userd_offset,
                                           uint32_t engine_class, const char* what) {
  // Each channel its own error notifier: the RM writes there when it stops the channel, also
  // when the channel is freed (RC 45, "preemptive removal"), so channels cannot share one.
  void* notifier = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (notifier == MAP_FAILED) throw Error(Errc::out_of_memory, uri_, "memory", "mmap of an error notifier page failed");
  Channel c;
  c.notifier = static_cast<std::byte*>(notifier);
  try {
    c.notifier_memory = rm_.alloc_os_descriptor(dev_fd_, device_, notifier, 4096);
  } catch (...) {
    munmap(notifier, 4096);
    throw;
  }
  bool copy = engine_class == chip_->copy_class;
  abi::ChannelAlloc p{};
  p.hObjectError = c.notifier_memory;
  p.gpFifoOffset = gpfifo_va;
  p.gpFifoEntries = entries;
  p.hContextShare = copy ? 0 : ctxshare_;  // a copy-engine group has no subcontexts
  p.hUserdMemory[0] = userd_memory;
  p.userdOffset[0] = userd_offset;
  try {
    c.handle = rm_.alloc(copy ? copy_group() : tsg_, chip_->gpfifo_class, &p, what);
    if (copy) {
      finish_copy_channel(c, what);
    } else {
      finish_channel(c, gpfifo_va, engine_class, what);
    }
  } catch (...) {
    destroy_channel(c);
    throw;
  }
  return c;
}

// Copy queues run on the async copy engine (from the chip's first one up) that has the most
// physical copy engines behind it: on the H100 COPY2 has 2 and COPY4 has 12, and a copy engine's
// bandwidth scales with them. A GPU whose RM refuses the query keeps the chip table's engine.
uint32_t NvDevice::pick_copy_engine() {
  uint32_t best = chip_->async_copy;
  int best_pces = -1;
  for (uint32_t n = chip_->async_copy; n < abi::copy_engines; ++n) {
    abi::CePceMask m{abi::engine_copy0 + n, 0};
    if (rm_.try_control(subdevice_, abi::ctrl::ce_get_ce_pce_mask, &m, sizeof m) != 0) continue;
    int pces = std::popcount(m.pceMask);
    log_->debug("COPY{}: physical copy engines {:#x} ({})", n, m.pceMask, pces);
    if (pces > best_pces) best = n, best_pces = pces;
  }
  return best;
}

uint32_t NvDevice::copy_group() {
  std::lock_guard lock(mutex_);
  if (copy_tsg_) return copy_tsg_;
  // Copy queues get a channel group of their own on an async copy engine, with the UVM address
  // space: in the graphics group they would share the compute channel's runlist and PBDMA, and
  // a later copy channel there sometimes never ran (docs/nv.md). No context share: the RM allows
  // async subcontexts only on graphics engines.
  abi::ChannelGroupAlloc g{};
  g.hVASpace = vaspace_;
  g.engineType = abi::engine_copy0 + copy_engine_;
  copy_tsg_ = rm_.alloc(device_, abi::cls::channel_group, &g, "copy channel group");
  return copy_tsg_;
}

void NvDevice::finish_copy_channel(Channel& c, const char* what) {
  // The copy object names its engine: without it the RM binds the default, a graphics-runlist
  // copy engine, and moves the whole group onto the graphics runlist.
  abi::CopyAlloc ce{1, abi::engine_copy0 + copy_engine_};
  c.engine = rm_.alloc(c.handle, chip_->copy_class, &ce, what);
  abi::WorkSubmitToken token{};
  rm_.control(c.handle, abi::ctrl::get_work_submit_token, token, "GET_WORK_SUBMIT_TOKEN");
  c.token = token.workSubmitToken;
  // No UVM_REGISTER_CHANNEL: a copy channel has no context buffers for UVM to map, and the RM
  // schedules copy channels without it. The group is enabled with its first channel; later
  // channels are enabled one by one, as the RM's own clients do for busy groups.
  abi::GpfifoSchedule sched{1, 0, 0};
  std::lock_guard lock(mutex_);
  if (!copy_tsg_scheduled_) {
    rm_.control(copy_tsg_, abi::ctrl::tsg_gpfifo_schedule, sched, "GPFIFO_SCHEDULE (copy group)");
    copy_tsg_scheduled_ = true;
  } else {
    rm_.control(c.handle, abi::ctrl::channel_gpfifo_schedule, sched, "GPFIFO_SCHEDULE (copy channel)");
  }
  log_->debug("{}: copy channel {:#x} on COPY{}, object {:#x}, token {:#x}", what, c.handle, copy_engine_, c.engine, c.token);
}

void NvDevice::finish_channel(Channel& c, uint64_t gpfifo_va, uint32_t engine_class, const char* what) {
  // The engine object first: a channel has no runlist, hence no token, before it (notes, [V]).
  c.engine = rm_.alloc(c.handle, engine_class, what);
  abi::WorkSubmitToken token{};
  rm_.control(c.handle, abi::ctrl::get_work_submit_token, token, "GET_WORK_SUBMIT_TOKEN");
  c.token = token.workSubmitToken;
  abi::UvmRegisterChannel rc{};
  rc.gpuUuid = uuid_;
  rc.rmCtrlFd = rm_.ctl_fd();
  rc.hClient = rm_.root();
  rc.hChannel = c.handle;
  // UVM maps the channel's own buffers (context buffers and such) into a range of our address
  // space that nothing else uses: 64 MiB reserved per channel.
  c.uvm_va = reserve_va(channel_va_bytes, channel_va_bytes);
  rc.base = c.uvm_va;
  rc.length = channel_va_bytes;
  rm_.uvm(abi::uvm::register_channel, rc, "UVM_REGISTER_CHANNEL");
  // The RM schedules only channels UVM has bound. Enabling the group again per channel is harmless.
  abi::GpfifoSchedule sched{1, 0, 0};
  rm_.control(tsg_, abi::ctrl::tsg_gpfifo_schedule, sched, "GPFIFO_SCHEDULE");
  log_->debug("{}: channel {:#x} (GPFIFO at {:#x}), engine {:#06x} object {:#x}, token {:#x}", what, c.handle, gpfifo_va,
              engine_class, c.engine, c.token);
}

void NvDevice::destroy_channel(const Channel& c) noexcept {
  if (c.handle) {
    if (c.uvm_va) {
      abi::UvmUnregisterChannel un{uuid_, rm_.root(), c.handle, 0};
      ::ioctl(rm_.uvm_fd(), abi::uvm::unregister_channel, &un);
    }
    rm_.free(c.handle);
  }
  if (c.notifier_memory) rm_.free(c.notifier_memory);
  if (c.notifier) munmap(c.notifier, 4096);
  std::lock_guard lock(mutex_);
  if (c.uvm_va) va_.free(c.uvm_va);
}

NvDevice::LocalMemory NvDevice::ensure_local_memory(uint32_t per_thread) {
  std::lock_guard lock(local_mutex_);  // not mutex_: the allocation below takes that one
  if (per_thread <= local_info_.per_thread && local_) return local_info_;
  // Sizing as the hardware walks it: each TPC gets room for every warp slot of its SMs; the
  // per-TPC size must be a multiple of 0x8000 (Mesa asserts it) and the total covers all TPCs.
  constexpr uint64_t warps_per_sm = 64, sms_per_tpc = 2;
  uint32_t pt = static_cast<uint32_t>(round_up(std::max<uint32_t>(per_thread, 0x400), 0x10));
  uint64_t per_tpc = round_up(round_up(uint64_t{pt} * 32, 0x200) * warps_per_sm * sms_per_tpc, 0x8000);
  uint64_t bytes = round_up(per_tpc * tpcs_, 0x20000);
  local_ = alloc(bytes, MemoryKind::device, page_2m, true);
  local_info_ = {local_->gpu_va, bytes, per_tpc, pt};
  log_->debug("local memory: {} bytes per thread, {} MiB", pt, bytes >> 20);
  return local_info_;
}

void NvDevice::register_nv_queue(NvQueue* q) {
  std::lock_guard lock(mutex_);
  nv_queues_.push_back(q);
}

void NvDevice::unregister_nv_queue(NvQueue* q) noexcept {
  std::lock_guard lock(mutex_);
  std::erase(nv_queues_, q);
}

void NvDevice::poll_health() noexcept {
  if (lost()) return;
  // An error stops the whole channel group, and the RM writes the error notifier of one or more
  // of its channels, not necessarily the one that faulted: report the error once, then every
  // queue that had work in flight (the likely culprits), then what the RM logged about it.
  std::string why;
  try {
    std::vector<std::string> busy;
    {
      std::lock_guard lock(mutex_);
      for (NvQueue* q : nv_queues_) {
        q->watch_progress();
        if (why.empty()) why = q->health();
        if (q->completed() < q->submitted()) busy.push_back(fmt::format("{} ({})", q->name(), q->describe_state()));
      }
    }
    if (why.empty()) return;
    why += busy.empty() ? "; no queue had work in flight" : fmt::format("; in flight: {}", fmt::join(busy, "; "));
    std::vector<std::string> logged = kernel_log_.new_xid_lines(props_.pci_address, 3);
    if (logged.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the RM may log just after the notifier
      logged = kernel_log_.new_xid_lines(props_.pci_address, 3);
    }
    if (!logged.empty()) {
      why += fmt::format("; kernel log: {}", fmt::join(logged, " | "));
    } else {
      why += kernel_log_.available() ? "; the kernel log has no Xid line for this GPU" : "; details in dmesg (this process cannot read the kernel log)";
    }
  } catch (...) {
    if (why.empty()) why = "channel error (no memory to describe it)";
  }
  mark_lost(why);
}

std::shared_ptr<detail::QueueImpl> NvDevice::create_queue(QueueKind kind, std::shared_ptr<DeviceImpl> self) {
  return std::make_shared<NvQueue>(std::move(self), *this, kind);
}

std::shared_ptr<detail::ProgramImpl> NvDevice::load_program(std::span<const std::byte> bytes, const std::string& name) {
  return load_cubin_program(*this, self(false), bytes, name);
}

const detail::KernelImpl* NvDevice::copy_kernel(std::string* why) {
  std::lock_guard lock(builtin_mutex_);
  if (!copy_program_ && copy_program_error_.empty()) {
    uint32_t sm = (sm_version_ >> 8) * 10 + (sm_version_ & 0xf);
    std::span<const std::byte> cubin = builtin_kernel(fmt::format("copy-sm_{}", sm));
    if (cubin.empty()) {
      copy_program_error_ = fmt::format("libhcq has no built-in copy kernel for sm_{} (nv/kernels/regenerate.sh lists the SMs)", sm);
    } else {
      try {
        copy_program_ = load_cubin_program(*this, self(true), cubin, "built-in copy kernel");
      } catch (const std::exception& e) {
        copy_program_error_ = e.what();
      }
    }
  }
  if (!copy_program_) {
    if (why) *why = copy_program_error_;
    return nullptr;
  }
  return &copy_program_->kernels.at(0);
}

bool NvDevice::can_reach(const DeviceImpl& other) const noexcept {
  // Buffers: this device's own. Another device's signals are reached through signal_address().
  return &other == this;
}

std::optional<uint64_t> NvDevice::signal_address(const detail::SignalImpl& s, std::string* why) {
  if (s.device.get() == this) return s.gpu_va;
  // Every backend keeps its signals in pages of host memory mapped into this process that live as
  // long as its device (DeviceImpl::new_signal). An OS descriptor pins the page holding the signal
  // and UVM maps it here, uncached, once per page; semaphore methods then reach it like our own.
  // Memory the RM cannot pin (a device's BAR mapping) gives the RM's error.
  const DeviceImpl& owner = *s.device;
  if (owner.props().signal_compare_bits != props_.signal_compare_bits) {
    if (why) {
      *why = fmt::format("{} compares {}-bit signal values, {}'s semaphore acquires compare {} bits", owner.uri(),
                         owner.props().signal_compare_bits, uri_, props_.signal_compare_bits);
    }
    return std::nullopt;
  }
  auto cpu = reinterpret_cast<uintptr_t>(s.slot);
  uintptr_t page = cpu & ~uintptr_t{foreign_page_bytes - 1};
  auto who = owner.weak_from_this();
  std::lock_guard lock(foreign_mutex_);
  if (auto it = foreign_pages_.find(page); it != foreign_pages_.end()) {
    const auto& known = it->second.owner;
    if (!known.expired() && !known.owner_before(who) && !who.owner_before(known)) return it->second.gpu_va + (cpu - page);
    // Its device is gone and another one's page took the address: the old mapping still pins
    // the old page, so map this one anew.
    unmap_foreign(it->second);
    foreign_pages_.erase(it);
  }
  ForeignPage f;
  f.owner = who;
  f.gpu_va = reserve_va(foreign_page_bytes, foreign_page_bytes);
  try {
    f.memory = rm_.alloc_os_descriptor(dev_fd_, device_, reinterpret_cast<void*>(page), foreign_page_bytes);
    map_gpu(f.gpu_va, foreign_page_bytes, f.memory, true);
  } catch (const Error& e) {
    if (f.memory) rm_.free(f.memory);
    std::lock_guard va_lock(mutex_);
    va_.free(f.gpu_va);
    throw Error(e.code(), uri_, "signals",
                fmt::format("mapping the host page of {}'s signal {} for this GPU: {}", owner.uri(), s.index, e.what()));
  }
  log_->debug("{}'s signal page at CPU {:#x} mapped at GPU {:#x}", owner.uri(), page, f.gpu_va);
  foreign_pages_[page] = f;
  return f.gpu_va + (cpu - page);
}

void NvDevice::unmap_foreign(const ForeignPage& f) noexcept {
  abi::UvmRange range{f.gpu_va, foreign_page_bytes, 0, 0};
  ::ioctl(rm_.uvm_fd(), abi::uvm::free, &range);
  rm_.free(f.memory);
  std::lock_guard lock(mutex_);
  va_.free(f.gpu_va);
}

}  // namespace hcq::nv

namespace hcq::detail {

Backend make_nv_backend() {
  Backend b;
  b.scheme = "nv";
  b.uri_forms = {"nv", "nv:N (the driver's GPU order)", "nv:N?context=K (a further context on the same GPU)"};
  b.enumerate = [] {
    std::vector<DeviceEntry> out;
    std::vector<nv::CardInfo> cards;
    try {
      cards = nv::list_cards();
    } catch (const Error&) {
      return out;
    }
    for (size_t i = 0; i < cards.size(); ++i) {
      out.push_back({fmt::format("nv:{}", i),
                     fmt::format("NVIDIA {:04x}:{:04x} at {}", cards[i].vendor_id, cards[i].device_id, cards[i].pci_address), "nv",
                     100});
    }
    return out;
  };
  b.open = [](const UriParts& uri) -> std::shared_ptr<DeviceImpl> {
    auto cards = nv::list_cards();
    return std::make_shared<nv::NvDevice>(uri, nv::card_for(uri, cards));
  };
  b.canonical = [](const UriParts& uri) { return nv::canonical_uri(uri); };
  return b;
}

}  // namespace hcq::detail
