// The amdgpu firmware parser; see hcq/firmware/amdgpu.hpp for the layouts and their sources.
//
// Offsets are normalised here: every Image's file_offset is from byte 0 of the file, whichever base
// the header counts from (docs/firmware.md has the table). A sub-binary given relative to the payload
// (PSP/TA bins, IMU, jump tables, SDMA TH0, DMCUB regions) must lie inside the common payload
// [ucode_array_offset_bytes, + ucode_size_bytes). One given from the file start must lie between the
// payload's start and the end of the file: RLC lists and IRAM/DRAM and SMU pptables follow the
// payload, and gc_11_0_2_mes1.bin's data image ends 0x200 bytes past its declared payload.
#include "hcq/firmware/amdgpu.hpp"

#include <fmt/format.h>
#include <lzma.h>

#include <algorithm>
#include <array>

#include "reader.hpp"

namespace hcq::fw::amdgpu {

using detail::Bytes;
using detail::malformed;
using detail::require_range;

namespace {

// amdgpu_ucode.h UCODE_MAX_PSP_PACKAGING: ((0x100 - 32 - 4) / 16) * 2. amdgpu_psp.c rejects a sos
// (and ta) bin count at or above it.
constexpr uint32_t max_psp_bins = ((0x100 - sizeof(CommonHeader) - 4) / sizeof(PspBinDesc)) * 2;
static_assert(max_psp_bins == 26);

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }
std::string version_text(uint16_t major, uint16_t minor) { return fmt::format("{}.{}", major, minor); }

}  // namespace

std::string psp_fw_type_name(uint32_t type) {
  static constexpr std::array<const char*, 13> names = {"unknown", "sos", "sys_drv", "kdb", "toc", "spl", "rl",
                                                        "soc_drv", "intf_drv", "dbg_drv", "ras_drv", "ipkeymgr_drv",
                                                        "spdm_drv"};
  if (type > 0 && type < names.size()) return names[type];
  return fmt::format("type_{}", type);
}

std::string ta_fw_type_name(uint32_t type) {
  static constexpr std::array<const char*, 9> names = {"unknown", "asd", "xgmi", "ras", "hdcp", "dtm", "rap",
                                                       "securedisplay", "xgmi_aux"};
  if (type > 0 && type < names.size()) return names[type];
  return fmt::format("type_{}", type);
}

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::common: return "common";
    case Kind::gfx: return "gfx";
    case Kind::rlc: return "rlc";
    case Kind::mes: return "mes";
    case Kind::imu: return "imu";
    case Kind::sdma: return "sdma";
    case Kind::psp: return "psp";
    case Kind::psp_image: return "psp_image";
    case Kind::ta: return "ta";
    case Kind::smc: return "smc";
    case Kind::rlc_toc: return "rlc_toc";
    case Kind::dmcub: return "dmcub";
    case Kind::vcn: return "vcn";
  }
  return "?";
}

std::string_view to_string(CrcCoverage c) {
  switch (c) {
    case CrcCoverage::after_common_header: return "after_common_header";
    case CrcCoverage::payload: return "payload";
    case CrcCoverage::none: return "none";
  }
  return "?";
}

std::optional<Kind> kind_from_name(std::string_view name) {
  using detail::ends_with;
  using detail::starts_with;
  const std::string_view n = detail::base_name(name);
  if (!ends_with(n, ".bin")) return std::nullopt;
  const std::string_view stem = n.substr(0, n.size() - 4);
  if (ends_with(stem, "_toc")) return starts_with(stem, "psp_") ? Kind::psp_image : Kind::rlc_toc;
  if (ends_with(stem, "_asd")) return Kind::psp_image;
  if (ends_with(stem, "_sos")) return Kind::psp;
  if (ends_with(stem, "_ta")) return Kind::ta;
  if (ends_with(stem, "_dmcub")) return Kind::dmcub;
  if (ends_with(stem, "_imu")) return Kind::imu;
  if (stem.find("_mes") != std::string_view::npos) return Kind::mes;
  if (stem.find("_rlc") != std::string_view::npos) return Kind::rlc;
  for (std::string_view cp : {"_pfp", "_me", "_ce", "_mec", "_mec2"})
    if (ends_with(stem, cp)) return Kind::gfx;
  if (starts_with(stem, "sdma_") || ends_with(stem, "_sdma") || ends_with(stem, "_sdma1")) return Kind::sdma;
  if (starts_with(stem, "smu_") || ends_with(stem, "_smc")) return Kind::smc;
  if (starts_with(stem, "vcn_") || ends_with(stem, "_vcn")) return Kind::vcn;
  return std::nullopt;
}

