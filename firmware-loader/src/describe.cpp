// The vendor-neutral description of a decoded firmware file (what hcq-fw inspect prints).
#include "hcq/firmware/describe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "hcq/firmware/amdgpu.hpp"
#include "hcq/firmware/nvidia.hpp"
#include "hcq/firmware/qcom.hpp"
#include "reader.hpp"

namespace hcq::fw {

namespace {

using Fields = std::vector<Field>;

void add(Fields& f, std::string name, uint64_t v) { f.push_back({std::move(name), v}); }
void add(Fields& f, std::string name, std::string v) { f.push_back({std::move(name), std::move(v)}); }
void add(Fields& f, std::string name, bool v) { f.push_back({std::move(name), v}); }

Section section_of(const Image& i) {
  return {i.name, i.fw_type, i.fw_version, i.file_offset, i.size(), i.bin_set, i.address};
}

std::vector<Section> sections_of(std::span<const Image> images) {
  std::vector<Section> out;
  for (const Image& i : images) out.push_back(section_of(i));
  return out;
}

// ---- amdgpu: the versioned header's own fields, by struct --------------------------------------

namespace a = amdgpu;

void legacy(Fields& f, const std::string& n, const a::PspLegacyBinDesc& d) {
  add(f, n + ".fw_version", uint64_t{d.fw_version});
  add(f, n + ".offset_bytes", uint64_t{d.offset_bytes});
  add(f, n + ".size_bytes", uint64_t{d.size_bytes});
}

struct AmdFields {
  Fields& f;
  void operator()(std::monostate) const {}
  void operator()(const a::GfxHeaderV1& h) const {
    add(f, "ucode_feature_version", uint64_t{h.ucode_feature_version});
    add(f, "jt_offset", uint64_t{h.jt_offset});
    add(f, "jt_size", uint64_t{h.jt_size});
  }
  void operator()(const a::GfxHeaderV2& h) const {
    add(f, "ucode_feature_version", uint64_t{h.ucode_feature_version});
    add(f, "gfx.ucode_size_bytes", uint64_t{h.ucode_size_bytes});
    add(f, "gfx.ucode_offset_bytes", uint64_t{h.ucode_offset_bytes});
    add(f, "data_size_bytes", uint64_t{h.data_size_bytes});
    add(f, "data_offset_bytes", uint64_t{h.data_offset_bytes});
    add(f, "ucode_start_addr", (uint64_t{h.ucode_start_addr_hi} << 32) | h.ucode_start_addr_lo);
  }
  void operator()(const a::MesHeaderV1& h) const {
    add(f, "mes_ucode_version", uint64_t{h.mes_ucode_version});
    add(f, "mes_ucode_size_bytes", uint64_t{h.mes_ucode_size_bytes});
    add(f, "mes_ucode_offset_bytes", uint64_t{h.mes_ucode_offset_bytes});
    add(f, "mes_ucode_data_version", uint64_t{h.mes_ucode_data_version});
    add(f, "mes_ucode_data_size_bytes", uint64_t{h.mes_ucode_data_size_bytes});
    add(f, "mes_ucode_data_offset_bytes", uint64_t{h.mes_ucode_data_offset_bytes});
    add(f, "mes_uc_start_addr", (uint64_t{h.mes_uc_start_addr_hi} << 32) | h.mes_uc_start_addr_lo);
    add(f, "mes_data_start_addr", (uint64_t{h.mes_data_start_addr_hi} << 32) | h.mes_data_start_addr_lo);
  }
  void operator()(const a::ImuHeaderV1& h) const {
    add(f, "imu_iram_ucode_size_bytes", uint64_t{h.imu_iram_ucode_size_bytes});
    add(f, "imu_iram_ucode_offset_bytes", uint64_t{h.imu_iram_ucode_offset_bytes});
    add(f, "imu_dram_ucode_size_bytes", uint64_t{h.imu_dram_ucode_size_bytes});
    add(f, "imu_dram_ucode_offset_bytes", uint64_t{h.imu_dram_ucode_offset_bytes});
  }
  void operator()(const a::RlcHeaderV1& h) const {
    add(f, "ucode_feature_version", uint64_t{h.ucode_feature_version});
    add(f, "save_and_restore_offset", uint64_t{h.save_and_restore_offset});
    add(f, "clear_state_descriptor_offset", uint64_t{h.clear_state_descriptor_offset});
    add(f, "avail_scratch_ram_locations", uint64_t{h.avail_scratch_ram_locations});
    add(f, "master_pkt_description_offset", uint64_t{h.master_pkt_description_offset});
  }
  void operator()(const a::RlcHeaderV2_0& h) const {
    add(f, "ucode_feature_version", uint64_t{h.ucode_feature_version});
    add(f, "jt_offset", uint64_t{h.jt_offset});
    add(f, "jt_size", uint64_t{h.jt_size});
    add(f, "save_and_restore_offset", uint64_t{h.save_and_restore_offset});
    add(f, "clear_state_descriptor_offset", uint64_t{h.clear_state_descriptor_offset});
    add(f, "avail_scratch_ram_locations", uint64_t{h.avail_scratch_ram_locations});
    add(f, "reg_restore_list_size", uint64_t{h.reg_restore_list_size});
    add(f, "reg_list_format_start", uint64_t{h.reg_list_format_start});
    add(f, "reg_list_format_separate_start", uint64_t{h.reg_list_format_separate_start});
    add(f, "starting_offsets_start", uint64_t{h.starting_offsets_start});
  }
  void operator()(const a::RlcHeaderV2_1& h) const {
    (*this)(h.v2_0);
    add(f, "reg_list_format_direct_reg_list_length", uint64_t{h.reg_list_format_direct_reg_list_length});
    add(f, "save_restore_list_cntl_feature_ver", uint64_t{h.save_restore_list_cntl_feature_ver});
    add(f, "save_restore_list_gpm_feature_ver", uint64_t{h.save_restore_list_gpm_feature_ver});
    add(f, "save_restore_list_srm_feature_ver", uint64_t{h.save_restore_list_srm_feature_ver});
  }
  void operator()(const a::RlcHeaderV2_2& h) const { (*this)(h.v2_1); }
  void operator()(const a::RlcHeaderV2_3& h) const {
    (*this)(h.v2_2);
    add(f, "rlcp_ucode_feature_version", uint64_t{h.rlcp_ucode_feature_version});
    add(f, "rlcv_ucode_feature_version", uint64_t{h.rlcv_ucode_feature_version});
  }
  void operator()(const a::RlcHeaderV2_4& h) const { (*this)(h.v2_3); }
  void operator()(const a::RlcHeaderV2_5& h) const { (*this)(h.v2_2); }
  void operator()(const a::SdmaHeaderV1_0& h) const {
    add(f, "ucode_feature_version", uint64_t{h.ucode_feature_version});
    add(f, "ucode_change_version", uint64_t{h.ucode_change_version});
    add(f, "jt_offset", uint64_t{h.jt_offset});
    add(f, "jt_size", uint64_t{h.jt_size});
  }
  void operator()(const a::SdmaHeaderV1_1& h) const {
    (*this)(h.v1_0);
    add(f, "digest_size", uint64_t{h.digest_size});
  }
  void operator()(const a::SdmaHeaderV2& h) const {
    add(f, "ucode_feature_version", uint64_t{h.ucode_feature_version});
    add(f, "ctx_ucode_size_bytes", uint64_t{h.ctx_ucode_size_bytes});
    add(f, "ctx_jt_offset", uint64_t{h.ctx_jt_offset});
    add(f, "ctx_jt_size", uint64_t{h.ctx_jt_size});
    add(f, "ctl_ucode_offset", uint64_t{h.ctl_ucode_offset});
    add(f, "ctl_ucode_size_bytes", uint64_t{h.ctl_ucode_size_bytes});
    add(f, "ctl_jt_offset", uint64_t{h.ctl_jt_offset});
    add(f, "ctl_jt_size", uint64_t{h.ctl_jt_size});
  }
  void operator()(const a::SdmaHeaderV3& h) const {
    add(f, "ucode_feature_version", uint64_t{h.ucode_feature_version});
    add(f, "sdma.ucode_offset_bytes", uint64_t{h.ucode_offset_bytes});
    add(f, "sdma.ucode_size_bytes", uint64_t{h.ucode_size_bytes});
  }
  void operator()(const a::PspHeaderV1_0& h) const { legacy(f, "sos", h.sos); }
  void operator()(const a::PspHeaderV1_1& h) const {
    (*this)(h.v1_0);
    legacy(f, "toc", h.toc);
    legacy(f, "kdb", h.kdb);
  }
  void operator()(const a::PspHeaderV1_2& h) const {
    (*this)(h.v1_0);
    legacy(f, "res", h.res);
    legacy(f, "kdb", h.kdb);
  }
  void operator()(const a::PspHeaderV1_3& h) const {
    (*this)(h.v1_1);
    legacy(f, "spl", h.spl);
    legacy(f, "rl", h.rl);
    legacy(f, "sys_drv_aux", h.sys_drv_aux);
    legacy(f, "sos_aux", h.sos_aux);
  }
  void operator()(const a::PspHeaderV2_0& h) const { add(f, "psp_fw_bin_count", uint64_t{h.psp_fw_bin_count}); }
  void operator()(const a::PspHeaderV2_1& h) const {
    add(f, "psp_fw_bin_count", uint64_t{h.psp_fw_bin_count});
    add(f, "psp_aux_fw_bin_index", uint64_t{h.psp_aux_fw_bin_index});
  }
  void operator()(const a::TaHeaderV1& h) const {
    legacy(f, "xgmi", h.xgmi);
    legacy(f, "ras", h.ras);
    legacy(f, "hdcp", h.hdcp);
    legacy(f, "dtm", h.dtm);
    legacy(f, "securedisplay", h.securedisplay);
  }
  void operator()(const a::TaHeaderV2& h) const { add(f, "ta_fw_bin_count", uint64_t{h.ta_fw_bin_count}); }
  void operator()(const a::SmcHeaderV1& h) const { add(f, "ucode_start_addr", uint64_t{h.ucode_start_addr}); }
  void operator()(const a::SmcHeaderV2_0& h) const {
    (*this)(h.v1_0);
    add(f, "ppt_offset_bytes", uint64_t{h.ppt_offset_bytes});
    add(f, "ppt_size_bytes", uint64_t{h.ppt_size_bytes});
  }
  void operator()(const a::SmcHeaderV2_1& h) const {
    (*this)(h.v1_0);
    add(f, "pptable_count", uint64_t{h.pptable_count});
    add(f, "pptable_entry_offset", uint64_t{h.pptable_entry_offset});
  }
  void operator()(const a::DmcubHeaderV1& h) const {
    add(f, "inst_const_bytes", uint64_t{h.inst_const_bytes});
    add(f, "bss_data_bytes", uint64_t{h.bss_data_bytes});
  }
};

Description describe_amdgpu(std::span<const std::byte> bytes, std::string name) {
  const auto fw = a::Firmware::parse(bytes, std::move(name));
  Description d;
  d.file = fw.name();
  d.format = Format::amdgpu;
  const a::CommonHeader& c = fw.common();
  Fields& f = d.header;
  add(f, "size_bytes", uint64_t{c.size_bytes});
  add(f, "header_size_bytes", uint64_t{c.header_size_bytes});
  add(f, "header_version", fmt::format("{}.{}", c.header_version_major, c.header_version_minor));
  add(f, "ip_version", fmt::format("{}.{}", c.ip_version_major, c.ip_version_minor));
  add(f, "ucode_version", uint64_t{c.ucode_version});
  add(f, "ucode_size_bytes", uint64_t{c.ucode_size_bytes});
  add(f, "ucode_array_offset_bytes", uint64_t{c.ucode_array_offset_bytes});
  add(f, "crc32", uint64_t{c.crc32});
  add(f, "crc32_covers", std::string(a::to_string(fw.crc_coverage())));
  add(f, "kind", std::string(a::to_string(fw.kind())));
  std::visit(AmdFields{f}, fw.header());
  if (fw.kind() == a::Kind::vcn) {
    const auto v = a::decode_vcn_version(c.ucode_version);
    if (v.new_scheme) {
      add(f, "vcn_enc_major", uint64_t{v.enc_major});
      add(f, "vcn_enc_minor", uint64_t{v.enc_minor});
      add(f, "vcn_dec", uint64_t{v.dec});
      add(f, "vcn_vep", uint64_t{v.vep});
      add(f, "vcn_revision", uint64_t{v.revision});
    } else {
      add(f, "vcn_major", uint64_t{v.major});
      add(f, "vcn_minor", uint64_t{v.minor});
      add(f, "vcn_family_id", uint64_t{v.family_id});
    }
  }
  d.sections = sections_of(fw.images());
  if (!fw.toc().empty()) {
    Table t{"toc", {}};
    for (const auto& e : fw.toc()) {
      Fields row;
      add(row, "id", uint64_t{e.id});
      add(row, "offset_bytes", e.offset_bytes);
      add(row, "size_bytes", e.size_bytes);
      add(row, "memory_destination", uint64_t{e.memory_destination});
      add(row, "vfflr_image_code", uint64_t{e.vfflr_image_code});
      t.rows.push_back(std::move(row));
    }
    d.tables.push_back(std::move(t));
  }
  return d;
}

// ---- NVIDIA -------------------------------------------------------------------------------------

void bin_fields(Fields& f, const nvidia::BinHeader& h) {
  add(f, "bin_magic", uint64_t{h.bin_magic});
  add(f, "bin_ver", uint64_t{h.bin_ver});
  add(f, "bin_size", uint64_t{h.bin_size});
  add(f, "header_offset", uint64_t{h.header_offset});
  add(f, "data_offset", uint64_t{h.data_offset});
  add(f, "data_size", uint64_t{h.data_size});
}

Description describe_gsp(std::span<const std::byte> bytes, std::string name) {
  const auto g = nvidia::GspFirmware::parse(bytes, std::move(name));
  Description d;
  d.file = g.name();
  d.format = Format::nvidia_gsp;
  add(d.header, "size_bytes", uint64_t{bytes.size()});
  add(d.header, "elf_type", uint64_t{g.elf_type()});
  add(d.header, "elf_machine", uint64_t{g.elf_machine()});
  add(d.header, "version", g.version());
  std::string families;
  for (const auto& s : g.signature_families()) families += (families.empty() ? "" : ",") + s;
  add(d.header, "signature_families", families);
  add(d.header, "image_offset", g.image().file_offset);
  add(d.header, "image_size_bytes", g.image().size());
  d.sections = sections_of(g.images());
  return d;
}

Description describe_booter(std::span<const std::byte> bytes, std::string name) {
  const auto b = nvidia::BooterFirmware::parse(bytes, std::move(name));
  Description d;
  d.file = b.name();
  d.format = Format::nvidia_booter;
  Fields& f = d.header;
  add(f, "size_bytes", uint64_t{bytes.size()});
  bin_fields(f, b.bin());
  const auto& hs = b.hs();
  add(f, "sig_prod_offset", uint64_t{hs.sig_prod_offset});
  add(f, "sig_prod_size", uint64_t{hs.sig_prod_size});
  add(f, "patch_loc", uint64_t{hs.patch_loc});
  add(f, "patch_sig", uint64_t{hs.patch_sig});
  add(f, "meta_data_offset", uint64_t{hs.meta_data_offset});
  add(f, "meta_data_size", uint64_t{hs.meta_data_size});
  add(f, "num_sig", uint64_t{hs.num_sig});
  add(f, "load_header_offset", uint64_t{hs.header_offset});
  add(f, "load_header_size", uint64_t{hs.header_size});
  add(f, "patch_location", uint64_t{b.patch_location()});
  add(f, "patch_signature", uint64_t{b.patch_signature()});
  add(f, "signature_count", uint64_t{b.signature_count()});
  add(f, "signature_size", uint64_t{b.signature_size()});
  add(f, "fuse_version", uint64_t{b.fuse_version()});
  add(f, "engine_id", uint64_t{b.engine_id()});
  add(f, "ucode_id", uint64_t{b.ucode_id()});
  add(f, "os_code_offset", uint64_t{b.load().os_code_offset});
  add(f, "os_code_size", uint64_t{b.load().os_code_size});
  add(f, "os_data_offset", uint64_t{b.load().os_data_offset});
  add(f, "os_data_size", uint64_t{b.load().os_data_size});
  add(f, "num_apps", uint64_t{b.load().num_apps});
  d.sections = sections_of(b.images());
  return d;
}

Description describe_bootloader(std::span<const std::byte> bytes, std::string name) {
  const auto b = nvidia::BootloaderFirmware::parse(bytes, std::move(name));
  Description d;
  d.file = b.name();
  d.format = Format::nvidia_bootloader;
  Fields& f = d.header;
  add(f, "size_bytes", uint64_t{bytes.size()});
  bin_fields(f, b.bin());
  const auto& r = b.desc();
  add(f, "version", uint64_t{r.version});
  add(f, "bootloader_offset", uint64_t{r.bootloader_offset});
  add(f, "bootloader_size", uint64_t{r.bootloader_size});
  add(f, "bootloader_param_offset", uint64_t{r.bootloader_param_offset});
  add(f, "bootloader_param_size", uint64_t{r.bootloader_param_size});
  add(f, "riscv_elf_offset", uint64_t{r.riscv_elf_offset});
  add(f, "riscv_elf_size", uint64_t{r.riscv_elf_size});
  add(f, "app_version", uint64_t{r.app_version});
  add(f, "manifest_offset", uint64_t{r.manifest_offset});
  add(f, "manifest_size", uint64_t{r.manifest_size});
  add(f, "monitor_data_offset", uint64_t{r.monitor_data_offset});
  add(f, "monitor_data_size", uint64_t{r.monitor_data_size});
  add(f, "monitor_code_offset", uint64_t{r.monitor_code_offset});
  add(f, "monitor_code_size", uint64_t{r.monitor_code_size});
  add(f, "is_monitor_enabled", uint64_t{r.is_monitor_enabled});
  add(f, "swbrom_code_offset", uint64_t{r.swbrom_code_offset});
  add(f, "swbrom_code_size", uint64_t{r.swbrom_code_size});
  add(f, "swbrom_data_offset", uint64_t{r.swbrom_data_offset});
  add(f, "swbrom_data_size", uint64_t{r.swbrom_data_size});
  if (r.version >= 5) {
    add(f, "fb_reserved_size", uint64_t{r.fb_reserved_size});
    add(f, "signed_as_code", uint64_t{r.signed_as_code});
  }
  d.sections = sections_of(b.images());
  return d;
}

// ---- Adreno -------------------------------------------------------------------------------------

Description describe_sqe(std::span<const std::byte> bytes, std::string name) {
  const auto s = qcom::SqeFirmware::parse(bytes, std::move(name));
  Description d;
  d.file = s.name();
  d.format = Format::adreno_sqe;
  Fields& f = d.header;
  add(f, "size_bytes", uint64_t{bytes.size()});
  add(f, "fw_id", uint64_t{s.fw_id()});
  add(f, "version", uint64_t{s.version()});
  add(f, "version_word", uint64_t{s.header().version_word});
  add(f, "patched", s.patched());
  add(f, "effective_version", uint64_t{s.effective_version()});
  add(f, "table_word", uint64_t{s.header().table_word});
  add(f, "layout", std::string(s.is_bundle() ? "bundle" : "jump_table"));
  add(f, "jump_table_entries", s.jump_table() ? s.jump_table()->size() / 4 : uint64_t{0});
  d.sections = sections_of(s.images());
  return d;
}

Description describe_gmu(std::span<const std::byte> bytes, std::string name) {
  const auto g = qcom::GmuFirmware::parse(bytes, std::move(name));
  Description d;
  d.file = g.name();
  d.format = Format::adreno_gmu;
  add(d.header, "size_bytes", uint64_t{bytes.size()});
  add(d.header, "layout", std::string(g.layout() == qcom::GmuFirmware::Layout::legacy ? "legacy" : "blocks"));
  add(d.header, "block_count", uint64_t{g.blocks().size()});
  d.sections = sections_of(g.images());
  if (!g.blocks().empty()) {
    Table t{"blocks", {}};
    for (const auto& b : g.blocks()) {
      Fields row;
      add(row, "header_offset", b.header_offset);
      add(row, "addr", uint64_t{b.header.addr});
      add(row, "size", uint64_t{b.header.size});
      add(row, "type", uint64_t{b.header.type});
      add(row, "type_name", b.header.size ? std::string("data") : qcom::gmu_block_type_name(b.header.type));
      add(row, "value", uint64_t{b.header.value});
      t.rows.push_back(std::move(row));
    }
    d.tables.push_back(std::move(t));
  }
  return d;
}

}  // namespace

std::string_view to_string(Format f) {
  switch (f) {
    case Format::amdgpu: return "amdgpu";
    case Format::nvidia_gsp: return "nvidia-gsp";
    case Format::nvidia_booter: return "nvidia-booter";
    case Format::nvidia_bootloader: return "nvidia-bootloader";
    case Format::adreno_sqe: return "adreno-sqe";
    case Format::adreno_gmu: return "adreno-gmu";
  }
  return "?";
}

std::optional<Format> detect_format(std::span<const std::byte> bytes, std::string_view name) {
  const std::string_view base = detail::base_name(name);
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, bytes.data() + at, 4);
    return v;
  };
  if (bytes.size() >= 4 && u32(0) == 0x464c457fu) return Format::nvidia_gsp;  // "\x7fELF"
  if (bytes.size() >= 4 && u32(0) == nvidia::bin_magic)
    return detail::starts_with(base, "bootloader") ? Format::nvidia_bootloader : Format::nvidia_booter;
  if (detail::ends_with(base, "_sqe.fw")) return Format::adreno_sqe;
  if (detail::ends_with(base, "_gmu.bin")) return Format::adreno_gmu;
  if (bytes.size() >= sizeof(amdgpu::CommonHeader) && u32(0) == bytes.size()) return Format::amdgpu;
  // A name that says amdgpu (gc_11_0_0_mec.bin, psp_13_0_0_sos.bin, ...) but a size that does not match:
  // let the amdgpu parser say what is wrong (a truncated file: size_bytes against the file's size).
  if (amdgpu::kind_from_name(name)) return Format::amdgpu;
  return std::nullopt;
}

Description describe(std::span<const std::byte> bytes, std::string name) {
  const auto format = detect_format(bytes, name);
  if (!format) {
    uint32_t first = 0;
    if (!bytes.empty()) std::memcpy(&first, bytes.data(), std::min<size_t>(bytes.size(), 4));
    detail::fail(Errc::unsupported, name, "format",
                 "an ELF (GSP), the nvfw_bin_hdr magic 0x10de (booter, bootloader), a *_sqe.fw or *_gmu.bin name "
                 "(Adreno), or an amdgpu common header whose size_bytes is the file's size",
                 fmt::format("first bytes {:#x} in a file of {} bytes", first, bytes.size()));
  }
  switch (*format) {
    case Format::amdgpu: return describe_amdgpu(bytes, std::move(name));
    case Format::nvidia_gsp: return describe_gsp(bytes, std::move(name));
    case Format::nvidia_booter: return describe_booter(bytes, std::move(name));
    case Format::nvidia_bootloader: return describe_bootloader(bytes, std::move(name));
    case Format::adreno_sqe: return describe_sqe(bytes, std::move(name));
    case Format::adreno_gmu: return describe_gmu(bytes, std::move(name));
  }
  return {};
}

}  // namespace hcq::fw
