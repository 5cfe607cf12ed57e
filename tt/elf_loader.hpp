// RV32 ELF images for Tensix L1: our firmware and kernel code objects (tt/firmware/layout.h has
// the L1 map). Loading means: every PT_LOAD segment, its file bytes plus the zero fill up to memsz,
// written into L1 at its address. Nothing is relocated; the images are linked at fixed addresses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hcq/program.hpp"

namespace hcq::tt {

// A named range of L1 in our map.
struct L1Region {
  std::string_view name;
  uint32_t base;
  uint32_t size;
  uint64_t end() const noexcept { return uint64_t{base} + size; }
};

// The regions of our L1 map, in address order (tt/firmware/layout.h); `scratch` runs to `l1_size`.
std::vector<L1Region> l1_map(uint64_t l1_size);
L1Region firmware_region();
L1Region kernel_region();

struct L1Segment {
  uint32_t address;
  std::vector<std::byte> bytes;  // filesz bytes from the file, then memsz - filesz zeros
};

struct L1Image {
  std::vector<L1Segment> segments;
  uint32_t entry = 0;  // e_entry
};

// Parses an RV32 little-endian executable (ET_EXEC, EM_RISCV, ELFCLASS32) and returns its loadable
// segments. Each must lie inside `target` (the firmware or the kernel region); a segment that would
// reach past L1, overlap another region of the map (naming it), or overlap another segment is
// refused. Throws hcq::Error(bad_code_object, "", "elf", "<what>: ...").
L1Image load_l1_image(std::span<const std::byte> bytes, const std::string& what, const L1Region& target,
                      uint64_t l1_size);

// A tt code object's kernels: the ".hcq.kernels" records (tt/kernels/hcq_tt_kernel.h) with the
// address of each hcq_kernel_<name> in .symtab.
struct KernelEntry {
  KernelInfo info;
  uint32_t entry;
};
std::vector<KernelEntry> read_kernels(std::span<const std::byte> bytes, const std::string& what,
                                      const L1Image& image, uint32_t max_shared_bytes, uint32_t max_args_bytes);

// `jal x0, target` placed at address `at`: the reset vector that sends BRISC from PC 0 to the
// firmware. RISC-V unprivileged ISA, "JAL" (J-type: imm[20|10:1|11|19:12], rd, opcode 0x6f).
uint32_t encode_jal_x0(uint32_t at, uint32_t target);

}  // namespace hcq::tt
