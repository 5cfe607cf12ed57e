// What every firmware parser hands out: named sub-binaries of one file, each a view of the caller's
// bytes with its absolute position in the (decompressed) file. Whatever base a format counts its
// offsets from (the file, the payload, a descriptor's own image), `file_offset` is from byte 0.
//
// Lifetime: an Image refers to the bytes it was parsed from; they must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace hcq::fw {

struct Image {
  std::string name;           // "ucode", "data", "sos", ".fwimage", "jump_table", ...
  uint32_t fw_type = 0;       // the type the file gives it (PSP/TA descriptor type, SMU pptable id, GMU
                              // block type, ELF sh_type); 0 when the format gives it none
  uint32_t fw_version = 0;    // its own version where the format has one, else the file's version
  uint64_t file_offset = 0;   // from the start of the file, whatever base the header counts from
  std::span<const std::byte> bytes;
  std::optional<uint32_t> bin_set;  // amdgpu PSP v2.1: 0 = the primary set of bins, 1 = the aux set
  std::optional<uint64_t> address;  // where the format says it is loaded (Adreno GMU blocks)

  uint64_t size() const { return bytes.size(); }
};

}  // namespace hcq::fw
