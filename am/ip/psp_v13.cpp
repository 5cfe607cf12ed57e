#include "psp_v13.hpp"

#include <fmt/format.h>

#include <cstring>
#include <thread>

#include "../registers/mp_13_0_0.hpp"
#include "round_up.hpp"

namespace hcq::am {

using namespace mp_13_0_0;
using fw::amdgpu::PspFwType;

namespace {
constexpr uint64_t mib = 1 << 20;
constexpr auto ring_settle = std::chrono::milliseconds(20);  // psp_v13_0_ring_create sleeps this long after a command
using detail::round_up;
constexpr const char* reset_hint =
    "the PSP did not answer: its firmware may be wedged. Power-cycle the machine or rebind amdgpu once to reset "
    "the GPU, then retry";
}  // namespace

struct PspV13::Files {
  std::vector<std::unique_ptr<fw::Blob>> blobs;
  std::vector<std::unique_ptr<fw::amdgpu::Firmware>> files;
  const fw::amdgpu::Firmware* sos = nullptr;
  std::vector<psp::Image> images;  // in load order
  std::string versions;
};

PspV13::PspV13(Gpu& gpu) : IpBlock(gpu) {}
PspV13::~PspV13() = default;

void PspV13::load_firmware() {
  auto files = std::make_unique<Files>();
  fw::Manifest m = fw::amd_manifest(firmware_ips(gpu_.discovery()), std::string(gpu_.chip().name));
  fw::SearchPath path = gpu_.firmware_search_path();
  auto load = [&](std::string_view role) -> const fw::amdgpu::Firmware& {
    for (const fw::ManifestEntry& e : m.entries) {
      if (e.role != role) continue;
      try {
        files->blobs.push_back(std::make_unique<fw::Blob>(fw::load(e.file, path)));
        files->files.push_back(std::make_unique<fw::amdgpu::Firmware>(
            fw::amdgpu::Firmware::parse(files->blobs.back()->span(), e.file)));
      } catch (const Error& err) {
        gpu_.fail(err.code(), name(),
                  fmt::format("{} ({}): {}. Install firmware-amd-graphics (Debian 20250410 or later) or point "
                              "HCQ_FIRMWARE_PATH at a directory holding amdgpu/",
                              e.file, e.purpose, err.detail()));
      }
      files->versions += fmt::format("{}{} {:#x}", files->versions.empty() ? "" : ", ", role,
                                     files->files.back()->common().ucode_version);
      return *files->files.back();
    }
    gpu_.fail(Errc::unsupported, name(), fmt::format("the firmware manifest has no {} file for this chip", role));
  };
  files->sos = &load("psp_sos");
  for (std::string_view role : psp::load_order) {
    const auto& f = load(role);
    try {
      for (auto& img : psp::images(role, f)) files->images.push_back(img);
    } catch (const Error& err) {
      gpu_.fail(err.code(), name(), err.detail());
    }
  }
  files_ = std::move(files);
}

void PspV13::init_sw() {
  ring_ = gpu_.alloc_vram(psp::ring_bytes, psp::ring_bytes, false);
  cmd_ = gpu_.alloc_vram(psp::cmd_buffer_bytes, psp::cmd_buffer_bytes, false);
  fence_ = gpu_.alloc_vram(psp::fence_buffer_bytes, psp::fence_buffer_bytes, false);
}

// The files are read at init_hw, again whenever the search path changed since (a retry after fixing
// HCQ_FIRMWARE_PATH or Options::firmware_path picks the new files up).
void PspV13::ensure_firmware() {
  std::string key;
  const fw::SearchPath path = gpu_.firmware_search_path();
  for (const auto& d : path.dirs()) key += d.string() + ":";
  if (files_ && key == files_key_) return;
  files_.reset();
  load_firmware();
  files_key_ = key;
  uint64_t biggest_bin = 0, biggest_image = 0;
  for (const fw::Image& img : files_->sos->images()) biggest_bin = std::max<uint64_t>(biggest_bin, img.size());
  for (const psp::Image& img : files_->images) biggest_image = std::max<uint64_t>(biggest_image, img.bytes.size());
  auto grow = [&](VramBlock& b, uint64_t bytes, uint64_t align) {
    if (b.size >= bytes) return;
    gpu_.free_vram(b);
    b = gpu_.alloc_vram(round_up(bytes, align), align, false);
  };
  grow(staging_, biggest_bin, psp::bl_staging_align);
  grow(fw_buf_, biggest_image, mib);
}

std::string PspV13::firmware_versions() const { return files_ ? files_->versions : ""; }

bool PspV13::sos_alive() { return gpu_.read(MP0_SMN_C2PMSG_81) != 0; }

void PspV13::wait_reset_done() {
  gpu_.poll(name(), MP0_SMN_C2PMSG_81, ~0u, 0, "the mode1 reset did not stop the PSP; power-cycle the machine");
  ring_up_ = false;
  gpu_.poll(name(), MP0_SMN_C2PMSG_35, psp::bl_ready, psp::bl_ready, reset_hint);
}

void PspV13::stage(const VramBlock& dst, std::span<const std::byte> bytes) {
  if (bytes.size() > dst.size) gpu_.fail(Errc::internal, name(), "staging buffer too small");
  gpu_.vram_bar().write(dst.offset, bytes.data(), bytes.size());
  gpu_.hdp_flush();
}

void PspV13::bootloader() {
  for (const psp::BootComponent& c : psp::boot_order) {
    const fw::Image* bin = psp::sos_bin(*files_->sos, c.bin);
    if (!bin || bin->bytes.empty()) continue;
    gpu_.poll(name(), MP0_SMN_C2PMSG_35, psp::bl_ready, psp::bl_ready, reset_hint);
    stage(staging_, bin->bytes);
    gpu_.write(MP0_SMN_C2PMSG_36, uint32_t(staging_.mc >> psp::bl_staging_shift));
    gpu_.write(MP0_SMN_C2PMSG_35, uint32_t(c.cmd));
    gpu_.logger()->debug("PSP bootloader: {} ({} bytes)", fw::amdgpu::psp_fw_type_name(uint32_t(c.bin)), bin->size());
  }
  gpu_.poll_until(name(), MP0_SMN_C2PMSG_81, [](uint32_t v) { return v != 0; }, "non-zero (sOS running)",
                  "the PSP did not start its secure OS from the components loaded: check psp_*_sos.bin (hcq-fw check) and "
                  "power-cycle the machine");
}

void PspV13::ring_create() {
  if (gpu_.read(MP0_SMN_C2PMSG_71) != 0) {
    gpu_.write(MP0_SMN_C2PMSG_64, psp::ctrl_destroy_rings);
    std::this_thread::sleep_for(ring_settle);
  }
  gpu_.poll(name(), MP0_SMN_C2PMSG_64, psp::ctrl_response, psp::ctrl_response, reset_hint);
  gpu_.write(MP0_SMN_C2PMSG_69, uint32_t(ring_.mc));
  gpu_.write(MP0_SMN_C2PMSG_70, uint32_t(ring_.mc >> 32));
  gpu_.write(MP0_SMN_C2PMSG_71, uint32_t(psp::ring_bytes));
  gpu_.write(MP0_SMN_C2PMSG_64, psp::ring_type_km << psp::ctrl_cmd_shift);
  gpu_.poll(name(), MP0_SMN_C2PMSG_64, psp::ctrl_response | psp::ctrl_status_mask, psp::ctrl_response,
            "the PSP refused the KM ring (status in the low 16 bits); power-cycle the machine and retry");
  wptr_ = 0;
  ring_up_ = true;
}

psp::Resp PspV13::submit(psp::CmdId id, const void* body, size_t body_bytes, std::string_view what) {
  psp::CmdResp cmd{};
  cmd.buf_size = sizeof cmd;
  cmd.buf_version = psp::cmd_buf_version;
  cmd.cmd_id = uint32_t(id);
  if (body) std::memcpy(&cmd.cmd, body, std::min(body_bytes, sizeof cmd.cmd));
  gpu_.vram_bar().write(cmd_.offset, &cmd, sizeof cmd);
  psp::RbFrame f{};
  f.cmd_buf_addr_lo = uint32_t(cmd_.mc), f.cmd_buf_addr_hi = uint32_t(cmd_.mc >> 32), f.cmd_buf_size = sizeof cmd;
  f.fence_addr_lo = uint32_t(fence_.mc), f.fence_addr_hi = uint32_t(fence_.mc >> 32), f.fence_value = ++fence_value_;
  const uint32_t ring_dwords = uint32_t(psp::ring_bytes / 4);
  gpu_.vram_bar().write(ring_.offset + uint64_t(wptr_) * 4, &f, sizeof f);
  gpu_.hdp_flush();
  wptr_ = (wptr_ + psp::frame_dwords) % ring_dwords;
  gpu_.write(MP0_SMN_C2PMSG_67, wptr_);
  auto start = std::chrono::steady_clock::now();
  while (gpu_.vram_bar().read32(fence_.offset) != fence_value_) {
    if (std::chrono::steady_clock::now() - start > gpu_.options().poll_timeout)
      gpu_.fail(Errc::timeout, name(),
                fmt::format("{} ({}) was not answered: fence {} after {} ms, C2PMSG_64 = {:#x}, C2PMSG_67 = {:#x}. {}",
                            psp::to_string(id), what, gpu_.vram_bar().read32(fence_.offset), gpu_.options().poll_timeout.count(),
                            gpu_.read(MP0_SMN_C2PMSG_64), gpu_.read(MP0_SMN_C2PMSG_67), reset_hint));
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  gpu_.vram_bar().read(cmd_.offset, &cmd, sizeof cmd);
  if (cmd.resp.status != 0)
    gpu_.fail(Errc::device_lost, name(),
              fmt::format("{} ({}) refused: resp.status = {:#x}. Check that the firmware files match this GPU "
                          "(hcq-fw check --chip {}) and power-cycle before retrying",
                          psp::to_string(id), what, cmd.resp.status, gpu_.chip().name));
  return cmd.resp;
}

void PspV13::load_ip(const psp::Image& img) {
  stage(fw_buf_, img.bytes);
  psp::LoadIpFw c{uint32_t(fw_buf_.mc), uint32_t(fw_buf_.mc >> 32), uint32_t(img.bytes.size()), uint32_t(img.type)};
  submit(psp::CmdId::load_ip_fw, &c, sizeof c, fmt::format("{} from {}", psp::to_string(img.type), img.source));
}

void PspV13::start_sos() {
  ensure_firmware();
  if (!sos_alive()) bootloader();
  ring_create();
}

void PspV13::init_hw() {
  start_sos();
  uint32_t tmr_bytes = 0;
  if (const fw::Image* toc = psp::sos_bin(*files_->sos, PspFwType::toc); toc && !toc->bytes.empty()) {
    stage(fw_buf_, toc->bytes);
    psp::LoadToc c{uint32_t(fw_buf_.mc), uint32_t(fw_buf_.mc >> 32), uint32_t(toc->size())};
    tmr_bytes = submit(psp::CmdId::load_toc, &c, sizeof c, "the sos TOC").tmr_size;
    if (tmr_bytes > psp::tmr_max)
      gpu_.fail(Errc::device_lost, name(), fmt::format("LOAD_TOC asks for a {:#x}-byte TMR (at most {:#x})", tmr_bytes, psp::tmr_max));
  }
  const auto& images = files_->images;
  size_t next = 0;
  if (gpu_.chip().psp_smu_before_tmr)
    while (next < images.size() && images[next].type == psp::FwType::smu) load_ip(images[next++]);
  if (gpu_.chip().psp_setup_tmr) {
    if (!tmr_.size) tmr_ = gpu_.alloc_vram(round_up(std::max<uint32_t>(tmr_bytes, uint32_t(mib)), psp::tmr_align), psp::tmr_align, false);
    psp::SetupTmr c{uint32_t(tmr_.mc), uint32_t(tmr_.mc >> 32), uint32_t(tmr_.size), 0, 0, 0};
    submit(psp::CmdId::setup_tmr, &c, sizeof c, fmt::format("{:#x} bytes at {:#x}", tmr_.size, tmr_.mc));
  }
  for (; next < images.size(); ++next) load_ip(images[next]);
  if (gpu_.chip().psp_autoload_rlc) submit(psp::CmdId::autoload_rlc, nullptr, 0, "start the RLC");
}

IpBlock::IdleState PspV13::idle_state() {
  if (!ring_up_) return {true, "KM ring down"};
  const uint32_t fence = gpu_.vram_bar().read32(fence_.offset);
  return {fence == fence_value_, fmt::format("MP0_SMN_C2PMSG_67 (KM ring wptr) = {:#x}, fence {} of {}, MP0_SMN_C2PMSG_64 = {:#010x}",
                                             gpu_.read(MP0_SMN_C2PMSG_67), fence, fence_value_, gpu_.read(MP0_SMN_C2PMSG_64))};
}

void PspV13::fini_hw() noexcept {
  if (!ring_up_) return;
  try {
    gpu_.write(MP0_SMN_C2PMSG_64, psp::ctrl_destroy_rings);
    gpu_.poll(name(), MP0_SMN_C2PMSG_64, psp::ctrl_response, psp::ctrl_response, reset_hint);
  } catch (const std::exception& e) {
    gpu_.logger()->warn("PSP: destroying the ring failed: {}", e.what());
  }
  ring_up_ = false;
}

}  // namespace hcq::am
