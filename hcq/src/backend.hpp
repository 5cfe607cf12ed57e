// The contract between the vendor-neutral front end and a backend (cpu, nv, am, qcom, tt).
//
// The front end (hcq/src) owns validation, sticky recording errors, the timeline, signal slots,
// the chunked memory heaps, deferred release and graph patching. A backend implements:
//   DeviceImpl:  chunks of memory, queues, programs, properties;
//   QueueImpl:   an encoder per verb that appends the device's own command format to a
//                CommandStream, push() that hands a stream to the hardware, and bind() that places
//                a graph's stream in device-visible memory for replays.
// How a call travels: Queue::exec -> QueueImpl::record_exec (checks) -> backend encode_exec
// (commands into stream_) -> Queue::submit -> QueueImpl::submit (progress signal) -> push (ring,
// doorbell). See docs/architecture.md.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hcq/device.hpp"
#include "hcq/error.hpp"
#include "log.hpp"
#include "tlsf.hpp"

namespace hcq::detail {

class DeviceImpl;
class GraphImpl;

// ---------------------------------------------------------------------------------------------
// Memory

struct Chunk {
  uint64_t gpu_va = 0;
  std::byte* cpu = nullptr;  // the mapping, also for device memory (backends may need it); null if none
  uint64_t size = 0;
  uint64_t handle = 0;       // backend's own (RM handle, BO, mmap length)
};

// Sub-allocates one memory kind of one device inside large chunks (TLSF per chunk); an
// allocation at least half a chunk gets a chunk of its own, returned when it is freed.
class Heap {
 public:
  struct Allocation {
    uint64_t gpu_va;
    std::byte* cpu;
    size_t chunk;  // index into chunks_
  };
  Heap(DeviceImpl& device, MemoryKind kind, uint64_t chunk_size);
  ~Heap();
  std::optional<Allocation> allocate(uint64_t size, uint64_t alignment);
  void free(const Allocation& a);
  uint64_t bytes_in_chunks() const noexcept;

 private:
  struct Slot {
    Chunk chunk;
    std::unique_ptr<Tlsf> tlsf;  // null for a dedicated chunk
  };
  DeviceImpl& device_;
  MemoryKind kind_;
  uint64_t chunk_size_;
  std::vector<std::optional<Slot>> chunks_;
};

struct BufferImpl {
  std::shared_ptr<DeviceImpl> device;
  MemoryKind kind;
  uint64_t gpu_va;
  std::byte* cpu;  // null for MemoryKind::device (the contract), even where the backend has one
  uint64_t size;
  Heap::Allocation allocation;
  ~BufferImpl();
};

// ---------------------------------------------------------------------------------------------
// Signals

struct SignalImpl {
  std::shared_ptr<DeviceImpl> device;
  SignalSlot* slot;  // CPU view
  uint64_t gpu_va;
  uint32_t index;    // for messages
  bool timeline = false;
  ~SignalImpl();
};

// ---------------------------------------------------------------------------------------------
// Programs

struct KernelImpl {
  KernelInfo info;
  uint64_t entry = 0;        // backend's: a host function, a code address, a QMD template offset
  ProgramImpl* program = nullptr;
};

struct ProgramImpl {
  std::shared_ptr<DeviceImpl> device;
  std::string name;
  std::vector<KernelImpl> kernels;
  virtual ~ProgramImpl();
};

// ---------------------------------------------------------------------------------------------
// Command streams and patch sites

// A place in a recorded stream that holds a graph variable: value = var + addend, written as
// `width` bytes of (value >> shift). space 0 is the command words, space 1 the side data (kernel
// argument blocks, descriptors) that a backend keeps apart from its commands.
struct PatchSite {
  uint32_t var;
  uint8_t space;
  uint8_t width;  // 4 or 8
  uint8_t shift;  // 0 or 32 (a 64-bit value split into two 32-bit fields)
  uint32_t offset;
  uint64_t addend;
};

// A field that holds an address inside the stream's own side data, known only once the backend
// places the data in device memory (at push or bind): the 32-bit word at (space, offset) gets
// bits [lo, lo + bits) set to ((data base + data_offset) >> shift).
struct DataReloc {
  uint8_t space;
  uint8_t shift;
  uint8_t lo;
  uint8_t bits;
  uint32_t offset;
  uint32_t data_offset;
};

class CommandStream {
 public:
  std::vector<uint32_t> words;
  std::vector<std::byte> data;
  std::vector<PatchSite> sites;
  std::vector<DataReloc> relocs;  // used by backends whose commands point into `data` (nv)
  // The last command, when a backend may extend it instead of starting a new one (nv: the launch
  // whose descriptor a following launch chains to): valid only while words.size() == tail_words,
  // so any other command recorded after it ends it, and clear() forgets it.
  size_t tail_words = SIZE_MAX;
  uint32_t tail_data = 0;

