// Adreno SQE and GMU parsers; see hcq/firmware/qcom.hpp for layouts and sources.
#include "hcq/firmware/qcom.hpp"

#include <fmt/format.h>

#include "reader.hpp"

namespace hcq::fw::qcom {

using detail::malformed;

std::string gmu_block_type_name(uint32_t type) {
  switch (type) {
    case gmu_block_type::data: return "data";
    case gmu_block_type::prealloc: return "prealloc";
    case gmu_block_type::core_ver: return "core_ver";
    case gmu_block_type::core_dev_ver: return "core_dev_ver";
    case gmu_block_type::pwr_ver: return "pwr_ver";
    case gmu_block_type::pwr_dev_ver: return "pwr_dev_ver";
    case gmu_block_type::hfi_ver: return "hfi_ver";
    case gmu_block_type::prealloc_persist: return "prealloc_persist";
    default: return fmt::format("type_{:#x}", type);
  }
}

SqeFirmware SqeFirmware::parse(std::span<const std::byte> b, std::string name) {
  SqeFirmware f;
  f.name_ = std::move(name);
  const std::string& file = f.name_;
  if (b.size() < sizeof(SqeHeader) || b.size() % 4 != 0)
    malformed(file, "file size", fmt::format("a multiple of 4 of at least {} bytes (dw0, version, table)", sizeof(SqeHeader)),
              fmt::format("{} bytes", b.size()));
  f.header_ = detail::read<SqeHeader>(b, 0, file, "SQE header");
  f.effective_ = f.header_.version_word;
  if (f.patched()) {
    const uint32_t dw3 = detail::le32(b, 12, file, "dw3 (the patched version)");
    f.effective_ = (f.header_.version_word & ~0xfffu) | ((dw3 & 0xfff000u) >> 12);
  }
  const uint64_t uploaded = b.size() / 4 - 1;  // dwords from dw1 to the end
  f.images_.push_back(detail::image(b, "sqe", 4, b.size() - 4, f.fw_id(), f.header_.version_word));
  const uint32_t hint = f.table_hint();
  if (hint > uploaded)
    malformed(file, "dw2 bits 15:0 (jump table index)", fmt::format("at most the {} uploaded dwords", uploaded),
              std::to_string(hint));
  if (hint < uploaded) {
    // a6xx: the table runs from `hint` to the end of the image, one dword per opcode.
    const uint64_t entries = uploaded - hint;
    if (entries != sqe_jump_table_entries) {
      const std::string table =
          uploaded >= sqe_jump_table_entries
              ? fmt::format("{} ({} entries before the end) or ", uploaded - sqe_jump_table_entries, sqe_jump_table_entries)
              : std::string();
      malformed(file, "dw2 bits 15:0 (jump table index)", fmt::format("{}{} (no table)", table, uploaded),
                fmt::format("{} ({} entries)", hint, entries));
    }
    f.images_.push_back(detail::image(b, "jump_table", 4 + uint64_t{hint} * 4, entries * 4, f.fw_id(), f.header_.version_word));
  }
  return f;
}

GmuFirmware::Layout GmuFirmware::layout_from_name(std::string_view name) {
  const std::string_view n = detail::base_name(name);
  return n == "a630_gmu.bin" || n == "a619_gmu.bin" ? Layout::legacy : Layout::blocks;
}

GmuFirmware GmuFirmware::parse(std::span<const std::byte> b, std::string name) {
  const Layout layout = layout_from_name(name);
  return parse(b, std::move(name), layout);
}

GmuFirmware GmuFirmware::parse(std::span<const std::byte> b, std::string name, Layout layout) {
  GmuFirmware f;
  f.name_ = std::move(name);
  f.layout_ = layout;
  const std::string& file = f.name_;
  if (b.empty() || b.size() % 4 != 0)
    malformed(file, "file size", "a nonzero multiple of 4", fmt::format("{} bytes", b.size()));
  if (layout == Layout::legacy) {
    if (b.size() > gmu_legacy_max_bytes)
      malformed(file, "file size", fmt::format("at most {:#x} bytes (the a630 GMU ITCM)", gmu_legacy_max_bytes),
                fmt::format("{:#x} bytes", b.size()));
    f.images_.push_back(detail::image(b, "itcm", 0, b.size()));
    return f;
  }
  uint64_t at = 0;
  while (at < b.size()) {
    const size_t index = f.blocks_.size();
    GmuBlock blk;
    blk.header_offset = at;
    blk.header = detail::read<GmuBlockHeader>(b, at, file, fmt::format("block {} header", index));
    const uint64_t data_at = at + sizeof(GmuBlockHeader);
    if (blk.header.size % 4 != 0)
      malformed(file, fmt::format("block {} (at {:#x}) size", index, at), "a multiple of 4",
                fmt::format("{:#x}", blk.header.size));
    detail::require_range(file, fmt::format("block {} (at {:#x}) size", index, at), data_at, blk.header.size, data_at,
                          b.size(), "the rest of the file");
    blk.data = b.subspan(data_at, blk.header.size);
    if (blk.header.size > 0) {
      Image i = detail::image(b, "data", data_at, blk.header.size, blk.header.type, blk.header.value);
      i.address = blk.header.addr;
      f.images_.push_back(std::move(i));
    }
    f.blocks_.push_back(blk);
    at = data_at + blk.header.size;
  }
  return f;
}

}  // namespace hcq::fw::qcom
