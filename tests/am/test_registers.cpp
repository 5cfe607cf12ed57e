// Register tables: every field inside 32 bits with no overlaps, no two registers of a table at the same
// (IP, segment, offset), a few offsets against the kernel headers' numbers, and trace decoding.
#include <catch2/catch.hpp>

#include <set>
#include <tuple>
#include <vector>

#include "am/gpu.hpp"
#include "am/registers/gc_11_0_0.hpp"
#include "am/registers/gchub_11_0_0.hpp"
#include "am/registers/mmhub_3_0_0.hpp"
#include "am/registers/mp_13_0_0.hpp"
#include "am/registers/nbio_4_3_0.hpp"
#include "am/registers/osssys_6_0_0.hpp"

using namespace hcq::am;

namespace {

std::vector<const Reg*> hub_regs(const Hub& h) {
  return {&h.mc_vm_fb_location_base, &h.mc_vm_fb_location_top, &h.mc_vm_agp_base, &h.mc_vm_agp_bot, &h.mc_vm_agp_top,
          &h.mc_vm_system_aperture_low_addr, &h.mc_vm_system_aperture_high_addr, &h.mc_vm_system_aperture_default_addr_lsb,
          &h.mc_vm_system_aperture_default_addr_msb, &h.vm_l2_protection_fault_default_addr_lo32,
          &h.vm_l2_protection_fault_default_addr_hi32, &h.mc_vm_mx_l1_tlb_cntl, &h.vm_l2_cntl, &h.vm_l2_cntl2, &h.vm_l2_cntl3,
          &h.vm_l2_cntl4, &h.vm_l2_cntl5, &h.vm_context0_cntl, &h.vm_context0_page_table_base_addr_lo32,
          &h.vm_context0_page_table_base_addr_hi32, &h.vm_context0_page_table_start_addr_lo32,
          &h.vm_context0_page_table_start_addr_hi32, &h.vm_context0_page_table_end_addr_lo32,
          &h.vm_context0_page_table_end_addr_hi32, &h.vm_invalidate_eng17_sem, &h.vm_invalidate_eng17_req,
          &h.vm_invalidate_eng17_ack, &h.vm_l2_protection_fault_status, &h.vm_l2_protection_fault_addr_lo32,
          &h.vm_l2_protection_fault_addr_hi32, &h.vm_l2_protection_fault_cntl, &h.vm_l2_protection_fault_cntl2,
          &h.vm_invalidate_eng0_addr_range_lo32, &h.vm_invalidate_eng0_addr_range_hi32};
}

void check_table(const std::vector<const Reg*>& regs) {
  std::set<std::tuple<HwIp, unsigned, uint32_t>> seen;
  for (const Reg* r : regs) {
    INFO(r->name);
    CHECK(seen.insert({r->ip, r->seg, r->offset}).second);
    uint32_t used = 0;
    for (const Field& f : r->fields) {
      INFO(f.name);
      REQUIRE(f.hi < 32);
      REQUIRE(f.hi >= f.lo);
      CHECK((used & f.mask()) == 0);
      used |= f.mask();
    }
  }
}

}  // namespace

TEST_CASE("registers: fields fit and do not overlap; offsets are unique per table", "[am][registers]") {
  using namespace mp_13_0_0;
  check_table({&MP0_SMN_C2PMSG_33, &MP0_SMN_C2PMSG_35, &MP0_SMN_C2PMSG_36, &MP0_SMN_C2PMSG_64, &MP0_SMN_C2PMSG_67,
               &MP0_SMN_C2PMSG_69, &MP0_SMN_C2PMSG_70, &MP0_SMN_C2PMSG_71, &MP0_SMN_C2PMSG_81, &MP1_SMN_C2PMSG_53,
               &MP1_SMN_C2PMSG_54, &MP1_SMN_C2PMSG_66, &MP1_SMN_C2PMSG_75, &MP1_SMN_C2PMSG_82, &MP1_SMN_C2PMSG_90});
  check_table(hub_regs(mmhub_3_0_0::hub));
  check_table(hub_regs(gchub_11_0_0::hub));
  using namespace osssys_6_0_0;
  check_table({&IH_RB_CNTL, &IH_RB_BASE, &IH_RB_BASE_HI, &IH_RB_RPTR, &IH_RB_WPTR, &IH_RB_WPTR_ADDR_HI, &IH_RB_WPTR_ADDR_LO,
               &IH_DOORBELL_RPTR, &IH_CNTL, &IH_STORM_CLIENT_LIST_CNTL, &IH_INT_FLOOD_CNTL, &IH_MSI_STORM_CTRL});
  using namespace nbio_4_3_0;
  check_table({&RCC_DEV0_EPF0_RCC_DOORBELL_APER_EN, &RCC_DEV0_EPF2_STRAP2, &BIF_BX_PF0_GPU_HDP_FLUSH_REQ,
               &BIF_BX_PF0_GPU_HDP_FLUSH_DONE, &BIF_BX0_REMAP_HDP_MEM_FLUSH_CNTL, &BIF_BX0_BIF_DOORBELL_INT_CNTL,
               &RCC_DEV0_EPF0_RCC_CONFIG_MEMSIZE, &BIF_BX_PF0_RSMU_INDEX, &BIF_BX_PF0_RSMU_DATA});
}