VcnVersion decode_vcn_version(uint32_t v) {
  VcnVersion out;
  const uint32_t enc_major = (v >> 20) & 0xf;
  if (enc_major != 0) {
    out.new_scheme = true;
    out.enc_major = enc_major;
    out.enc_minor = (v >> 12) & 0xff;
    out.revision = v & 0xfff;
    out.dec = (v >> 24) & 0xf;
    out.vep = (v >> 28) & 0xf;
  } else {
    out.family_id = v & 0xff;
    out.minor = (v >> 8) & 0xff;
    out.major = (v >> 24) & 0xff;
  }
  return out;
}

CrcCoverage Firmware::crc_coverage() const {
  auto crc = [](Bytes s) { return lzma_crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size(), 0); };
  if (crc(bytes_.subspan(sizeof(CommonHeader))) == common_.crc32) return CrcCoverage::after_common_header;
  if (crc(payload_) == common_.crc32) return CrcCoverage::payload;
  return CrcCoverage::none;
}

const Image* Firmware::image(std::string_view name, uint32_t bin_set) const {
  for (const Image& i : images_) {
    if (i.name == name && i.bin_set.value_or(0) == bin_set) return &i;
  }
  return nullptr;
}

// ---- Parsing ------------------------------------------------------------------------------------

struct Parser {
  Bytes b;
  Firmware& f;
  const std::string& file;
  uint64_t payload_lo = 0, payload_hi = 0;

  // A sub-binary given from the file start that must lie inside the common payload.
  void in_payload(std::string name, std::string_view field, uint64_t offset, uint64_t size, uint32_t type = 0,
                  std::optional<uint32_t> version = std::nullopt) {
    if (size == 0) return;
    require_range(file, field, offset, size, payload_lo, payload_hi, "the payload");
    f.images_.push_back(detail::image(b, std::move(name), offset, size, type, version.value_or(f.common_.ucode_version)));
  }
  // A sub-binary given from the file start that may lie anywhere from the payload's start to the end.
  void after_header(std::string name, std::string_view field, uint64_t offset, uint64_t size,
                    std::optional<uint32_t> version = std::nullopt, uint32_t type = 0) {
    if (size == 0) return;
    require_range(file, field, offset, size, payload_lo, b.size(), "the file after the header");
    f.images_.push_back(detail::image(b, std::move(name), offset, size, type, version.value_or(f.common_.ucode_version)));
  }
  // A jump table in dwords inside the image [base, base + base_size).
  void jump_table(std::string name, std::string_view field, uint64_t base, uint64_t base_size, uint32_t jt_offset,
                  uint32_t jt_size) {
    if (jt_size == 0) return;
    const uint64_t off = uint64_t{jt_offset} * 4, size = uint64_t{jt_size} * 4;
    require_range(file, field, base + off, size, base, base + base_size, fmt::format("its image ({})", name));
    f.images_.push_back(detail::image(b, std::move(name), base + off, size, 0, f.common_.ucode_version));
  }
  void payload_image(std::string name, std::optional<uint32_t> version = std::nullopt) {
    if (payload_hi == payload_lo) return;  // smu_13_0_6.bin: pptables only
    f.images_.push_back(detail::image(b, std::move(name), payload_lo, payload_hi - payload_lo, 0,
                                      version.value_or(f.common_.ucode_version)));
  }

  template <class T>
  T header() {
    T h = detail::read<T>(b, 0, file, "header");
    f.header_ = h;
    return h;
  }

  void gfx_v1() {
    auto h = header<GfxHeaderV1>();
    const uint64_t jt_bytes = uint64_t{h.jt_size} * 4;
    if (jt_bytes > f.common_.ucode_size_bytes)
      malformed(file, "jt_size", fmt::format("at most ucode_size_bytes / 4 = {:#x} dwords", f.common_.ucode_size_bytes / 4),
                hex(h.jt_size));
    in_payload("ucode", "ucode_size_bytes - jt_size * 4", payload_lo, f.common_.ucode_size_bytes - jt_bytes);
    jump_table("jt", "jt_offset, jt_size (dwords from the payload)", payload_lo, payload_hi - payload_lo, h.jt_offset,
               h.jt_size);
  }

