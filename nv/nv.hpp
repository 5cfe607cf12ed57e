// The nv device and its queues: the hcq contract on an NVIDIA GPU through the RM interface.
//
// Device bring-up (docs/nv.md): root client and UVM session, device and subdevice, a UVM-owned
// virtual address space, one channel group (TSG) with a context share, the usermode doorbell
// page. Each hcq queue is one GPFIFO channel in that group with one engine object: the compute
// class for compute queues, the copy-engine class for copy queues.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "backend.hpp"
#include "chips.hpp"
#include "iface/kmsg.hpp"
#include "iface/rm.hpp"

namespace hcq::nv {

class NvQueue;

class NvDevice final : public detail::DeviceImpl {
 public:
  NvDevice(const detail::UriParts& uri, const CardInfo& card);
  ~NvDevice() override;

  detail::Chunk map_chunk(MemoryKind kind, uint64_t size) override;
  void unmap_chunk(MemoryKind kind, const detail::Chunk& chunk) noexcept override;
  std::shared_ptr<detail::QueueImpl> create_queue(QueueKind kind, std::shared_ptr<DeviceImpl> self) override;
  std::shared_ptr<detail::ProgramImpl> load_program(std::span<const std::byte> bytes, const std::string& name) override;
  bool can_reach(const DeviceImpl& other) const noexcept override;
  std::optional<uint64_t> signal_address(const detail::SignalImpl& s, std::string* why) override;
  uint64_t chunk_size(MemoryKind kind) const noexcept override;
  void poll_health() noexcept override;
  // The queues poll_health() asks (a queue joins once its channel exists, leaves before it goes).
  void register_nv_queue(NvQueue* q);
  void unregister_nv_queue(NvQueue* q) noexcept;

  Rm& rm() noexcept { return rm_; }
  const Chip& chip() const noexcept { return *chip_; }
  uint32_t sm_version() const noexcept { return sm_version_; }
  uint32_t tpc_count() const noexcept { return tpcs_; }
  volatile uint32_t* doorbell() const noexcept { return doorbell_; }
  // A GPU-visible buffer the device owns itself (rings, notifiers), mapped to the CPU.
  std::shared_ptr<detail::BufferImpl> alloc_internal(uint64_t size, MemoryKind kind);
  // Allocates a GPFIFO channel for `engine_class`: a compute channel joins the graphics channel
  // group, a copy channel the copy-engine group (docs/nv.md says why). Returns the channel
  // handle and fills the work-submit token.
  struct Channel {
    uint32_t handle = 0;
    uint32_t engine = 0;
    uint32_t token = 0;
    uint64_t uvm_va = 0;  // the range UVM_REGISTER_CHANNEL was given
    std::byte* notifier = nullptr;  // the channel's error notifier (NvNotification), CPU view
    uint32_t notifier_memory = 0;
  };
  Channel create_channel(uint64_t gpfifo_va, uint32_t entries, uint32_t userd_memory, uint64_t userd_offset,
                         uint32_t engine_class, const char* what);
  void destroy_channel(const Channel& c) noexcept;
  uint32_t memory_handle(uint64_t gpu_va) const;  // the RM object of the chunk holding gpu_va
  uint64_t memory_offset(uint64_t gpu_va) const;  // gpu_va's offset inside that object

  // Per-thread local memory (the kernel stack) every compute queue binds; grows on demand.
  struct LocalMemory {
    uint64_t va = 0;
    uint64_t bytes = 0;
    uint64_t per_tpc = 0;
    uint32_t per_thread = 0;
  };
  LocalMemory ensure_local_memory(uint32_t per_thread);

  // The built-in copy kernel for this SM (nv/kernels/copy.cu), loaded on first use; null with
  // `why` filled when libhcq has none for this SM or it failed to load.
  const detail::KernelImpl* copy_kernel(std::string* why);

 private:
  struct ChunkInfo {
    uint32_t memory;   // RM handle
    void* cpu_map;     // mmap address or null
    int cpu_fd;        // fd of a VRAM CPU mapping, -1 otherwise
    uint64_t size;
    MemoryKind kind;
  };
  // A page of another device's signals (host memory), pinned by an OS descriptor and mapped here.
  struct ForeignPage {
    std::weak_ptr<const DeviceImpl> owner;  // its signal pages live as long as it does
    uint32_t memory = 0;                    // RM handle of the OS descriptor
    uint64_t gpu_va = 0;
  };
  uint64_t reserve_va(uint64_t size, uint64_t alignment);
  void unmap_foreign(const ForeignPage& f) noexcept;
  void finish_channel(Channel& c, uint64_t gpfifo_va, uint32_t engine_class, const char* what);
  uint32_t copy_group();
  uint32_t pick_copy_engine();
  void finish_copy_channel(Channel& c, const char* what);
  void map_gpu(uint64_t va, uint64_t size, uint32_t memory, bool uncached);

  Rm rm_;
  CardInfo card_;
  const Chip* chip_ = nullptr;
  int dev_fd_ = -1;
  abi::Uuid uuid_{};
  uint32_t device_ = 0, subdevice_ = 0, vaspace_ = 0, tsg_ = 0, ctxshare_ = 0, usermode_ = 0;
  uint32_t copy_engine_ = 0;  // COPYn that copy queues run on (pick_copy_engine)
  uint32_t copy_tsg_ = 0;  // the copy-engine channel group, made with the first copy channel (under mutex_)
  bool copy_tsg_scheduled_ = false;
  void* usermode_map_ = nullptr;
  int usermode_fd_ = -1;
  volatile uint32_t* doorbell_ = nullptr;
  uint32_t sm_version_ = 0;
  uint32_t tpcs_ = 0;
  bool uvm_gpu_registered_ = false, uvm_vaspace_registered_ = false;

  mutable std::mutex mutex_;
  std::mutex local_mutex_;
  std::vector<NvQueue*> nv_queues_;  // under mutex_
  KernelLog kernel_log_;             // the RM's Xid reports about this GPU, from open on
  std::shared_ptr<detail::QueueImpl> first_queue_;  // see the constructor
  detail::Tlsf va_;
  std::map<uint64_t, ChunkInfo> chunks_;  // by GPU VA
  std::shared_ptr<detail::BufferImpl> local_;
  LocalMemory local_info_;
  std::mutex builtin_mutex_;
  std::shared_ptr<detail::ProgramImpl> copy_program_;  // holds no reference to this device
  std::string copy_program_error_;
  std::mutex foreign_mutex_;
  std::map<uintptr_t, ForeignPage> foreign_pages_;  // by CPU address of the page, under foreign_mutex_
};

}  // namespace hcq::nv
