#include "queue.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "cubin_program.hpp"
#include "pkt/pushbuf.hpp"
#include "pkt/qmd.hpp"
#include "registers/compute.hpp"
#include "registers/copy.hpp"
#include "registers/host.hpp"
#include "round_up.hpp"

namespace hcq::nv {

namespace {

constexpr uint32_t gpfifo_entries = 0x4000;
constexpr uint64_t ring_bytes = 16ull << 20;
constexpr uint32_t subc_compute = 1;  // the subchannels our channels bind their engine object on
constexpr uint32_t subc_copy = 4;
constexpr uint32_t subc_host = 0;     // host methods (< 0x100) go on any subchannel
constexpr uint64_t max_copy_chunk = 1ull << 30;  // LINE_LENGTH_IN is 32 bits
// Windows through which kernels see shared and local memory as generic addresses. On Hopper the
// shared window must be 4 GiB aligned; both sit far above every buffer the device hands out.
constexpr uint64_t shared_window = 0x729400000000ull;
constexpr uint64_t local_window = 0x729300000000ull;
// Per-thread stack top inside the local window that every nvcc kernel loads from c[0x0][0x28]
// (16 MiB - 0x240; the value libcuda writes, seen in public traces).
constexpr uint32_t stack_top = 0x00FFFDC0;

namespace h = reg::host;
// Waits compare circularly (wrap-safe) on 64 bits and let the channel group's other channels run
// meanwhile: compute and copy queues share one group.
constexpr uint32_t sem_wait64 = h::sem_execute_acq_circ_geq64 | h::sem_execute_acquire_switch_tsg(1);
// A timestamp without touching the value: an unsigned 64-bit reduction adding 0, with the
// release's wait-for-idle and its timestamp at +8 (clc56f.h REDUCTION 30:27, IADD 5, FORMAT 31).
constexpr uint32_t sem_timestamp64 = h::sem_execute_operation(h::sem_execute_operation_reduction) | h::sem_execute_release_wfi(1) |
                                     h::sem_execute_payload_size(h::sem_execute_payload_size_64bit) |
                                     h::sem_execute_release_timestamp(1) | h::sem_execute_reduction(5) |
                                     h::sem_execute_reduction_format(1);

using detail::round_up;

Value offset(Value v, uint64_t by) {
  v.constant += by;
  return v;
}

}  // namespace

NvQueue::NvQueue(std::shared_ptr<detail::DeviceImpl> self, NvDevice& device, QueueKind kind)
    : QueueImpl(std::move(self), kind), nv_(device) {
  entries_ = gpfifo_entries;
  // The GPFIFO ring, then USERD (512-byte aligned) in one piece of device memory the CPU maps.
  uint64_t userd_off = round_up(uint64_t{entries_} * 8, 512);
  gpfifo_ = nv_.alloc_internal(userd_off + 4096, MemoryKind::device_host_visible);
  ring_ = nv_.alloc_internal(ring_bytes, MemoryKind::device_host_visible);
  std::memset(gpfifo_->cpu, 0, userd_off + 4096);
  gp_ring_ = reinterpret_cast<volatile uint64_t*>(gpfifo_->cpu);
  userd_ = reinterpret_cast<volatile uint32_t*>(gpfifo_->cpu + userd_off);
  const Chip& chip = nv_.chip();
  bool compute = kind == QueueKind::compute;
  channel_ = nv_.create_channel(gpfifo_->gpu_va, entries_, nv_.memory_handle(gpfifo_->gpu_va),
                                nv_.memory_offset(gpfifo_->gpu_va) + userd_off, compute ? chip.compute_class : chip.copy_class,
                                compute ? "compute channel" : "copy channel");
  nv_.register_nv_queue(this);
}

NvQueue::~NvQueue() {
  drain(std::chrono::seconds(5));
  nv_.unregister_nv_queue(this);
  nv_.destroy_channel(channel_);
}

std::string NvQueue::describe_state() const {
  return fmt::format("channel {:#x}: GPGet {} GPPut {} (of {} entries), {} submits done of {}", channel_.handle,
                     userd_[reg::host::userd_gp_get / 4], userd_[reg::host::userd_gp_put / 4], entries_, completed(), submitted());
}

// The RM reports a stopped channel (a robust-channel recovery: the whole channel group stops) in
// its error notifier: NvNotification {u64 timestamp, u32 info32, u16 info16, u16 status}
// (src/common/sdk/nvidia/inc/nvtypes.h); status non-zero is an error and info32 the RC code that
// dmesg prints as an Xid (NVIDIA's "XID errors" document: 13 graphics engine exception, 31 MMU
// fault, 43 channel stopped, 45 preemptive removal after another channel's error).
std::string NvQueue::health() const noexcept {
  uint8_t n[16];
  std::memcpy(n, const_cast<const std::byte*>(static_cast<volatile std::byte*>(channel_.notifier)), sizeof(n));
  uint16_t status;
  uint32_t xid;
  std::memcpy(&status, n + 14, 2);
  if (status == 0) return {};
  std::memcpy(&xid, n + 8, 4);
  const char* what = xid == 13   ? "graphics engine exception: a kernel trapped or ran an illegal instruction"
                     : xid == 31 ? "MMU fault: a kernel or copy touched an unmapped or read-only address"
                     : xid == 43 ? "the GPU stopped processing the channel"
                     : xid == 45 ? "stopped after an error on another channel of the group"
                                 : "channel error";
  try {
    return fmt::format("Xid {}: {} (notifier status {:#x}, written to {})", xid, what, status, name());
  } catch (...) {
    return "channel error";
  }
}

void NvQueue::watch_progress() noexcept {
  using clock = std::chrono::steady_clock;
  uint64_t done = completed();
  uint32_t get = userd_[reg::host::userd_gp_get / 4];
  auto now = clock::now();
  if (done >= submitted() || done != watched_done_ || get != watched_get_ || watched_at_ == clock::time_point{}) {
    watched_done_ = done;
    watched_get_ = get;
    watched_at_ = now;
    return;
  }
  if (now - watched_at_ < std::chrono::seconds(1)) return;
  ++rekicks_;
  try {
    nv_.logger()->warn("{}: no progress for {} ms ({}); ringing its doorbell again (time {})", name(),
                       std::chrono::duration_cast<std::chrono::milliseconds>(now - watched_at_).count(), describe_state(), rekicks_);
  } catch (...) {
  }
  std::atomic_thread_fence(std::memory_order_seq_cst);
  *nv_.doorbell() = channel_.token;
  watched_at_ = now;
}

// Binds the engine object to its subchannel and, on compute, the shared and local windows.
void NvQueue::setup_channel(detail::CommandStream& s) {
  PushBuf p(s);
  if (kind() == QueueKind::copy) {
    p.inc(subc_copy, reg::host::set_object, {nv_.chip().copy_class});
    return;
  }
  p.inc(subc_compute, reg::host::set_object, {nv_.chip().compute_class});
  p.inc(subc_compute, reg::compute::set_shader_shared_memory_window_a,
        {static_cast<uint32_t>(shared_window >> 32), static_cast<uint32_t>(shared_window)});
  p.inc(subc_compute, reg::compute::set_shader_local_memory_window_a,
        {static_cast<uint32_t>(local_window >> 32), static_cast<uint32_t>(local_window)});
}

void NvQueue::bind_local_memory(detail::CommandStream& s, const NvDevice::LocalMemory& lm) {
  PushBuf p(s);
  p.inc(subc_compute, reg::compute::set_shader_local_memory_a, {static_cast<uint32_t>(lm.va >> 32), static_cast<uint32_t>(lm.va)});
  // Bytes per TPC (upper, lower), then the SM count limit; 0xFF leaves the TPC counts unlimited.
  p.inc(subc_compute, reg::compute::set_shader_local_memory_non_throttled_a,
        {static_cast<uint32_t>(lm.per_tpc >> 32), static_cast<uint32_t>(lm.per_tpc), 0xFF});
  local_per_thread_ = lm.per_thread;
}

void NvQueue::encode_wait(detail::CommandStream& s, Value addr, Value value) {
  PushBuf p(s);
  p.host_semaphore(subc_host, addr, value, sem_wait64);
}

void NvQueue::encode_signal(detail::CommandStream& s, Value addr, Value value) {
  PushBuf p(s);
  p.host_semaphore(subc_host, addr, value, reg::host::sem_execute_release64);
}

// A semaphore reduction that adds 0 to the signal's value writes the timestamp after it
// without changing the value: `addr` is the timestamp slot, 8 bytes after the value.
void NvQueue::encode_timestamp(detail::CommandStream& s, Value addr) {
  PushBuf p(s);
  Value slot = addr;
  slot.constant -= 8;
  p.host_semaphore(subc_host, slot, Value(0), sem_timestamp64);
}

void NvQueue::encode_barrier(detail::CommandStream& s) {
  PushBuf p(s);
  p.inc(subc_host, reg::host::wfi, {reg::host::wfi_scope_all});
  p.inc(subc_host, reg::host::mem_op_a, {0, 0, reg::host::mem_op_c_membar_type_sys_membar, reg::host::mem_op_d_operation(reg::host::mem_op_d_operation_membar)});
}

void NvQueue::encode_copy(detail::CommandStream& s, Value dst, Value src, uint64_t bytes) {
  if (kind() == QueueKind::compute) return encode_kernel_copy(s, dst, src, bytes);
  PushBuf p(s);
  bool first = true;
  for (uint64_t done = 0; done < bytes; done += max_copy_chunk) {
    uint64_t n = std::min(max_copy_chunk, bytes - done);
    Value from = offset(src, done), to = offset(dst, done);
    p.inc_values(subc_copy, reg::copy::offset_in_upper, {{from, 32}, {from, 0}, {to, 32}, {to, 0}});
    p.inc(subc_copy, reg::copy::line_length_in, {static_cast<uint32_t>(n), 1});
    p.inc(subc_copy, reg::copy::launch_dma, {first ? reg::copy::launch_dma_linear_non_pipelined : reg::copy::launch_dma_linear_pipelined});
    first = false;
  }
}

// Compute queues have no copy engine: their copies are launches of the built-in copy kernel
// (nv/kernels/copy.cu), ordered like any other launch. Enough blocks to fill every SM (8 blocks
// of 256 threads each) and no more: the kernel strides over the rest.
void NvQueue::encode_kernel_copy(detail::CommandStream& s, Value dst, Value src, uint64_t bytes) {
  if (bytes == 0) return;
  if (!copy_kernel_) {  // the device's lookup takes a lock: once per queue
    std::string why;
    copy_kernel_ = nv_.copy_kernel(&why);
    if (!copy_kernel_) return fail(Errc::unsupported, "copy on a compute queue: " + why);
  }
  const detail::KernelImpl* k = copy_kernel_;
  constexpr uint32_t block = 256;              // copy.cu: block_threads
  constexpr uint64_t bytes_per_thread = 4 * 16;  // copy.cu: unroll x 16-byte vectors per pass
  const uint64_t most_blocks = std::max<uint64_t>(1, uint64_t{nv_.tpc_count()} * 2 * 8);
  const uint64_t blocks = std::clamp<uint64_t>((bytes + block * bytes_per_thread - 1) / (block * bytes_per_thread), 1, most_blocks);
  // Parameters (copy.cu: hcq_copy): dst, src, bytes, threads; each 8 bytes.
  std::array<uint64_t, 4> params{dst.is_var() ? 0 : dst.constant, src.is_var() ? 0 : src.constant, bytes, blocks * block};
  std::optional<uint32_t> at = encode_launch(s, cubin_kernel(*k), k->info.name, std::as_bytes(std::span(params)), 0,
                                             Dim3{static_cast<uint32_t>(blocks), 1, 1}, Dim3{block, 1, 1});
  if (!at) return;
  if (dst.is_var()) s.sites.push_back({dst.var, 1, 8, 0, *at, dst.constant});
  if (src.is_var()) s.sites.push_back({src.var, 1, 8, 0, *at + 8, src.constant});
}

void NvQueue::encode_exec(detail::CommandStream& s, const detail::KernelImpl& k, const KernelArgs& args, Dim3 grid, Dim3 block) {
  const NvKernel& kernel = cubin_kernel(k);
  std::optional<uint32_t> params = encode_launch(s, kernel, k.info.name, args.bytes(), args.dynamic_shared_bytes(), grid, block);
  if (!params) return;
  for (const auto& patch : args.patches()) s.sites.push_back({patch.var, 1, patch.width, 0, *params + patch.offset, 0});
}

// Constant bank 0 and the QMD of one launch in the side data, and what starts it in the words.
// Returns where the parameters went in the side data; nullopt when the launch was refused.
std::optional<uint32_t> NvQueue::encode_launch(detail::CommandStream& s, const NvKernel& kernel, std::string_view name,
                                               std::span<const std::byte> params, uint32_t dynamic_shared, Dim3 grid, Dim3 block) {
  if (kernel.local_per_thread > local_per_thread_) bind_local_memory(s, nv_.ensure_local_memory(kernel.local_per_thread));

  // Side data: the QMD (256-byte aligned), then constant bank 0 (64-byte aligned).
  const QmdLayout& layout = qmd_layout(nv_.chip().qmd_major);
  size_t q = round_up(s.data.size(), 256);
  size_t c = q + layout.dwords * 4;  // a multiple of 64
  s.data.resize(c + kernel.cbank0_bytes);
  std::byte* cb = s.data.data() + c;
  std::memcpy(cb, kernel.cbank0.data(), kernel.cbank0.size());
  auto put32 = [&](uint32_t at, uint32_t v) { std::memcpy(cb + at, &v, 4); };
  auto put64 = [&](uint32_t at, uint64_t v) { std::memcpy(cb + at, &v, 8); };
  put32(cbank0::block_x, block.x);
  put32(cbank0::block_y, block.y);
  put32(cbank0::block_z, block.z);
  put32(cbank0::grid_x, grid.x);
  put32(cbank0::grid_y, grid.y);
  put32(cbank0::grid_z, grid.z);
  put64(cbank0::shared_window, shared_window);
  put64(cbank0::local_window, local_window);
  put32(cbank0::stack_top, stack_top);
  put32(cbank0::dynamic_shared, dynamic_shared);
  std::memcpy(cb + kernel.param_base, params.data(), params.size());

  // The kernel's encoded QMD plus what this launch changes; bank 0's address is relocated below.
  std::span<uint32_t> qmd(reinterpret_cast<uint32_t*>(s.data.data() + q), layout.dwords);
  std::memcpy(qmd.data(), kernel.qmd.data(), layout.dwords * 4);
  const uint32_t g[3] = {grid.x, grid.y, grid.z}, b[3] = {block.x, block.y, block.z};
  bool fits = true;
  for (unsigned i = 0; i < 3; ++i) fits = fits && set_field(qmd, layout.grid[i], g[i]) && set_field(qmd, layout.block[i], b[i]);
  if (!fits) {
    s.data.resize(q);
    fail(Errc::invalid_argument, fmt::format("exec of '{}': grid {}x{}x{} or block {}x{}x{} does not fit the launch descriptor", name,
                                             grid.x, grid.y, grid.z, block.x, block.y, block.z));
    return std::nullopt;
  }
  if (dynamic_shared != 0 && !set_shared_memory(layout, qmd, kernel.launch.shared_memory_bytes + dynamic_shared)) {
    s.data.resize(q);
    fail(Errc::invalid_argument, fmt::format("exec of '{}': {} bytes of dynamic shared memory do not fit the SM", name, dynamic_shared));
    return std::nullopt;
  }
  const QmdSplit where = constant_buffer_address(layout, 0);
  for (auto [field, shift] : {std::pair{where.lower, where.shift}, std::pair{where.upper, static_cast<uint8_t>(where.shift + 32)}}) {
    s.relocs.push_back({1, shift, static_cast<uint8_t>(field.lo % 32), static_cast<uint8_t>(field.width()),
                        static_cast<uint32_t>(q + field.lo / 32 * 4), static_cast<uint32_t>(c)});
  }
  order_launch(s, layout, static_cast<uint32_t>(q));
  return static_cast<uint32_t>(c + kernel.param_base);
}

// Operations of a queue run one after another (the hcq contract): the engine would otherwise
// overlap consecutive grids. A launch straight after another in the same stream is started by
// the engine when the previous grid completes (the previous QMD names it as its dependent); any
// other launch waits for the channel to be idle first. `q`: the new QMD's side-data offset.
void NvQueue::order_launch(detail::CommandStream& s, const QmdLayout& layout, uint32_t q) {
  if (layout.dependent_qmd0_pointer.present() && s.tail_words == s.words.size()) {
    std::span<uint32_t> prev(reinterpret_cast<uint32_t*>(s.data.data() + s.tail_data), layout.dwords);
    bool ok = set_field(prev, layout.dependent_qmd0_enable, 1) &&
              set_field(prev, layout.dependent_qmd0_action, dependent_action_qmd_schedule) &&
              set_field(prev, layout.dependent_qmd0_prefetch, 1);
    // What the previous grid wrote must be visible to this one, on the same GPU: a GPU-scope
    // membar at its end is enough, and with task chasing the engine overlaps it with starting this
    // grid. The last launch of a chain keeps its system-scope membar, which carries the writes of
    // the grids before it to the host too before anything after the chain (a signal) runs. This
    // is what libcuda sets on a graph's launches (its QMDs, read on the H100: docs/nv.md), and we
    // rely on that: no test here can tell the membar types apart (docs/nv.md says why).
    if (layout.cwd_membar_task_chasing.present()) {
      ok = ok && set_field(prev, layout.cwd_membar_type, cwd_membar_l1_membar) && set_field(prev, layout.cwd_membar_task_chasing, 1);
    }
    assert(ok && "dependent QMD flags fit their fields");
    (void)ok;
    const QmdField& f = layout.dependent_qmd0_pointer;
    s.relocs.push_back({1, f.shift, static_cast<uint8_t>(f.lo % 32), static_cast<uint8_t>(f.width()),
                        static_cast<uint32_t>(s.tail_data + f.lo / 32 * 4), q});
    // The chain's first launch invalidated the instruction, constant and texture caches, and no
    // code, constant bank or texture this chain uses can change while it runs (programs are loaded
    // before recording and live as long as the streams that launch them; every launch has its own
    // bank 0, invalidated by its CONSTANT_BUFFER_INVALIDATE flag). The data caches are invalidated
    // on every launch: a grid may read what the one before it wrote.
    std::span<uint32_t> cur(reinterpret_cast<uint32_t*>(s.data.data() + q), layout.dwords);
    bool kept = set_field(cur, layout.invalidate_texture_header_cache, 0) && set_field(cur, layout.invalidate_texture_sampler_cache, 0) &&
                set_field(cur, layout.invalidate_instruction_cache, 0) && set_field(cur, layout.invalidate_shader_constant_cache, 0);
    assert(kept && "cache invalidation flags are one-bit fields");
    (void)kept;
  } else {
    PushBuf p(s);
    p.inc(subc_host, reg::host::wfi, {reg::host::wfi_scope_all});
    p.inc(subc_compute, reg::compute::send_pcas_a, {0});
    s.relocs.push_back({0, 8, 0, 32, static_cast<uint32_t>((s.words.size() - 1) * 4), q});
    // libcuda's action (with the prefetch): 5% less per launch than invalidate-copy-schedule
    // without it, on the H100 (docs/benchmarks.md).
    p.inc(subc_compute, reg::compute::send_signaling_pcas2_b, {reg::compute::pcas_action_invalidate_prefetch_copy_schedule});
  }
  s.tail_words = s.words.size();
  s.tail_data = q;
}

void NvQueue::encode_indirect(detail::CommandStream& s, detail::BoundStream& b) {
  auto& bound = static_cast<detail::PlacedStream&>(b);
  indirect_.push_back({&s, s.words.size(), bound.words_va(), bound.dwords()});
}

uint64_t NvQueue::ring_alloc(uint64_t bytes) {
  using clock = std::chrono::steady_clock;
  bytes = round_up(bytes, 256);
  if (bytes > ring_bytes / 2) {
    throw Error(Errc::invalid_argument, nv_.uri(), name(),
                fmt::format("one submit needs {} KiB of commands; split it (the ring holds {} MiB)", bytes >> 10, ring_bytes >> 20));
  }
  auto deadline = clock::now() + std::chrono::seconds(30);
  for (;;) {
    uint64_t done = completed();
    while (!in_flight_.empty() && in_flight_.front().seq <= done) in_flight_.pop_front();
    if (in_flight_.empty()) {
      if (wptr_ + bytes > ring_bytes) wptr_ = 0;
      return wptr_;
    }
    uint64_t tail = in_flight_.front().begin;
    if (wptr_ >= tail) {
      if (wptr_ + bytes <= ring_bytes) return wptr_;
      if (bytes < tail) return wptr_ = 0;
    } else if (wptr_ + bytes < tail) {
      return wptr_;
    }
    nv_.poll_health();
    if (nv_.lost()) throw Error(Errc::device_lost, nv_.uri(), name(), "command ring full and device lost: " + nv_.lost_reason());
    if (clock::now() > deadline) {
      throw Error(Errc::timeout, nv_.uri(), name(),
                  fmt::format("command ring full for 30 s: the GPU made no progress; {}", describe_state()));
    }
    std::this_thread::yield();
  }
}

void NvQueue::add_gp_entry(uint64_t va, uint32_t dwords) {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::seconds(30);
  while (gp_put_ - gp_seen_ >= entries_ - 1) {
    uint32_t get = userd_[reg::host::userd_gp_get / 4];
    gp_seen_ = gp_put_ - ((gp_put_ - get) % entries_);
    if (gp_put_ - gp_seen_ < entries_ - 1) break;
    if (clock::now() > deadline) {
      throw Error(Errc::timeout, nv_.uri(), name(), fmt::format("GPFIFO full for 30 s; {}", describe_state()));
    }
    std::this_thread::yield();
  }
  gp_ring_[gp_put_ % entries_] = hcq::nv::gp_entry(va, dwords);
  ++gp_put_;
}

void NvQueue::kick() {
  userd_[reg::host::userd_gp_put / 4] = static_cast<uint32_t>(gp_put_ % entries_);
  // The ring, the entry and GPPut must reach the GPU before the doorbell does.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  *nv_.doorbell() = channel_.token;
}

void NvQueue::push(detail::CommandStream& s) {
  if (!set_up_) {
    detail::CommandStream setup;
    setup_channel(setup);
    set_up_ = true;
    // Placed as its own segment ahead of this submit, freed with it.
    s.words.insert(s.words.begin(), setup.words.begin(), setup.words.end());
    for (auto& r : s.relocs) {
      if (r.space == 0) r.offset += static_cast<uint32_t>(setup.words.size() * 4);
    }
    for (auto& i : indirect_) {
      if (i.stream == &s) i.at += setup.words.size();
    }
  }
  uint64_t data_bytes = round_up(s.data.size(), 256);
  uint64_t at = ring_alloc(data_bytes + s.words.size() * 4);
  std::byte* base = ring_->cpu + at;
  uint64_t va = ring_->gpu_va + at;
  s.apply_relocs(va, s.words.data(), s.data.data());
  if (nv_.logger()->should_log(spdlog::level::trace)) {
    std::string words;
    for (size_t i = 0; i < s.words.size(); ++i) words += fmt::format("{}{:08x}", i % 8 ? " " : "\n  ", s.words[i]);
    nv_.logger()->trace("{}: push {} words at GPU {:#x}, {} bytes of side data at {:#x}:{}", name(), s.words.size(), va + data_bytes,
                        s.data.size(), va, words);
    for (size_t off = 0; off + 32 <= s.data.size(); off += 32) {
      const auto* d = reinterpret_cast<const uint32_t*>(s.data.data() + off);
      nv_.logger()->trace("  data+{:#05x}: {:08x} {:08x} {:08x} {:08x} {:08x} {:08x} {:08x} {:08x}", off, d[0], d[1], d[2], d[3], d[4],
                          d[5], d[6], d[7]);
    }
  }
  std::memcpy(base, s.data.data(), s.data.size());
  std::memcpy(base + data_bytes, s.words.data(), s.words.size() * 4);
  uint64_t words_va = va + data_bytes;

  // Segments: the stream's words, split where graph replays (bound streams) are called.
  size_t from = 0;
  for (const auto& i : indirect_) {
    if (i.stream != &s) continue;
    if (i.at > from) add_gp_entry(words_va + from * 4, static_cast<uint32_t>(i.at - from));
    add_gp_entry(i.va, i.dwords);
    from = i.at;
  }
  std::erase_if(indirect_, [&](const Indirect& i) { return i.stream == &s; });
  if (s.words.size() > from) add_gp_entry(words_va + from * 4, static_cast<uint32_t>(s.words.size() - from));
  wptr_ = round_up(at + data_bytes + s.words.size() * 4, 256);  // side data (QMDs) stays 256-byte aligned
  in_flight_.push_back({submitted(), at, wptr_});
  kick();
}

std::unique_ptr<detail::BoundStream> NvQueue::bind(detail::CommandStream&& s) {
  if (!indirect_.empty()) {
    throw Error(Errc::unsupported, nv_.uri(), name(), "a graph cannot launch another graph on nv");
  }
  // A graph's commands and side data in host-visible device memory, called from a queue's GPFIFO
  // as a segment of its own at every replay (side data 256-byte aligned for the QMDs).
  return std::make_unique<detail::PlacedStream>(std::move(s), 256, [this](uint64_t bytes) {
    return nv_.alloc_internal(bytes, MemoryKind::device_host_visible);
  });
}

}  // namespace hcq::nv