  void gfx_v2() {
    auto h = header<GfxHeaderV2>();
    after_header("ucode", "ucode_offset_bytes, ucode_size_bytes", h.ucode_offset_bytes, h.ucode_size_bytes);
    after_header("data", "data_offset_bytes, data_size_bytes", h.data_offset_bytes, h.data_size_bytes);
  }

  void mes_v1() {
    auto h = header<MesHeaderV1>();
    after_header("ucode", "mes_ucode_offset_bytes, mes_ucode_size_bytes", h.mes_ucode_offset_bytes,
                 h.mes_ucode_size_bytes, h.mes_ucode_version);
    after_header("data", "mes_ucode_data_offset_bytes, mes_ucode_data_size_bytes", h.mes_ucode_data_offset_bytes,
                 h.mes_ucode_data_size_bytes, h.mes_ucode_data_version);
  }

  // The kernel (amdgpu_ucode_init_single_fw, imu_v11_0_load_microcode) places IRAM at the payload's
  // start and DRAM right after it, whatever imu_*_ucode_offset_bytes say; so do we (the offsets are
  // reported: on every shipped file they agree).
  void imu_v1() {
    auto h = header<ImuHeaderV1>();
    in_payload("iram", "imu_iram_ucode_size_bytes (IRAM: the payload's start)", payload_lo, h.imu_iram_ucode_size_bytes);
    in_payload("dram", "imu_dram_ucode_size_bytes (DRAM: after imu_iram_ucode_size_bytes of IRAM)",
               payload_lo + uint64_t{h.imu_iram_ucode_size_bytes}, h.imu_dram_ucode_size_bytes);
  }

