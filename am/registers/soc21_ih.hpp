// Interrupt-handler entries on soc21 (gfx11): client ids (Linux drivers/gpu/drm/amd/include/soc21_enum.h
// and ivsrcid/ SOC21_IH_CLIENTID_*, as tinygrad's autogen am.py lists them), the VM fault source ids
// (ivsrcid/vmc/irqsrcs_vmc_1_0.h VMC_1_0__SRCID__VM_FAULT, ivsrcid/gfx/irqsrcs_gfx_11_0_0.h'
// UTCL2_1_0__SRCID__FAULT) and the 8-dword entry layout (amdgpu_ih.c amdgpu_ih_decode_iv_helper).
#pragma once

#include <cstdint>

namespace hcq::am::ih {

enum ClientId : uint32_t {
  client_ih = 0, client_athub = 2, client_bif = 3, client_rlc = 7, client_gfx = 10, client_imu = 11, client_thm = 15,
  client_vmc = 18, client_grbm_cp = 20, client_lsdma = 26, client_mp0 = 30, client_mp1 = 31,
};
// A GC-hub (UTCL2) translation fault comes as client_gfx, an MMHUB one as client_vmc; both with source id 0.
inline constexpr uint32_t src_utcl2_fault = 0;
inline constexpr uint32_t src_vmc_vm_fault = 0;

inline constexpr unsigned entry_dwords = 8;
inline constexpr unsigned entry_bytes = entry_dwords * 4;
// dw0: client_id 7:0, src_id 15:8, ring_id 23:16, vmid 27:24, vmid_type 31.
constexpr uint32_t dw0(uint32_t client, uint32_t src, uint32_t ring, uint32_t vmid) {
  return (client & 0xff) | (src & 0xff) << 8 | (ring & 0xff) << 16 | (vmid & 0xf) << 24;
}
constexpr uint32_t client_of(uint32_t dw0) { return dw0 & 0xff; }
constexpr uint32_t src_of(uint32_t dw0) { return (dw0 >> 8) & 0xff; }
constexpr uint32_t vmid_of(uint32_t dw0) { return (dw0 >> 24) & 0xf; }
// dw1/dw2: timestamp (48 bits); dw3: pasid 15:0, node 23:16; dw4..7: src_data (context) 0..3.
// A VM fault's src_data: [0] = fault address >> 12 (bits 43:12), [1] bits 3:0 = address bits 47:44
// (gmc_v11_0.c gmc_v11_0_process_interrupt).
constexpr uint64_t fault_address(uint32_t src0, uint32_t src1) {
  return uint64_t(src0) << 12 | uint64_t(src1 & 0xf) << 44;
}

}  // namespace hcq::am::ih
