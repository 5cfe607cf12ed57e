// NVIDIA GSP firmware as linux-firmware ships it for Turing to Ada (nvidia/<chip>/gsp/*-<version>.bin):
// - gsp-*.bin: the GSP-RM ELF64 (RISC-V, ET_REL): `.fwimage` (the RM image), `.fwversion` (a NUL-
//   terminated version string) and one `.fwsignature_<family>` per chip family (ga10x, ad10x, ...).
// - booter_load-*.bin / booter_unload-*.bin: SEC2 heavy-secure falcon images, `nvfw_bin_hdr` +
//   `nvfw_hs_header_v2` + `nvfw_hs_load_header_v2`.
// - bootloader-*.bin: the GSP RISC-V bootloader, `nvfw_bin_hdr` + `RM_RISCV_UCODE_DESC`.
//
// Layouts: our own transcription of Linux drivers/gpu/drm/nouveau/include/nvfw/fw.h and hs.h
// (torvalds/linux), NVIDIA open-gpu-kernel-modules src/nvidia/arch/nvalloc/common/inc/rmRiscvUcode.h
// (RM_RISCV_UCODE_DESC), and their use in nouveau's nvkm/subdev/gsp (tu102.c booter ctor, r535
// gsp.c) and nvkm/falcon/fw.c (nvkm_falcon_fw_ctor_hs_v2). Section names as nouveau looks them up.
//
// Offsets: nvfw_bin_hdr and nvfw_hs_header_v2 count from the file start; patch_loc, patch_sig and
// num_sig are file offsets of u32 values (not the values); the load header and the RISC-V descriptor
// count from the image (data_offset). Every Image here has its absolute file offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hcq/firmware/image.hpp"

namespace hcq::fw::nvidia {

// ---- On-disk layouts ---------------------------------------------------------------------------

inline constexpr uint32_t bin_magic = 0x10de;  // nvfw_bin_hdr.bin_magic: NVIDIA's PCI vendor id
inline constexpr uint32_t bin_version = 1;      // the only bin_ver seen in any shipped file

struct BinHeader {  // nvfw_bin_hdr
  uint32_t bin_magic;
  uint32_t bin_ver;
  uint32_t bin_size;       // reported only: not the file size in shipped files
  uint32_t header_offset;  // of the next header, from the file start
  uint32_t data_offset;    // of the image, from the file start
  uint32_t data_size;
};
static_assert(sizeof(BinHeader) == 24 && offsetof(BinHeader, bin_ver) == 4 && offsetof(BinHeader, bin_size) == 8 &&
              offsetof(BinHeader, header_offset) == 12 && offsetof(BinHeader, data_offset) == 16 &&
              offsetof(BinHeader, data_size) == 20);

struct HsHeaderV2 {  // nvfw_hs_header_v2
  uint32_t sig_prod_offset;   // production signatures, from the file start (plus the value at patch_sig)
  uint32_t sig_prod_size;     // all num_sig signatures
  uint32_t patch_loc;         // file offset of a u32: where in the image the signature is patched
  uint32_t patch_sig;         // file offset of a u32: added to sig_prod_offset
  uint32_t meta_data_offset;  // file offset of u32 fuse_ver, engine_id, ucode_id
  uint32_t meta_data_size;
  uint32_t num_sig;           // file offset of a u32: the number of signatures
  uint32_t header_offset;     // of the HsLoadHeaderV2, from the file start
  uint32_t header_size;
};
static_assert(sizeof(HsHeaderV2) == 36 && offsetof(HsHeaderV2, sig_prod_size) == 4 && offsetof(HsHeaderV2, patch_loc) == 8 &&
              offsetof(HsHeaderV2, patch_sig) == 12 && offsetof(HsHeaderV2, meta_data_offset) == 16 &&
              offsetof(HsHeaderV2, meta_data_size) == 20 && offsetof(HsHeaderV2, num_sig) == 24 &&
              offsetof(HsHeaderV2, header_offset) == 28 && offsetof(HsHeaderV2, header_size) == 32);

struct HsLoadHeaderV2 {  // nvfw_hs_load_header_v2; num_apps HsAppV2 follow. Offsets from the image.
  uint32_t os_code_offset;
  uint32_t os_code_size;
  uint32_t os_data_offset;
  uint32_t os_data_size;
  uint32_t num_apps;
};
static_assert(sizeof(HsLoadHeaderV2) == 20 && offsetof(HsLoadHeaderV2, os_code_size) == 4 &&
              offsetof(HsLoadHeaderV2, os_data_offset) == 8 && offsetof(HsLoadHeaderV2, os_data_size) == 12 &&
              offsetof(HsLoadHeaderV2, num_apps) == 16);

struct HsAppV2 {
  uint32_t offset;  // from the image
  uint32_t size;
};
static_assert(sizeof(HsAppV2) == 8 && offsetof(HsAppV2, size) == 4);

// RM_RISCV_UCODE_DESC. Version 5 (ga10x, ad10x) has all 21 fields; the version 4 descriptors of
// tu10x/ga100 end after swbromDataSize (19 fields, measured: the image starts right there).
struct RiscvUcodeDesc {
  uint32_t version;
  uint32_t bootloader_offset;  // every *_offset: from the image
  uint32_t bootloader_size;
  uint32_t bootloader_param_offset;
  uint32_t bootloader_param_size;
  uint32_t riscv_elf_offset;
  uint32_t riscv_elf_size;
  uint32_t app_version;
  uint32_t manifest_offset;
  uint32_t manifest_size;
  uint32_t monitor_data_offset;
  uint32_t monitor_data_size;
  uint32_t monitor_code_offset;
  uint32_t monitor_code_size;
  uint32_t is_monitor_enabled;
  uint32_t swbrom_code_offset;
  uint32_t swbrom_code_size;
  uint32_t swbrom_data_offset;
  uint32_t swbrom_data_size;
  uint32_t fb_reserved_size;  // version 5 only
  uint32_t signed_as_code;    // version 5 only
};
static_assert(sizeof(RiscvUcodeDesc) == 84 && offsetof(RiscvUcodeDesc, bootloader_offset) == 4 &&
              offsetof(RiscvUcodeDesc, bootloader_size) == 8 && offsetof(RiscvUcodeDesc, bootloader_param_offset) == 12 &&
              offsetof(RiscvUcodeDesc, bootloader_param_size) == 16 && offsetof(RiscvUcodeDesc, riscv_elf_offset) == 20 &&
              offsetof(RiscvUcodeDesc, riscv_elf_size) == 24 && offsetof(RiscvUcodeDesc, app_version) == 28 &&
              offsetof(RiscvUcodeDesc, manifest_offset) == 32 && offsetof(RiscvUcodeDesc, manifest_size) == 36 &&
              offsetof(RiscvUcodeDesc, monitor_data_offset) == 40 && offsetof(RiscvUcodeDesc, monitor_data_size) == 44 &&
              offsetof(RiscvUcodeDesc, monitor_code_offset) == 48 && offsetof(RiscvUcodeDesc, monitor_code_size) == 52 &&
              offsetof(RiscvUcodeDesc, is_monitor_enabled) == 56 && offsetof(RiscvUcodeDesc, swbrom_code_offset) == 60 &&
              offsetof(RiscvUcodeDesc, swbrom_code_size) == 64 && offsetof(RiscvUcodeDesc, swbrom_data_offset) == 68 &&
              offsetof(RiscvUcodeDesc, swbrom_data_size) == 72 && offsetof(RiscvUcodeDesc, fb_reserved_size) == 76 &&
              offsetof(RiscvUcodeDesc, signed_as_code) == 80);
inline constexpr size_t riscv_desc_v4_size = 76;  // versions 1-4: through swbrom_data_size

// ---- Decoded files ------------------------------------------------------------------------------

// gsp-<version>.bin. Throws hcq::Error(Errc::bad_code_object) naming file and field.
class GspFirmware {
 public:
  static GspFirmware parse(std::span<const std::byte> bytes, std::string name);

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }  // .fwversion, without its NUL
  const Image& image() const { return images_[image_index_]; }  // .fwimage
  // `.fwsignature_<family>` ("ga10x", "ad10x", "tu10x", "gh100", ...), or nullptr.
  const Image* signature(std::string_view family) const;
  std::vector<std::string> signature_families() const;
  // Every ELF section with file data, in section-table order (fw_type = sh_type).
  std::span<const Image> images() const { return images_; }
  uint16_t elf_machine() const { return machine_; }
  uint16_t elf_type() const { return type_; }

