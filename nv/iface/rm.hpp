// An RM client: the ioctls of NVIDIA's open kernel module (/dev/nvidiactl, /dev/nvidiaN,
// /dev/nvidia-uvm) wrapped as typed calls that throw hcq::Error with the RM's status by name.
//
// One Rm object is one RM root client plus its UVM session. It knows nothing of queues or the
// hcq contract; nv/backend.cpp builds the device on it (docs/nv.md has the sequence).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rm_abi.hpp"

namespace hcq::nv {

// "NV_ERR_INVALID_ARGUMENT (0x1f)" for an RM status code.
std::string rm_status_name(uint32_t status);

struct CardInfo {
  uint32_t minor;
  std::string pci_address;  // "0000:00:06.0"
  uint16_t vendor_id, device_id;
  uint32_t gpu_id;
  uint64_t bar1_bytes;
};

// The GPUs the kernel module lists, or empty when /dev/nvidiactl is absent (no driver loaded).
// Throws when the driver is present but refuses the query.
std::vector<CardInfo> list_cards();

class Rm {
 public:
  // Opens /dev/nvidiactl and allocates the root client. `who` names the device in errors.
  // Without `with_uvm` there is no UVM session (monitoring: hcq-smi needs controls only).
  explicit Rm(std::string who, bool with_uvm = true);
  ~Rm();
  Rm(const Rm&) = delete;
  Rm& operator=(const Rm&) = delete;

  const std::string& who() const noexcept { return who_; }
  uint32_t root() const noexcept { return root_; }
  int ctl_fd() const noexcept { return ctl_; }

  // The driver's version string ("580.159.04").
  std::string driver_version();

  // RM_ALLOC of `cls` under `parent`; the RM picks the handle. `what` names the object in errors.
  template <class Params>
  uint32_t alloc(uint32_t parent, uint32_t cls, Params* params, const char* what) {
    return alloc_raw(parent, cls, params, params ? sizeof(Params) : 0, what);
  }
  uint32_t alloc(uint32_t parent, uint32_t cls, const char* what) { return alloc_raw(parent, cls, nullptr, 0, what); }
  uint32_t alloc_raw(uint32_t parent, uint32_t cls, void* params, uint32_t size, const char* what);
  // Frees an object and its children; errors are logged, not thrown (used on teardown).
  void free(uint32_t handle) noexcept;

  template <class Params>
  void control(uint32_t object, uint32_t cmd, Params& params, const char* what) {
    control_raw(object, cmd, &params, sizeof(Params), what);
  }
  void control_raw(uint32_t object, uint32_t cmd, void* params, uint32_t size, const char* what);
  // Like control_raw but returns the RM status instead of throwing.
  uint32_t try_control(uint32_t object, uint32_t cmd, void* params, uint32_t size) noexcept;

  // Opens /dev/nvidia<minor> and ties it to this client (REGISTER_FD); the caller owns the fd.
  int open_device_fd(uint32_t minor);
  // The device and subdevice objects of the GPU `card` (its device instance from GET_ID_INFO_V2).
  struct Gpu {
    uint32_t device, subdevice;
  };
  Gpu alloc_gpu(const CardInfo& card);
  // Pins [cpu, cpu + size) as an NV01_MEMORY_SYSTEM_OS_DESCRIPTOR object under `device`.
  uint32_t alloc_os_descriptor(int device_fd, uint32_t device, void* cpu, uint64_t size);
  // Maps an RM memory object to the CPU through a fresh fd (one mapping per fd); returns the
  // address and the fd, both owned by the caller (munmap + close).
  std::pair<void*, int> map_to_cpu(uint32_t minor, uint32_t device, uint32_t memory, uint64_t size);

  // UVM: the session's fd after UVM_INITIALIZE / UVM_MM_INITIALIZE.
  int uvm_fd() const noexcept { return uvm_; }
  template <class Params>
  void uvm(uint32_t cmd, Params& params, const char* what) {
    uvm_raw(cmd, &params, sizeof(Params), &params.rmStatus, what);
  }
  void uvm_raw(uint32_t cmd, void* params, size_t size, const uint32_t* status, const char* what);

 private:
  [[noreturn]] void fail(const char* what, const std::string& observed, const std::string& todo) const;
  void ioctl_or_throw(int fd, uint32_t nr, void* arg, uint32_t size, const char* what) const;

  std::string who_;
  int ctl_ = -1;
  int uvm_ = -1;
  int uvm_mm_ = -1;
  uint32_t root_ = 0;
  uint32_t next_handle_ = 0xcf000000;  // handles this client picks itself (RM_ALLOC_MEMORY)
};

}  // namespace hcq::nv
