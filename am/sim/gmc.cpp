// The model's GMC: VMID-0 translation as gfx11 hubs do it. An address inside the system aperture
// (SYSTEM_APERTURE_LOW/HIGH, the FB window) is physical VRAM; one inside PAGE_TABLE_START/END walks
// the 4-level tables from PAGE_TABLE_BASE_ADDR, indexed from the start address (tinygrad's
// memory.py maps VA - va_base the same way); anything else, an invalid entry or a missing
// permission is a protection fault: latched in the hub's L2_PROTECTION_FAULT_STATUS/ADDR and raised
// into the IH ring as the kernel's gmc_v11_0_process_interrupt expects it.
#include <fmt/format.h>

#include "am/ip/pte.hpp"
#include "am/registers/gchub_11_0_0.hpp"
#include "am/registers/mmhub_3_0_0.hpp"
#include "am/registers/soc21_ih.hpp"
#include "platform.hpp"

namespace hcq::am::sim {

namespace {

const Hub& hub_of(Client c) {
  switch (c) {
    case Client::cp:
    case Client::rlc:
    case Client::sdma0:
    case Client::sdma1: return gchub_11_0_0::hub;
    default: return mmhub_3_0_0::hub;
  }
}

constexpr unsigned aperture_shift = 18;  // SYSTEM_APERTURE_LOW/HIGH_ADDR hold address >> 18
constexpr unsigned page_shift = 12;
// permission_faults bits of L2_PROTECTION_FAULT_STATUS as this model sets them (valid, read, write, execute).
constexpr uint32_t perm_valid = 1, perm_write = 4;

}  // namespace

void Gmc::install() {}

Gmc::Result Gmc::walk(const Hub& hub, uint64_t va, uint64_t bytes, bool write) {
  uint64_t ap_lo = uint64_t(p_.reg(hub.mc_vm_system_aperture_low_addr)) << aperture_shift;
  uint64_t ap_hi = (uint64_t(p_.reg(hub.mc_vm_system_aperture_high_addr)) << aperture_shift) | ((1u << aperture_shift) - 1);
  if (ap_lo && va >= ap_lo && va <= ap_hi) {
    if (std::byte* p = p_.mc(va, bytes)) return {p, ""};
    return {nullptr, fmt::format("system aperture address {:#x} is outside VRAM", va)};
  }
  uint32_t cntl = p_.reg(hub.vm_context0_cntl);
  if (!hub.vm_context0_cntl["enable_context"].get(cntl)) return {nullptr, "VM context 0 is not enabled"};
  uint64_t start = (uint64_t(p_.reg(hub.vm_context0_page_table_start_addr_hi32)) << 32 |
                    p_.reg(hub.vm_context0_page_table_start_addr_lo32)) << page_shift;
  uint64_t end = ((uint64_t(p_.reg(hub.vm_context0_page_table_end_addr_hi32)) << 32 |
                   p_.reg(hub.vm_context0_page_table_end_addr_lo32)) << page_shift) | 0xfff;
  if (va < start || va > end) return {nullptr, fmt::format("address outside the VM range [{:#x}, {:#x}]", start, end)};
  uint64_t table = (uint64_t(p_.reg(hub.vm_context0_page_table_base_addr_hi32)) << 32 |
                    p_.reg(hub.vm_context0_page_table_base_addr_lo32)) & pte::address_mask;
  unsigned depth = hub.vm_context0_cntl["page_table_depth"].get(cntl);
  const unsigned first = pte::levels - 1 - depth;  // depth 3: all four levels
  uint64_t off = va - start;
  for (unsigned level = first; level < pte::levels; ++level) {
    std::byte* at = p_.mc(p_.fb_base() + table + pte::level_index(off, level) * 8, 8);
    if (!at) return {nullptr, fmt::format("{} table at VRAM {:#x} is outside VRAM", pte::level_name(level), table)};
    uint64_t e;
    std::memcpy(&e, at, 8);
    pte::Decoded d = pte::decode(pte::gfx11, e, level);
    if (!d.valid) return {nullptr, fmt::format("{} entry {} not valid", pte::level_name(level), pte::level_index(off, level))};
    if (!d.leaf) {
      table = d.address;
      continue;
    }
    if (write && !d.writeable) return {nullptr, "page not writeable"};
    if (!d.readable) return {nullptr, "page not readable"};
    uint64_t span = pte::page_bytes << (9 * (pte::levels - 1 - level));
    uint64_t phys = d.address + (off & (span - 1));
    std::byte* p = d.system ? p_.host().dma(phys, bytes) : p_.mc(p_.fb_base() + phys, bytes);
    if (!p) return {nullptr, fmt::format("{} page {:#x} is not backed", d.system ? "system" : "VRAM", phys)};
    return {p, ""};
  }
  return {nullptr, "page-table walk ended without a leaf"};
}

std::byte* Gmc::translate(Client client, unsigned vmid, uint64_t va, uint64_t bytes, bool write) {
  const Hub& hub = hub_of(client);
  if (vmid != 0) {
    fault(hub, client, vmid, va, write, fmt::format("VMID {} has no page tables (the driver uses VMID 0 only)", vmid));
    return nullptr;
  }
  Result r = walk(hub, va, bytes, write);
  if (!r.host) fault(hub, client, vmid, va, write, std::move(r.why));
  return r.host;
}

void Gmc::fault(const Hub& hub, Client client, unsigned vmid, uint64_t va, bool write, std::string why) {
  p_.record_fault({client, vmid, va, write, why});
  // Latch the first fault (the kernel clears the status through the invalidate request/fault control).
  if (p_.reg(hub.vm_l2_protection_fault_status) == 0) {
    const Reg& s = hub.vm_l2_protection_fault_status;
    uint32_t perm = write ? perm_write : perm_valid;
    p_.set_reg(s, s["permission_faults"](perm) | s["cid"](uint32_t(client)) | s["rw"](write ? 1 : 0) | s["vmid"](vmid));
    p_.set_reg(hub.vm_l2_protection_fault_addr_lo32, uint32_t(va >> page_shift));
    p_.set_reg(hub.vm_l2_protection_fault_addr_hi32, uint32_t(va >> 44) & 0xf);
  } else {
    const Reg& s = hub.vm_l2_protection_fault_status;
    p_.set_reg(s, p_.reg(s) | s["more_faults"](1));
  }
  bool gc = &hub == &gchub_11_0_0::hub;
  uint32_t ctx[4] = {uint32_t(va >> page_shift), uint32_t(va >> 44) & 0xf, 0, 0};
  p_.interrupt(gc ? ih::client_gfx : ih::client_vmc, gc ? ih::src_utcl2_fault : ih::src_vmc_vm_fault, ctx, vmid);
}

}  // namespace hcq::am::sim
