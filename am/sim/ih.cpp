// The model's interrupt handler, ring 0 as osssys 6.0 programs it (ih_v6_0.c): base and size from
// IH_RB_BASE/_HI/IH_RB_CNTL, write pointer in IH_RB_WPTR and written back to IH_RB_WPTR_ADDR, read
// pointer from IH_RB_RPTR. A full ring sets rb_overflow and drops the entry, as the hardware does
// when wptr_overflow_enable is set.
#include <cstring>

#include "am/registers/osssys_6_0_0.hpp"
#include "am/registers/soc21_ih.hpp"
#include "platform.hpp"

namespace hcq::am::sim {

using namespace osssys_6_0_0;

void Ih::raise(uint32_t client_id, uint32_t src_id, std::span<const uint32_t, 4> context, unsigned vmid) {
  std::lock_guard lock(mutex_);
  uint32_t cntl = p_.reg(IH_RB_CNTL);
  if (!IH_RB_CNTL["rb_enable"].get(cntl)) return;  // a disabled ring takes nothing
  uint64_t base = (uint64_t(p_.reg(IH_RB_BASE_HI)) << 32 | p_.reg(IH_RB_BASE)) << 8;
  uint64_t size = uint64_t(4) << IH_RB_CNTL["rb_size"].get(cntl);
  uint32_t wptr_reg = p_.reg(IH_RB_WPTR);
  uint64_t wptr = IH_RB_WPTR["offset"].get(wptr_reg) << 2;
  uint64_t rptr = IH_RB_RPTR["offset"].get(p_.reg(IH_RB_RPTR)) << 2;
  uint64_t next = (wptr + ih::entry_bytes) % size;
  if (next == rptr % size) {
    p_.set_reg(IH_RB_WPTR, wptr_reg | IH_RB_WPTR["rb_overflow"](1));
    return;
  }
  std::byte* slot = p_.mc(base + wptr, ih::entry_bytes);
  if (!slot) return;
  uint64_t ts = p_.gpu_clock();
  uint32_t entry[ih::entry_dwords] = {ih::dw0(client_id, src_id, 0, vmid), uint32_t(ts), uint32_t(ts >> 32) & 0xffff, 0,
                                      context[0], context[1], context[2], context[3]};
  std::memcpy(slot, entry, sizeof entry);
  p_.set_reg(IH_RB_WPTR, IH_RB_WPTR["offset"](uint32_t(next >> 2)));
  uint64_t wb = uint64_t(p_.reg(IH_RB_WPTR_ADDR_HI)) << 32 | p_.reg(IH_RB_WPTR_ADDR_LO);
  if (std::byte* w = wb ? p_.mc(wb, 4) : nullptr) {
    uint32_t v = uint32_t(next);
    std::memcpy(w, &v, 4);
  }
  p_.host().interrupt(0);
}

}  // namespace hcq::am::sim