  void rlc_v2_0_images(const RlcHeaderV2_0& h) {
    payload_image("rlc_g");
    after_header("reg_list_format", "reg_list_format_array_offset_bytes, reg_list_format_size_bytes",
                 h.reg_list_format_array_offset_bytes, h.reg_list_format_size_bytes);
    after_header("reg_list", "reg_list_array_offset_bytes, reg_list_size_bytes", h.reg_list_array_offset_bytes,
                 h.reg_list_size_bytes);
    after_header("reg_list_format_separate",
                 "reg_list_format_separate_array_offset_bytes, reg_list_format_separate_size_bytes",
                 h.reg_list_format_separate_array_offset_bytes, h.reg_list_format_separate_size_bytes);
    after_header("reg_list_separate", "reg_list_separate_array_offset_bytes, reg_list_separate_size_bytes",
                 h.reg_list_separate_array_offset_bytes, h.reg_list_separate_size_bytes);
  }
  void rlc_v2_1_images(const RlcHeaderV2_1& h) {
    rlc_v2_0_images(h.v2_0);
    after_header("restore_list_cntl", "save_restore_list_cntl_offset_bytes, save_restore_list_cntl_size_bytes",
                 h.save_restore_list_cntl_offset_bytes, h.save_restore_list_cntl_size_bytes,
                 h.save_restore_list_cntl_ucode_ver);
    after_header("restore_list_gpm", "save_restore_list_gpm_offset_bytes, save_restore_list_gpm_size_bytes",
                 h.save_restore_list_gpm_offset_bytes, h.save_restore_list_gpm_size_bytes,
                 h.save_restore_list_gpm_ucode_ver);
    after_header("restore_list_srm", "save_restore_list_srm_offset_bytes, save_restore_list_srm_size_bytes",
                 h.save_restore_list_srm_offset_bytes, h.save_restore_list_srm_size_bytes,
                 h.save_restore_list_srm_ucode_ver);
  }
  void rlc_v2_2_images(const RlcHeaderV2_2& h) {
    rlc_v2_1_images(h.v2_1);
    after_header("rlc_iram", "rlc_iram_ucode_offset_bytes, rlc_iram_ucode_size_bytes", h.rlc_iram_ucode_offset_bytes,
                 h.rlc_iram_ucode_size_bytes);
    after_header("rlc_dram", "rlc_dram_ucode_offset_bytes, rlc_dram_ucode_size_bytes", h.rlc_dram_ucode_offset_bytes,
                 h.rlc_dram_ucode_size_bytes);
  }
  void rlc_v2_3_images(const RlcHeaderV2_3& h) {
    rlc_v2_2_images(h.v2_2);
    after_header("rlcp", "rlcp_ucode_offset_bytes, rlcp_ucode_size_bytes", h.rlcp_ucode_offset_bytes,
                 h.rlcp_ucode_size_bytes, h.rlcp_ucode_version);
    after_header("rlcv", "rlcv_ucode_offset_bytes, rlcv_ucode_size_bytes", h.rlcv_ucode_offset_bytes,
                 h.rlcv_ucode_size_bytes, h.rlcv_ucode_version);
  }
  void rlc_v1() {
    header<RlcHeaderV1>();
    payload_image("rlc_g");
  }
  void rlc_v2_0() { rlc_v2_0_images(header<RlcHeaderV2_0>()); }
  void rlc_v2_1() { rlc_v2_1_images(header<RlcHeaderV2_1>()); }
  void rlc_v2_2() { rlc_v2_2_images(header<RlcHeaderV2_2>()); }
  void rlc_v2_3() { rlc_v2_3_images(header<RlcHeaderV2_3>()); }
  void rlc_v2_4() {
    auto h = header<RlcHeaderV2_4>();
    rlc_v2_3_images(h.v2_3);
    after_header("global_tap_delays", "global_tap_delays_ucode_offset_bytes, global_tap_delays_ucode_size_bytes",
                 h.global_tap_delays_ucode_offset_bytes, h.global_tap_delays_ucode_size_bytes);
    const std::array<std::pair<uint32_t, uint32_t>, 4> se = {{
        {h.se0_tap_delays_ucode_offset_bytes, h.se0_tap_delays_ucode_size_bytes},
        {h.se1_tap_delays_ucode_offset_bytes, h.se1_tap_delays_ucode_size_bytes},
        {h.se2_tap_delays_ucode_offset_bytes, h.se2_tap_delays_ucode_size_bytes},
        {h.se3_tap_delays_ucode_offset_bytes, h.se3_tap_delays_ucode_size_bytes},
    }};
    for (size_t i = 0; i < se.size(); ++i)
      after_header(fmt::format("se{}_tap_delays", i),
                   fmt::format("se{0}_tap_delays_ucode_offset_bytes, se{0}_tap_delays_ucode_size_bytes", i), se[i].first,
                   se[i].second);
  }
  void rlc_v2_5() {
    auto h = header<RlcHeaderV2_5>();
    rlc_v2_2_images(h.v2_2);
    after_header("rlc_1_iram", "rlc_1_iram_ucode_offset_bytes, rlc_1_iram_ucode_size_bytes",
                 h.rlc_1_iram_ucode_offset_bytes, h.rlc_1_iram_ucode_size_bytes);
    after_header("rlc_1_dram", "rlc_1_dram_ucode_offset_bytes, rlc_1_dram_ucode_size_bytes",
                 h.rlc_1_dram_ucode_offset_bytes, h.rlc_1_dram_ucode_size_bytes);
  }

  void sdma_v1_images(const SdmaHeaderV1_0& h) {
    payload_image("ucode");
    jump_table("jt", "jt_offset, jt_size (dwords from the payload)", payload_lo, payload_hi - payload_lo, h.jt_offset,
               h.jt_size);
  }
  void sdma_v1_0() { sdma_v1_images(header<SdmaHeaderV1_0>()); }
  void sdma_v1_1() { sdma_v1_images(header<SdmaHeaderV1_1>().v1_0); }
  void sdma_v2() {
    auto h = header<SdmaHeaderV2>();
    in_payload("ctx", "ctx_ucode_size_bytes (from the payload)", payload_lo, h.ctx_ucode_size_bytes);
    after_header("ctl", "ctl_ucode_offset, ctl_ucode_size_bytes", h.ctl_ucode_offset, h.ctl_ucode_size_bytes);
    jump_table("ctx_jt", "ctx_jt_offset, ctx_jt_size (dwords from the ctx image)", payload_lo, h.ctx_ucode_size_bytes,
               h.ctx_jt_offset, h.ctx_jt_size);
    jump_table("ctl_jt", "ctl_jt_offset, ctl_jt_size (dwords from the ctl image)", h.ctl_ucode_offset,
               h.ctl_ucode_size_bytes, h.ctl_jt_offset, h.ctl_jt_size);
  }
  void sdma_v3() {
    auto h = header<SdmaHeaderV3>();
    after_header("ucode", "ucode_offset_bytes, ucode_size_bytes", h.ucode_offset_bytes, h.ucode_size_bytes);
  }

