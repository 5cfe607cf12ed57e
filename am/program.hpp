// amdgcn code objects (HSA, code object v4/v5): ELF checks, the target check, kernel descriptors,
// the AMDGPU metadata note (kernel names and argument layout) and R_AMDGPU_REL64 relocations.
//
// Facts: LLVM AMDGPUUsage ("ELF Code Object", "Kernel Descriptor", "Code Object V3+ Metadata",
// "Relocation Records") and binutils include/elf/amdgpu.h, as /work/shared/reference/amd.md §5
// lists them; tinygrad's AMDProgram for how a kmd-free loader places the image. Our own tables.
//
// parse_code_object() is pure (no device): it returns the image to copy to GPU memory and, per
// kernel, the descriptor and where the launcher puts each argument. Every failure is an
// hcq::Error(Errc::bad_code_object) naming the file and what was wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hcq/program.hpp"

namespace hcq::am {

// The 64-byte kernel descriptor (AMDGPUUsage "Kernel Descriptor"; amd.md §5).
struct KernelDescriptor {
  uint32_t group_segment_fixed_size;
  uint32_t private_segment_fixed_size;
  uint32_t kernarg_size;
  uint8_t reserved_12[4];
  int64_t kernel_code_entry_byte_offset;  // from the descriptor's own address
  uint8_t reserved_24[20];
  uint32_t compute_pgm_rsrc3;
  uint32_t compute_pgm_rsrc1;
  uint32_t compute_pgm_rsrc2;
  uint16_t kernel_code_properties;
  uint16_t kernarg_preload;
  uint8_t reserved_60[4];
};
static_assert(sizeof(KernelDescriptor) == 64);
static_assert(offsetof(KernelDescriptor, kernarg_size) == 8);
static_assert(offsetof(KernelDescriptor, kernel_code_entry_byte_offset) == 16);
static_assert(offsetof(KernelDescriptor, compute_pgm_rsrc3) == 44);
static_assert(offsetof(KernelDescriptor, compute_pgm_rsrc1) == 48);
static_assert(offsetof(KernelDescriptor, compute_pgm_rsrc2) == 52);
static_assert(offsetof(KernelDescriptor, kernel_code_properties) == 56);

// kernel_code_properties bits: which user SGPRs the kernel expects, in this order (4, 2, 2, 2, 2,
// 2, 1 SGPRs), and the wave size.
namespace kcp {
inline constexpr uint16_t private_segment_buffer = 1u << 0, dispatch_ptr = 1u << 1, queue_ptr = 1u << 2,
                          kernarg_segment_ptr = 1u << 3, dispatch_id = 1u << 4, flat_scratch_init = 1u << 5,
                          private_segment_size = 1u << 6, wavefront_size32 = 1u << 10, uses_dynamic_stack = 1u << 11;
}

// The hidden arguments a launcher fills (metadata .value_kind); others are left zero.
enum class Hidden : uint8_t {
  block_count_x, block_count_y, block_count_z,
  group_size_x, group_size_y, group_size_z,
  remainder_x, remainder_y, remainder_z,
  global_offset_x, global_offset_y, global_offset_z,
  grid_dims, dynamic_lds_size, other,
};
struct HiddenArg {
  Hidden kind;
  uint32_t offset;
  uint32_t size;
};

struct AmdKernel {
  KernelInfo info;                 // the arguments a caller sets (hidden ones excluded)
  KernelDescriptor kd{};
  uint64_t kd_offset = 0;          // in the image
  uint64_t code_offset = 0;        // in the image, 256-byte aligned
  uint32_t kernarg_size = 0;       // the whole segment, hidden arguments included
  uint32_t kernarg_align = 8;
  uint32_t wavefront_size = 32;
  std::vector<HiddenArg> hidden;
};

struct CodeObject {
  std::string target;              // "gfx1100"
  std::vector<std::byte> image;    // every PT_LOAD at its p_vaddr (from 0), relocations applied
  std::vector<AmdKernel> kernels;
};

// The e_flags mach value of a target name, 0 for a name we do not know ("gfx1100" -> 0x41).
uint32_t mach_of(std::string_view target) noexcept;
std::string_view target_of(uint32_t mach) noexcept;  // "" when unknown

// `what` names the file in messages; `target` is the device's ("gfx1100"). A code object for
// another target is refused naming both.
CodeObject parse_code_object(std::span<const std::byte> bytes, const std::string& what, std::string_view target);

}  // namespace hcq::am
