// A vendor-neutral description of any firmware file this library decodes: what `hcq-fw inspect`
// prints. The typed views (amdgpu.hpp, nvidia.hpp, qcom.hpp) are what a driver uses; this flattens
// them into named fields and sections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hcq::fw {

enum class Format : uint8_t { amdgpu, nvidia_gsp, nvidia_booter, nvidia_bootloader, adreno_sqe, adreno_gmu };
std::string_view to_string(Format f);  // "amdgpu", "nvidia-gsp", "nvidia-booter", "nvidia-bootloader", "adreno-sqe", "adreno-gmu"

// The format of a file from its name and first bytes, or nullopt. An ELF is a GSP image; the
// nvfw_bin_hdr magic is a booter or the bootloader (by name; bootloader-* is the bootloader);
// *_sqe.fw and *_gmu.bin are Adreno; anything whose first u32 equals its size is amdgpu.
std::optional<Format> detect_format(std::span<const std::byte> bytes, std::string_view name);

struct Field {
  std::string name;
  std::variant<uint64_t, std::string, bool> value;
};

struct Section {
  std::string name;
  uint32_t fw_type = 0;
  uint32_t fw_version = 0;
  uint64_t file_offset = 0;
  uint64_t size = 0;
  std::optional<uint32_t> bin_set;
  std::optional<uint64_t> address;
};

// A list of records that are not byte ranges of the file (the gc 12 TOC entries, GMU metadata blocks).
struct Table {
  std::string name;
  std::vector<std::vector<Field>> rows;
};

struct Description {
  std::string file;
  Format format = Format::amdgpu;
  std::vector<Field> header;
  std::vector<Section> sections;
  std::vector<Table> tables;
};

// Detects the format, parses and validates (throwing hcq::Error as the parsers do) and describes.
// Errc::unsupported when the format cannot be told.
Description describe(std::span<const std::byte> bytes, std::string name);

}  // namespace hcq::fw
