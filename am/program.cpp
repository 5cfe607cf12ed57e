// amdgcn code-object loader (see program.hpp).
#include "am/program.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "am/msgpack.hpp"
#include "elf.hpp"
#include "hcq/error.hpp"

namespace hcq::am {

namespace {

using detail::ElfFile;
namespace elf = detail::elf;

// binutils include/elf/amdgpu.h / LLVM AMDGPUUsage.
constexpr uint8_t elfosabi_amdgpu_hsa = 64;
constexpr uint8_t abi_version_v4 = 2, abi_version_v6 = 4;
constexpr uint32_t ef_amdgpu_mach_mask = 0xff;
constexpr uint32_t nt_amdgpu_metadata = 32;
constexpr std::string_view note_owner = "AMDGPU";
constexpr uint32_t r_amdgpu_none = 0, r_amdgpu_rel64 = 5;

constexpr uint64_t max_image_bytes = 256ull << 20;
constexpr uint64_t kd_alignment = 64, code_alignment = 256;  // COMPUTE_PGM_LO takes address >> 8
constexpr uint32_t max_kernarg_bytes = 4096;

struct Target {
  std::string_view name;
  uint32_t mach;
};
constexpr std::array targets{Target{"gfx90a", 0x3f},   Target{"gfx1030", 0x36}, Target{"gfx1100", 0x41},
                             Target{"gfx1101", 0x46},  Target{"gfx1102", 0x47}, Target{"gfx1200", 0x48},
                             Target{"gfx942", 0x4c},   Target{"gfx1201", 0x4e}};

[[noreturn]] void fail(const std::string& what, const std::string& msg) {
  throw Error(Errc::bad_code_object, "", "amdgcn", what + ": " + msg);
}

void check_header(const ElfFile& f, const std::string& what, std::string_view target) {
  if (!f.is_64() || f.machine() != elf::em_amdgpu)
    fail(what, fmt::format("not an amdgcn code object: e_machine {} (expected {} EM_AMDGPU, ELFCLASS64)", f.machine(),
                           elf::em_amdgpu));
  if (f.os_abi() != elfosabi_amdgpu_hsa)
    fail(what, fmt::format("EI_OSABI is {}, expected {} (ELFOSABI_AMDGPU_HSA)", f.os_abi(), elfosabi_amdgpu_hsa));
  if (f.abi_version() < abi_version_v4 || f.abi_version() > abi_version_v6)
    fail(what, fmt::format("code object ABI version {} (EI_ABIVERSION), this loader takes v4 to v6 ({} to {})",
                           f.abi_version(), abi_version_v4, abi_version_v6));
  if (f.type() != elf::et_dyn) fail(what, fmt::format("e_type {}, expected {} (ET_DYN: a linked code object)", f.type(), elf::et_dyn));
  const uint32_t mach = f.flags() & ef_amdgpu_mach_mask;
  if (mach != mach_of(target)) {
    std::string_view got = target_of(mach);
    fail(what, fmt::format("built for {} (e_flags mach {:#04x}), but this device is {} ({:#04x}): rebuild with -mcpu={}",
                           got.empty() ? "an unknown target" : got, mach, target, mach_of(target), target));
  }
}

// Every PT_LOAD segment copied to its p_vaddr; the rest zero.
std::vector<std::byte> build_image(const ElfFile& f, const std::string& what) {
  uint64_t end = 0;
  for (const auto& s : f.segments()) {
    if (s.type != elf::pt_load) continue;
    if (s.memsz > max_image_bytes || s.vaddr > max_image_bytes - s.memsz || s.filesz > s.memsz)
      fail(what, fmt::format("PT_LOAD at {:#x} of {:#x} bytes ({:#x} in the file) is past the {} MiB image limit or "
                             "larger in the file than in memory", s.vaddr, s.memsz, s.filesz, max_image_bytes >> 20));
    end = std::max(end, s.vaddr + s.memsz);
  }
  if (end == 0) fail(what, "no PT_LOAD segment: nothing to load");
  std::vector<std::byte> image(end);
  for (const auto& s : f.segments())
    if (s.type == elf::pt_load && !s.data.empty()) std::memcpy(image.data() + s.vaddr, s.data.data(), s.data.size());
  return image;
}

// R_AMDGPU_REL64 (S + A - P) does not depend on where the image lands, so it is applied here.
void apply_relocations(const ElfFile& f, std::vector<std::byte>& image, const std::string& what) {
  for (const auto& sec : f.sections()) {
    if (sec.type != elf::sht_rela && sec.type != elf::sht_rel) continue;
    const auto relocs = f.relocations(sec);
    if (relocs.empty()) continue;
    // relocations() checked every symbol index against the table sh_link names (0: no table).
    std::vector<detail::ElfSymbol> syms;
    if (sec.link != 0 && sec.link < f.sections().size()) syms = f.symbols(f.sections()[sec.link]);
    for (const auto& r : relocs) {
      if (r.type == r_amdgpu_none) continue;
      if (r.type != r_amdgpu_rel64)
        fail(what, fmt::format("{}: relocation type {} at {:#x}; only R_AMDGPU_REL64 ({}) is supported", sec.name, r.type,
                               r.offset, r_amdgpu_rel64));
      if (r.offset > image.size() || image.size() - r.offset < 8)
        fail(what, fmt::format("{}: relocation at {:#x} is outside the {:#x}-byte image", sec.name, r.offset, image.size()));
      const uint64_t sym = r.symbol < syms.size() ? syms[r.symbol].value : 0;
      const uint64_t v = sym + static_cast<uint64_t>(r.addend) - r.offset;
      std::memcpy(image.data() + r.offset, &v, sizeof v);
    }
  }
}

msgpack::Node metadata(const ElfFile& f, const std::string& what) {
  auto search = [&](const std::vector<detail::ElfNote>& notes) -> std::optional<msgpack::Node> {
    for (const auto& n : notes)
      if (n.name == note_owner && n.type == nt_amdgpu_metadata) {
        try {
          return msgpack::parse(n.desc);
        } catch (const msgpack::MsgpackError& e) {
          fail(what, fmt::format("the AMDGPU metadata note is malformed: {}", e.what()));
        }
      }
    return std::nullopt;
  };
  for (const auto& s : f.sections())
    if (s.type == elf::sht_note)
      if (auto m = search(f.notes(s))) return std::move(*m);
  fail(what, "no AMDGPU metadata note (NT_AMDGPU_METADATA): build with code object v4 or later");
}

const msgpack::Node& need(const msgpack::Node& map, std::string_view key, const std::string& where, const std::string& what) {
  const msgpack::Node* n = map.find(key);
  if (n == nullptr) fail(what, fmt::format("{}: metadata has no {}", where, key));
  return *n;
}
uint32_t need_u32(const msgpack::Node& map, std::string_view key, const std::string& where, const std::string& what) {
  uint64_t v = 0;
  if (!need(map, key, where, what).as_uint(v) || v > std::numeric_limits<uint32_t>::max())
    fail(what, fmt::format("{}: metadata {} is not a 32-bit unsigned integer", where, key));
  return static_cast<uint32_t>(v);
}
std::string_view need_str(const msgpack::Node& map, std::string_view key, const std::string& where, const std::string& what) {
  const auto& n = need(map, key, where, what);
  if (!n.is_str()) fail(what, fmt::format("{}: metadata {} is not a string", where, key));
  return n.s;
}

Hidden hidden_kind(std::string_view k) {
  constexpr std::pair<std::string_view, Hidden> table[] = {
      {"hidden_block_count_x", Hidden::block_count_x},     {"hidden_block_count_y", Hidden::block_count_y},
      {"hidden_block_count_z", Hidden::block_count_z},     {"hidden_group_size_x", Hidden::group_size_x},
      {"hidden_group_size_y", Hidden::group_size_y},       {"hidden_group_size_z", Hidden::group_size_z},
      {"hidden_remainder_x", Hidden::remainder_x},         {"hidden_remainder_y", Hidden::remainder_y},
      {"hidden_remainder_z", Hidden::remainder_z},         {"hidden_global_offset_x", Hidden::global_offset_x},
      {"hidden_global_offset_y", Hidden::global_offset_y}, {"hidden_global_offset_z", Hidden::global_offset_z},
      {"hidden_grid_dims", Hidden::grid_dims},             {"hidden_dynamic_lds_size", Hidden::dynamic_lds_size}};
  for (auto [name, h] : table)
    if (name == k) return h;
  return Hidden::other;
}

// A by-value argument's kind from its OpenCL/HIP type name, else from its size.
ArgKind scalar_kind(std::string_view type, uint32_t size) {
  constexpr std::pair<std::string_view, ArgKind> table[] = {
      {"uint", ArgKind::u32},  {"unsigned int", ArgKind::u32}, {"int", ArgKind::i32},   {"ulong", ArgKind::u64},
      {"unsigned long", ArgKind::u64}, {"long", ArgKind::i64}, {"float", ArgKind::f32}, {"double", ArgKind::f64}};
  for (auto [name, k] : table)
    if (name == type && size_of(k) == size) return k;
  if (type.empty() && (size == 4 || size == 8)) return size == 4 ? ArgKind::u32 : ArgKind::u64;
  return ArgKind::bytes;
}

void read_args(const msgpack::Node& km, AmdKernel& k, const std::string& where, const std::string& what) {
  const msgpack::Node* args = km.find(".args");
  if (args == nullptr) return;
  if (!args->is_array()) fail(what, where + ": metadata .args is not an array");
  for (size_t i = 0; i < args->items.size(); ++i) {
    const auto& a = args->items[i];
    const std::string at = fmt::format("{} argument {}", where, i);
    if (!a.is_map()) fail(what, at + ": not a map");
    const uint32_t offset = need_u32(a, ".offset", at, what), size = need_u32(a, ".size", at, what);
    if (size == 0 || offset > k.kernarg_size || k.kernarg_size - offset < size)
      fail(what, fmt::format("{}: {} bytes at {} do not fit the {}-byte kernarg segment", at, size, offset, k.kernarg_size));
    const std::string_view kind = need_str(a, ".value_kind", at, what);
    if (kind.starts_with("hidden_")) {
      k.hidden.push_back({hidden_kind(kind), offset, size});
      continue;
    }
    const msgpack::Node* name = a.find(".name");
    const msgpack::Node* type = a.find(".type_name");
    ArgInfo info{name && name->is_str() ? std::string(name->s) : fmt::format("arg{}", i), ArgKind::bytes, offset, size};
    if (kind == "global_buffer") {
      if (size != 8) fail(what, fmt::format("{}: a global_buffer of {} bytes, expected 8", at, size));
      info.kind = ArgKind::pointer;
    } else if (kind == "by_value") {
      info.kind = scalar_kind(type && type->is_str() ? type->s : std::string_view{}, size);
    } else {
      fail(what, fmt::format("{}: argument kind {} is not supported (global_buffer and by_value are)", at, kind));
    }
    k.info.args_size = std::max(k.info.args_size, offset + size);
    k.info.args.push_back(std::move(info));
  }
}

void read_descriptor(const ElfFile& f, const std::vector<std::byte>& image, AmdKernel& k, std::string_view symbol,
                     const std::string& what) {
  const auto sym = f.find_symbol(symbol);
  if (!sym) fail(what, fmt::format("kernel {}: no symbol {} for its descriptor", k.info.name, symbol));
  if (sym->value % kd_alignment != 0 || sym->value > image.size() || image.size() - sym->value < sizeof(KernelDescriptor))
    fail(what, fmt::format("kernel {}: descriptor at {:#x} is misaligned or outside the {:#x}-byte image", k.info.name,
                           sym->value, image.size()));
  k.kd_offset = sym->value;
  std::memcpy(&k.kd, image.data() + k.kd_offset, sizeof k.kd);
  const int64_t entry = static_cast<int64_t>(k.kd_offset) + k.kd.kernel_code_entry_byte_offset;
  if (entry < 0 || static_cast<uint64_t>(entry) >= image.size() || entry % code_alignment != 0)
    fail(what, fmt::format("kernel {}: code entry {:#x} (descriptor + {:#x}) is outside the image or not 256-byte aligned",
                           k.info.name, entry, k.kd.kernel_code_entry_byte_offset));
  k.code_offset = static_cast<uint64_t>(entry);
}

AmdKernel read_kernel(const msgpack::Node& km, const ElfFile& f, const std::vector<std::byte>& image, size_t index,
                      const std::string& what) {
  std::string where = fmt::format("kernel {}", index);
  if (!km.is_map()) fail(what, where + ": metadata entry is not a map");
  AmdKernel k;
  k.info.name = std::string(need_str(km, ".name", where, what));
  where = "kernel " + k.info.name;
  k.kernarg_size = need_u32(km, ".kernarg_segment_size", where, what);
  k.kernarg_align = need_u32(km, ".kernarg_segment_align", where, what);
  if (k.kernarg_size > max_kernarg_bytes)
    fail(what, fmt::format("{}: {}-byte kernarg segment, more than {}", where, k.kernarg_size, max_kernarg_bytes));
  k.wavefront_size = need_u32(km, ".wavefront_size", where, what);
  k.info.shared_bytes = need_u32(km, ".group_segment_fixed_size", where, what);
  k.info.private_bytes = need_u32(km, ".private_segment_fixed_size", where, what);
  uint64_t tmp = 0;
  if (const auto* v = km.find(".vgpr_count"); v && v->as_uint(tmp)) k.info.registers = static_cast<uint32_t>(tmp);
  if (const auto* v = km.find(".max_flat_workgroup_size"); v && v->as_uint(tmp)) k.info.max_threads = static_cast<uint32_t>(tmp);
  read_args(km, k, where, what);
  read_descriptor(f, image, k, need_str(km, ".symbol", where, what), what);
  return k;
}

}  // namespace

uint32_t mach_of(std::string_view target) noexcept {
  for (const auto& t : targets)
    if (t.name == target) return t.mach;
  return 0;
}

std::string_view target_of(uint32_t mach) noexcept {
  for (const auto& t : targets)
    if (t.mach == mach) return t.name;
  return {};
}

CodeObject parse_code_object(std::span<const std::byte> bytes, const std::string& what, std::string_view target) {
  ElfFile f = ElfFile::parse(bytes, what);
  check_header(f, what, target);
  CodeObject out;
  out.target = std::string(target);
  out.image = build_image(f, what);
  apply_relocations(f, out.image, what);
  const msgpack::Node meta = metadata(f, what);
  const msgpack::Node* kernels = meta.find("amdhsa.kernels");
  if (kernels == nullptr || !kernels->is_array()) fail(what, "metadata has no amdhsa.kernels list");
  for (size_t i = 0; i < kernels->items.size(); ++i) out.kernels.push_back(read_kernel(kernels->items[i], f, out.image, i, what));
  if (out.kernels.empty()) fail(what, "the code object has no kernels");
  return out;
}

}  // namespace hcq::am