  void put32(uint32_t w) { words.push_back(w); }
  void put64(uint64_t v) {
    words.push_back(static_cast<uint32_t>(v));
    words.push_back(static_cast<uint32_t>(v >> 32));
  }
  // A 64-bit value (lo, hi) that may be a graph variable.
  void put_value64(Value v) {
    if (v.is_var()) sites.push_back({v.var, 0, 8, 0, static_cast<uint32_t>(words.size() * 4), v.constant});
    put64(v.is_var() ? 0 : v.constant);
  }
  // A 32-bit value; for a variable, `shift` picks the half of the 64-bit value stored here.
  void put_value32(Value v, uint8_t shift = 0) {
    if (v.is_var()) sites.push_back({v.var, 0, 4, shift, static_cast<uint32_t>(words.size() * 4), v.constant});
    put32(v.is_var() ? 0 : static_cast<uint32_t>(v.constant >> shift));
  }
  void clear() {
    words.clear();
    data.clear();
    sites.clear();
    relocs.clear();
    tail_words = SIZE_MAX;
  }
  // Writes every relocation for side data placed at `data_base`, into `words` and `data_out`
  // (the placed copy of `data`, or `data` itself).
  void apply_relocs(uint64_t data_base, uint32_t* words_out, std::byte* data_out) const noexcept {
    for (const DataReloc& r : relocs) {
      auto* w = r.space == 0 ? words_out + r.offset / 4 : reinterpret_cast<uint32_t*>(data_out + r.offset);
      uint64_t mask = r.bits == 32 ? 0xffffffffull : ((1ull << r.bits) - 1);
      uint64_t v = ((data_base + r.data_offset) >> r.shift) & mask;
      *w = static_cast<uint32_t>((*w & ~(mask << r.lo)) | (v << r.lo));
    }
  }
  bool empty() const noexcept { return words.empty(); }
};

// A graph's stream placed where its queue's device reads it; replayed by launch().
class BoundStream {
 public:
  virtual ~BoundStream() = default;
  // The bytes a patch site refers to.
  virtual std::byte* resolve(uint8_t space, uint32_t offset) = 0;
  // Makes the device see patched bytes (no-op for coherent host memory).
  virtual void flush() {}
};

// A graph's stream placed once in memory the device reads and the CPU writes, for backends whose
// command processor fetches the words itself (nv, am): [side data, padded to `data_align`][words],
// relocations applied for that address. `alloc` makes the memory (`bytes` long).
class PlacedStream final : public BoundStream {
 public:
  PlacedStream(CommandStream&& s, uint64_t data_align, const std::function<std::shared_ptr<BufferImpl>(uint64_t bytes)>& alloc);
  std::byte* resolve(uint8_t space, uint32_t offset) override;
  void flush() override;
  uint64_t words_va() const noexcept { return memory_->gpu_va + data_bytes_; }
  uint32_t dwords() const noexcept { return dwords_; }

 private:
  std::shared_ptr<BufferImpl> memory_;
  uint64_t data_bytes_ = 0;
  uint32_t dwords_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Queues

class QueueImpl : public std::enable_shared_from_this<QueueImpl> {
 public:
  // A `hardware` queue is registered with the device (deferred release waits for it); a graph
  // recorder is not.
  QueueImpl(std::shared_ptr<DeviceImpl> device, QueueKind kind, bool hardware = true);
  virtual ~QueueImpl();

  // Front end: checks the operands and keeps the first error; never throws.
  void record_wait(const Signal& s, Value v);
  void record_signal(const Signal& s, Value v);
  void record_timestamp(const Signal& s);
  void record_barrier();
  void record_exec(const KernelArgs& args, Dim3 grid, Dim3 block);
  void record_copy(const BufferRef& dst, const BufferRef& src, size_t bytes);
  virtual void submit();
  // One submit of a graph's bound stream, followed by the progress signal.
  void submit_bound(BoundStream& bound);

