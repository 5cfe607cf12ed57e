// Qualcomm Adreno firmware (a6xx / a7xx): the SQE microcode (`*_sqe.fw`) and GMU images (`*_gmu.bin`).
//
// SQE. Sources: Linux drivers/gpu/drm/msm/adreno (adreno_gpu.c adreno_fw_create_bo uploads the file
// without its first dword; a6xx_gpu.c a6xx_ucode_check_version reads the version), KGSL adreno.c
// (get_ucode_version: the patched-version rule below), Mesa src/freedreno/afuc/util.h (afuc_get_fwid:
// the firmware id in bits 23:12 of the first uploaded dword). Layout, in file dwords:
//   dw0     not uploaded (0 in every shipped file)
//   dw1     the version word: firmware id in bits 23:12, version in bits 11:0; when bits 3:0 are 0xa
//           the file is "patched" and the real low 12 bits are dw3 bits 23:12
//   dw2     bits 15:0: on a630/a650/a702 the dword index (from dw1) of the 128-entry packet jump table
//           at the end of the image; on a660 and a7xx bundles (BR/BV/LPAC in one file) the number of
//           uploaded dwords, i.e. no table at a fixed place (measured on Debian's firmware-qcom-soc).
// GMU. Source: msm a6xx_gmu.c (a6xx_gmu_fw_load, struct block_header) and KGSL's gmu_block_header:
// a630/a615-family files are a raw Cortex-M3 ITCM image of at most 32 KiB; later files are a
// sequence of 16-byte block headers {addr, size, type, value}, each followed by `size` data bytes.
// Zero-sized blocks carry metadata (type 1/7: preallocation requests of `value` bytes at `addr`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hcq/firmware/image.hpp"

namespace hcq::fw::qcom {

// ---- On-disk layouts ---------------------------------------------------------------------------

struct SqeHeader {
  uint32_t not_uploaded;  // dw0
  uint32_t version_word;  // dw1
  uint32_t table_word;    // dw2
};
static_assert(sizeof(SqeHeader) == 12 && offsetof(SqeHeader, version_word) == 4 && offsetof(SqeHeader, table_word) == 8);

struct GmuBlockHeader {
  uint32_t addr;   // GMU address the data goes to (or is reserved at)
  uint32_t size;   // data bytes following the header; 0 for metadata blocks
  uint32_t type;   // gmu_block_type below for metadata; data blocks carry other values
  uint32_t value;  // preallocation size, or a version
};
static_assert(sizeof(GmuBlockHeader) == 16 && offsetof(GmuBlockHeader, size) == 4 && offsetof(GmuBlockHeader, type) == 8 &&
              offsetof(GmuBlockHeader, value) == 12);

// GMU_BLK_TYPE_* (KGSL adreno_a6xx_gmu.h).
namespace gmu_block_type {
inline constexpr uint32_t data = 0, prealloc = 1, core_ver = 2, core_dev_ver = 3, pwr_ver = 4, pwr_dev_ver = 5,
                          hfi_ver = 6, prealloc_persist = 7;
}
std::string gmu_block_type_name(uint32_t type);  // "prealloc", ..., "type_<n>"

inline constexpr uint32_t sqe_jump_table_entries = 128;  // one per 7-bit PM4 opcode
inline constexpr uint64_t gmu_legacy_max_bytes = 0x8000;  // msm: the a630 ITCM region

// ---- Decoded files ------------------------------------------------------------------------------

class SqeFirmware {
 public:
  // Throws hcq::Error(Errc::bad_code_object) naming file and field.
  static SqeFirmware parse(std::span<const std::byte> bytes, std::string name);

  const std::string& name() const { return name_; }
  const SqeHeader& header() const { return header_; }
  uint32_t fw_id() const { return (header_.version_word >> 12) & 0xfff; }
  uint32_t version() const { return header_.version_word & 0xfff; }
  bool patched() const { return (header_.version_word & 0xf) == 0xa; }
  // The version word as KGSL's get_ucode_version computes it: patched files take dw3 bits 23:12.
  uint32_t effective_version() const { return effective_; }
  uint32_t table_hint() const { return header_.table_word & 0xffff; }
  // The uploaded image (the file without dw0).
  const Image& image() const { return images_.front(); }
  // The packet jump table, when the file has one at a fixed place (nullptr for bundles).
  const Image* jump_table() const { return images_.size() > 1 ? &images_[1] : nullptr; }
  bool is_bundle() const { return images_.size() == 1; }
  std::span<const Image> images() const { return images_; }

 private:
  std::string name_;
  SqeHeader header_{};
  uint32_t effective_ = 0;
  std::vector<Image> images_;
};

struct GmuBlock {
  GmuBlockHeader header{};
  uint64_t header_offset = 0;  // of the 16-byte header in the file
  std::span<const std::byte> data;  // `size` bytes after the header
};

class GmuFirmware {
 public:
  enum class Layout : uint8_t { legacy, blocks };
  // The layout from the name: a630_gmu.bin and a619_gmu.bin (the a630/a615 family) are legacy.
  static Layout layout_from_name(std::string_view name);
  static GmuFirmware parse(std::span<const std::byte> bytes, std::string name);
  static GmuFirmware parse(std::span<const std::byte> bytes, std::string name, Layout layout);

  const std::string& name() const { return name_; }
  Layout layout() const { return layout_; }
  std::span<const GmuBlock> blocks() const { return blocks_; }  // empty for legacy
  // Legacy: "itcm", the whole file. Blocks: one "data" image per block with data (fw_type = type,
  // fw_version = value, address = addr).
  std::span<const Image> images() const { return images_; }

 private:
  std::string name_;
  Layout layout_ = Layout::blocks;
  std::vector<GmuBlock> blocks_;
  std::vector<Image> images_;
};

}  // namespace hcq::fw::qcom
