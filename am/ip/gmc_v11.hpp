// GMC v11: the memory hubs (MMHUB 3.0 at bring-up; the GC hub once the RLC has booted, called by the
// GFX block), VMID-0 page tables, TLB invalidation through engine 17, and protection-fault status.
// Programming as gmc_v11_0.c / mmhub_v3_0.c / gfxhub_v3_0.c and tinygrad's AM_GMC (amd.md §3.2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../ip_block.hpp"
#include "../registers/hub.hpp"
#include "roles.hpp"

namespace hcq::am {

class GmcV11 final : public IpBlock, public TlbInvalidate {
 public:
  using IpBlock::IpBlock;
  std::string_view name() const noexcept override { return "GMC"; }
  void init_sw() override;
  void init_hw() override;  // MMHUB
  void fini_hw() noexcept override;
  // Busy while a TLB invalidation is outstanding on a programmed hub: VM_INVALIDATE_ENG17_ACK lacks a
  // VMID bit VM_INVALIDATE_ENG17_REQ asked for (gmc_v11_0_is_idle returns true: "MC is always ready").
  IdleState idle_state() override;

  // Programs `hub` for VMID 0 (apertures, L1/L2, context 0 on our page tables).
  void init_hub(const Hub& hub);
  void invalidate_tlb(unsigned vmid) override;

  struct FaultStatus {
    std::string hub;
    uint32_t status = 0;   // VM_L2_PROTECTION_FAULT_STATUS
    uint64_t address = 0;  // from VM_L2_PROTECTION_FAULT_ADDR_LO32/HI32
  };
  // Every hub's latched fault, cleared afterwards (status 0: none).
  std::vector<FaultStatus> take_fault_status();
  // "STATUS = 0x... (more_faults=0 ... cid=0x3 rw=1 vmid=0), page 0x..."
  static std::string describe(const FaultStatus& f);

 private:
  void invalidate_hub(const Hub& hub, unsigned vmid, bool semaphore);
  std::vector<const Hub*> hubs_;  // programmed, in order
  uint64_t dummy_page_ = 0;      // VRAM offset: fault default and system aperture default page
};

}  // namespace hcq::am
