// amdgpu firmware: the common header, every header version used by the gfx9.4.3 (MI300X), gfx11
// (RX 7000) and gfx12 (RX 9000) families, and typed views of their sub-binaries.
//
// Layouts: our own transcription of Linux drivers/gpu/drm/amd/amdgpu/amdgpu_ucode.h (torvalds/linux,
// the `*_firmware_header_v*` structs), the RLC table of contents of amdgpu_rlc.h
// (RLC_TABLE_OF_CONTENT_V2) and the users of each field in amdgpu_ucode.c, amdgpu_psp.c,
// gfx_v12_0.c and amdgpu_vcn.c. Where the header comments say nothing about the base an offset
// counts from, the base was read from those users and confirmed on Debian's firmware-amd-graphics
// 20250410 blobs (docs/firmware.md lists which base each field uses).
//
// All structs are little-endian, naturally aligned (no padding: checked below) and copied out of
// the file; nothing points into a struct.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hcq/firmware/image.hpp"

namespace hcq::fw::amdgpu {

// ---- On-disk layouts ---------------------------------------------------------------------------

struct CommonHeader {
  uint32_t size_bytes;         // the whole file
  uint32_t header_size_bytes;  // this header and the versioned part after it
  uint16_t header_version_major;
  uint16_t header_version_minor;
  uint16_t ip_version_major;
  uint16_t ip_version_minor;
  uint32_t ucode_version;
  uint32_t ucode_size_bytes;
  uint32_t ucode_array_offset_bytes;  // the payload, from the start of the file
  uint32_t crc32;                     // reported only: not a checksum of the same bytes in every file
};
static_assert(sizeof(CommonHeader) == 0x20);
static_assert(offsetof(CommonHeader, header_size_bytes) == 0x04 && offsetof(CommonHeader, header_version_major) == 0x08 &&
              offsetof(CommonHeader, header_version_minor) == 0x0a && offsetof(CommonHeader, ip_version_major) == 0x0c &&
              offsetof(CommonHeader, ip_version_minor) == 0x0e && offsetof(CommonHeader, ucode_version) == 0x10 &&
              offsetof(CommonHeader, ucode_size_bytes) == 0x14 &&
              offsetof(CommonHeader, ucode_array_offset_bytes) == 0x18 && offsetof(CommonHeader, crc32) == 0x1c);

// A PSP bin inside a v1 (legacy) PSP or TA header: offsets from the payload.
struct PspLegacyBinDesc {
  uint32_t fw_version;
  uint32_t offset_bytes;
  uint32_t size_bytes;
};
static_assert(sizeof(PspLegacyBinDesc) == 12 && offsetof(PspLegacyBinDesc, offset_bytes) == 4 &&
              offsetof(PspLegacyBinDesc, size_bytes) == 8);

// A bin of a v2 PSP or TA header: offsets from the payload.
struct PspBinDesc {
  uint32_t fw_type;  // PspFwType (sos) or TaFwType (ta)
  uint32_t fw_version;
  uint32_t offset_bytes;
  uint32_t size_bytes;
};
static_assert(sizeof(PspBinDesc) == 16 && offsetof(PspBinDesc, fw_version) == 4 &&
              offsetof(PspBinDesc, offset_bytes) == 8 && offsetof(PspBinDesc, size_bytes) == 12);

// gfx v1.0 (F32 CP microcode; gc 9.4.3 MEC, gc 11.0.1/11.0.4/11.5.x): jump table in dwords from the payload.
struct GfxHeaderV1 {
  CommonHeader header;
  uint32_t ucode_feature_version;
  uint32_t jt_offset;  // dwords, from the payload
  uint32_t jt_size;    // dwords
};
static_assert(sizeof(GfxHeaderV1) == 0x2c && offsetof(GfxHeaderV1, ucode_feature_version) == 0x20 &&
              offsetof(GfxHeaderV1, jt_offset) == 0x24 && offsetof(GfxHeaderV1, jt_size) == 0x28);

// gfx v2.0 (RS64 CP microcode, gc 11.0.0/2/3 and 12): instruction and data images, from the file start.
struct GfxHeaderV2 {
  CommonHeader header;
  uint32_t ucode_feature_version;
  uint32_t ucode_size_bytes;
  uint32_t ucode_offset_bytes;
  uint32_t data_size_bytes;
  uint32_t data_offset_bytes;
  uint32_t ucode_start_addr_lo;
  uint32_t ucode_start_addr_hi;
};
static_assert(sizeof(GfxHeaderV2) == 0x3c && offsetof(GfxHeaderV2, ucode_feature_version) == 0x20 &&
              offsetof(GfxHeaderV2, ucode_size_bytes) == 0x24 && offsetof(GfxHeaderV2, ucode_offset_bytes) == 0x28 &&
              offsetof(GfxHeaderV2, data_size_bytes) == 0x2c && offsetof(GfxHeaderV2, data_offset_bytes) == 0x30 &&
              offsetof(GfxHeaderV2, ucode_start_addr_lo) == 0x34 && offsetof(GfxHeaderV2, ucode_start_addr_hi) == 0x38);

// mes v1.0: ucode and data images, from the file start.
struct MesHeaderV1 {
  CommonHeader header;
  uint32_t mes_ucode_version;
  uint32_t mes_ucode_size_bytes;
  uint32_t mes_ucode_offset_bytes;
  uint32_t mes_ucode_data_version;
  uint32_t mes_ucode_data_size_bytes;
  uint32_t mes_ucode_data_offset_bytes;
  uint32_t mes_uc_start_addr_lo;
  uint32_t mes_uc_start_addr_hi;
  uint32_t mes_data_start_addr_lo;
  uint32_t mes_data_start_addr_hi;
};
static_assert(sizeof(MesHeaderV1) == 0x48 && offsetof(MesHeaderV1, mes_ucode_version) == 0x20 &&
              offsetof(MesHeaderV1, mes_ucode_size_bytes) == 0x24 && offsetof(MesHeaderV1, mes_ucode_offset_bytes) == 0x28 &&
              offsetof(MesHeaderV1, mes_ucode_data_version) == 0x2c &&
              offsetof(MesHeaderV1, mes_ucode_data_size_bytes) == 0x30 &&
              offsetof(MesHeaderV1, mes_ucode_data_offset_bytes) == 0x34 &&
              offsetof(MesHeaderV1, mes_uc_start_addr_lo) == 0x38 && offsetof(MesHeaderV1, mes_uc_start_addr_hi) == 0x3c &&
              offsetof(MesHeaderV1, mes_data_start_addr_lo) == 0x40 && offsetof(MesHeaderV1, mes_data_start_addr_hi) == 0x44);

// imu v1.0: IRAM at the payload's start, DRAM right after it (the kernel's placement; the two
// *_offset_bytes fields, from the payload, are reported only).
struct ImuHeaderV1 {
  CommonHeader header;
  uint32_t imu_iram_ucode_size_bytes;
  uint32_t imu_iram_ucode_offset_bytes;
  uint32_t imu_dram_ucode_size_bytes;
  uint32_t imu_dram_ucode_offset_bytes;
};
static_assert(sizeof(ImuHeaderV1) == 0x30 && offsetof(ImuHeaderV1, imu_iram_ucode_size_bytes) == 0x20 &&
              offsetof(ImuHeaderV1, imu_iram_ucode_offset_bytes) == 0x24 &&
              offsetof(ImuHeaderV1, imu_dram_ucode_size_bytes) == 0x28 &&
              offsetof(ImuHeaderV1, imu_dram_ucode_offset_bytes) == 0x2c);

// rlc v1.0 (SI, CIK and Topaz files): one image, the payload.
struct RlcHeaderV1 {
  CommonHeader header;
  uint32_t ucode_feature_version;
  uint32_t save_and_restore_offset;
  uint32_t clear_state_descriptor_offset;
  uint32_t avail_scratch_ram_locations;
  uint32_t master_pkt_description_offset;
};
static_assert(sizeof(RlcHeaderV1) == 0x34 && offsetof(RlcHeaderV1, ucode_feature_version) == 0x20 &&
              offsetof(RlcHeaderV1, save_and_restore_offset) == 0x24 &&
              offsetof(RlcHeaderV1, clear_state_descriptor_offset) == 0x28 &&
              offsetof(RlcHeaderV1, avail_scratch_ram_locations) == 0x2c &&
              offsetof(RlcHeaderV1, master_pkt_description_offset) == 0x30);

// rlc v2.0 to v2.5: each minor version extends an earlier one; every *_offset_bytes is from the file start.
struct RlcHeaderV2_0 {
  CommonHeader header;
  uint32_t ucode_feature_version;
  uint32_t jt_offset;
  uint32_t jt_size;
  uint32_t save_and_restore_offset;
  uint32_t clear_state_descriptor_offset;
  uint32_t avail_scratch_ram_locations;
  uint32_t reg_restore_list_size;
  uint32_t reg_list_format_start;
  uint32_t reg_list_format_separate_start;
  uint32_t starting_offsets_start;
  uint32_t reg_list_format_size_bytes;
  uint32_t reg_list_format_array_offset_bytes;
  uint32_t reg_list_size_bytes;
  uint32_t reg_list_array_offset_bytes;
  uint32_t reg_list_format_separate_size_bytes;
  uint32_t reg_list_format_separate_array_offset_bytes;
  uint32_t reg_list_separate_size_bytes;
  uint32_t reg_list_separate_array_offset_bytes;
};
static_assert(sizeof(RlcHeaderV2_0) == 0x68 && offsetof(RlcHeaderV2_0, ucode_feature_version) == 0x20 &&
              offsetof(RlcHeaderV2_0, jt_offset) == 0x24 && offsetof(RlcHeaderV2_0, jt_size) == 0x28 &&
              offsetof(RlcHeaderV2_0, save_and_restore_offset) == 0x2c &&
              offsetof(RlcHeaderV2_0, clear_state_descriptor_offset) == 0x30 &&
              offsetof(RlcHeaderV2_0, avail_scratch_ram_locations) == 0x34 &&
              offsetof(RlcHeaderV2_0, reg_restore_list_size) == 0x38 &&
              offsetof(RlcHeaderV2_0, reg_list_format_start) == 0x3c &&
              offsetof(RlcHeaderV2_0, reg_list_format_separate_start) == 0x40 &&
              offsetof(RlcHeaderV2_0, starting_offsets_start) == 0x44 &&
              offsetof(RlcHeaderV2_0, reg_list_format_size_bytes) == 0x48 &&
              offsetof(RlcHeaderV2_0, reg_list_format_array_offset_bytes) == 0x4c &&
              offsetof(RlcHeaderV2_0, reg_list_size_bytes) == 0x50 &&
              offsetof(RlcHeaderV2_0, reg_list_array_offset_bytes) == 0x54 &&
              offsetof(RlcHeaderV2_0, reg_list_format_separate_size_bytes) == 0x58 &&
              offsetof(RlcHeaderV2_0, reg_list_format_separate_array_offset_bytes) == 0x5c &&
              offsetof(RlcHeaderV2_0, reg_list_separate_size_bytes) == 0x60 &&
              offsetof(RlcHeaderV2_0, reg_list_separate_array_offset_bytes) == 0x64);

struct RlcHeaderV2_1 {
  RlcHeaderV2_0 v2_0;
  uint32_t reg_list_format_direct_reg_list_length;
  uint32_t save_restore_list_cntl_ucode_ver;
  uint32_t save_restore_list_cntl_feature_ver;
  uint32_t save_restore_list_cntl_size_bytes;
  uint32_t save_restore_list_cntl_offset_bytes;
  uint32_t save_restore_list_gpm_ucode_ver;
  uint32_t save_restore_list_gpm_feature_ver;
  uint32_t save_restore_list_gpm_size_bytes;
  uint32_t save_restore_list_gpm_offset_bytes;
  uint32_t save_restore_list_srm_ucode_ver;
  uint32_t save_restore_list_srm_feature_ver;
  uint32_t save_restore_list_srm_size_bytes;
  uint32_t save_restore_list_srm_offset_bytes;
};
static_assert(sizeof(RlcHeaderV2_1) == 0x9c && offsetof(RlcHeaderV2_1, reg_list_format_direct_reg_list_length) == 0x68 &&
              offsetof(RlcHeaderV2_1, save_restore_list_cntl_ucode_ver) == 0x6c &&
              offsetof(RlcHeaderV2_1, save_restore_list_cntl_feature_ver) == 0x70 &&
              offsetof(RlcHeaderV2_1, save_restore_list_cntl_size_bytes) == 0x74 &&
              offsetof(RlcHeaderV2_1, save_restore_list_cntl_offset_bytes) == 0x78 &&
              offsetof(RlcHeaderV2_1, save_restore_list_gpm_ucode_ver) == 0x7c &&
              offsetof(RlcHeaderV2_1, save_restore_list_gpm_feature_ver) == 0x80 &&
              offsetof(RlcHeaderV2_1, save_restore_list_gpm_size_bytes) == 0x84 &&
              offsetof(RlcHeaderV2_1, save_restore_list_gpm_offset_bytes) == 0x88 &&
              offsetof(RlcHeaderV2_1, save_restore_list_srm_ucode_ver) == 0x8c &&
              offsetof(RlcHeaderV2_1, save_restore_list_srm_feature_ver) == 0x90 &&
              offsetof(RlcHeaderV2_1, save_restore_list_srm_size_bytes) == 0x94 &&
              offsetof(RlcHeaderV2_1, save_restore_list_srm_offset_bytes) == 0x98);

struct RlcHeaderV2_2 {
  RlcHeaderV2_1 v2_1;
  uint32_t rlc_iram_ucode_size_bytes;
  uint32_t rlc_iram_ucode_offset_bytes;
  uint32_t rlc_dram_ucode_size_bytes;
  uint32_t rlc_dram_ucode_offset_bytes;
};
static_assert(sizeof(RlcHeaderV2_2) == 0xac && offsetof(RlcHeaderV2_2, rlc_iram_ucode_size_bytes) == 0x9c &&
              offsetof(RlcHeaderV2_2, rlc_iram_ucode_offset_bytes) == 0xa0 &&
              offsetof(RlcHeaderV2_2, rlc_dram_ucode_size_bytes) == 0xa4 &&
              offsetof(RlcHeaderV2_2, rlc_dram_ucode_offset_bytes) == 0xa8);

struct RlcHeaderV2_3 {
  RlcHeaderV2_2 v2_2;
  uint32_t rlcp_ucode_version;
  uint32_t rlcp_ucode_feature_version;
  uint32_t rlcp_ucode_size_bytes;
  uint32_t rlcp_ucode_offset_bytes;
  uint32_t rlcv_ucode_version;
  uint32_t rlcv_ucode_feature_version;
  uint32_t rlcv_ucode_size_bytes;
  uint32_t rlcv_ucode_offset_bytes;
};
static_assert(sizeof(RlcHeaderV2_3) == 0xcc && offsetof(RlcHeaderV2_3, rlcp_ucode_version) == 0xac &&
              offsetof(RlcHeaderV2_3, rlcp_ucode_feature_version) == 0xb0 &&
              offsetof(RlcHeaderV2_3, rlcp_ucode_size_bytes) == 0xb4 &&
              offsetof(RlcHeaderV2_3, rlcp_ucode_offset_bytes) == 0xb8 && offsetof(RlcHeaderV2_3, rlcv_ucode_version) == 0xbc &&
              offsetof(RlcHeaderV2_3, rlcv_ucode_feature_version) == 0xc0 &&
              offsetof(RlcHeaderV2_3, rlcv_ucode_size_bytes) == 0xc4 && offsetof(RlcHeaderV2_3, rlcv_ucode_offset_bytes) == 0xc8);

struct RlcHeaderV2_4 {
  RlcHeaderV2_3 v2_3;
  uint32_t global_tap_delays_ucode_size_bytes;
  uint32_t global_tap_delays_ucode_offset_bytes;
  uint32_t se0_tap_delays_ucode_size_bytes;
  uint32_t se0_tap_delays_ucode_offset_bytes;
  uint32_t se1_tap_delays_ucode_size_bytes;
  uint32_t se1_tap_delays_ucode_offset_bytes;
  uint32_t se2_tap_delays_ucode_size_bytes;
  uint32_t se2_tap_delays_ucode_offset_bytes;
  uint32_t se3_tap_delays_ucode_size_bytes;
  uint32_t se3_tap_delays_ucode_offset_bytes;
};
static_assert(sizeof(RlcHeaderV2_4) == 0xf4 && offsetof(RlcHeaderV2_4, global_tap_delays_ucode_size_bytes) == 0xcc &&
              offsetof(RlcHeaderV2_4, global_tap_delays_ucode_offset_bytes) == 0xd0 &&
              offsetof(RlcHeaderV2_4, se0_tap_delays_ucode_size_bytes) == 0xd4 &&
              offsetof(RlcHeaderV2_4, se0_tap_delays_ucode_offset_bytes) == 0xd8 &&
              offsetof(RlcHeaderV2_4, se1_tap_delays_ucode_size_bytes) == 0xdc &&
              offsetof(RlcHeaderV2_4, se1_tap_delays_ucode_offset_bytes) == 0xe0 &&
              offsetof(RlcHeaderV2_4, se2_tap_delays_ucode_size_bytes) == 0xe4 &&
              offsetof(RlcHeaderV2_4, se2_tap_delays_ucode_offset_bytes) == 0xe8 &&
              offsetof(RlcHeaderV2_4, se3_tap_delays_ucode_size_bytes) == 0xec &&
              offsetof(RlcHeaderV2_4, se3_tap_delays_ucode_offset_bytes) == 0xf0);

// v2.5 extends v2.2 (not v2.4).
struct RlcHeaderV2_5 {
  RlcHeaderV2_2 v2_2;
  uint32_t rlc_1_iram_ucode_size_bytes;
  uint32_t rlc_1_iram_ucode_offset_bytes;
  uint32_t rlc_1_dram_ucode_size_bytes;
  uint32_t rlc_1_dram_ucode_offset_bytes;
};
static_assert(sizeof(RlcHeaderV2_5) == 0xbc && offsetof(RlcHeaderV2_5, rlc_1_iram_ucode_size_bytes) == 0xac &&
              offsetof(RlcHeaderV2_5, rlc_1_iram_ucode_offset_bytes) == 0xb0 &&
              offsetof(RlcHeaderV2_5, rlc_1_dram_ucode_size_bytes) == 0xb4 &&
              offsetof(RlcHeaderV2_5, rlc_1_dram_ucode_offset_bytes) == 0xb8);

// sdma v1.0/v1.1 (sdma 4.4.2): one image, the common payload; jump table in dwords from the payload.
struct SdmaHeaderV1_0 {
  CommonHeader header;
  uint32_t ucode_feature_version;
  uint32_t ucode_change_version;
  uint32_t jt_offset;
  uint32_t jt_size;
};
static_assert(sizeof(SdmaHeaderV1_0) == 0x30 && offsetof(SdmaHeaderV1_0, ucode_feature_version) == 0x20 &&
              offsetof(SdmaHeaderV1_0, ucode_change_version) == 0x24 && offsetof(SdmaHeaderV1_0, jt_offset) == 0x28 &&
              offsetof(SdmaHeaderV1_0, jt_size) == 0x2c);

struct SdmaHeaderV1_1 {
  SdmaHeaderV1_0 v1_0;
  uint32_t digest_size;
};
static_assert(sizeof(SdmaHeaderV1_1) == 0x34 && offsetof(SdmaHeaderV1_1, digest_size) == 0x30);

// sdma v2.0 (sdma 6.x): context thread (TH0) = the payload's first ctx_ucode_size_bytes; control
// thread (TH1) at ctl_ucode_offset from the file start. Jump tables in dwords from their own image.
struct SdmaHeaderV2 {
  CommonHeader header;
  uint32_t ucode_feature_version;
  uint32_t ctx_ucode_size_bytes;
  uint32_t ctx_jt_offset;
  uint32_t ctx_jt_size;
  uint32_t ctl_ucode_offset;
  uint32_t ctl_ucode_size_bytes;
  uint32_t ctl_jt_offset;
  uint32_t ctl_jt_size;
};
static_assert(sizeof(SdmaHeaderV2) == 0x40 && offsetof(SdmaHeaderV2, ucode_feature_version) == 0x20 &&
              offsetof(SdmaHeaderV2, ctx_ucode_size_bytes) == 0x24 && offsetof(SdmaHeaderV2, ctx_jt_offset) == 0x28 &&
              offsetof(SdmaHeaderV2, ctx_jt_size) == 0x2c && offsetof(SdmaHeaderV2, ctl_ucode_offset) == 0x30 &&
              offsetof(SdmaHeaderV2, ctl_ucode_size_bytes) == 0x34 && offsetof(SdmaHeaderV2, ctl_jt_offset) == 0x38 &&
              offsetof(SdmaHeaderV2, ctl_jt_size) == 0x3c);

// sdma v3.0 (sdma 7.x): one image at ucode_offset_bytes from the file start.
struct SdmaHeaderV3 {
  CommonHeader header;
  uint32_t ucode_feature_version;
  uint32_t ucode_offset_bytes;
  uint32_t ucode_size_bytes;
};
static_assert(sizeof(SdmaHeaderV3) == 0x2c && offsetof(SdmaHeaderV3, ucode_feature_version) == 0x20 &&
              offsetof(SdmaHeaderV3, ucode_offset_bytes) == 0x24 && offsetof(SdmaHeaderV3, ucode_size_bytes) == 0x28);

// psp v1.x: legacy bins, offsets from the payload. The payload's first sos.offset_bytes are the
// system driver (sys_drv). The PSP TOC, ASD and gc 12 RLC TOC files use this layout too (with their
// bins all zero: the image is the whole payload).
struct PspHeaderV1_0 {
  CommonHeader header;
  PspLegacyBinDesc sos;
};
static_assert(sizeof(PspHeaderV1_0) == 0x2c && offsetof(PspHeaderV1_0, sos) == 0x20);

struct PspHeaderV1_1 {
  PspHeaderV1_0 v1_0;
  PspLegacyBinDesc toc;
  PspLegacyBinDesc kdb;
};
static_assert(sizeof(PspHeaderV1_1) == 0x44 && offsetof(PspHeaderV1_1, toc) == 0x2c && offsetof(PspHeaderV1_1, kdb) == 0x38);

struct PspHeaderV1_2 {
  PspHeaderV1_0 v1_0;
  PspLegacyBinDesc res;
  PspLegacyBinDesc kdb;
};
static_assert(sizeof(PspHeaderV1_2) == 0x44 && offsetof(PspHeaderV1_2, res) == 0x2c && offsetof(PspHeaderV1_2, kdb) == 0x38);

struct PspHeaderV1_3 {
  PspHeaderV1_1 v1_1;
  PspLegacyBinDesc spl;
  PspLegacyBinDesc rl;
  PspLegacyBinDesc sys_drv_aux;
  PspLegacyBinDesc sos_aux;
};
static_assert(sizeof(PspHeaderV1_3) == 0x74 && offsetof(PspHeaderV1_3, spl) == 0x44 && offsetof(PspHeaderV1_3, rl) == 0x50 &&
              offsetof(PspHeaderV1_3, sys_drv_aux) == 0x5c && offsetof(PspHeaderV1_3, sos_aux) == 0x68);

// psp v2.0 / v2.1: psp_fw_bin_count PspBinDescs follow the fixed part (they may extend past
// header_size_bytes, never past the payload).
struct PspHeaderV2_0 {
  CommonHeader header;
  uint32_t psp_fw_bin_count;
};
static_assert(sizeof(PspHeaderV2_0) == 0x24 && offsetof(PspHeaderV2_0, psp_fw_bin_count) == 0x20);

// v2.1 carries two sets of bins: [0, count - aux_index) and [aux_index, count).
struct PspHeaderV2_1 {
  CommonHeader header;
  uint32_t psp_fw_bin_count;
  uint32_t psp_aux_fw_bin_index;
};
static_assert(sizeof(PspHeaderV2_1) == 0x28 && offsetof(PspHeaderV2_1, psp_fw_bin_count) == 0x20 &&
              offsetof(PspHeaderV2_1, psp_aux_fw_bin_index) == 0x24);

// ta v1.0: five legacy bins, offsets from the payload (xgmi and hdcp always start at the payload).
struct TaHeaderV1 {
  CommonHeader header;
  PspLegacyBinDesc xgmi;
  PspLegacyBinDesc ras;
  PspLegacyBinDesc hdcp;
  PspLegacyBinDesc dtm;
  PspLegacyBinDesc securedisplay;
};
static_assert(sizeof(TaHeaderV1) == 0x5c && offsetof(TaHeaderV1, xgmi) == 0x20 && offsetof(TaHeaderV1, ras) == 0x2c &&
              offsetof(TaHeaderV1, hdcp) == 0x38 && offsetof(TaHeaderV1, dtm) == 0x44 &&
              offsetof(TaHeaderV1, securedisplay) == 0x50);

// ta v2.0: ta_fw_bin_count PspBinDescs follow, offsets from the payload.
struct TaHeaderV2 {
  CommonHeader header;
  uint32_t ta_fw_bin_count;
};
static_assert(sizeof(TaHeaderV2) == 0x24 && offsetof(TaHeaderV2, ta_fw_bin_count) == 0x20);

// smc v1.0 / v2.0 / v2.1 (SMU). Pptable offsets are from the file start.
struct SmcHeaderV1 {
  CommonHeader header;
  uint32_t ucode_start_addr;
};
static_assert(sizeof(SmcHeaderV1) == 0x24 && offsetof(SmcHeaderV1, ucode_start_addr) == 0x20);

struct SmcHeaderV2_0 {
  SmcHeaderV1 v1_0;
  uint32_t ppt_offset_bytes;
  uint32_t ppt_size_bytes;
};
static_assert(sizeof(SmcHeaderV2_0) == 0x2c && offsetof(SmcHeaderV2_0, ppt_offset_bytes) == 0x24 &&
              offsetof(SmcHeaderV2_0, ppt_size_bytes) == 0x28);

struct SmcHeaderV2_1 {
  SmcHeaderV1 v1_0;
  uint32_t pptable_count;
  uint32_t pptable_entry_offset;  // of SmcPptableEntry[pptable_count], from the file start
};
static_assert(sizeof(SmcHeaderV2_1) == 0x2c && offsetof(SmcHeaderV2_1, pptable_count) == 0x24 &&
              offsetof(SmcHeaderV2_1, pptable_entry_offset) == 0x28);

struct SmcPptableEntry {
  uint32_t id;
  uint32_t ppt_offset_bytes;
  uint32_t ppt_size_bytes;
};
static_assert(sizeof(SmcPptableEntry) == 12 && offsetof(SmcPptableEntry, ppt_offset_bytes) == 4 &&
              offsetof(SmcPptableEntry, ppt_size_bytes) == 8);

// dmcub v1.0 (display microcontroller): instruction/constant region then bss/data, from the payload.
struct DmcubHeaderV1 {
  CommonHeader header;
  uint32_t inst_const_bytes;
  uint32_t bss_data_bytes;
};
static_assert(sizeof(DmcubHeaderV1) == 0x28 && offsetof(DmcubHeaderV1, inst_const_bytes) == 0x20 &&
              offsetof(DmcubHeaderV1, bss_data_bytes) == 0x24);

// One RLC_TABLE_OF_CONTENT_V2 entry of a gc 12 `_toc.bin` payload (amdgpu_rlc.h): where the RLC
// backdoor autoload places each firmware in its buffer. The offsets are in that buffer, not the file.
struct RlcTocEntryRaw {
  uint32_t dw0;  // offset:25 (units of 8 dwords), id:7
  uint32_t dw1;  // bits 4:3 memory_destination, 8:5 vfflr_image_code, 12 size_x16, 31:14 size
};
static_assert(sizeof(RlcTocEntryRaw) == 8 && offsetof(RlcTocEntryRaw, dw1) == 4);

// ---- Enumerations -------------------------------------------------------------------------------

// psp_fw_type of a v2 sos bin (amdgpu_ucode.h enum psp_fw_type).
enum class PspFwType : uint32_t {
  unknown = 0, sos = 1, sys_drv = 2, kdb = 3, toc = 4, spl = 5, rl = 6, soc_drv = 7, intf_drv = 8, dbg_drv = 9,
  ras_drv = 10, ipkeymgr_drv = 11, spdm_drv = 12,
};
// ta_fw_type of a v2 ta bin (amdgpu_ucode.h enum ta_fw_type).
enum class TaFwType : uint32_t {
  unknown = 0, asd = 1, xgmi = 2, ras = 3, hdcp = 4, dtm = 5, rap = 6, securedisplay = 7, xgmi_aux = 8,
};
std::string psp_fw_type_name(uint32_t type);  // "sos", "sys_drv", ...; "type_<n>" when unknown
std::string ta_fw_type_name(uint32_t type);

// What a file is for: the common header does not say, so it comes from the name (or the caller).
enum class Kind : uint8_t {
  common,    // only the common header is known: one image, the payload
  gfx,       // gc_*_{pfp,me,ce,mec,mec2,sjt_mec}.bin
  rlc,       // gc_*_rlc*.bin
  mes,       // gc_*_mes*.bin, gc_*_uni_mes.bin
  imu,       // gc_*_imu.bin
  sdma,      // sdma_*.bin
  psp,       // psp_*_sos.bin
  psp_image, // psp_*_toc.bin, psp_*_asd.bin: a psp v1 header around one image
  ta,        // psp_*_ta.bin
  smc,       // smu_*.bin
  rlc_toc,   // gc_*_toc.bin (gc 12): psp v1 header around an RLC_TABLE_OF_CONTENT_V2 array
  dmcub,     // dcn_*_dmcub.bin
  vcn,       // vcn_*.bin: the common header alone
};
std::string_view to_string(Kind kind);
// The kind a file name implies (directories and a .zst/.xz suffix are ignored); nullopt if none.
std::optional<Kind> kind_from_name(std::string_view name);

// Header versions this parser knows for each kind ("2.0, 2.1").
std::string known_versions(Kind kind);

// ---- The decoded file ---------------------------------------------------------------------------

using Header = std::variant<std::monostate, GfxHeaderV1, GfxHeaderV2, MesHeaderV1, ImuHeaderV1, RlcHeaderV1, RlcHeaderV2_0,
                            RlcHeaderV2_1, RlcHeaderV2_2, RlcHeaderV2_3, RlcHeaderV2_4, RlcHeaderV2_5, SdmaHeaderV1_0,
                            SdmaHeaderV1_1, SdmaHeaderV2, SdmaHeaderV3, PspHeaderV1_0, PspHeaderV1_1, PspHeaderV1_2,
                            PspHeaderV1_3, PspHeaderV2_0, PspHeaderV2_1, TaHeaderV1, TaHeaderV2, SmcHeaderV1,
                            SmcHeaderV2_0, SmcHeaderV2_1, DmcubHeaderV1>;

struct RlcTocEntry {
  uint32_t id = 0;                  // SOC24_FIRMWARE_ID_*
  uint64_t offset_bytes = 0;        // in the autoload buffer: offset x 8 dwords
  uint64_t size_bytes = 0;          // size x 4, or size x 4 KiB when size_x16
  uint32_t memory_destination = 0;
  uint32_t vfflr_image_code = 0;
};

// Which bytes the stored crc32 equals the CRC-32 (IEEE, zlib's) of. Measured, not a rule: gfx, mes,
// imu, psp, sdma and dmcub store it over everything after the common header, vcn over the payload,
// and rlc (gc 11/12), smu and the gc 12 TOC over neither. A mismatch is reported, never rejected.
enum class CrcCoverage : uint8_t { after_common_header, payload, none };
std::string_view to_string(CrcCoverage c);

class Firmware {
 public:
  // Parses and validates `bytes` as a `kind` file; `name` names it in messages. Throws hcq::Error
  // (Errc::bad_code_object for a malformed file, Errc::unsupported for an unknown header version).
  // `bytes` must outlive the result.
  static Firmware parse(std::span<const std::byte> bytes, std::string name, Kind kind);
  // As above, the kind from the name (Kind::common when the name says nothing).
  static Firmware parse(std::span<const std::byte> bytes, std::string name);

