#include "ih_v6.hpp"

#include <fmt/format.h>

#include <cstring>

#include "../registers/osssys_6_0_0.hpp"
#include "../registers/soc21_ih.hpp"
#include "gmc_v11.hpp"

namespace hcq::am {

using namespace osssys_6_0_0;

namespace {
constexpr uint64_t ring_bytes = 256 * 1024;
constexpr uint32_t mc_space_gpa = 4;  // IH_RB_CNTL.mc_space: the ring is at an MC (physical) address
constexpr uint32_t storm_delay = 3;
constexpr unsigned log2_dwords(uint64_t bytes) {
  unsigned n = 0;
  while ((uint64_t(4) << n) < bytes) ++n;
  return n;
}
}  // namespace

void IhV6::init_sw() {
  ring_ = gpu_.alloc_vram(ring_bytes, ring_bytes, false);
  wptr_ = gpu_.alloc_vram(pte::page_bytes, pte::page_bytes, false);
}

void IhV6::init_hw() {
  gpu_.write(IH_RB_CNTL, 0);
  gpu_.write(IH_RB_BASE, uint32_t(ring_.mc >> 8));
  gpu_.write(IH_RB_BASE_HI, uint32_t(ring_.mc >> 40));
  uint32_t cntl = value(IH_RB_CNTL, {{"rb_size", log2_dwords(ring_bytes)}, {"mc_space", mc_space_gpa}, {"mc_snoop", 1},
                                     {"wptr_overflow_clear", 1}, {"wptr_overflow_enable", 1}, {"rptr_rearm", 1}});
  gpu_.write(IH_RB_CNTL, cntl);
  gpu_.write(IH_RB_WPTR_ADDR_LO, uint32_t(wptr_.mc));
  gpu_.write(IH_RB_WPTR_ADDR_HI, uint32_t(wptr_.mc >> 32));
  gpu_.write(IH_RB_WPTR, 0);
  gpu_.write(IH_RB_RPTR, 0);
  gpu_.write(IH_DOORBELL_RPTR, 0);
  if (wptr_.cpu) std::memset(wptr_.cpu, 0, 4);
  rptr_ = 0;
  gpu_.update(IH_STORM_CLIENT_LIST_CNTL, {{"client18_is_storm_client", 1}});
  gpu_.update(IH_INT_FLOOD_CNTL, {{"flood_cntl_enable", 1}});
  gpu_.update(IH_MSI_STORM_CTRL, {{"delay", storm_delay}});
  gpu_.write(IH_RB_CNTL, cntl | IH_RB_CNTL["rb_enable"](1) | IH_RB_CNTL["enable_intr"](1));
  up_ = true;
}

void IhV6::fini_hw() noexcept {
  if (!up_) return;
  try {
    gpu_.update(IH_RB_CNTL, {{"rb_enable", 0}, {"enable_intr", 0}});
  } catch (const std::exception& e) {
    gpu_.logger()->warn("IH: disabling ring 0 failed: {}", e.what());
  }
  up_ = false;
}

IpBlock::IdleState IhV6::idle_state() {
  if (!up_) return {true, "ring 0 off"};
  const uint32_t w = gpu_.read(IH_RB_WPTR), r = gpu_.read(IH_RB_RPTR);
  const uint32_t ring_dwords = uint32_t(ring_bytes / 4);
  const uint32_t unread = (IH_RB_WPTR["offset"].get(w) + ring_dwords - IH_RB_RPTR["offset"].get(r)) % ring_dwords;
  return {unread == 0, fmt::format("IH_RB_WPTR = {}, IH_RB_RPTR = {}: {} unread entries (drain them: IhV6::check_faults, "
                                   "the backend's health poll)",
                                   Gpu::decode(IH_RB_WPTR, w), Gpu::decode(IH_RB_RPTR, r), unread / ih::entry_dwords)};
}

std::vector<IhEntry> IhV6::drain() {
  std::vector<IhEntry> out;
  if (!up_ || !ring_.cpu) return out;
  uint32_t wptr_reg = gpu_.read(IH_RB_WPTR);
  if (IH_RB_WPTR["rb_overflow"].get(wptr_reg)) {
    ++overflows_;
    gpu_.logger()->warn("IH: ring 0 overflowed; entries were lost");
    gpu_.update(IH_RB_CNTL, {{"wptr_overflow_clear", 1}});
  }
  uint32_t wptr = uint32_t(IH_RB_WPTR["offset"].get(wptr_reg) << 2) % ring_bytes;
  while (rptr_ != wptr) {
    uint32_t dw[ih::entry_dwords];
    std::memcpy(dw, ring_.cpu + rptr_, sizeof dw);
    IhEntry e;
    e.client_id = ih::client_of(dw[0]);
    e.src_id = ih::src_of(dw[0]);
    e.ring_id = (dw[0] >> 16) & 0xff;
    e.vmid = ih::vmid_of(dw[0]);
    e.timestamp = dw[1] | uint64_t(dw[2] & 0xffff) << 32;
    e.pasid = dw[3] & 0xffff;
    e.node_id = (dw[3] >> 16) & 0xff;
    std::memcpy(e.src_data, dw + 4, sizeof e.src_data);
    out.push_back(e);
    rptr_ = (rptr_ + ih::entry_bytes) % ring_bytes;
  }
  gpu_.write(IH_RB_RPTR, IH_RB_RPTR["offset"](rptr_ >> 2));
  return out;
}

std::string IhV6::client_name(uint32_t id) {
  switch (id) {
    case ih::client_gfx: return "GFX (GC hub UTCL2)";
    case ih::client_vmc: return "VMC (MMHUB)";
    case ih::client_grbm_cp: return "GRBM_CP";
    case ih::client_rlc: return "RLC";
    case ih::client_mp0: return "MP0";
    case ih::client_mp1: return "MP1";
    default: return fmt::format("client {:#x}", id);
  }
}

std::optional<Error> IhV6::check_faults() {
  std::vector<IhEntry> entries = drain();
  for (const IhEntry& e : entries) {
    bool fault = (e.client_id == ih::client_gfx && e.src_id == ih::src_utcl2_fault) ||
                 (e.client_id == ih::client_vmc && e.src_id == ih::src_vmc_vm_fault);
    if (!fault) continue;
    std::string status;
    if (auto* gmc = gpu_.block<GmcV11>())
      for (const auto& f : gmc->take_fault_status()) status += "; " + GmcV11::describe(f);
    return Error(Errc::device_lost, gpu_.name(), "GMC",
                 fmt::format("GPU page fault at VA {:#x} (vmid {}, {}){}; a kernel or command used an address that is "
                             "not mapped or not writable: check the buffer addresses it was given. The device must be "
                             "re-initialised (fini + init) before further use",
                             ih::fault_address(e.src_data[0], e.src_data[1]), e.vmid, client_name(e.client_id), status));
  }
  return std::nullopt;
}

}  // namespace hcq::am