  // A legacy bin: offsets from the payload.
  void legacy(std::string name, std::string_view field, const PspLegacyBinDesc& d) {
    in_payload(std::move(name), field, payload_lo + uint64_t{d.offset_bytes}, d.size_bytes, 0, d.fw_version);
  }
  void psp_v1_images(const PspHeaderV1_0& h) {
    // The system driver is what precedes the sos in the payload (amdgpu_psp.c psp_init_sos_microcode).
    in_payload("sys_drv", "sos.offset_bytes (the sys_drv size)", payload_lo, h.sos.offset_bytes);
    legacy("sos", "sos.offset_bytes, sos.size_bytes", h.sos);
  }
  void psp_v1_0() { psp_v1_images(header<PspHeaderV1_0>()); }
  void psp_v1_1_images(const PspHeaderV1_1& h) {
    psp_v1_images(h.v1_0);
    legacy("toc", "toc.offset_bytes, toc.size_bytes", h.toc);
    legacy("kdb", "kdb.offset_bytes, kdb.size_bytes", h.kdb);
  }
  void psp_v1_1() { psp_v1_1_images(header<PspHeaderV1_1>()); }
  void psp_v1_2() {
    auto h = header<PspHeaderV1_2>();
    psp_v1_images(h.v1_0);
    legacy("res", "res.offset_bytes, res.size_bytes", h.res);
    legacy("kdb", "kdb.offset_bytes, kdb.size_bytes", h.kdb);
  }
  void psp_v1_3() {
    auto h = header<PspHeaderV1_3>();
    psp_v1_1_images(h.v1_1);
    legacy("spl", "spl.offset_bytes, spl.size_bytes", h.spl);
    legacy("rl", "rl.offset_bytes, rl.size_bytes", h.rl);
    legacy("sys_drv_aux", "sys_drv_aux.offset_bytes, sys_drv_aux.size_bytes", h.sys_drv_aux);
    legacy("sos_aux", "sos_aux.offset_bytes, sos_aux.size_bytes", h.sos_aux);
  }

  // `count` PspBinDescs at `table`, offsets from the payload; names from `type_name`.
  void bins(uint64_t table, uint32_t count, std::string_view count_field, std::string (*type_name)(uint32_t),
            std::optional<uint32_t> aux_index) {
    if (count >= max_psp_bins)
      malformed(file, count_field, fmt::format("less than {} (UCODE_MAX_PSP_PACKAGING)", max_psp_bins),
                std::to_string(count));
    const uint64_t table_end = table + uint64_t{count} * sizeof(PspBinDesc);
    if (table_end > payload_lo)
      malformed(file, count_field,
                fmt::format("a descriptor table ending at or before the payload at {:#x}", payload_lo),
                fmt::format("{} descriptors from {:#x} to {:#x}", count, table, table_end));
    for (uint32_t i = 0; i < count; ++i) {
      const auto d = detail::read<PspBinDesc>(b, table + uint64_t{i} * sizeof(PspBinDesc), file, "bin descriptor");
      const std::string field = fmt::format("bin {} ({}) offset_bytes, size_bytes", i, type_name(d.fw_type));
      const size_t before = f.images_.size();
      in_payload(type_name(d.fw_type), field, payload_lo + uint64_t{d.offset_bytes}, d.size_bytes, d.fw_type,
                 d.fw_version);
      if (aux_index && f.images_.size() > before) {
        // [0, count - aux) is the primary set, [aux, count) the aux one (amdgpu_psp.c).
        const bool primary = i < count - *aux_index, aux = i >= *aux_index;
        f.images_.back().bin_set = primary ? 0u : aux ? 1u : 2u;
      }
    }
  }
  void psp_v2_0() {
    auto h = header<PspHeaderV2_0>();
    bins(sizeof(PspHeaderV2_0), h.psp_fw_bin_count, "psp_fw_bin_count", psp_fw_type_name, std::nullopt);
  }
  void psp_v2_1() {
    auto h = header<PspHeaderV2_1>();
    if (h.psp_aux_fw_bin_index > h.psp_fw_bin_count)
      malformed(file, "psp_aux_fw_bin_index", fmt::format("at most psp_fw_bin_count ({})", h.psp_fw_bin_count),
                std::to_string(h.psp_aux_fw_bin_index));
    f.psp_aux_index_ = h.psp_aux_fw_bin_index;
    bins(sizeof(PspHeaderV2_1), h.psp_fw_bin_count, "psp_fw_bin_count", psp_fw_type_name, h.psp_aux_fw_bin_index);
  }