  const std::string& name() const { return name_; }
  Kind kind() const { return kind_; }
  const CommonHeader& common() const { return common_; }
  // The versioned header (std::monostate for Kind::common and Kind::vcn).
  const Header& header() const { return header_; }
  template <class T>
  const T* header_as() const { return std::get_if<T>(&header_); }

  // The common payload [ucode_array_offset_bytes, + ucode_size_bytes).
  std::span<const std::byte> payload() const { return payload_; }
  // Every sub-binary, in the order the header lists them. Zero-sized ones are left out.
  std::span<const Image> images() const { return images_; }
  // The first image called `name` (of bin set `bin_set` where the file has two), or nullptr.
  const Image* image(std::string_view name, uint32_t bin_set = 0) const;
  // gc 12 TOC entries (empty for other kinds).
  std::span<const RlcTocEntry> toc() const { return toc_; }
  // PSP v2.1: bins [aux_index, count) form the aux set. nullopt for other headers.
  std::optional<uint32_t> psp_aux_index() const { return psp_aux_index_; }
  // Computed on each call (a CRC-32 of up to the whole file).
  CrcCoverage crc_coverage() const;

 private:
  Firmware() = default;
  friend struct Parser;

  std::string name_;
  Kind kind_ = Kind::common;
  CommonHeader common_{};
  Header header_;
  std::span<const std::byte> payload_;
  std::vector<Image> images_;
  std::vector<RlcTocEntry> toc_;
  std::optional<uint32_t> psp_aux_index_;
  std::span<const std::byte> bytes_;
};

// The VCN firmware version fields packed in ucode_version (amdgpu_vcn.c): the "new" scheme when bits
// 23:20 are nonzero, else the old one.
struct VcnVersion {
  bool new_scheme = false;
  uint32_t enc_major = 0, enc_minor = 0, dec = 0, vep = 0, revision = 0;  // new scheme
  uint32_t major = 0, minor = 0, family_id = 0;                           // old scheme
};
VcnVersion decode_vcn_version(uint32_t ucode_version);

}  // namespace hcq::fw::amdgpu