  QueueKind kind() const noexcept { return kind_; }
  DeviceImpl& device() const noexcept { return *device_; }
  const std::shared_ptr<DeviceImpl>& device_ptr() const noexcept { return device_; }
  const std::string& name() const noexcept { return name_; }
  uint64_t submitted() const noexcept { return submitted_.load(std::memory_order_acquire); }
  uint64_t completed() const noexcept;
  // Waits until every submit finished; false on timeout or device loss.
  bool drain(std::chrono::milliseconds timeout);

  // Backend: append this device's commands for each verb. Addresses and values may be variables.
  virtual void encode_wait(CommandStream& s, Value addr, Value value) = 0;
  virtual void encode_signal(CommandStream& s, Value addr, Value value) = 0;
  virtual void encode_timestamp(CommandStream& s, Value addr) = 0;
  virtual void encode_barrier(CommandStream& s) = 0;
  virtual void encode_exec(CommandStream& s, const KernelImpl& k, const KernelArgs& args, Dim3 grid, Dim3 block) = 0;
  virtual void encode_copy(CommandStream& s, Value dst, Value src, uint64_t bytes) = 0;
  // Backend: hand the stream to the device (ring, doorbell). Called with a non-empty stream.
  virtual void push(CommandStream& s) = 0;
  // Backend: place a finished graph stream in device-visible memory.
  virtual std::unique_ptr<BoundStream> bind(CommandStream&& s) = 0;
  // Backend: a command that runs a bound stream (an indirect buffer).
  virtual void encode_indirect(CommandStream& s, BoundStream& b) = 0;

 protected:
  // Set by the graph recorder subclass.
  GraphImpl* graph_ = nullptr;
  std::shared_ptr<DeviceImpl> device_;
  CommandStream stream_;
  std::optional<Error> error_;

  void fail(Errc code, std::string message);
  void raise_sticky();

 private:
  // The signal's address in this queue's view (a graph variable for a device timeline), or
  // nullopt after failing the recording.
  std::optional<Value> signal_operand(const Signal& s, bool timestamp, const char* verb);
  bool check_value(Value v, const char* verb);
  std::optional<Value> buffer_operand(const BufferRef& ref, size_t bytes, const char* role);

  QueueKind kind_;
  bool hardware_;
  std::string name_;
  std::shared_ptr<SignalImpl> progress_;
  std::atomic<uint64_t> submitted_{0};

  friend class GraphImpl;
};

// ---------------------------------------------------------------------------------------------
// Devices

class DeviceImpl : public std::enable_shared_from_this<DeviceImpl> {
 public:
  DeviceImpl(std::string uri, std::string log_subsystem);
  virtual ~DeviceImpl();
  // Called by the backend's open() after construction: timeline, heaps.
  void init_common();
  // Called first in the backend's destructor: drains queues and runs deferred releases.
  void fini_common() noexcept;

  const std::string& uri() const noexcept { return uri_; }
  const DeviceProps& props() const noexcept { return props_; }
  const log::Logger& logger() const noexcept { return log_; }

  // Backend hooks.
  virtual Chunk map_chunk(MemoryKind kind, uint64_t size) = 0;  // throws hcq::Error
  virtual void unmap_chunk(MemoryKind kind, const Chunk& chunk) noexcept = 0;
  // `self` is what the queue keeps of the device: owning for a user's queue, non-owning for the
  // device's own internal queues (which would otherwise keep the device alive forever).
  virtual std::shared_ptr<QueueImpl> create_queue(QueueKind kind, std::shared_ptr<DeviceImpl> self) = 0;
  virtual std::shared_ptr<ProgramImpl> load_program(std::span<const std::byte> bytes, const std::string& name) = 0;
  // Whether this device's queues can reach memory of `other` (signals for waits, buffers for copies).
  virtual bool can_reach(const DeviceImpl& other) const noexcept = 0;
  // Where this device's queues see `s` to wait on it, signal it or write its timestamp: by default
  // as for buffers, the signal's own GPU address when `can_reach` its device. A backend that maps
  // other devices' signal pages into its own address space does so here, on first use (may throw
  // hcq::Error). nullopt, with the reason in `why`, when this device cannot reach the signal.
  virtual std::optional<uint64_t> signal_address(const SignalImpl& s, std::string* why);
  virtual uint64_t chunk_size(MemoryKind) const noexcept { return 64ull << 20; }
  // Called by waits that have spun a while: a backend that learns of faults by looking (error
  // notifiers, fault buffers) checks here and calls mark_lost().
  virtual void poll_health() noexcept {}

