#include "elf_loader.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "../hcq/src/elf.hpp"
#include "../hcq/src/signature.hpp"
#include "firmware/layout.h"
#include "hcq/error.hpp"
#include "kernels/hcq_tt_kernel_record.h"

namespace hcq::tt {

namespace {

namespace elf = detail::elf;

constexpr uint32_t jal_opcode = 0x6f;
constexpr int32_t jal_range = 1 << 20;  // +-1 MiB, 21-bit signed offset

[[noreturn]] void bad(const std::string& what, const std::string& message) {
  throw Error(Errc::bad_code_object, "", "elf", what + ": " + message);
}

std::string range(uint64_t base, uint64_t end) { return fmt::format("0x{:x}..0x{:x}", base, end); }

void check_segment(const detail::ElfSegment& s, size_t index, const std::string& what, const L1Region& target,
                   uint64_t l1_size) {
  uint64_t end = s.vaddr + s.memsz;
  if (end < s.vaddr) bad(what, fmt::format("segment {}: address 0x{:x} + size {} overflows", index, s.vaddr, s.memsz));
  if (end > l1_size) {
    bad(what, fmt::format("segment {} at {} reaches past the end of L1 (0x{:x} bytes): not an L1 image for this chip",
                          index, range(s.vaddr, end), l1_size));
  }
  if (s.vaddr >= target.base && end <= target.end()) return;
  for (const L1Region& r : l1_map(l1_size)) {
    if (r.name != target.name && s.vaddr < r.end() && end > r.base) {
      bad(what, fmt::format("segment {} at {} overlaps the {} ({}); a {} must lie in {}", index, range(s.vaddr, end),
                            r.name, range(r.base, r.end()), target.name, range(target.base, target.end())));
    }
  }
  bad(what, fmt::format("segment {} at {} lies outside the {} ({})", index, range(s.vaddr, end), target.name,
                        range(target.base, target.end())));
}

}  // namespace

std::vector<L1Region> l1_map(uint64_t l1_size) {
  return {
      {"reset vector and mailbox", HCQ_TT_RESET_VECTOR, HCQ_TT_FIRMWARE_BASE},
      firmware_region(),
      {"argument block", HCQ_TT_ARGS_BASE, HCQ_TT_ARGS_SIZE},
      kernel_region(),
      {"scratch", HCQ_TT_SCRATCH_BASE, static_cast<uint32_t>(l1_size - HCQ_TT_SCRATCH_BASE)},
  };
}

L1Region firmware_region() { return {"firmware", HCQ_TT_FIRMWARE_BASE, HCQ_TT_FIRMWARE_SIZE}; }
L1Region kernel_region() { return {"kernel image", HCQ_TT_KERNEL_BASE, HCQ_TT_KERNEL_SIZE}; }

L1Image load_l1_image(std::span<const std::byte> bytes, const std::string& what, const L1Region& target,
                      uint64_t l1_size) {
  auto file = detail::ElfFile::parse(bytes, what);
  if (file.is_64() || file.machine() != elf::em_riscv || file.type() != elf::et_exec) {
    bad(what, fmt::format("tt images are 32-bit RISC-V executables (ELFCLASS32, EM_RISCV {}, ET_EXEC); this is {}-bit, "
                          "machine {}, type {}",
                          elf::em_riscv, file.is_64() ? 64 : 32, file.machine(), file.type()));
  }
  L1Image image;
  image.entry = static_cast<uint32_t>(file.entry());
  size_t index = 0;
  for (const auto& s : file.segments()) {
    ++index;
    if (s.type != elf::pt_load || s.memsz == 0) continue;
    check_segment(s, index - 1, what, target, l1_size);
    for (const L1Segment& other : image.segments) {
      if (s.vaddr < other.address + other.bytes.size() && s.vaddr + s.memsz > other.address) {
        bad(what, fmt::format("segment {} at {} overlaps an earlier segment at {}", index - 1, range(s.vaddr, s.vaddr + s.memsz),
                              range(other.address, other.address + other.bytes.size())));
      }
    }
    L1Segment seg{static_cast<uint32_t>(s.vaddr), std::vector<std::byte>(s.memsz)};
    std::memcpy(seg.bytes.data(), s.data.data(), s.filesz);
    image.segments.push_back(std::move(seg));
  }
  if (image.segments.empty()) bad(what, "no loadable segment (PT_LOAD with memsz > 0)");
  return image;
}

std::vector<KernelEntry> read_kernels(std::span<const std::byte> bytes, const std::string& what, const L1Image& image,
                                      uint32_t max_shared_bytes, uint32_t max_args_bytes) {
  auto file = detail::ElfFile::parse(bytes, what);
  const detail::ElfSection* sec = file.section(HCQ_TT_KERNEL_SECTION);
  if (!sec) bad(what, "no " HCQ_TT_KERNEL_SECTION " section: not a tt code object (see tt/kernels/hcq_tt_kernel.h)");
  if (sec->data.empty() || sec->data.size() % sizeof(hcq_tt_kernel_record) != 0) {
    bad(what, fmt::format(HCQ_TT_KERNEL_SECTION " holds {} bytes, not a whole number of {}-byte records", sec->data.size(),
                          sizeof(hcq_tt_kernel_record)));
  }
  std::vector<KernelEntry> out;
  for (size_t i = 0; i < sec->data.size() / sizeof(hcq_tt_kernel_record); ++i) {
    hcq_tt_kernel_record r;
    std::memcpy(&r, sec->data.data() + i * sizeof(r), sizeof(r));
    if (std::memcmp(r.magic, "HCQK", 4) != 0 || r.version != HCQ_TT_KERNEL_VERSION || r.record_bytes != sizeof(r) ||
        !std::memchr(r.signature, 0, sizeof(r.signature))) {
      bad(what, fmt::format("kernel record {}: bad magic, version {}, size {} or unterminated signature", i, r.version,
                            r.record_bytes));
    }
    KernelInfo info = detail::parse_signature(r.signature, what);
    info.shared_bytes = r.shared_bytes;
    info.max_threads = r.max_threads;
    if (info.shared_bytes > max_shared_bytes || info.args_size > max_args_bytes) {
      bad(what, fmt::format("kernel '{}' needs {} bytes of shared memory and {} of arguments; the device has {} and {}",
                            info.name, info.shared_bytes, info.args_size, max_shared_bytes, max_args_bytes));
    }
    auto sym = file.find_symbol("hcq_kernel_" + info.name);
    if (!sym || sym->type != elf::stt_func || sym->shndx == elf::shn_undef) {
      bad(what, fmt::format("kernel '{}': no function hcq_kernel_{} in .symtab", info.name, info.name));
    }
    bool inside = std::any_of(image.segments.begin(), image.segments.end(), [&](const L1Segment& s) {
      return sym->value >= s.address && sym->value < s.address + s.bytes.size();
    });
    if (!inside) bad(what, fmt::format("kernel '{}': entry 0x{:x} is not in a loaded segment", info.name, sym->value));
    for (const auto& k : out) {
      if (k.info.name == info.name) bad(what, fmt::format("kernel '{}' is described twice", info.name));
    }
    out.push_back({std::move(info), static_cast<uint32_t>(sym->value)});
  }
  return out;
}

uint32_t encode_jal_x0(uint32_t at, uint32_t target) {
  int64_t offset = int64_t{target} - int64_t{at};
  if (offset % 2 != 0 || offset < -jal_range || offset >= jal_range) {
    throw Error(Errc::internal, "", "elf", fmt::format("jal from 0x{:x} to 0x{:x}: offset out of range", at, target));
  }
  auto imm = static_cast<uint32_t>(offset);
  return ((imm >> 20) & 1) << 31 | ((imm >> 1) & 0x3ff) << 21 | ((imm >> 11) & 1) << 20 | ((imm >> 12) & 0xff) << 12 |
         jal_opcode;  // rd = x0
}

}  // namespace hcq::tt
