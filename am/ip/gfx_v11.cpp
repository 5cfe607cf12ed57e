// GFX 11 compute bring-up and HQD queues (see gfx_v11.hpp).
#include "am/ip/gfx_v11.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "am/ip/gmc_v11.hpp"
#include "am/ip/sdma_v6.hpp"
#include "am/pkt/mqd_v11.hpp"
#include "am/registers/gc_11_0_0.hpp"
#include "am/registers/gchub_11_0_0.hpp"
#include "hcq/firmware/amdgpu.hpp"
#include "hcq/firmware/loader.hpp"
#include "hcq/firmware/manifest.hpp"

namespace hcq::am {

namespace {

namespace gc = gc_11_0_0;

constexpr unsigned me_mec1 = 1, mec_pipe = 0;  // tinygrad starts pipe 0 only (its P0 stack is the one loaded)
constexpr unsigned vmids = 16;
// SH_MEM_CONFIG: 64-bit addressing (0), unaligned access allowed (3), instruction prefetch 3.
constexpr uint32_t address_mode_64 = 0, alignment_unaligned = 3, inst_prefetch = 3;
// SH_MEM_BASES: the kernel's compute-VMID apertures (DEFAULT_SH_MEM_BASES 0x6000 in both halves:
// LDS and scratch at VA 0x6000'xxxx'xxxx'xxxx; gfx_v10_0.c / gfx_v9_4_3.c init_compute_vmid).
constexpr uint32_t shared_aperture = 0x6000, private_aperture = 0x6000;
constexpr uint32_t mec_doorbell_range_upper = 0xf8;   // tinygrad's value: BAR2 byte offsets
constexpr auto mec_start_settle = std::chrono::milliseconds(50);  // tinygrad waits this after unhalting the MEC
constexpr uint32_t dequeue_drain = 1, dequeue_reset_waves = 2;  // CP_HQD_DEQUEUE_REQUEST: 1 drains, 2 resets waves
constexpr uint32_t eop_bytes = 4096, ring_tail_bytes = 4096;  // EOP buffer; rptr/wptr words after the ring
constexpr uint64_t queue_align = 256;
constexpr unsigned pc_shift = 2;                      // PRGRM_CNTR_START holds the address in dwords

// A register of the HQD image, by absolute place (MQD dword 0x80 + i -> hqd_first + i).
constexpr Field image_field[] = {{"value", 31, 0}};
Reg hqd_image_reg(uint32_t i) { return Reg{"CP_HQD_IMAGE", HwIp::gc, gc::seg0, gc::hqd_first + i, image_field}; }

}  // namespace

GfxV11::GfxV11(Gpu& gpu) : IpBlock(gpu) {}
GfxV11::~GfxV11() = default;

// The MEC's start address is in its firmware file (gfx v2.0 header): the PSP loads the image, the
// driver points the RS64 core at it.
void GfxV11::init_sw() {
  const fw::Manifest m = fw::amd_manifest(firmware_ips(gpu_.discovery()), std::string(gpu_.chip().name));
  for (const fw::ManifestEntry& e : m.entries) {
    if (e.role != "cp_mec") continue;
    try {
      const fw::Blob blob = fw::load(e.file, gpu_.firmware_search_path());
      const auto f = fw::amdgpu::Firmware::parse(blob.span(), e.file);
      const auto* h = f.header_as<fw::amdgpu::GfxHeaderV2>();
      if (h == nullptr) gpu_.fail(Errc::unsupported, name(), fmt::format("{} has no gfx v2.0 (RS64) header", e.file));
      mec_start_ = uint64_t{h->ucode_start_addr_hi} << 32 | h->ucode_start_addr_lo;
      mec_version_ = fmt::format("mec {:#x}", f.common().ucode_version);
      return;
    } catch (const Error& err) {
      if (err.block() == name()) throw;
      gpu_.fail(err.code(), name(), fmt::format("{}: {}. Install firmware-amd-graphics or set HCQ_FIRMWARE_PATH", e.file, err.detail()));
    }
  }
  gpu_.fail(Errc::unsupported, name(), "the firmware manifest has no cp_mec file for this chip");
}

void GfxV11::select(unsigned me, unsigned pipe, unsigned queue, unsigned vmid) {
  gpu_.write(gc::GRBM_GFX_CNTL, value(gc::GRBM_GFX_CNTL, {{"meid", me}, {"pipeid", pipe}, {"queueid", queue}, {"vmid", vmid}}));
}

void GfxV11::init_hw() {
  std::lock_guard lock(mutex_);
  constexpr std::string_view hint = "the PSP's RLC autoload did not finish: check the PSP block's LOAD_IP_FW log (RLC, IMU)";
  gpu_.poll(name(), gc::CP_STAT, ~0u, 0, hint);
  const uint32_t done = gc::RLC_RLCS_BOOTLOAD_STATUS["bootload_complete"].mask();
  gpu_.poll(name(), gc::RLC_RLCS_BOOTLOAD_STATUS, done, done, hint);
  // The GC hub (the CP's and SDMA's view of memory) is programmed once the RLC runs.
  auto* gmc = gpu_.block<GmcV11>();
  if (gmc == nullptr) gpu_.fail(Errc::internal, name(), "no GMC block: the GC hub cannot be programmed");
  gmc->init_hub(gchub_11_0_0::hub);
  start_mec();
  shader_memory();
  gpu_.write(gc::CP_MEC_DOORBELL_RANGE_LOWER, 0);
  gpu_.write(gc::CP_MEC_DOORBELL_RANGE_UPPER, mec_doorbell_range_upper);
}

void GfxV11::start_mec() {
  select(me_mec1, mec_pipe, 0);
  const uint64_t pc = mec_start_ >> pc_shift;
  gpu_.write(gc::CP_MEC_RS64_PRGRM_CNTR_START, static_cast<uint32_t>(pc));
  gpu_.write(gc::CP_MEC_RS64_PRGRM_CNTR_START_HI, static_cast<uint32_t>(pc >> 32));
  gpu_.update(gc::CP_MEC_RS64_CNTL, {{"mec_pipe0_reset", 1}});
  gpu_.update(gc::CP_MEC_RS64_CNTL, {{"mec_pipe0_reset", 0}});
  select(0, 0, 0);
  gpu_.update(gc::CP_MEC_RS64_CNTL, {{"mec_pipe0_reset", 0}, {"mec_pipe0_active", 1}, {"mec_halt", 0}});
  std::this_thread::sleep_for(mec_start_settle);
}

void GfxV11::shader_memory() {
  const uint32_t config = value(gc::SH_MEM_CONFIG, {{"address_mode", address_mode_64}, {"alignment_mode", alignment_unaligned},
                                                    {"initial_inst_prefetch", inst_prefetch}});
  const uint32_t bases = value(gc::SH_MEM_BASES, {{"shared_base", shared_aperture}, {"private_base", private_aperture}});
  for (unsigned vmid = 0; vmid < vmids; ++vmid) {
    select(0, 0, 0, vmid);
    gpu_.write(gc::SH_MEM_CONFIG, config);
    gpu_.write(gc::SH_MEM_BASES, bases);
  }
  select(0, 0, 0);
}

void GfxV11::fini_hw() noexcept {
  try {
    std::lock_guard lock(mutex_);
    gpu_.update(gc::CP_MEC_RS64_CNTL, {{"mec_pipe0_active", 0}, {"mec_halt", 1}});
  } catch (const std::exception& e) {
    gpu_.logger()->warn("GFX: halting the MEC failed: {}", e.what());
  }
}

std::unique_ptr<GfxV11::ComputeQueue> GfxV11::create_compute_queue(uint32_t ring_bytes) {
  std::lock_guard lock(mutex_);
  auto q = std::make_unique<ComputeQueue>();
  unsigned slot = 0;
  while (slot < queues_per_pipe && live_[slot]) ++slot;
  if (slot == queues_per_pipe)
    gpu_.fail(Errc::busy, name(), fmt::format("all {} compute queues of MEC1 pipe 0 are in use", queues_per_pipe));
  q->queue = slot;
  q->doorbell = first_mec_doorbell + slot;
  q->ring_bytes = ring_bytes;
  q->host = gpu_.alloc_host(ring_bytes + ring_tail_bytes);
  q->mqd = gpu_.alloc_vram(mqd_v11::mqd_bytes, queue_align);
  q->eop = gpu_.alloc_vram(eop_bytes, queue_align);
  std::memset(q->ring(), 0, ring_bytes + ring_tail_bytes);
  program_hqd(*q, 0, 0);
  live_[slot] = q.get();
  return q;
}

// The MQD's HQD image goes into the registers of the selected queue; rptr/wptr are where the queue
// starts (0 for a new queue, the saved pointers on resume: the CP takes the ring as empty when
// rptr == wptr modulo the ring).
void GfxV11::program_hqd(ComputeQueue& q, uint32_t rptr, uint64_t wptr) {
  mqd_v11::QueueLayout l{q.mqd.va, q.ring_va(), q.ring_bytes, q.eop.va, eop_bytes, q.ring_va() + q.ring_bytes,
                         q.ring_va() + q.ring_bytes + 8, q.doorbell};
  mqd_v11::ComputeMqd m;
  try {
    m = mqd_v11::make_compute_mqd(l);
  } catch (const std::invalid_argument& e) {
    gpu_.fail(Errc::invalid_argument, name(), e.what());
  }
  m.cp_hqd_pq_rptr = rptr;
  m.cp_hqd_pq_wptr_lo = static_cast<uint32_t>(wptr);
  m.cp_hqd_pq_wptr_hi = static_cast<uint32_t>(wptr >> 32);
  gpu_.vram_bar().write(q.mqd.offset, &m, sizeof m);
  gpu_.hdp_flush();
  uint32_t image[mqd_v11::mqd_bytes / 4];
  std::memcpy(image, &m, sizeof image);
  select(me_mec1, mec_pipe, q.queue);
  for (uint32_t i = 0; i < mqd_v11::hqd_image_dwords; ++i)
    gpu_.write(hqd_image_reg(i), image[mqd_v11::hqd_image_first_dword + i]);
  gpu_.write(gc::CP_HQD_ACTIVE, 1);
  const uint32_t active = gpu_.read(gc::CP_HQD_ACTIVE), error = gpu_.read(gc::CP_HQD_ERROR);
  select(0, 0, 0);
  if (!(active & 1))
    gpu_.fail(Errc::device_lost, name(),
              fmt::format("compute queue {} did not start (CP_HQD_ACTIVE={:#x}, CP_HQD_ERROR={:#x}): is the MEC firmware "
                          "loaded (PSP) and the MEC running (CP_MEC_RS64_CNTL={:#010x})?",
                          q.queue, active, error, gpu_.read(gc::CP_MEC_RS64_CNTL)));
}

// Selects the queue, asks for the dequeue and waits for CP_HQD_ACTIVE to drop; with mutex_ held.
void GfxV11::dequeue(ComputeQueue& q, uint32_t request) {
  select(me_mec1, mec_pipe, q.queue);
  gpu_.write(gc::CP_HQD_DEQUEUE_REQUEST, request);
  try {
    gpu_.poll(name(), gc::CP_HQD_ACTIVE, 1, 0, "the HQD did not dequeue; a reset of the GPU may be needed");
  } catch (...) {
    select(0, 0, 0);
    throw;
  }
  q.saved_rptr = gpu_.read(gc::CP_HQD_PQ_RPTR);
  select(0, 0, 0);
}

void GfxV11::destroy_compute_queue(std::unique_ptr<ComputeQueue> q) noexcept {
  if (!q) return;
  try {
    std::lock_guard lock(mutex_);
    live_[q->queue] = nullptr;
    dequeue(*q, dequeue_reset_waves);
  } catch (const std::exception& e) {
    gpu_.logger()->warn("GFX: dequeue of compute queue {} failed: {}", q->queue, e.what());
  }
  gpu_.free_vram(q->mqd);
  gpu_.free_vram(q->eop);
  gpu_.free_host(q->host);
}

// Queues are drained off their HQDs (the kernel unmaps its compute queues through the KIQ with
// PREEMPT_QUEUES; without KIQ the HQD dequeue request does the same, as KFD's hqd_destroy).
void GfxV11::suspend() {
  {
    std::lock_guard lock(mutex_);
    for (ComputeQueue* q : live_)
      if (q) dequeue(*q, dequeue_drain);
  }
  fini_hw();
}

void GfxV11::resume() {
  init_hw();
  std::lock_guard lock(mutex_);
  for (ComputeQueue* q : live_)
    if (q) program_hqd(*q, q->saved_rptr, *q->wptr());
}

IpBlock::IdleState GfxV11::idle_state() {
  const uint32_t v = gpu_.read(gc::GRBM_STATUS);
  return {gc::GRBM_STATUS["gui_active"].get(v) == 0, fmt::format("{} = {}", gc::GRBM_STATUS.name, Gpu::decode(gc::GRBM_STATUS, v))};
}

void GfxV11::kick(ComputeQueue& q, uint64_t wptr) {
  *q.wptr() = wptr;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  gpu_.doorbells().write64(uint64_t{q.doorbell} * 8, wptr);
}

uint32_t GfxV11::queue_error(const ComputeQueue& q) {
  std::lock_guard lock(mutex_);
  select(me_mec1, mec_pipe, q.queue);
  const uint32_t e = gpu_.read(gc::CP_HQD_ERROR);
  select(0, 0, 0);
  return e;
}

void register_queue_blocks() {
  add_block_factory("GFX", [](Gpu& gpu) { return std::make_unique<GfxV11>(gpu); });
  add_block_factory("SDMA", [](Gpu& gpu) { return std::make_unique<SdmaV6>(gpu); });
}

}  // namespace hcq::am
