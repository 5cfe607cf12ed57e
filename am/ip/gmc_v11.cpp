#include "gmc_v11.hpp"

#include <fmt/format.h>

#include "../gpu.hpp"
#include "../registers/gchub_11_0_0.hpp"
#include "../registers/mmhub_3_0_0.hpp"

namespace hcq::am {

namespace {
constexpr unsigned aperture_shift = 18;  // SYSTEM_APERTURE_LOW/HIGH hold the address >> 18
constexpr unsigned page_shift = 12;
constexpr uint32_t agp_bot_disabled = 0xffffff;  // AGP_BOT above AGP_TOP: no AGP aperture
constexpr uint32_t system_access_mode_unmapped_physical = 3;
constexpr uint32_t mtype_uc = 3;
constexpr uint32_t bank_select = 9, bigk_fragment_size = 6, walker_priority_client = 0x1ff;
// Every engine covers the whole VA range: LO32 0xffffffff, HI32 0x1f (mmhub_v3_0.c mmhub_v3_0_program_invalidation).
constexpr uint32_t invalidate_range_all_lo = 0xffffffff;
constexpr uint32_t invalidate_range_all_hi = 0x1f;
constexpr uint32_t depth_four_levels = 3;
const std::string_view fault_enables[] = {
    "range_protection_fault_enable_interrupt", "range_protection_fault_enable_default",
    "dummy_page_protection_fault_enable_interrupt", "dummy_page_protection_fault_enable_default",
    "pde0_protection_fault_enable_interrupt", "pde0_protection_fault_enable_default",
    "valid_protection_fault_enable_interrupt", "valid_protection_fault_enable_default",
    "read_protection_fault_enable_interrupt", "read_protection_fault_enable_default",
    "write_protection_fault_enable_interrupt", "write_protection_fault_enable_default",
    "execute_protection_fault_enable_interrupt", "execute_protection_fault_enable_default"};
}  // namespace

void GmcV11::init_sw() { dummy_page_ = gpu_.alloc_vram(pte::page_bytes, pte::page_bytes, false).offset; }

void GmcV11::init_hw() {
  hubs_.clear();
  init_hub(mmhub_3_0_0::hub);
}

void GmcV11::init_hub(const Hub& h) {
  const uint64_t fb = gpu_.fb_base(), fb_top = fb + gpu_.vram_size() - 1;
  const uint64_t dummy_mc = fb + dummy_page_;
  gpu_.write(h.mc_vm_agp_base, 0);
  gpu_.write(h.mc_vm_agp_bot, agp_bot_disabled);
  gpu_.write(h.mc_vm_agp_top, 0);
  gpu_.write(h.mc_vm_system_aperture_low_addr, uint32_t(fb >> aperture_shift));
  gpu_.write(h.mc_vm_system_aperture_high_addr, uint32_t(fb_top >> aperture_shift));
  gpu_.write(h.mc_vm_system_aperture_default_addr_lsb, uint32_t(dummy_mc >> page_shift));
  gpu_.write(h.mc_vm_system_aperture_default_addr_msb, uint32_t(dummy_mc >> 44));
  gpu_.write(h.vm_l2_protection_fault_default_addr_lo32, uint32_t(dummy_mc >> page_shift));
  gpu_.write(h.vm_l2_protection_fault_default_addr_hi32, uint32_t(dummy_mc >> 44));
  gpu_.update(h.vm_l2_protection_fault_cntl2, {{"active_page_migration_pte_read_retry", 1}});
  gpu_.write(h.mc_vm_mx_l1_tlb_cntl, value(h.mc_vm_mx_l1_tlb_cntl, {{"enable_l1_tlb", 1},
                                                                    {"system_access_mode", system_access_mode_unmapped_physical},
                                                                    {"enable_advanced_driver_model", 1},
                                                                    {"mtype", mtype_uc}}));
  gpu_.write(h.vm_l2_cntl, value(h.vm_l2_cntl, {{"enable_l2_cache", 1}, {"enable_default_page_out_to_system_memory", 1},
                                                {"context1_identity_access_mode", 1}}));
  gpu_.write(h.vm_l2_cntl2, value(h.vm_l2_cntl2, {{"invalidate_all_l1_tlbs", 1}, {"invalidate_l2_cache", 1}}));
  gpu_.write(h.vm_l2_cntl3, value(h.vm_l2_cntl3, {{"bank_select", bank_select}, {"l2_cache_bigk_fragment_size", bigk_fragment_size},
                                                  {"l2_cache_4k_associativity", 1}, {"l2_cache_bigk_associativity", 1}}));
  gpu_.write(h.vm_l2_cntl4, value(h.vm_l2_cntl4, {{"l2_cache_4k_partition_count", 1}}));
  gpu_.write(h.vm_l2_cntl5, value(h.vm_l2_cntl5, {{"walker_priority_client_id", walker_priority_client}}));
  // No identity aperture.
  gpu_.write(h.vm_l2_context1_identity_aperture_low_addr_lo32, 0xffffffff);
  gpu_.write(h.vm_l2_context1_identity_aperture_low_addr_hi32, 0xf);
  gpu_.write(h.vm_l2_context1_identity_aperture_high_addr_lo32, 0);
  gpu_.write(h.vm_l2_context1_identity_aperture_high_addr_hi32, 0);
  gpu_.write(h.vm_l2_context_identity_physical_offset_lo32, 0);
  gpu_.write(h.vm_l2_context_identity_physical_offset_hi32, 0);
  // VMID 0 on our tables.
  const uint64_t root = gpu_.page_table_root() | pte::valid;
  gpu_.write(h.vm_context0_page_table_base_addr_lo32, uint32_t(root));
  gpu_.write(h.vm_context0_page_table_base_addr_hi32, uint32_t(root >> 32));
  gpu_.write(h.vm_context0_page_table_start_addr_lo32, uint32_t(gpu_.va_start() >> page_shift));
  gpu_.write(h.vm_context0_page_table_start_addr_hi32, uint32_t(gpu_.va_start() >> 44));
  gpu_.write(h.vm_context0_page_table_end_addr_lo32, uint32_t(gpu_.va_end() >> page_shift));
  gpu_.write(h.vm_context0_page_table_end_addr_hi32, uint32_t(gpu_.va_end() >> 44));
  uint32_t cntl = value(h.vm_context0_cntl, {{"enable_context", 1}, {"page_table_depth", depth_four_levels}});
  for (std::string_view f : fault_enables) cntl |= h.vm_context0_cntl[f](1);
  gpu_.write(h.vm_context0_cntl, cntl);
  for (unsigned e = 0; e < hub_invalidate_engines; ++e) {
    // Engine e's pair sits e * 2 dwords after engine 0's: written by address (the tables name engine 0 only).
    gpu_.write_dword(gpu_.address(h.vm_invalidate_eng0_addr_range_lo32) + e * hub_eng_addr_distance, invalidate_range_all_lo);
    gpu_.write_dword(gpu_.address(h.vm_invalidate_eng0_addr_range_hi32) + e * hub_eng_addr_distance, invalidate_range_all_hi);
  }
  if (std::find(hubs_.begin(), hubs_.end(), &h) == hubs_.end()) hubs_.push_back(&h);
  invalidate_hub(h, 0, &h == &mmhub_3_0_0::hub);
}

void GmcV11::invalidate_hub(const Hub& h, unsigned vmid, bool semaphore) {
  const char* what = "the hub is hung; reset the GPU (rebind amdgpu, or power-cycle) and retry";
  if (semaphore) gpu_.poll(name(), h.vm_invalidate_eng17_sem, 1, 1, what);
  gpu_.write(h.vm_invalidate_eng17_req,
             value(h.vm_invalidate_eng17_req, {{"per_vmid_invalidate_req", 1u << vmid}, {"invalidate_l2_ptes", 1},
                                               {"invalidate_l2_pde0", 1}, {"invalidate_l2_pde1", 1}, {"invalidate_l2_pde2", 1},
                                               {"invalidate_l1_ptes", 1}}));
  gpu_.poll(name(), h.vm_invalidate_eng17_ack, 1u << vmid, 1u << vmid, what);
  if (semaphore) gpu_.write(h.vm_invalidate_eng17_sem, 0);
}

void GmcV11::invalidate_tlb(unsigned vmid) {
  for (const Hub* h : hubs_) invalidate_hub(*h, vmid, h == &mmhub_3_0_0::hub);
}

IpBlock::IdleState GmcV11::idle_state() {
  IdleState s{true, ""};
  for (const Hub* h : hubs_) {
    const uint32_t req = gpu_.read(h->vm_invalidate_eng17_req), ack = gpu_.read(h->vm_invalidate_eng17_ack);
    const uint32_t asked = h->vm_invalidate_eng17_req["per_vmid_invalidate_req"].get(req);
    const uint32_t acked = h->vm_invalidate_eng17_ack["per_vmid_invalidate_ack"].get(ack);
    s.idle = s.idle && (asked & ~acked) == 0;
    s.status += fmt::format("{}{} = {}, {} = {}", s.status.empty() ? "" : "; ", h->vm_invalidate_eng17_req.name,
                            Gpu::decode(h->vm_invalidate_eng17_req, req), h->vm_invalidate_eng17_ack.name,
                            Gpu::decode(h->vm_invalidate_eng17_ack, ack));
  }
  if (hubs_.empty()) s.status = "no hub programmed";
  return s;
}

void GmcV11::fini_hw() noexcept {
  try {
    for (const Hub* h : hubs_) gpu_.update(h->vm_context0_cntl, {{"enable_context", 0}});
  } catch (const std::exception& e) {
    gpu_.logger()->warn("GMC: disabling VM context 0 failed: {}", e.what());
  }
  hubs_.clear();
}

std::vector<GmcV11::FaultStatus> GmcV11::take_fault_status() {
  std::vector<FaultStatus> out;
  for (const Hub* h : {&mmhub_3_0_0::hub, &gchub_11_0_0::hub}) {
    uint32_t s = gpu_.read(h->vm_l2_protection_fault_status);
    if (!s) continue;
    uint64_t a = (uint64_t(gpu_.read(h->vm_l2_protection_fault_addr_hi32)) << 32 | gpu_.read(h->vm_l2_protection_fault_addr_lo32))
                 << page_shift;
    out.push_back({std::string(h->name), s, a});
    gpu_.update(h->vm_l2_protection_fault_cntl, {{"clear_protection_fault_status_addr", 1}});
    gpu_.write(h->vm_l2_protection_fault_status, 0);
  }
  return out;
}

std::string GmcV11::describe(const FaultStatus& f) {
  const Reg& r = f.hub == "MMHUB" ? mmhub_3_0_0::hub.vm_l2_protection_fault_status : gchub_11_0_0::hub.vm_l2_protection_fault_status;
  return fmt::format("{} {} = {}, page {:#x}", f.hub, r.name, Gpu::decode(r, f.status), f.address);
}

}  // namespace hcq::am
