// The IP-block lifecycle (amdgpu's amd_ip_funcs, at tinygrad's size): the GPU owns an ordered list
// of blocks built from IP discovery, walks it forwards for init and backwards for fini.
//
// init_sw: allocate host-side state and memory, read firmware; touches no register.
// init_hw: program the hardware; throws hcq::Error naming the block, what was seen, what to do.
// fini_hw: stop the block and leave it recoverable (a later init_hw from scratch must work);
//          noexcept: logs and goes on.
// suspend/resume: Gpu::suspend walks the blocks backwards once every block is idle, Gpu::resume
//          forwards (amdgpu_device_ip_suspend / amdgpu_device_ip_resume). By default fini_hw /
//          init_hw, as most amdgpu blocks do; blocks with queues save what resume needs (their rings'
//          pointers) and bring those queues back. init_sw state (memory, firmware) is kept.
// idle_state: nothing in flight, from the block's own status registers (the per-IP *_is_idle),
//          with the registers read, decoded, for Gpu::wait_idle's message.
#pragma once

#include <string>
#include <string_view>

namespace hcq::am {

class Gpu;

class IpBlock {
 public:
  explicit IpBlock(Gpu& gpu) : gpu_(gpu) {}
  virtual ~IpBlock() = default;
  IpBlock(const IpBlock&) = delete;
  IpBlock& operator=(const IpBlock&) = delete;

  // "SOC", "GMC", "IH", "PSP", "SMU", "GFX", "SDMA": the block name in messages and logs.
  virtual std::string_view name() const noexcept = 0;
  virtual void init_sw() {}
  virtual void init_hw() = 0;
  virtual void fini_hw() noexcept = 0;
  virtual void suspend() { fini_hw(); }
  virtual void resume() { init_hw(); }
  struct IdleState {
    bool idle = true;
    std::string status;  // "GRBM_STATUS = 0x... (gui_active=1 ...)": what idle was read from
  };
  // Blocks without a busy state (the kernel's is_idle returns true for SOC21 and GMC v11) keep this.
  virtual IdleState idle_state() { return {true, "no busy state"}; }
  bool is_idle() { return idle_state().idle; }
  // Warm restart: true for blocks whose hardware state survives our own clean fini (the PSP with its
  // loaded firmware): init() then skips their init_hw.
  virtual bool keeps_state_when_warm() const noexcept { return false; }
  // Firmware versions this block loaded or found, for progress reports: "sos 0x00350036 ...", or "".
  virtual std::string firmware_versions() const { return {}; }

 protected:
  Gpu& gpu_;
};

}  // namespace hcq::am