  // psp_*_toc.bin / psp_*_asd.bin: one image, the payload; sos.fw_version is its feature version.
  void psp_image() {
    header<PspHeaderV1_0>();
    const std::string_view base = detail::base_name(file);
    const std::string name = detail::ends_with(base, "_toc.bin") ? "toc" : detail::ends_with(base, "_asd.bin") ? "asd" : "ucode";
    payload_image(name);
  }

  // amdgpu_psp.c parse_ta_v1_microcode starts xgmi and hdcp at the payload whatever their
  // offset_bytes say (0 in every shipped file); ras, dtm and securedisplay count from there.
  void ta_v1() {
    auto h = header<TaHeaderV1>();
    in_payload("xgmi", "xgmi.size_bytes (xgmi: the payload's start)", payload_lo, h.xgmi.size_bytes, 0, h.xgmi.fw_version);
    legacy("ras", "ras.offset_bytes, ras.size_bytes", h.ras);
    in_payload("hdcp", "hdcp.size_bytes (hdcp: the payload's start)", payload_lo, h.hdcp.size_bytes, 0, h.hdcp.fw_version);
    legacy("dtm", "dtm.offset_bytes, dtm.size_bytes", h.dtm);
    legacy("securedisplay", "securedisplay.offset_bytes, securedisplay.size_bytes", h.securedisplay);
  }
  void ta_v2() {
    auto h = header<TaHeaderV2>();
    bins(sizeof(TaHeaderV2), h.ta_fw_bin_count, "ta_fw_bin_count", ta_fw_type_name, std::nullopt);
  }

  void smc_v1() {
    header<SmcHeaderV1>();
    payload_image("ucode");
  }
  void smc_v2_0() {
    auto h = header<SmcHeaderV2_0>();
    payload_image("ucode");
    after_header("pptable", "ppt_offset_bytes, ppt_size_bytes", h.ppt_offset_bytes, h.ppt_size_bytes);
  }
  void smc_v2_1() {
    auto h = header<SmcHeaderV2_1>();
    payload_image("ucode");
    const uint64_t table = h.pptable_entry_offset, bytes = uint64_t{h.pptable_count} * sizeof(SmcPptableEntry);
    require_range(file, "pptable_entry_offset, pptable_count", table, bytes, payload_lo, b.size(),
                  "the file after the header");
    for (uint32_t i = 0; i < h.pptable_count; ++i) {
      const auto e = detail::read<SmcPptableEntry>(b, table + uint64_t{i} * sizeof(SmcPptableEntry), file, "pptable entry");
      after_header("pptable", fmt::format("pptable {} (id {:#x}) ppt_offset_bytes, ppt_size_bytes", i, e.id),
                   e.ppt_offset_bytes, e.ppt_size_bytes, std::nullopt, e.id);
    }
  }

  void rlc_toc() {
    header<PspHeaderV1_0>();
    payload_image("toc");
    const uint64_t n = (payload_hi - payload_lo) / sizeof(RlcTocEntryRaw);
    for (uint64_t i = 0; i < n; ++i) {
      const auto e = detail::read<RlcTocEntryRaw>(b, payload_lo + i * sizeof(RlcTocEntryRaw), file, "toc entry");
      const uint32_t id = e.dw0 >> 25;
      if (id == 0) return;  // SOC24_FIRMWARE_ID_INVALID ends the table
      RlcTocEntry t;
      t.id = id;
      t.offset_bytes = uint64_t{e.dw0 & 0x1ffffffu} * 8 * 4;
      const uint64_t size = e.dw1 >> 14;
      t.size_bytes = (e.dw1 >> 12) & 1 ? size * 1024 * 4 : size * 4;
      t.memory_destination = (e.dw1 >> 3) & 0x3;
      t.vfflr_image_code = (e.dw1 >> 5) & 0xf;
      f.toc_.push_back(t);
    }
    malformed(file, "toc", "a table of RLC_TABLE_OF_CONTENT_V2 entries ended by one with id 0",
              fmt::format("{} entries and no end inside the payload", n));
  }

