// PM4 compute queues on a MEC HQD (see queue.hpp). The dispatch sequence is tinygrad's
// AMDComputeQueue.exec on gfx11 (amd.md §4): ACQUIRE_MEM, the COMPUTE_* registers by SET_SH_REG,
// user SGPRs in the kernel descriptor's order, DISPATCH_DIRECT, then a CS partial flush so that
// launches run in order.
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "am/pkt/pm4.hpp"
#include "am/queue.hpp"
#include "am/registers/gc_11_0_0.hpp"
#include "round_up.hpp"

namespace hcq::am {

namespace {

namespace gc = gc_11_0_0;
using pm4::Word;

constexpr uint32_t ring_bytes = 64 * 1024;
constexpr uint64_t arena_bytes = 4ull << 20;
constexpr uint64_t data_align = 256;       // side data (kernel arguments, dispatch packets) in an IB
constexpr uint32_t kernarg_min_align = 64;
constexpr uint32_t lds_granule = 512;      // COMPUTE_PGM_RSRC2.lds_size unit on gfx11 (bytes)
constexpr uint32_t dispatch_packet_bytes = 64;  // hsa_kernel_dispatch_packet_t
constexpr auto completion_timeout = std::chrono::seconds(10);
constexpr uint16_t unsupported_sgprs = kcp::dispatch_id | kcp::flat_scratch_init | kcp::private_segment_size;

using detail::round_up;
Value offset(Value v, uint64_t by) {
  v.constant += by;
  return v;
}
void put_le(std::vector<std::byte>& d, size_t at, uint64_t v, uint32_t size) {
  for (uint32_t i = 0; i < size && at + i < d.size(); ++i) d[at + i] = static_cast<std::byte>(v >> (8 * i));
}
uint64_t hidden_value(Hidden h, Dim3 grid, Dim3 block, uint32_t dyn_lds) {
  switch (h) {
    case Hidden::block_count_x: return grid.x;
    case Hidden::block_count_y: return grid.y;
    case Hidden::block_count_z: return grid.z;
    case Hidden::group_size_x: return block.x;
    case Hidden::group_size_y: return block.y;
    case Hidden::group_size_z: return block.z;
    case Hidden::grid_dims: return grid.z * block.z > 1 ? 3 : grid.y * block.y > 1 ? 2 : 1;
    case Hidden::dynamic_lds_size: return dyn_lds;
    default: return 0;  // remainders (whole workgroups only), global offsets, and the rest
  }
}

// Side data of one launch: the kernel arguments (the user block, then the hidden ones by their
// metadata offsets), then an hsa_kernel_dispatch_packet_t for kernels that ask for a dispatch pointer.
// Returns the offsets of both in the stream's side data.
std::pair<uint32_t, uint32_t> place_arguments(detail::CommandStream& s, const AmdKernel& ak, const KernelArgs& args, Dim3 grid,
                                              Dim3 block) {
  const uint32_t at = static_cast<uint32_t>(round_up(s.data.size(), std::max(ak.kernarg_align, kernarg_min_align)));
  const uint32_t packet_at = static_cast<uint32_t>(round_up(at + ak.kernarg_size, kernarg_min_align));
  s.data.resize(packet_at + dispatch_packet_bytes);
  std::memcpy(s.data.data() + at, args.bytes().data(), std::min<size_t>(args.bytes().size(), ak.kernarg_size));
  for (const auto& patch : args.patches()) s.sites.push_back({patch.var, 1, patch.width, 0, at + patch.offset, 0});
  for (const HiddenArg& h : ak.hidden) put_le(s.data, at + h.offset, hidden_value(h.kind, grid, block, args.dynamic_shared_bytes()), h.size);
  put_le(s.data, packet_at + 4, block.x, 2);  // workgroup_size_x/y/z at 4, grid_size_x/y/z at 12
  put_le(s.data, packet_at + 6, block.y, 2);
  put_le(s.data, packet_at + 8, block.z, 2);
  put_le(s.data, packet_at + 12, uint64_t{grid.x} * block.x, 4);
  put_le(s.data, packet_at + 16, uint64_t{grid.y} * block.y, 4);
  put_le(s.data, packet_at + 20, uint64_t{grid.z} * block.z, 4);
  s.relocs.push_back({1, 0, 0, 32, packet_at + 40, at});  // kernarg_address at 40
  s.relocs.push_back({1, 32, 0, 32, packet_at + 44, at});
  return {at, packet_at};
}

}  // namespace

AmComputeQueue::AmComputeQueue(std::shared_ptr<detail::DeviceImpl> self, AmDevice& device)
    : QueueImpl(std::move(self), QueueKind::compute), am_(device), gfx_(*device.gpu().block<GfxV11>()) {
  hw_ = gfx_.create_compute_queue(ring_bytes);
  arena_ = device.gpu().alloc_host(arena_bytes);
  am_.add_health_check(this, [this]() -> std::string {
    const uint32_t e = gfx_.queue_error(*hw_);
    return e ? fmt::format("{} (HQD {}) stopped: CP_HQD_ERROR={}", name(), hw_->queue, e) : "";
  });
}

AmComputeQueue::~AmComputeQueue() {
  am_.remove_health_check(this);
  gfx_.destroy_compute_queue(std::move(hw_));
  am_.gpu().free_host(arena_);
}

void AmComputeQueue::encode_wait(detail::CommandStream& s, Value addr, Value value) {
  pm4::Pm4 p(s);
  auto b = p.reserve(pm4::Pm4::wait_reg_mem_dwords);
  p.wait_mem(addr, Word::lo(value), 0xffffffffu, pm4::Compare::ge);
}

void AmComputeQueue::encode_signal(detail::CommandStream& s, Value addr, Value value) {
  pm4::Pm4 p(s);
  auto b = p.reserve(pm4::Pm4::release_mem_dwords);
  p.release_mem(addr, value, pm4::DataSel::value64);
}

void AmComputeQueue::encode_timestamp(detail::CommandStream& s, Value addr) {
  pm4::Pm4 p(s);
  auto b = p.reserve(pm4::Pm4::release_mem_dwords);
  p.release_mem(addr, 0, pm4::DataSel::gpu_clock);
}

void AmComputeQueue::encode_barrier(detail::CommandStream& s) {
  pm4::Pm4 p(s);
  auto b = p.reserve(pm4::Pm4::event_write_dwords + pm4::Pm4::acquire_mem_dwords);
  p.event_write(pm4::event_cs_partial_flush, pm4::event_index_cs_partial_flush);
  p.acquire_mem();
}

void AmComputeQueue::encode_copy(detail::CommandStream& s, Value dst, Value src, uint64_t bytes) {
  pm4::Pm4 p(s);
  for (uint64_t done = 0; done < bytes;) {
    const auto n = static_cast<uint32_t>(std::min<uint64_t>(bytes - done, pm4::dma::max_chunk));
    p.dma_data(offset(dst, done), offset(src, done), n);
    done += n;
  }
}

void AmComputeQueue::encode_exec(detail::CommandStream& s, const detail::KernelImpl& k, const KernelArgs& args, Dim3 grid,
                                 Dim3 block) {
  const auto& prog = static_cast<const AmProgram&>(*k.program);
  const AmdKernel& ak = prog.kernel(k);
  const uint16_t props = ak.kd.kernel_code_properties;
  if (ak.info.private_bytes != 0 || (props & unsupported_sgprs))
    return fail(Errc::unsupported, fmt::format("{}: kernels with scratch, dispatch ids or flat scratch are not supported on am yet "
                                               "(private {} bytes, kernel_code_properties {:#x})",
                                               ak.info.name, ak.info.private_bytes, props));
  const auto [at, packet_at] = place_arguments(s, ak, args, grid, block);

  // User SGPRs in kernel_code_properties order; addresses inside the side data are relocations.
  struct User {
    uint32_t value;
    int32_t data_offset = -1;
    uint8_t shift = 0;
  };
  std::vector<User> user;
  if (props & kcp::private_segment_buffer) user.insert(user.end(), 4, User{0});
  if (props & kcp::dispatch_ptr) user.insert(user.end(), {User{0, int32_t(packet_at), 0}, User{0, int32_t(packet_at), 32}});
  if (props & kcp::queue_ptr) user.insert(user.end(), 2, User{0});
  if (props & kcp::kernarg_segment_ptr) user.insert(user.end(), {User{0, int32_t(at), 0}, User{0, int32_t(at), 32}});
  // The hardware loads as many user SGPRs as the descriptor declares (LLVM may declare more than the
  // properties use, e.g. 15 for a kernarg pointer alone on gfx1100); the rest are zero.
  const uint32_t declared = gc::COMPUTE_PGM_RSRC2["user_sgpr"].get(ak.kd.compute_pgm_rsrc2);
  if (declared < user.size() || declared > gc::compute_user_data_count)
    return fail(Errc::unsupported, fmt::format("{}: the descriptor declares {} user SGPRs, its properties {:#x} need {}", ak.info.name,
                                               declared, props, user.size()));
  user.resize(declared, User{0});

  auto& gpu = am_.gpu();
  const uint64_t code = prog.code_va(k);
  const uint32_t lds = static_cast<uint32_t>((ak.info.shared_bytes + args.dynamic_shared_bytes() + lds_granule - 1) / lds_granule);
  const uint32_t rsrc2 = ak.kd.compute_pgm_rsrc2 | gc::COMPUTE_PGM_RSRC2["lds_size"](lds);
  pm4::Pm4 p(s);
  p.acquire_mem();
  p.set_sh_reg(gpu.address(gc::COMPUTE_PGM_LO), {static_cast<uint32_t>(code >> 8), static_cast<uint32_t>(code >> 40)});
  p.set_sh_reg(gpu.address(gc::COMPUTE_PGM_RSRC1), {ak.kd.compute_pgm_rsrc1, rsrc2});
  p.set_sh_reg(gpu.address(gc::COMPUTE_PGM_RSRC3), {ak.kd.compute_pgm_rsrc3});
  p.set_sh_reg(gpu.address(gc::COMPUTE_TMPRING_SIZE), {0u});
  p.set_sh_reg(gpu.address(gc::COMPUTE_RESTART_X), {0u, 0u, 0u});
  if (!user.empty()) {
    std::vector<Word> words(user.size(), Word(0u));
    p.set_sh_reg(gpu.address(gc::COMPUTE_USER_DATA_0), words);
    const size_t first = s.words.size() - user.size();
    for (size_t i = 0; i < user.size(); ++i)
      if (user[i].data_offset >= 0)
        s.relocs.push_back({0, user[i].shift, 0, 32, static_cast<uint32_t>((first + i) * 4), static_cast<uint32_t>(user[i].data_offset)});
  }
  p.set_sh_reg(gpu.address(gc::COMPUTE_RESOURCE_LIMITS), {0u});
  p.set_sh_reg(gpu.address(gc::COMPUTE_START_X), {0u, 0u, 0u, block.x, block.y, block.z});
  const uint32_t initiator = pm4::dispatch::compute_shader_en | pm4::dispatch::force_start_at_000 |
                             ((props & kcp::wavefront_size32) ? pm4::dispatch::cs_w32_en : 0);
  p.dispatch_direct(grid.x, grid.y, grid.z, initiator);
  p.event_write(pm4::event_cs_partial_flush, pm4::event_index_cs_partial_flush);
}

void AmComputeQueue::encode_indirect(detail::CommandStream& s, detail::BoundStream& b) {
  auto& bound = static_cast<detail::PlacedStream&>(b);
  pm4::Pm4 p(s);
  auto budget = p.reserve(pm4::Pm4::indirect_buffer_dwords);
  p.indirect_buffer(bound.words_va(), bound.dwords());
}

std::unique_ptr<detail::BoundStream> AmComputeQueue::bind(detail::CommandStream&& s) {
  return bind_stream(am_, std::move(s));
}

void AmComputeQueue::wait_completed(uint64_t submit, const char* what) {
  const auto end = std::chrono::steady_clock::now() + completion_timeout;
  while (completed() < submit) {
    if (am_.lost()) throw Error(Errc::device_lost, am_.uri(), name(), am_.lost_reason());
    if (std::chrono::steady_clock::now() > end) {
      am_.poll_health();
      throw Error(Errc::timeout, am_.uri(), name(),
                  fmt::format("waiting for room in the {}: submit {} not done after {} s (completed {}, rptr {})", what, submit,
                              completion_timeout.count(), completed(), *hw_->rptr()));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

// Ring-ordered space in the arena; a range is reused once the submit that used it completed.
uint64_t AmComputeQueue::arena_alloc(uint64_t bytes) {
  if (bytes > arena_bytes / 2)
    throw Error(Errc::unsupported, am_.uri(), name(),
                fmt::format("one submit of {} KiB: more than {} KiB of commands and arguments", bytes >> 10, arena_bytes >> 11));
  if (arena_at_ + bytes > arena_bytes) arena_at_ = 0;
  const uint64_t begin = arena_at_, end = begin + bytes;
  while (!in_flight_.empty() && completed() >= in_flight_.front().submit) in_flight_.pop_front();
  for (const InFlight& f : in_flight_)
    if (f.begin < end && begin < f.end) wait_completed(f.submit, "argument arena");
  while (!in_flight_.empty() && completed() >= in_flight_.front().submit) in_flight_.pop_front();
  arena_at_ = round_up(end, data_align);
  return begin;
}

void AmComputeQueue::push(detail::CommandStream& s) {
  const uint64_t data_bytes = round_up(s.data.size(), data_align);
  const uint64_t total = data_bytes + s.words.size() * 4;
  if (s.words.size() > pm4::ib::size_mask)
    throw Error(Errc::unsupported, am_.uri(), name(), fmt::format("a submit of {} dwords: an IB holds at most {}", s.words.size(), pm4::ib::size_mask));
  const uint32_t ring_dwords = ring_bytes / 4;
  if (in_flight_.size() + 1 >= ring_dwords / pm4::Pm4::indirect_buffer_dwords) wait_completed(in_flight_.front().submit, "ring");
  const uint64_t at = arena_alloc(total);
  std::byte* base = arena_.buffer->cpu() + at;
  const uint64_t va = arena_.va + at;
  s.apply_relocs(va, s.words.data(), s.data.data());
  if (!s.data.empty()) std::memcpy(base, s.data.data(), s.data.size());  // an empty vector's data() may be null
  std::memcpy(base + data_bytes, s.words.data(), s.words.size() * 4);
  if (am_.logger()->should_log(spdlog::level::trace))
    am_.logger()->trace("{}: submit {} at GPU {:#x}:\n{}", name(), submitted(), va + data_bytes, pm4::decode(s.words));
  in_flight_.push_back({submitted(), at, at + total});

  detail::CommandStream ib;
  pm4::Pm4(ib).indirect_buffer(va + data_bytes, static_cast<uint32_t>(s.words.size()));
  auto* ring = reinterpret_cast<uint32_t*>(hw_->ring());
  for (uint32_t w : ib.words) ring[wptr_++ % ring_dwords] = w;
  gfx_.kick(*hw_, wptr_);
}

std::unique_ptr<detail::BoundStream> bind_stream(AmDevice& device, detail::CommandStream&& s) {
  return std::make_unique<detail::PlacedStream>(std::move(s), data_align, [&device](uint64_t bytes) {
    return device.alloc(bytes, MemoryKind::host, data_align, true);
  });
}

}  // namespace hcq::am
