// The chip the gfx1100 model publishes through its discovery table.
//
// IP versions: Linux Documentation/gpu/amdgpu/dgpu-asic-info-table.csv (Navi 31: GC 11.0.0, MP0/MP1
// 13.0.0, SDMA 6.0.0) and the IP set tinygrad's AM driver takes on the RX 7900 (NBIO 4.3.0, MMHUB
// 3.0.0, OSSSYS 6.0.0, HDP 6.0.0).
// Register bases: GC/SDMA and NBIO from tinygrad's gfx1100 KFD mock (test/mockgpu/amd/amddriver.py,
// rdna3 ip_discovery files); MMHUB, MP0/MP1, HDP and OSSSYS from tinygrad's AM mock
// (test/mockgpu/am/amgpu.py IP_BASES), which describes a gfx12 part: for Navi 31 those four are an
// assumption (docs/am.md lists it), harmless to the driver, which takes every base from the table.
// gc_info: Navi 31's public shape (6 shader engines, 2 shader arrays each, 4 WGPs per array).
#include "platform.hpp"

namespace hcq::am::sim {

DiscoveryLayout gfx1100_layout() {
  const std::vector<uint32_t> gc_bases = {0x00001260, 0x0000a000, 0x0001c000, 0x02402c00};
  const std::vector<uint32_t> mp_bases = {0x00016000, 0x00dc0000, 0x00e00000, 0x00e40000, 0x0243fc00};
  DiscoveryLayout l;
  l.blocks = {
      {HwIp::gc, 0, {11, 0, 0}, false, gc_bases},
      {HwIp::sdma0, 0, {6, 0, 0}, false, gc_bases},
      {HwIp::sdma1, 0, {6, 0, 0}, false, gc_bases},
      {HwIp::nbio, 0, {4, 3, 0}, false, {0x00000000, 0x00000014, 0x00000d20, 0x00010400, 0x0241b000, 0x04040000}},
      {HwIp::mmhub, 0, {3, 0, 0}, false, {0x0001a000, 0x02408800}},
      {HwIp::mp0, 0, {13, 0, 0}, false, mp_bases},
      {HwIp::mp1, 0, {13, 0, 0}, false, mp_bases},
      {HwIp::hdp, 0, {6, 0, 0}, false, {0x00000f20, 0x0240a400}},
      {HwIp::osssys, 0, {6, 0, 0}, false, {0x000010a0, 0x0240a000}},
  };
  l.gc = {.num_se = 6, .num_wgp0_per_sa = 4, .num_wgp1_per_sa = 0, .num_rb_per_se = 4, .num_gl2c = 24,
          .wave_size = 32, .max_waves_per_simd = 16, .max_scratch_slots_per_cu = 32, .lds_size = 64, .num_sa_per_se = 2};
  return l;
}

}  // namespace hcq::am::sim
