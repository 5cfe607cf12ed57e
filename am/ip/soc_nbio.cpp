#include "soc_nbio.hpp"

#include "../gpu.hpp"
#include "../registers/nbio_4_3_0.hpp"

namespace hcq::am {

using namespace nbio_4_3_0;

namespace {
// The BAR5 page amdgpu remaps HDP flushes to: MMIO_REG_HOLE_OFFSET = 0x80000 - 4 KiB (amdgpu.h), with
// HDP_MEM_FLUSH_CNTL first in it (nbio_v4_3.c nbio_v4_3_remap_hdp_registers).
constexpr uint32_t mmio_reg_hole_byte = 0x80000 - 0x1000;
}  // namespace

void SocNbio43::init_hw() {
  // Function 2 (the audio function) must not block soft resets; doorbells reach the GPU only once the
  // aperture is enabled (nbio_v4_3.c nbio_v4_3_enable_doorbell_aperture).
  gpu_.update(RCC_DEV0_EPF2_STRAP2, {{"strap_no_soft_reset_dev0_f2", 0}});
  gpu_.write(RCC_DEV0_EPF0_RCC_DOORBELL_APER_EN, value(RCC_DEV0_EPF0_RCC_DOORBELL_APER_EN, {{"bif_doorbell_aper_en", 1}}));
  gpu_.write(BIF_BX0_REMAP_HDP_MEM_FLUSH_CNTL, mmio_reg_hole_byte);
  flush_byte_ = mmio_reg_hole_byte;
}

void SocNbio43::hdp_flush() {
  if (!flush_byte_) flush_byte_ = gpu_.read(BIF_BX0_REMAP_HDP_MEM_FLUSH_CNTL);
  if (!flush_byte_) return;  // not remapped yet (before SOC init after a reset): nothing is cached either
  gpu_.write_dword(flush_byte_ / 4, 0);
}

}  // namespace hcq::am
