// SOC/NBIO 4.3 (gfx11): the doorbell aperture and the HDP flush (nbio_v4_3.c, soc21.c; tinygrad AM_SOC).
#pragma once

#include "../ip_block.hpp"
#include "roles.hpp"

namespace hcq::am {

class SocNbio43 final : public IpBlock, public HdpFlush {
 public:
  using IpBlock::IpBlock;
  std::string_view name() const noexcept override { return "SOC"; }
  void init_hw() override;
  void fini_hw() noexcept override {}
  // Writes through BAR0 become visible to the GPU (and GPU writes to the CPU): write 0 to the register
  // REMAP_HDP_MEM_FLUSH_CNTL names (a BAR5 byte offset).
  void hdp_flush() override;

 private:
  uint32_t flush_byte_ = 0;
};

}  // namespace hcq::am