  void dmcub_v1() {
    auto h = header<DmcubHeaderV1>();
    in_payload("inst_const", "inst_const_bytes (from the payload)", payload_lo, h.inst_const_bytes);
    in_payload("bss_data", "bss_data_bytes (after inst_const)", payload_lo + uint64_t{h.inst_const_bytes}, h.bss_data_bytes);
  }

  void common_only() { payload_image("ucode"); }
};

namespace {

// The header versions each kind accepts, the size of the struct that version reads and its decoder.
struct Version {
  Kind kind;
  uint16_t major, minor;
  size_t size;
  void (Parser::*decode)();
};

constexpr Version versions[] = {
    {Kind::gfx, 1, 0, sizeof(GfxHeaderV1), &Parser::gfx_v1},
    {Kind::gfx, 2, 0, sizeof(GfxHeaderV2), &Parser::gfx_v2},
    {Kind::rlc, 1, 0, sizeof(RlcHeaderV1), &Parser::rlc_v1},
    {Kind::rlc, 2, 0, sizeof(RlcHeaderV2_0), &Parser::rlc_v2_0},
    {Kind::rlc, 2, 1, sizeof(RlcHeaderV2_1), &Parser::rlc_v2_1},
    {Kind::rlc, 2, 2, sizeof(RlcHeaderV2_2), &Parser::rlc_v2_2},
    {Kind::rlc, 2, 3, sizeof(RlcHeaderV2_3), &Parser::rlc_v2_3},
    {Kind::rlc, 2, 4, sizeof(RlcHeaderV2_4), &Parser::rlc_v2_4},
    {Kind::rlc, 2, 5, sizeof(RlcHeaderV2_5), &Parser::rlc_v2_5},
    {Kind::mes, 1, 0, sizeof(MesHeaderV1), &Parser::mes_v1},
    {Kind::imu, 1, 0, sizeof(ImuHeaderV1), &Parser::imu_v1},
    {Kind::sdma, 1, 0, sizeof(SdmaHeaderV1_0), &Parser::sdma_v1_0},
    {Kind::sdma, 1, 1, sizeof(SdmaHeaderV1_1), &Parser::sdma_v1_1},
    {Kind::sdma, 2, 0, sizeof(SdmaHeaderV2), &Parser::sdma_v2},
    {Kind::sdma, 3, 0, sizeof(SdmaHeaderV3), &Parser::sdma_v3},
    {Kind::psp, 1, 0, sizeof(PspHeaderV1_0), &Parser::psp_v1_0},
    {Kind::psp, 1, 1, sizeof(PspHeaderV1_1), &Parser::psp_v1_1},
    {Kind::psp, 1, 2, sizeof(PspHeaderV1_2), &Parser::psp_v1_2},
    {Kind::psp, 1, 3, sizeof(PspHeaderV1_3), &Parser::psp_v1_3},
    {Kind::psp, 2, 0, sizeof(PspHeaderV2_0), &Parser::psp_v2_0},
    {Kind::psp, 2, 1, sizeof(PspHeaderV2_1), &Parser::psp_v2_1},
    {Kind::psp_image, 1, 0, sizeof(PspHeaderV1_0), &Parser::psp_image},
    {Kind::psp_image, 1, 1, sizeof(PspHeaderV1_0), &Parser::psp_image},
    {Kind::psp_image, 1, 2, sizeof(PspHeaderV1_0), &Parser::psp_image},
    {Kind::psp_image, 1, 3, sizeof(PspHeaderV1_0), &Parser::psp_image},
    {Kind::ta, 1, 0, sizeof(TaHeaderV1), &Parser::ta_v1},
    {Kind::ta, 2, 0, sizeof(TaHeaderV2), &Parser::ta_v2},
    {Kind::smc, 1, 0, sizeof(SmcHeaderV1), &Parser::smc_v1},
    {Kind::smc, 2, 0, sizeof(SmcHeaderV2_0), &Parser::smc_v2_0},
    {Kind::smc, 2, 1, sizeof(SmcHeaderV2_1), &Parser::smc_v2_1},
    {Kind::rlc_toc, 1, 0, sizeof(PspHeaderV1_0), &Parser::rlc_toc},
    {Kind::dmcub, 1, 0, sizeof(DmcubHeaderV1), &Parser::dmcub_v1},
    {Kind::vcn, 1, 0, sizeof(CommonHeader), &Parser::common_only},
};

const Version* find_version(Kind kind, uint16_t major, uint16_t minor) {
  for (const Version& v : versions)
    if (v.kind == kind && v.major == major && v.minor == minor) return &v;
  return nullptr;
}

}  // namespace

