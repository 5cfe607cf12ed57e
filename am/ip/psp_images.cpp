#include "psp_images.hpp"

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::am::psp {

namespace {

struct Rule {
  std::string_view role;
  std::string_view image;  // the firmware-loader's image name
  FwType type;
  bool optional;           // present only in some header versions
};
// In load order within each file.
constexpr Rule rules[] = {
    {"smu", "ucode", FwType::smu, false},
    {"sdma", "ctl", FwType::sdma_ucode_th1, false},
    {"sdma", "ctx", FwType::sdma_ucode_th0, false},
    {"cp_mec", "ucode", FwType::rs64_mec, false},
    {"cp_mec", "data", FwType::rs64_mec_p0_stack, false},
    {"imu", "iram", FwType::imu_i, false},
    {"imu", "dram", FwType::imu_d, false},
    {"rlc", "restore_list_cntl", FwType::rlc_restore_list_srm_cntl, true},
    {"rlc", "restore_list_gpm", FwType::rlc_restore_list_gpm_mem, true},
    {"rlc", "restore_list_srm", FwType::rlc_restore_list_srm_mem, true},
    {"rlc", "rlc_iram", FwType::rlc_iram, true},
    {"rlc", "rlc_dram", FwType::rlc_dram_boot, true},
    {"rlc", "rlcp", FwType::rlc_p, true},
    {"rlc", "rlcv", FwType::rlc_v, true},
    {"rlc", "rlc_g", FwType::rlc_g, false},
};

}  // namespace

std::vector<Image> images(std::string_view role, const fw::amdgpu::Firmware& f) {
  std::vector<Image> out;
  for (const Rule& r : rules) {
    if (r.role != role) continue;
    const fw::Image* img = f.image(r.image);
    if (!img || img->bytes.empty()) {
      if (r.optional) continue;
      throw Error(Errc::bad_code_object, "", "PSP",
                  fmt::format("{} has no '{}' image for PSP type {}: the file is damaged or of another chip; "
                              "reinstall firmware-amd-graphics",
                              f.name(), r.image, to_string(r.type)));
    }
    out.push_back({r.type, img->bytes, fmt::format("{} {}", f.name(), r.image)});
  }
  return out;
}

const fw::Image* sos_bin(const fw::amdgpu::Firmware& sos, fw::amdgpu::PspFwType t) {
  for (const fw::Image& img : sos.images())
    if (img.fw_type == uint32_t(t) && img.bin_set.value_or(0) == 0) return &img;
  return nullptr;
}

std::string_view to_string(CmdId id) noexcept {
  switch (id) {
    case CmdId::load_ta: return "LOAD_TA";
    case CmdId::invoke_cmd: return "INVOKE_CMD";
    case CmdId::setup_tmr: return "SETUP_TMR";
    case CmdId::load_ip_fw: return "LOAD_IP_FW";
    case CmdId::destroy_tmr: return "DESTROY_TMR";
    case CmdId::load_toc: return "LOAD_TOC";
    case CmdId::autoload_rlc: return "AUTOLOAD_RLC";
    case CmdId::boot_cfg: return "BOOT_CFG";
  }
  return "unknown command";
}

namespace {
struct TypeName {
  FwType type;
  std::string_view name;
};
constexpr TypeName type_names[] = {
    {FwType::cp_me, "cp_me"}, {FwType::cp_pfp, "cp_pfp"}, {FwType::cp_mec, "cp_mec"}, {FwType::cp_mec_me1, "cp_mec_me1"},
    {FwType::rlc_v, "rlc_v"}, {FwType::rlc_g, "rlc_g"}, {FwType::sdma0, "sdma0"}, {FwType::sdma1, "sdma1"},
    {FwType::smu, "smu"}, {FwType::rlc_restore_list_gpm_mem, "rlc_restore_list_gpm_mem"},
    {FwType::rlc_restore_list_srm_mem, "rlc_restore_list_srm_mem"},
    {FwType::rlc_restore_list_srm_cntl, "rlc_restore_list_srm_cntl"}, {FwType::toc, "toc"}, {FwType::rlc_p, "rlc_p"},
    {FwType::rlc_iram, "rlc_iram"}, {FwType::cp_mes, "cp_mes"}, {FwType::mes_stack, "mes_stack"},
    {FwType::rlc_dram_boot, "rlc_dram_boot"}, {FwType::imu_i, "imu_i"}, {FwType::imu_d, "imu_d"},
    {FwType::sdma_ucode_th0, "sdma_ucode_th0"}, {FwType::sdma_ucode_th1, "sdma_ucode_th1"},
    {FwType::cp_mes_kiq, "cp_mes_kiq"}, {FwType::mes_kiq_stack, "mes_kiq_stack"}, {FwType::rs64_pfp, "rs64_pfp"},
    {FwType::rs64_me, "rs64_me"}, {FwType::rs64_mec, "rs64_mec"}, {FwType::rs64_pfp_p0_stack, "rs64_pfp_p0_stack"},
    {FwType::rs64_pfp_p1_stack, "rs64_pfp_p1_stack"}, {FwType::rs64_me_p0_stack, "rs64_me_p0_stack"},
    {FwType::rs64_me_p1_stack, "rs64_me_p1_stack"}, {FwType::rs64_mec_p0_stack, "rs64_mec_p0_stack"},
    {FwType::rs64_mec_p1_stack, "rs64_mec_p1_stack"}, {FwType::rs64_mec_p2_stack, "rs64_mec_p2_stack"},
    {FwType::rs64_mec_p3_stack, "rs64_mec_p3_stack"},
};
}  // namespace

std::string_view to_string(FwType t) noexcept {
  for (const TypeName& n : type_names)
    if (n.type == t) return n.name;
  return "unknown type";
}

bool known(uint32_t fw_type) noexcept {
  for (const TypeName& n : type_names)
    if (uint32_t(n.type) == fw_type) return true;
  return false;
}

}  // namespace hcq::am::psp
