// Inside the gfx1100 model: what its platform parts (gmc, ih, psp, smu) get from the model beyond
// sim::Context. Not for engines (they see Context only).
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>

#include "am/discovery.hpp"
#include "am/registers/hub.hpp"
#include "context.hpp"
#include "kmd-free/pci_sim.hpp"

namespace hcq::am::sim {

// The model's chip: its discovery layout (the IP versions and bases it publishes).
DiscoveryLayout gfx1100_layout();
inline constexpr uint64_t gfx1100_fb_base = 0x8000000000ull;  // MC address of VRAM byte 0 (MC_VM_FB_LOCATION_BASE << 24)

class Platform : public Context {
 public:
  virtual std::byte* vram() noexcept = 0;
  virtual uint64_t vram_size() const noexcept = 0;
  virtual uint64_t fb_base() const noexcept = 0;
  virtual kmdfree::SimHost& host() noexcept = 0;
  virtual void record_fault(const VmFault& fault) = 0;
  virtual void firmware_accepted(uint32_t psp_fw_type) = 0;
  virtual void psp_refused(std::string why) = 0;
  virtual void mode1_reset() = 0;        // the whole chip back to power-on state (VRAM kept)
  virtual uint64_t engines_busy_ns() const = 0;
  virtual bool psp_dead() const noexcept = 0;
};

// Platform parts: each installs its hooks on a fresh register file (construction and every reset).
class Gmc {
 public:
  explicit Gmc(Platform& p) : p_(p) {}
  void install();
  // VA -> a host pointer to `bytes` bytes (never crossing a 4 KiB page), or null after raising the fault.
  std::byte* translate(Client client, unsigned vmid, uint64_t va, uint64_t bytes, bool write);

 private:
  struct Result {
    std::byte* host = nullptr;
    std::string why;  // when host is null
  };
  Result walk(const Hub& hub, uint64_t va, uint64_t bytes, bool write);
  void fault(const Hub& hub, Client client, unsigned vmid, uint64_t va, bool write, std::string why);
  Platform& p_;
};

class Ih {
 public:
  explicit Ih(Platform& p) : p_(p) {}
  void install() {}
  void raise(uint32_t client_id, uint32_t src_id, std::span<const uint32_t, 4> context, unsigned vmid);

 private:
  Platform& p_;
  std::mutex mutex_;
};

class Psp;
class Smu;

}  // namespace hcq::am::sim
