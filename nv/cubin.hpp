// The cubin loader of the nv backend: NVIDIA ELF code objects (what `nvcc -cubin` writes) turned
// into a loadable image, per-kernel launch facts and the relocations to apply at a GPU address.
// Pure parsing: no device is involved, so all of it is unit-tested on any host
// (tests/unit/test_cubin.cpp).
//
// Format facts: from the research notes (nv-hopper.md §6-7), each checked on nvcc 13.0 output for
// sm_90a (tests/kernels/nv/*.bin); where the output differed from the notes, the output is what is
// written here. Kernel attributes parsed from the committed cubins (registers, static shared
// bytes, launch bounds) equal what the CUDA driver reports for them on an H100.
// - ELF64 little-endian, e_machine 190 (EM_CUDA), e_type EXEC; the SM version in e_flags bits 15:8
//   (0x5a = 90; sm_90 and sm_90a give the same e_flags). All sh_addr are 0: the loader places the
//   sections itself.
// - A kernel is an STT_FUNC symbol with st_other bit 0x10 (the entry flag; device functions and the
//   local aliases nvcc adds for them lack it). Its sections are found by name: `.text.<fn>` (code),
//   `.nv.constant0.<fn>` (the constant bank 0 template: a 0x210-byte preset region the launcher
//   fills, then the parameters), `.nv.info.<fn>` (attributes), `.nv.shared.<fn>` (NOBITS, the
//   static shared memory; absent when no kernel of the module uses shared memory) and
//   `.nv.constant<N>.<fn>` (other per-kernel banks, e.g. bank 2 for indirect-call tables).
// - `.nv.info` and `.nv.info.<fn>` are sequences of records: u8 format, u8 attribute, u16 value
//   (formats 1-3) or payload length (format 4, payload follows).
// - Module banks `.nv.constant3` (__constant__ data) and `.nv.constant4` (the addresses of
//   __device__ variables, filled by R_CUDA_64 relocations); `.nv.global.init` and `.nv.global`
//   (NOBITS) hold __device__ variables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hcq/program.hpp"

namespace hcq::nv {

// Codes of the .nv.info records the loader reads (EIATTR_* in NVIDIA's tools), from the public
// attribute table quoted in nv-hopper.md §7, each confirmed on nvcc 13 output.
namespace eiattr {
inline constexpr uint8_t fmt_nval = 1, fmt_bval = 2, fmt_hval = 3, fmt_sval = 4;
inline constexpr uint8_t max_threads = 0x05;       // 3 x u32, from __launch_bounds__
inline constexpr uint8_t param_cbank = 0x0a;       // u32 symbol of .nv.constant0.<fn>, u16 offset, u16 size
inline constexpr uint8_t reqntid = 0x10;           // 3 x u32, a required block size
inline constexpr uint8_t frame_size = 0x11;        // u32 function symbol, u32 bytes (per-thread local memory)
inline constexpr uint8_t min_stack_size = 0x12;    // u32 function symbol, u32 bytes
inline constexpr uint8_t kparam_info = 0x17;       // u32 0, u16 ordinal, u16 offset, u32 flags (size in 31:18)
inline constexpr uint8_t cbank_param_size = 0x19;  // u16 inline: bytes of parameters
inline constexpr uint8_t max_stack_size = 0x23;    // u32 function symbol, u32 bytes
inline constexpr uint8_t regcount = 0x2f;          // u32 function symbol, u32 registers per thread
inline constexpr uint8_t kparam_info_v2 = 0x45;    // u32 0, u16 ordinal, u16 offset, u32 size in bytes
inline constexpr uint8_t num_barriers = 0x4c;      // u8/u16 inline: named barriers used
}  // namespace eiattr

// Relocation types (R_CUDA_*) the loader applies.
namespace reloc {
inline constexpr uint32_t none = 0;
inline constexpr uint32_t r_cuda_32 = 1;           // u32 = S + A
inline constexpr uint32_t r_cuda_64 = 2;           // u64 = S + A: .nv.constant4, one per __device__ variable
inline constexpr uint32_t r_cuda_g64 = 4;          // u64 = S + A: .nv.global.init, e.g. `__device__ int* p = &x;`
inline constexpr uint32_t r_cuda_abs32_lo_32 = 0x38;  // the instruction's bits 63:32 = low 32 bits of S + A
inline constexpr uint32_t r_cuda_abs32_hi_32 = 0x39;  // the instruction's bits 63:32 = high 32 bits of S + A
}  // namespace reloc

// A constant bank in the image, to bind as the QMD's CONSTANT_BUFFER(index).
struct CubinBank {
  uint32_t index = 0;         // the N of .nv.constantN: 1-7 (0 is per launch, see CubinKernel::cbank0)
  uint64_t image_offset = 0;  // 256-byte aligned (the QMD takes the address >> 6)
  uint64_t size = 0;          // the section's size rounded up to 16 (the QMD takes size >> 4); zero-padded
};

// One kernel parameter as the cubin describes it (KPARAM_INFO or KPARAM_INFO_V2).
struct CubinParam {
  uint32_t ordinal = 0;
  uint32_t offset = 0;  // from param_base
  uint32_t size = 0;    // bytes
};

struct CubinKernel {
  // name: the kernel's symbol (the mangled name for a C++ kernel).
  // args: from the HCQ_NV_SIGNATURE annotation, else arg0.. with kinds from the mangled name or
  //   the size; offsets relative to param_base (0 for the first parameter).
  // args_size: the cubin's parameter bytes (CBANK_PARAM_SIZE), *not* rounded up to 8 as on the cpu
  //   device: vadd's is 28. param_base + args_size == cbank0.size().
  // shared_bytes: the kernel's own static __shared__ bytes, without the 1 KiB that sm_90 reserves
  //   (see shared_reserve); dynamic shared memory is not known to the cubin.
  // private_bytes: per-thread local memory (the largest of FRAME_SIZE, MIN_STACK_SIZE,
  //   MAX_STACK_SIZE). registers: REGCOUNT. max_threads: the product of MAX_THREADS (or REQNTID)
  //   dimensions, 0 when the kernel has no bound.
  hcq::KernelInfo info;
  // Another name the kernel answers to: the annotation's name, or for an unannotated C++ kernel
  // its unqualified name, when no other kernel of the cubin has it; else empty.
  std::string alias;
  bool annotated = false;
  std::vector<CubinParam> params;  // by ordinal

