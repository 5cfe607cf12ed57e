// NVIDIA GSP, booter and bootloader parsers; see hcq/firmware/nvidia.hpp for layouts and sources.
// The GSP ELF goes through libhcq's bounds-checked ELF reader (hcq/src/elf.hpp).
#include "hcq/firmware/nvidia.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "elf.hpp"
#include "reader.hpp"

namespace hcq::fw::nvidia {

using detail::Bytes;
using detail::malformed;
using detail::require_range;

namespace {

constexpr std::string_view signature_prefix = ".fwsignature_";

BinHeader read_bin_header(Bytes b, const std::string& file) {
  if (b.size() < sizeof(BinHeader))
    malformed(file, "nvfw_bin_hdr", fmt::format("at least {} bytes", sizeof(BinHeader)),
              fmt::format("a file of {} bytes", b.size()));
  const auto h = detail::read<BinHeader>(b, 0, file, "nvfw_bin_hdr");
  if (h.bin_magic != bin_magic) malformed(file, "bin_magic", fmt::format("{:#x}", bin_magic), fmt::format("{:#x}", h.bin_magic));
  if (h.bin_ver != bin_version)
    detail::fail(Errc::unsupported, file, "bin_ver", std::to_string(bin_version), std::to_string(h.bin_ver));
  require_range(file, "data_offset, data_size", h.data_offset, h.data_size, 0, b.size(), "the file");
  if (h.header_offset < sizeof(BinHeader))
    malformed(file, "header_offset", fmt::format("at least {:#x} (after nvfw_bin_hdr)", sizeof(BinHeader)),
              fmt::format("{:#x}", h.header_offset));
  return h;
}

// An image-relative range [offset, offset + size) of the image at bin.data_offset, as an Image.
void add_in_image(std::vector<Image>& out, Bytes b, const BinHeader& bin, const std::string& file, std::string name,
                  std::string_view field, uint64_t offset, uint64_t size, uint32_t version = 0) {
  if (size == 0) return;
  require_range(file, field, bin.data_offset + offset, size, bin.data_offset, uint64_t{bin.data_offset} + bin.data_size,
                "the image");
  out.push_back(detail::image(b, std::move(name), bin.data_offset + offset, size, 0, version));
}

const Image* find_image(std::span<const Image> images, std::string_view name) {
  for (const Image& i : images)
    if (i.name == name) return &i;
  return nullptr;
}

}  // namespace

// ---- gsp-*.bin ----------------------------------------------------------------------------------

GspFirmware GspFirmware::parse(std::span<const std::byte> bytes, std::string name) {
  namespace elf = hcq::detail::elf;
  GspFirmware g;
  g.name_ = std::move(name);
  const auto file = hcq::detail::ElfFile::parse(bytes, g.name_);
  g.machine_ = file.machine();
  g.type_ = file.type();
  std::optional<size_t> image, version;
  for (const auto& s : file.sections()) {
    if (s.type == elf::sht_null || s.type == elf::sht_nobits || s.data.empty()) continue;
    Image i;
    i.name = std::string(s.name);
    i.fw_type = s.type;
    i.file_offset = s.offset;
    i.bytes = s.data;
    if (s.name == ".fwimage") image = g.images_.size();
    if (s.name == ".fwversion") version = g.images_.size();
    g.images_.push_back(std::move(i));
  }
  if (!image) malformed(g.name_, ".fwimage", "a section with the GSP-RM image", "no such section (or it is empty)");
  if (!version) malformed(g.name_, ".fwversion", "a section with the version string", "no such section (or it is empty)");
  g.image_index_ = *image;
  // .fwversion: printable characters ended by one NUL.
  const auto v = g.images_[*version].bytes;
  const auto nul = std::find(v.begin(), v.end(), std::byte{0});
  if (nul == v.end()) malformed(g.name_, ".fwversion", "a NUL-terminated string", fmt::format("{} bytes without a NUL", v.size()));
  for (auto it = v.begin(); it != nul; ++it) {
    const auto c = std::to_integer<unsigned char>(*it);
    if (c < 0x20 || c > 0x7e)
      malformed(g.name_, ".fwversion", "printable ASCII",
                fmt::format("byte {:#04x} at offset {}", c, static_cast<size_t>(it - v.begin())));
  }
  g.version_.assign(reinterpret_cast<const char*>(v.data()), static_cast<size_t>(nul - v.begin()));
  if (g.signature_families().empty())
    malformed(g.name_, ".fwsignature_*", "at least one signature section", "none");
  return g;
}

const Image* GspFirmware::signature(std::string_view family) const {
  for (const Image& i : images_)
    if (detail::starts_with(i.name, signature_prefix) && std::string_view(i.name).substr(signature_prefix.size()) == family)
      return &i;
  return nullptr;
}

std::vector<std::string> GspFirmware::signature_families() const {
  std::vector<std::string> out;
  for (const Image& i : images_)
    if (detail::starts_with(i.name, signature_prefix) && i.name.size() > signature_prefix.size())
      out.push_back(i.name.substr(signature_prefix.size()));
  return out;
}

// ---- booter_load / booter_unload ----------------------------------------------------------------

BooterFirmware BooterFirmware::parse(std::span<const std::byte> b, std::string name) {
  BooterFirmware f;
  f.name_ = std::move(name);
  const std::string& file = f.name_;
  f.bin_ = read_bin_header(b, file);
  f.hs_ = detail::read<HsHeaderV2>(b, f.bin_.header_offset, file, "nvfw_hs_header_v2 (at header_offset)");
  const HsHeaderV2& hs = f.hs_;
  // patch_loc, patch_sig and num_sig are where the values are, not the values.
  f.patch_loc_ = detail::le32(b, hs.patch_loc, file, "patch_loc (the file offset of a u32)");
  f.patch_sig_ = detail::le32(b, hs.patch_sig, file, "patch_sig (the file offset of a u32)");
  f.num_sig_ = detail::le32(b, hs.num_sig, file, "num_sig (the file offset of a u32)");
  if (f.num_sig_ == 0 || hs.sig_prod_size % f.num_sig_ != 0)
    malformed(file, "the u32 at num_sig", fmt::format("a nonzero divisor of sig_prod_size ({:#x})", hs.sig_prod_size),
              std::to_string(f.num_sig_));
  f.images_.push_back(detail::image(b, "image", f.bin_.data_offset, f.bin_.data_size));
  // Production signatures: sig_prod_size bytes at sig_prod_offset + the value at patch_sig.
  const uint64_t sig_at = uint64_t{hs.sig_prod_offset} + f.patch_sig_;
  require_range(file, "sig_prod_offset + the u32 at patch_sig, sig_prod_size", sig_at, hs.sig_prod_size, 0, b.size(),
                "the file");
  f.images_.push_back(detail::image(b, "signatures", sig_at, hs.sig_prod_size, 0, f.num_sig_));
  if (hs.meta_data_size > 0) {
    require_range(file, "meta_data_offset, meta_data_size", hs.meta_data_offset, hs.meta_data_size, 0, b.size(), "the file");
    f.images_.push_back(detail::image(b, "meta_data", hs.meta_data_offset, hs.meta_data_size));
    for (uint32_t i = 0; i < 3 && (i + 1) * 4 <= hs.meta_data_size; ++i)
      f.meta_[i] = detail::le32(b, uint64_t{hs.meta_data_offset} + i * 4, file, "meta_data");
  }
  // The load header and its apps.
  f.load_ = detail::read<HsLoadHeaderV2>(b, hs.header_offset, file, "nvfw_hs_load_header_v2 (at header_offset)");
  const uint64_t apps_bytes = uint64_t{f.load_.num_apps} * sizeof(HsAppV2);
  if (hs.header_size < sizeof(HsLoadHeaderV2) || apps_bytes > hs.header_size - sizeof(HsLoadHeaderV2))
    malformed(file, "num_apps", fmt::format("at most (header_size {:#x} - {}) / {} apps", hs.header_size,
                                            sizeof(HsLoadHeaderV2), sizeof(HsAppV2)),
              std::to_string(f.load_.num_apps));
  require_range(file, "header_offset, header_size", hs.header_offset, hs.header_size, 0, b.size(), "the file");
  const BinHeader& bin = f.bin_;
  add_in_image(f.images_, b, bin, file, "os_code", "os_code_offset, os_code_size", f.load_.os_code_offset,
               f.load_.os_code_size);
  add_in_image(f.images_, b, bin, file, "os_data", "os_data_offset, os_data_size", f.load_.os_data_offset,
               f.load_.os_data_size);
  for (uint32_t i = 0; i < f.load_.num_apps; ++i) {
    const auto app = detail::read<HsAppV2>(b, hs.header_offset + sizeof(HsLoadHeaderV2) + uint64_t{i} * sizeof(HsAppV2),
                                           file, "app descriptor");
    f.apps_.push_back(app);
    add_in_image(f.images_, b, bin, file, fmt::format("app{}", i), fmt::format("app[{}].offset, app[{}].size", i, i),
                 app.offset, app.size);
  }
  // The signature is patched into the image at the value of patch_loc.
  require_range(file, "the u32 at patch_loc (an image offset), one signature", f.patch_loc_, f.signature_size(), 0,
                bin.data_size, "the image");
  return f;
}

const Image* BooterFirmware::find(std::string_view name) const { return find_image(images_, name); }

// ---- bootloader ---------------------------------------------------------------------------------

BootloaderFirmware BootloaderFirmware::parse(std::span<const std::byte> b, std::string name) {
  BootloaderFirmware f;
  f.name_ = std::move(name);
  const std::string& file = f.name_;
  f.bin_ = read_bin_header(b, file);
  const uint32_t version = detail::le32(b, f.bin_.header_offset, file, "RM_RISCV_UCODE_DESC version (at header_offset)");
  if (version < 1 || version > 5)
    detail::fail(Errc::unsupported, file, "RM_RISCV_UCODE_DESC version", "1 to 5", std::to_string(version));
  const size_t desc_size = version >= 5 ? sizeof(RiscvUcodeDesc) : riscv_desc_v4_size;
  require_range(file, "RM_RISCV_UCODE_DESC (at header_offset)", f.bin_.header_offset, desc_size, 0, b.size(), "the file");
  std::memcpy(&f.desc_, b.data() + f.bin_.header_offset, desc_size);
  const RiscvUcodeDesc& d = f.desc_;
  const BinHeader& bin = f.bin_;
  f.images_.push_back(detail::image(b, "image", bin.data_offset, bin.data_size));
  add_in_image(f.images_, b, bin, file, "bootloader", "bootloaderOffset, bootloaderSize", d.bootloader_offset, d.bootloader_size);
  add_in_image(f.images_, b, bin, file, "bootloader_params", "bootloaderParamOffset, bootloaderParamSize",
               d.bootloader_param_offset, d.bootloader_param_size);
  add_in_image(f.images_, b, bin, file, "riscv_elf", "riscvElfOffset, riscvElfSize", d.riscv_elf_offset, d.riscv_elf_size);
  add_in_image(f.images_, b, bin, file, "manifest", "manifestOffset, manifestSize", d.manifest_offset, d.manifest_size);
  add_in_image(f.images_, b, bin, file, "monitor_data", "monitorDataOffset, monitorDataSize", d.monitor_data_offset,
               d.monitor_data_size);
  add_in_image(f.images_, b, bin, file, "monitor_code", "monitorCodeOffset, monitorCodeSize", d.monitor_code_offset,
               d.monitor_code_size);
  add_in_image(f.images_, b, bin, file, "swbrom_code", "swbromCodeOffset, swbromCodeSize", d.swbrom_code_offset,
               d.swbrom_code_size);
  add_in_image(f.images_, b, bin, file, "swbrom_data", "swbromDataOffset, swbromDataSize", d.swbrom_data_offset,
               d.swbrom_data_size);
  for (auto& i : f.images_) i.fw_version = d.app_version;
  return f;
}

const Image* BootloaderFirmware::find(std::string_view name) const { return find_image(images_, name); }

}  // namespace hcq::fw::nvidia
