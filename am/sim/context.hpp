// What every engine of the gfx1100 device model (am/sim/) gets from the model: registers with
// write/read hooks, GPU memory as the engines see it (through the GMC page tables), the IH ring,
// doorbells and the GPU clock.
//
// This header is the contract between the model's platform side (model.cpp, discovery image,
// GMC walker, IH, PSP, SMU, NBIO) and its engines (cp.cpp: PM4 from compute rings; sdma.cpp):
// add to it, do not change what a member means.
//
// Threads: BAR accesses arrive on the driver's threads; each engine that runs commands (CP, SDMA)
// has a worker thread woken by its doorbell or register writes. Hooks run on the accessing thread
// with no model lock held; engines lock their own state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "am/registers/reg.hpp"

namespace hcq::am::sim {

// Who touches memory: named in VM faults (the IH entry's client id, the kernel's soc21 ids).
enum class Client : uint8_t { cp, rlc, sdma0, sdma1, psp, smu, ih };

// A GMC translation fault as the model raises it into the IH ring (and records it for tests).
struct VmFault {
  Client client;
  unsigned vmid;
  uint64_t va;
  bool write;
  std::string reason;  // "PDE not valid at level PDB1 (index 3)", "page not writable"
};

class Context {
 public:
  virtual ~Context() = default;

  // Registers: dword addresses absolute in BAR5 (base from the model's discovery table + offset).
  virtual uint32_t address(const Reg& r, unsigned inst = 0) const = 0;
  virtual uint32_t reg(uint32_t dword) const = 0;                 // current value, no hooks
  virtual void set_reg(uint32_t dword, uint32_t value) = 0;       // engine-side write, no hooks
  uint32_t reg(const Reg& r, unsigned inst = 0) const { return reg(address(r, inst)); }
  void set_reg(const Reg& r, uint32_t value, unsigned inst = 0) { set_reg(address(r, inst), value); }
  // Called after the driver writes `dword` (value already stored) / before it reads it (the hook
  // returns the value the driver sees).
  virtual void on_write(uint32_t dword, std::function<void(uint32_t value)> hook) = 0;
  virtual void on_read(uint32_t dword, std::function<uint32_t()> hook) = 0;

  // Doorbells: a write to BAR2 slot `index` (64-bit slots) calls the hook with the value.
  virtual void on_doorbell(uint32_t index, std::function<void(uint64_t value)> hook) = 0;

  // GPU memory as engine `client` of `vmid` sees it: translated through that VMID's page tables
  // (VRAM, or host memory through SimHost::dma for system pages). On a fault the access does
  // nothing, the fault goes into the IH ring and false is returned.
  virtual bool read(Client client, unsigned vmid, uint64_t va, void* dst, size_t bytes) = 0;
  virtual bool write(Client client, unsigned vmid, uint64_t va, const void* src, size_t bytes) = 0;
  // Physical (MC) addresses, as the PSP and the GMC walker use them: VRAM inside the FB window,
  // host memory through the system aperture / bus addresses. Null when nothing is there.
  virtual std::byte* mc(uint64_t mc_address, size_t bytes) = 0;

  // The IH: an 8-dword entry (client id, source id, ring, vmid, context) into ring 0.
  virtual void interrupt(uint32_t client_id, uint32_t src_id, std::span<const uint32_t, 4> context, unsigned vmid = 0) = 0;

  // The GPU's 100 MHz reference clock (RELEASE_MEM timestamps, SDMA TIMESTAMP).
  virtual uint64_t gpu_clock() const = 0;

  // Whether the named firmware was accepted by the PSP (engines refuse to run without theirs).
  virtual bool firmware_loaded(uint32_t psp_fw_type) const = 0;
};

}  // namespace hcq::am::sim
