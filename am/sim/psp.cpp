// The model's PSP. What it checks, each against the real files on the firmware search path:
// - bootloader (C2PMSG_35/36): each component's bytes at the staging address equal that bin of
//   psp_13_0_0_sos.bin; SOS needs KDB and SYS_DRV first; sOS alive sets C2PMSG_81.
// - ring (C2PMSG_64/69/70/71, wptr C2PMSG_67): 64-byte frames, 1 KiB command buffers, fences.
// - LOAD_TOC, SETUP_TMR, LOAD_IP_FW (known type, exact size and bytes of the real image), with the
//   order amdgpu_psp.c keeps: nothing but SMU before SETUP_TMR, RLC_G after the images RLC boots
//   with, AUTOLOAD_RLC after RLC_G. A refusal sets resp.status (the driver reports it).
#include <fmt/format.h>

#include <cstring>

#include "am/ip/psp_images.hpp"
#include "am/registers/gc_11_0_0.hpp"
#include "am/registers/mp_13_0_0.hpp"
#include "hcq/error.hpp"
#include "hcq/firmware/manifest.hpp"
#include "psp.hpp"

namespace hcq::am::sim {

using namespace mp_13_0_0;
using fw::amdgpu::PspFwType;

namespace {
constexpr uint32_t sos_alive_ifwi = 0x80000000u;  // C2PMSG_33 bit 31: IFWI init done
constexpr uint32_t cp_stat_busy = 0x80000000u;    // CP_STAT.cp_busy (gc_11_0_0_sh_mask.h CP_STAT__CP_BUSY_MASK)
constexpr uint32_t model_tmr_bytes = 8u << 20;    // what LOAD_TOC answers (the model's choice)
constexpr PspFwType boot_prereq_of_sos[] = {PspFwType::kdb, PspFwType::sys_drv};
constexpr psp::FwType rlc_g_prereqs[] = {psp::FwType::imu_i, psp::FwType::imu_d, psp::FwType::rs64_mec,
                                         psp::FwType::sdma_ucode_th0, psp::FwType::sdma_ucode_th1};

template <class T>
uint64_t addr64(T lo, T hi) {
  return uint64_t(hi) << 32 | lo;
}
}  // namespace

struct Psp::Reference {
  std::vector<std::unique_ptr<fw::Blob>> blobs;
  std::vector<fw::amdgpu::Firmware> files;
  const fw::amdgpu::Firmware* sos = nullptr;
  std::vector<psp::Image> images;
};

Psp::Psp(Platform& p) : p_(p) {}
Psp::~Psp() = default;

const Psp::Reference* Psp::reference() {
  if (ref_ || !ref_error_.empty()) return ref_.get();
  try {
    auto ref = std::make_unique<Reference>();
    fw::AmdIps ips{{11, 0, 0}, {13, 0, 0}, {13, 0, 0}, {6, 0, 0}, {}, {}};
    fw::Manifest m = fw::amd_manifest(ips, "gfx1100");
    ref->files.reserve(m.entries.size());
    for (const fw::ManifestEntry& e : m.entries) {
      if (!e.required) continue;
      ref->blobs.push_back(std::make_unique<fw::Blob>(fw::load(e.file)));
      ref->files.push_back(fw::amdgpu::Firmware::parse(ref->blobs.back()->span(), e.file));
      if (e.role == "psp_sos") ref->sos = &ref->files.back();
      for (auto& img : psp::images(e.role, ref->files.back())) ref->images.push_back(img);
      if (e.role == "smu") smu_version_ = ref->files.back().common().ucode_version;
    }
    ref_ = std::move(ref);
  } catch (const Error& e) {
    ref_error_ = fmt::format("the model has no reference firmware to check against ({})", e.what());
  }
  return ref_.get();
}

std::vector<uint32_t> Psp::loaded() const { return loaded_; }

void Psp::install() {
  {
    std::lock_guard lock(mutex_);
    components_.clear();
    sos_alive_ = toc_loaded_ = tmr_ready_ = autoloaded_ = false;
    ring_mc_ = ring_bytes_ = rptr_ = 0;
    loaded_.clear();
  }
  p_.set_reg(gc_11_0_0::CP_STAT, cp_stat_busy);
  if (p_.psp_dead()) return;  // psp=dead: nothing answers, C2PMSG_35 never shows ready
  p_.set_reg(MP0_SMN_C2PMSG_33, sos_alive_ifwi);
  p_.set_reg(MP0_SMN_C2PMSG_35, psp::bl_ready);
  p_.on_write(p_.address(MP0_SMN_C2PMSG_35), [this](uint32_t v) { bootloader_command(v); });
  p_.on_write(p_.address(MP0_SMN_C2PMSG_64), [this](uint32_t v) { ring_control(v); });
  p_.on_write(p_.address(MP0_SMN_C2PMSG_67), [this](uint32_t v) { ring_wptr(v); });
}

void Psp::bootloader_command(uint32_t cmd) {
  std::lock_guard lock(mutex_);
  const Reference* ref = reference();
  const psp::BootComponent* comp = nullptr;
  for (const auto& c : psp::boot_order)
    if (uint32_t(c.cmd) == cmd) comp = &c;
  auto done = [&] { p_.set_reg(MP0_SMN_C2PMSG_35, psp::bl_ready); };
  if (!ref) return p_.psp_refused(ref_error_), done();
  if (!comp || sos_alive_) return p_.psp_refused(fmt::format("bootloader: command {:#x} not taken", cmd)), done();
  uint64_t staging = uint64_t(p_.reg(MP0_SMN_C2PMSG_36)) << psp::bl_staging_shift;
  const fw::Image* bin = psp::sos_bin(*ref->sos, comp->bin);
  // The kernel sends the SPL bin with LOAD_TOS_SPL_TABLE; tinygrad sends KDB for MP0 < 14: both are taken.
  const fw::Image* alt = comp->cmd == psp::BlCmd::load_tos_spl_table ? psp::sos_bin(*ref->sos, PspFwType::kdb) : nullptr;
  auto matches = [&](const fw::Image* b) {
    const std::byte* at = b ? p_.mc(staging, b->size()) : nullptr;
    return at && std::memcmp(at, b->bytes.data(), b->size()) == 0;
  };
  if (!matches(bin) && !matches(alt)) {
    p_.psp_refused(fmt::format("bootloader: the image at MC {:#x} is not the sos file's {} bin", staging,
                               fw::amdgpu::psp_fw_type_name(uint32_t(comp->bin))));
    return done();
  }
  if (comp->bin == PspFwType::sos) {
    for (PspFwType need : boot_prereq_of_sos)
      if (!components_.count(uint32_t(need)))
        return p_.psp_refused(fmt::format("bootloader: SOS before {}", fw::amdgpu::psp_fw_type_name(uint32_t(need)))), done();
    sos_alive_ = true;
    p_.set_reg(MP0_SMN_C2PMSG_81, bin->fw_version ? bin->fw_version : 1);
    p_.set_reg(MP0_SMN_C2PMSG_64, psp::ctrl_response);
  }
  components_.insert(uint32_t(comp->bin));
  done();
}

void Psp::ring_control(uint32_t v) {
  std::lock_guard lock(mutex_);
  if (!sos_alive_) return;  // the bootloader does not know ring commands: no answer
  uint32_t cmd = v >> psp::ctrl_cmd_shift & 0xf;
  if (v == psp::ctrl_destroy_rings) {
    ring_mc_ = ring_bytes_ = rptr_ = 0;
    p_.set_reg(MP0_SMN_C2PMSG_71, 0);
  } else if (cmd == psp::ring_type_km) {
    ring_mc_ = addr64(p_.reg(MP0_SMN_C2PMSG_69), p_.reg(MP0_SMN_C2PMSG_70));
    ring_bytes_ = p_.reg(MP0_SMN_C2PMSG_71);
    rptr_ = 0;
    if (!ring_bytes_ || ring_bytes_ % sizeof(psp::RbFrame) || !p_.mc(ring_mc_, ring_bytes_)) {
      p_.psp_refused(fmt::format("ring create: {} bytes at MC {:#x} is not a ring", ring_bytes_, ring_mc_));
      ring_mc_ = ring_bytes_ = 0;
      return p_.set_reg(MP0_SMN_C2PMSG_64, psp::ctrl_response | 1);
    }
  } else {
    p_.psp_refused(fmt::format("ring control {:#x} unknown", v));
    return p_.set_reg(MP0_SMN_C2PMSG_64, psp::ctrl_response | 1);
  }
  p_.set_reg(MP0_SMN_C2PMSG_64, psp::ctrl_response);
}

void Psp::ring_wptr(uint32_t wptr) {
  std::lock_guard lock(mutex_);
  if (!ring_mc_) return;
  const uint32_t ring_dwords = ring_bytes_ / 4;
  wptr %= ring_dwords;
  while (rptr_ != wptr) {
    psp::RbFrame f;
    std::memcpy(&f, p_.mc(ring_mc_ + uint64_t(rptr_) * 4, sizeof f), sizeof f);
    rptr_ = (rptr_ + psp::frame_dwords) % ring_dwords;
    auto* cmd = reinterpret_cast<psp::CmdResp*>(p_.mc(addr64(f.cmd_buf_addr_lo, f.cmd_buf_addr_hi), sizeof(psp::CmdResp)));
    std::byte* fence = p_.mc(addr64(f.fence_addr_lo, f.fence_addr_hi), 4);
    if (!cmd || !fence || f.cmd_buf_size < sizeof(psp::CmdResp)) {
      p_.psp_refused(fmt::format("ring frame with command buffer {:#x} ({} bytes) / fence {:#x} outside memory",
                                 addr64(f.cmd_buf_addr_lo, f.cmd_buf_addr_hi), f.cmd_buf_size,
                                 addr64(f.fence_addr_lo, f.fence_addr_hi)));
      continue;
    }
    cmd->resp.status = execute(*cmd);
    std::memcpy(fence, &f.fence_value, 4);
  }
}

uint32_t Psp::refuse(uint32_t status, std::string why) {
  p_.psp_refused(std::move(why));
  return status;
}

uint32_t Psp::execute(psp::CmdResp& c) {
  const Reference* ref = reference();
  if (!ref) return refuse(psp::err_bad_state, ref_error_);
  switch (psp::CmdId(c.cmd_id)) {
    case psp::CmdId::load_toc: {
      const fw::Image* toc = psp::sos_bin(*ref->sos, PspFwType::toc);
      const std::byte* at = p_.mc(addr64(c.cmd.load_toc.toc_phy_addr_lo, c.cmd.load_toc.toc_phy_addr_hi), c.cmd.load_toc.toc_size);
      if (!toc || !at || c.cmd.load_toc.toc_size != toc->size() || std::memcmp(at, toc->bytes.data(), toc->size()))
        return refuse(psp::err_bad_parameters, "LOAD_TOC: not the sos file's TOC");
      toc_loaded_ = true;
      c.resp.tmr_size = model_tmr_bytes;
      return 0;
    }
    case psp::CmdId::setup_tmr: return setup_tmr(c.cmd.setup_tmr);
    case psp::CmdId::load_ip_fw: return load_ip_fw(c.cmd.load_ip_fw);
    case psp::CmdId::autoload_rlc: {
      if (std::find(loaded_.begin(), loaded_.end(), uint32_t(psp::FwType::rlc_g)) == loaded_.end())
        return refuse(psp::err_bad_state, "AUTOLOAD_RLC before RLC_G was loaded");
      autoloaded_ = true;
      p_.set_reg(gc_11_0_0::RLC_RLCS_BOOTLOAD_STATUS, gc_11_0_0::RLC_RLCS_BOOTLOAD_STATUS["bootload_complete"](1));
      p_.set_reg(gc_11_0_0::CP_STAT, 0);
      return 0;
    }
    default: return refuse(psp::err_unknown_command, fmt::format("command id {:#x} is not one the model knows", c.cmd_id));
  }
}

uint32_t Psp::setup_tmr(const psp::SetupTmr& c) {
  uint64_t a = addr64(c.buf_phy_addr_lo, c.buf_phy_addr_hi);
  if (!toc_loaded_) return refuse(psp::err_bad_state, "SETUP_TMR before LOAD_TOC");
  if (c.buf_size < model_tmr_bytes || a % psp::tmr_align || !p_.mc(a, c.buf_size))
    return refuse(psp::err_bad_parameters,
                  fmt::format("SETUP_TMR: {:#x} bytes at {:#x} (needs {:#x}, 1 MiB aligned, in VRAM)", c.buf_size, a, model_tmr_bytes));
  tmr_ready_ = true;
  return 0;
}

uint32_t Psp::load_ip_fw(const psp::LoadIpFw& c) {
  const auto type = psp::FwType(c.fw_type);
  if (!psp::known(c.fw_type)) return refuse(psp::err_bad_parameters, fmt::format("LOAD_IP_FW: unknown type {}", c.fw_type));
  if (!tmr_ready_ && type != psp::FwType::smu)
    return refuse(psp::err_bad_state, fmt::format("LOAD_IP_FW({}) before SETUP_TMR", psp::to_string(type)));
  const psp::Image* want = nullptr;
  for (const psp::Image& img : ref_->images)
    if (img.type == type) want = &img;
  if (!want) return refuse(psp::err_bad_parameters, fmt::format("LOAD_IP_FW({}): not a gfx1100 image", psp::to_string(type)));
  const std::byte* at = p_.mc(addr64(c.fw_phy_addr_lo, c.fw_phy_addr_hi), c.fw_size);
  if (c.fw_size != want->bytes.size() || !at || std::memcmp(at, want->bytes.data(), c.fw_size))
    return refuse(psp::err_bad_parameters, fmt::format("LOAD_IP_FW({}): {} bytes that are not {} ({} bytes)", psp::to_string(type),
                                                       c.fw_size, want->source, want->bytes.size()));
  if (type == psp::FwType::rlc_g)
    for (psp::FwType need : rlc_g_prereqs)
      if (std::find(loaded_.begin(), loaded_.end(), uint32_t(need)) == loaded_.end())
        return refuse(psp::err_bad_state, fmt::format("LOAD_IP_FW(rlc_g) before {}", psp::to_string(need)));
  loaded_.push_back(c.fw_type);
  p_.firmware_accepted(c.fw_type);
  return 0;
}

}  // namespace hcq::am::sim
