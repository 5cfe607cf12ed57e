// The model's PSP (MP0 13.0.0): the bootloader mailbox, the KM ring and the commands the gfx11
// bring-up sends, checked against the real firmware files (the model finds them on the firmware
// search path, as a real PSP has its own copy of what it may load).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "am/ip/psp_gfx_if.hpp"
#include "hcq/firmware/amdgpu.hpp"
#include "hcq/firmware/loader.hpp"
#include "platform.hpp"

namespace hcq::am::sim {

class Psp {
 public:
  explicit Psp(Platform& p);
  ~Psp();
  void install();  // power-on values and hooks
  uint32_t smu_version() const noexcept { return smu_version_; }
  std::vector<uint32_t> loaded() const;

 private:
  struct Reference;  // the real files, parsed
  void bootloader_command(uint32_t cmd);
  void ring_control(uint32_t value);
  void ring_wptr(uint32_t wptr);
  uint32_t execute(psp::CmdResp& cmd);
  uint32_t load_ip_fw(const psp::LoadIpFw& c);
  uint32_t setup_tmr(const psp::SetupTmr& c);
  uint32_t refuse(uint32_t status, std::string why);
  const Reference* reference();

  Platform& p_;
  std::unique_ptr<Reference> ref_;
  std::string ref_error_;
  uint32_t smu_version_ = 0;
  std::mutex mutex_;
  // State since power-on.
  std::set<uint32_t> components_;  // sos bins the bootloader took
  bool sos_alive_ = false;
  uint64_t ring_mc_ = 0;
  uint32_t ring_bytes_ = 0, rptr_ = 0;
  bool toc_loaded_ = false, tmr_ready_ = false, autoloaded_ = false;
  std::vector<uint32_t> loaded_;
};

class Smu {
 public:
  Smu(Platform& p, Psp& psp) : p_(p), psp_(psp) {}
  void install();

 private:
  void message(uint32_t msg);
  void debug_message(uint32_t msg);
  uint32_t handle(uint32_t msg, uint32_t param, uint32_t& result);
  void write_metrics();

  Platform& p_;
  Psp& psp_;
  uint64_t dram_ = 0;
  bool features_ = false;
  uint32_t counter_ = 0;
  uint64_t last_busy_ns_ = 0, last_wall_ns_ = 0, energy_ = 0;
};

}  // namespace hcq::am::sim