 private:
  std::string name_, version_;
  std::vector<Image> images_;
  size_t image_index_ = 0;
  uint16_t machine_ = 0, type_ = 0;
};

// booter_load-*.bin / booter_unload-*.bin.
class BooterFirmware {
 public:
  static BooterFirmware parse(std::span<const std::byte> bytes, std::string name);

  const std::string& name() const { return name_; }
  const BinHeader& bin() const { return bin_; }
  const HsHeaderV2& hs() const { return hs_; }
  const HsLoadHeaderV2& load() const { return load_; }
  std::span<const HsAppV2> apps() const { return apps_; }
  uint32_t patch_location() const { return patch_loc_; }  // the u32 at hs().patch_loc: an image offset
  uint32_t patch_signature() const { return patch_sig_; }  // the u32 at hs().patch_sig
  uint32_t signature_count() const { return num_sig_; }    // the u32 at hs().num_sig
  uint32_t signature_size() const { return num_sig_ ? hs_.sig_prod_size / num_sig_ : 0; }
  // fuse_ver, engine_id, ucode_id from the metadata (zero when meta_data_size < 12).
  uint32_t fuse_version() const { return meta_[0]; }
  uint32_t engine_id() const { return meta_[1]; }
  uint32_t ucode_id() const { return meta_[2]; }
  // "image", "signatures", "os_code", "os_data", "app0".., "meta_data".
  std::span<const Image> images() const { return images_; }
  const Image* find(std::string_view name) const;

 private:
  std::string name_;
  BinHeader bin_{};
  HsHeaderV2 hs_{};
  HsLoadHeaderV2 load_{};
  std::vector<HsAppV2> apps_;
  uint32_t patch_loc_ = 0, patch_sig_ = 0, num_sig_ = 0;
  uint32_t meta_[3] = {0, 0, 0};
  std::vector<Image> images_;
};

// bootloader-*.bin.
class BootloaderFirmware {
 public:
  static BootloaderFirmware parse(std::span<const std::byte> bytes, std::string name);

  const std::string& name() const { return name_; }
  const BinHeader& bin() const { return bin_; }
  const RiscvUcodeDesc& desc() const { return desc_; }  // v1-4: the last two fields are 0
  // "image", "bootloader", "bootloader_params", "riscv_elf", "manifest", "monitor_data",
  // "monitor_code", "swbrom_code", "swbrom_data" (the empty ones left out).
  std::span<const Image> images() const { return images_; }
  const Image* find(std::string_view name) const;

 private:
  std::string name_;
  BinHeader bin_{};
  RiscvUcodeDesc desc_{};
  std::vector<Image> images_;
};

}  // namespace hcq::fw::nvidia