  uint64_t text_offset = 0, text_size = 0;  // the code in the image (the program address is base + text_offset)
  uint32_t param_base = 0;                  // 0x210 on sm_90 (PARAM_CBANK); parameters are at c[0][param_base..]
  uint32_t shared_reserve = 0;              // bytes of shared memory the system reserves below the kernel's (1 KiB on sm_90)
  uint32_t barriers = 0;                    // NUM_BARRIERS, for the QMD BARRIER_COUNT
  std::vector<std::byte> cbank0;            // .nv.constant0.<fn>: copy, fill 0..param_base, overlay the arguments
  std::vector<CubinBank> banks;             // other per-kernel banks (.nv.constantN.<fn>, N != 0)

  // The QMD's SHARED_MEMORY_SIZE for a launch with `dynamic_bytes` of dynamic shared memory.
  uint64_t launch_shared_bytes(uint64_t dynamic_bytes) const { return shared_reserve + uint64_t{info.shared_bytes} + dynamic_bytes; }
};

struct CubinReloc {
  uint64_t offset = 0;  // image offset of the patched location (for ABS32_*: of the instruction)
  uint32_t type = 0;    // a reloc:: type
  bool in_image = false;  // the symbol is in the image: S = base_va + value; else S = value
  uint64_t value = 0;     // the symbol's image offset, or its absolute value
  int64_t addend = 0;
  std::string symbol;     // the symbol's name, for messages
};

struct CubinImage {
  std::string what;  // the file, for messages
  uint32_t sm = 0;   // e.g. 90
  // Every loadable section at its alignment: code, module and per-kernel constant banks other than
  // bank 0, __device__ data (.nv.global zero-filled). Shared-memory sections and the bank-0
  // templates are not in it. It ends at least 4 KiB past the last code byte (instruction prefetch).
  std::vector<std::byte> image;
  uint64_t alignment = 256;  // the base VA must be a multiple of this
  std::vector<CubinKernel> kernels;
  std::vector<CubinBank> banks;  // module banks (c[3], c[4], ...), by index
  std::vector<CubinReloc> relocs;

  // The kernel called `name` (its symbol, else its alias), or nullptr.
  const CubinKernel* find(std::string_view name) const;
  // The kernel called `name`; throws hcq::Error not_found listing the kernels.
  const CubinKernel& kernel(std::string_view name) const;
  // Applies the relocations to `image` (a copy of this->image, at least as large) for an image
  // placed at `base_va`. Throws invalid_argument for a short span or a misaligned base.
  void relocate(std::span<std::byte> image, uint64_t base_va) const;
};

// Parses a cubin; `what` names it in messages. Throws hcq::Error(bad_code_object, "", "program",
// "<what>: <problem>") for anything malformed (the ELF reader's own errors come from block "elf").
CubinImage parse_cubin(std::span<const std::byte> bytes, const std::string& what);

// Throws bad_code_object "<what>: built for sm_86, this device is sm_90" unless the cubin is for
// exactly `device_sm` (SASS is not portable across versions, and sm_90a code runs only on sm_90).
void check_sm(const CubinImage& image, uint32_t device_sm);

namespace cubin_detail {
// What the loader reads from an Itanium-mangled kernel name: the unqualified name and one kind per
// parameter (nullopt for a parameter type outside ptr/u32/i32/u64/i64/f32/f64). nullopt when the
// name is not mangled or uses something this small demangler does not follow.
struct Demangled {
  std::string name;
  std::vector<std::optional<hcq::ArgKind>> kinds;
};
std::optional<Demangled> demangle_kernel(std::string_view symbol);
}  // namespace cubin_detail

}  // namespace hcq::nv