std::string known_versions(Kind kind) {
  std::string out;
  for (const Version& v : versions) {
    if (v.kind != kind) continue;
    if (!out.empty()) out += ", ";
    out += version_text(v.major, v.minor);
  }
  return out.empty() ? "any" : out;
}

Firmware Firmware::parse(std::span<const std::byte> bytes, std::string name) {
  const auto kind = kind_from_name(name);
  return parse(bytes, std::move(name), kind.value_or(Kind::common));
}

Firmware Firmware::parse(std::span<const std::byte> bytes, std::string name, Kind kind) {
  Firmware f;
  f.name_ = std::move(name);
  f.kind_ = kind;
  f.bytes_ = bytes;
  const std::string& file = f.name_;
  if (bytes.size() < sizeof(CommonHeader))
    malformed(file, "common header", fmt::format("at least {} bytes", sizeof(CommonHeader)),
              fmt::format("a file of {} bytes", bytes.size()));
  const auto h = detail::read<CommonHeader>(bytes, 0, file, "common header");
  f.common_ = h;
  if (h.size_bytes != bytes.size())
    malformed(file, "size_bytes", fmt::format("{} (the file's size)", bytes.size()), std::to_string(h.size_bytes));

  const Version* version = nullptr;
  size_t header_size = sizeof(CommonHeader);
  if (kind != Kind::common) {
    version = find_version(kind, h.header_version_major, h.header_version_minor);
    if (!version)
      detail::fail(Errc::unsupported, file, "header_version",
                   fmt::format("{} for a {} file", known_versions(kind), to_string(kind)),
                   version_text(h.header_version_major, h.header_version_minor));
    header_size = version->size;
  }
  // header_size_bytes is not always the size of the struct its version implies (vega20_rlc.bin and
  // raven2_rlc.bin say 0x68 for a v2.1 header of 0x9c bytes, and the kernel reads all of it), so the
  // rule is that the struct ends before the payload.
  if (h.header_size_bytes < sizeof(CommonHeader) || h.header_size_bytes > h.size_bytes)
    malformed(file, "header_size_bytes", fmt::format("between {:#x} and size_bytes {:#x}", sizeof(CommonHeader), h.size_bytes),
              hex(h.header_size_bytes));
  const uint64_t header_end = std::max<uint64_t>(header_size, h.header_size_bytes);
  if (h.ucode_array_offset_bytes < header_end || h.ucode_array_offset_bytes > h.size_bytes)
    malformed(file, "ucode_array_offset_bytes",
              fmt::format("between the end of the v{}.{} header ({:#x}) and size_bytes {:#x}", h.header_version_major,
                          h.header_version_minor, header_end, h.size_bytes),
              hex(h.ucode_array_offset_bytes));
  require_range(file, "ucode_size_bytes", h.ucode_array_offset_bytes, h.ucode_size_bytes, h.ucode_array_offset_bytes,
                h.size_bytes, "the file after ucode_array_offset_bytes");

  Parser p{bytes, f, file, h.ucode_array_offset_bytes, uint64_t{h.ucode_array_offset_bytes} + h.ucode_size_bytes};
  f.payload_ = bytes.subspan(p.payload_lo, p.payload_hi - p.payload_lo);
  if (version) {
    (p.*(version->decode))();
  } else {
    p.common_only();
  }
  return f;
}

}  // namespace hcq::fw::amdgpu