TEST_CASE("registers: offsets as the kernel headers give them", "[am][registers]") {
  // mp_13_0_0_offset.h (amd.md §4 and §5 quote the same numbers).
  CHECK(mp_13_0_0::MP0_SMN_C2PMSG_35.offset == 0x63);
  CHECK(mp_13_0_0::MP0_SMN_C2PMSG_64.offset == 0x80);
  CHECK(mp_13_0_0::MP0_SMN_C2PMSG_81.offset == 0x91);
  CHECK(mp_13_0_0::MP1_SMN_C2PMSG_66.offset == 0x282);
  CHECK(mp_13_0_0::MP1_SMN_C2PMSG_82.offset == 0x292);
  CHECK(mp_13_0_0::MP1_SMN_C2PMSG_90.offset == 0x29a);
  // mmhub_3_0_0_offset.h.
  CHECK(mmhub_3_0_0::MMMC_VM_FB_LOCATION_BASE.offset == 0x8ec);
  CHECK(mmhub_3_0_0::MMVM_CONTEXT0_CNTL.offset == 0x740);
  // nbio: RCC_CONFIG_MEMSIZE is the fixed BAR5 dword 0xde3 with segment 2 at 0xd20 on navi3x.
  CHECK(0xd20 + nbio_4_3_0::RCC_DEV0_EPF0_RCC_CONFIG_MEMSIZE.offset == nbio_4_3_0::rcc_config_memsize_dword);
}

TEST_CASE("registers: values by field and trace decoding", "[am][registers]") {
  using osssys_6_0_0::IH_RB_CNTL;
  uint32_t v = value(IH_RB_CNTL, {{"rb_enable", 1}, {"rb_size", 16}, {"mc_space", 4}});
  CHECK(v == (1u | 16u << 1 | 4u << 28));
  CHECK(IH_RB_CNTL["rb_size"].get(v) == 16);
  std::string text = Gpu::decode(IH_RB_CNTL, v);
  CHECK_THAT(text, Catch::StartsWith("0x40000021 (") && Catch::Contains("rb_enable=0x1") &&
                       Catch::Contains("rb_size=0x10") && Catch::Contains("mc_space=0x4"));
  CHECK(Gpu::decode(mp_13_0_0::MP0_SMN_C2PMSG_81, 0x1234) == "0x00001234");
}

// The gc 11.0.0 facts re-read for the queue side (docs/am.md "Facts and where they were read"): the
// numbers as the kernel headers print them, so that a wrong transcription fails here.
TEST_CASE("registers: gc 11.0.0 queue-side facts as the kernel headers give them", "[am][registers]") {
  namespace gc = gc_11_0_0;
  CHECK(gc::srcid::sdma_trap == 0x31);  // irqsrcs_gfx_11_0_0.h GFX_11_0_0__SRCID__SDMA_TRAP
  CHECK(gc::sdma_queue_stride == 0x00d8 - 0x0080);  // gc_11_0_0_offset.h SDMA0_QUEUE1_RB_CNTL - QUEUE0
  CHECK(gc::SDMA0_QUEUE0_RB_CNTL["rb_vmid"].mask() == 0x0f000000u);  // gc_11_0_0_sh_mask.h
  CHECK(gc::SDMA0_QUEUE0_RB_CNTL["rb_priv"].mask() == 0x00800000u);
  CHECK(gc::SDMA0_QUEUE0_RB_CNTL["rptr_writeback_timer"].mask() == 0x001f0000u);
  CHECK(gc::SDMA0_QUEUE0_RB_CNTL["f32_wptr_poll_enable"].mask() == 0x00000800u);
  CHECK(gc::SDMA0_QUEUE0_DOORBELL["enable"].mask() == 0x10000000u);
  CHECK(gc::SDMA0_QUEUE0_DOORBELL_OFFSET["offset"].mask() == 0x0ffffffcu);
  CHECK(gc::COMPUTE_PGM_LO.offset == 0x1bac);
  CHECK(gc::COMPUTE_USER_DATA_0.offset == 0x1be0);
  CHECK(gc::COMPUTE_PGM_RSRC3.offset == 0x1bc8);
  CHECK(gc::CP_HQD_PQ_WPTR_HI.offset == 0x1fe0);
  CHECK(gc::CP_HQD_ERROR.offset == 0x1fdc);
  // DEFAULT_SH_MEM_CONFIG (gfx_v11_0.c): 64-bit, unaligned, prefetch 3 = 0xc00c.
  CHECK(value(gc::SH_MEM_CONFIG, {{"address_mode", 0}, {"alignment_mode", 3}, {"initial_inst_prefetch", 3}}) == 0xc00cu);
}