  // Front end. `internal` objects are owned by the device itself and hold no reference to it.
  std::shared_ptr<BufferImpl> alloc(uint64_t size, MemoryKind kind, uint64_t alignment, bool internal = false);
  std::shared_ptr<SignalImpl> new_signal(uint64_t initial, bool internal = false);
  std::shared_ptr<QueueImpl> new_queue(QueueKind kind, bool internal = false);
  std::shared_ptr<DeviceImpl> self(bool internal);
  Heap& heap(MemoryKind kind);
  void return_signal_slot(SignalSlot* slot, uint64_t gpu_va);
  bool signal_reached(uint64_t current, uint64_t target) const noexcept;
  void write_signal(SignalSlot* slot, uint64_t value) const noexcept;

  // Runs `release` once every queue of this device finished what was submitted before now.
  void defer(std::function<void()> release);
  void reclaim() noexcept;
  void register_queue(QueueImpl* q);
  void unregister_queue(QueueImpl* q) noexcept;

  Signal timeline_signal();
  uint64_t next_timeline_value();
  uint64_t last_timeline_value() const noexcept { return timeline_value_; }
  uint64_t timeline_epoch() const noexcept { return timeline_epoch_; }

  void mark_lost(std::string reason) noexcept;
  bool lost() const noexcept { return lost_.load(std::memory_order_acquire); }
  std::string lost_reason() const;

  // Pinned staging memory and a copy queue for upload()/download() of device memory.
  void transfer(const Buffer& buffer, void* host, size_t bytes, bool to_device);

 protected:
  DeviceProps props_;
  std::string uri_;
  log::Logger log_;
  uint64_t timeline_start_ = 0;  // backends may start the timeline elsewhere (tests of the wrap)

  // Creates the staging buffer and queue upload()/download() use, which transfer() otherwise
  // makes on first use (a backend that must create its queues early calls it at open).
  void prepare_transfers();

 private:
  struct Deferred {
    std::vector<std::pair<QueueImpl*, uint64_t>> after;  // (queue, submits that must complete)
    std::function<void()> release;
  };
  struct SignalPage {
    std::shared_ptr<BufferImpl> buffer;
  };

  std::recursive_mutex mutex_;
  std::map<MemoryKind, std::unique_ptr<Heap>> heaps_;
  std::vector<QueueImpl*> queues_;
  std::vector<Deferred> deferred_;
  std::vector<SignalPage> signal_pages_;
  std::vector<std::pair<SignalSlot*, uint64_t>> free_slots_;  // (cpu, gpu_va)
  uint32_t signal_count_ = 0;

  std::shared_ptr<SignalImpl> timeline_[2];
  int timeline_index_ = 0;
  uint64_t timeline_value_ = 0;
  uint64_t timeline_epoch_ = 0;

  std::atomic<bool> lost_{false};
  mutable std::mutex lost_mutex_;
  std::string lost_reason_;

  std::recursive_mutex transfer_mutex_;
  std::shared_ptr<BufferImpl> staging_;
  std::shared_ptr<QueueImpl> transfer_queue_;
  std::shared_ptr<SignalImpl> transfer_signal_;
  uint64_t transfer_value_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Backend registry

struct UriParts {
  std::string scheme;                          // "cpu"
  std::string rest;                            // "1" in "cpu:1"
  std::map<std::string, std::string> options;  // after '?', a=b&c=d
  std::string text;                            // the whole URI, as given
};

struct Backend {
  std::string scheme;
  std::vector<std::string> uri_forms;  // for help texts: "cpu", "cpu:N (N < 8)"
  std::function<std::vector<DeviceEntry>()> enumerate;
  std::function<std::shared_ptr<DeviceImpl>(const UriParts&)> open;
  // The URI that names the same device in canonical form ("cpu" -> "cpu:0"), for sharing opens.
  std::function<std::string(const UriParts&)> canonical;
};

UriParts parse_uri(std::string_view uri);
const std::vector<Backend>& backends();

}  // namespace hcq::detail
