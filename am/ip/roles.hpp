// What am::Gpu asks of its blocks without knowing their IP versions: each per-version block
// (soc_nbio, gmc_v11, psp_v13, smu_v13, and their gfx12/gfx9 siblings) implements the roles it has,
// and the GPU finds them with block<Role>().
#pragma once

namespace hcq::am {

class HdpFlush {  // SOC/NBIO
 public:
  virtual ~HdpFlush() = default;
  virtual void hdp_flush() = 0;
};

class TlbInvalidate {  // GMC
 public:
  virtual ~TlbInvalidate() = default;
  virtual void invalidate_tlb(unsigned vmid) = 0;
};

class SecureProcessor {  // PSP
 public:
  virtual ~SecureProcessor() = default;
  virtual bool sos_alive() = 0;        // its secure OS is running (firmware state unknown to a new session)
  virtual void wait_reset_done() = 0;  // after a mode1 reset: back at the bootloader
};

class PowerManager {  // SMU
 public:
  virtual ~PowerManager() = default;
  virtual bool alive() = 0;
  virtual void mode1_reset() = 0;
};

}  // namespace hcq::am
