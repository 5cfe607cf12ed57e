// Programs on nv devices: a cubin parsed by nv/cubin.hpp, placed in device memory, relocated,
// and each kernel's launch template (QMD fields, constant bank 0) prepared once.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend.hpp"
#include "pkt/qmd.hpp"

namespace hcq::nv {

class NvDevice;

// Constant bank 0 below the parameters: what the launcher fills (offsets read from nvcc 13 SASS
// for sm_90, docs/nv.md). Every other byte of the preset region stays as the cubin has it (0).
namespace cbank0 {
inline constexpr uint32_t block_x = 0x00, block_y = 0x04, block_z = 0x08;  // blockDim
inline constexpr uint32_t grid_x = 0x0C, grid_y = 0x10, grid_z = 0x14;     // gridDim
inline constexpr uint32_t shared_window = 0x18;  // u64: generic address of shared memory
inline constexpr uint32_t local_window = 0x20;   // u64: generic address of local memory
inline constexpr uint32_t stack_top = 0x28;      // u32: per-thread stack top, loaded into R1
inline constexpr uint32_t dynamic_shared = 0x2C; // u32: dynamic shared bytes (%dynamic_smem_size)
}  // namespace cbank0

struct NvKernel {
  std::vector<std::byte> cbank0;  // the cubin's template: preset region + parameter bytes
  uint32_t param_base = 0;        // where the parameters start in bank 0
  uint32_t cbank0_bytes = 0;      // bank 0's size in a launch (64-byte multiple)
  uint32_t local_per_thread = 0;  // stack/local bytes each thread needs
  LaunchDesc launch;              // everything but grid, block and bank 0's address
  // `launch` encoded once: a launch copies it and writes grid and block (and, with dynamic
  // shared memory, the shared-memory fields), which costs far less than encoding every field.
  std::vector<uint32_t> qmd;
};

// SHARED_MEMORY_SIZE and the SM carve-out fields for a launch using `bytes` of shared memory
// (the 1 KiB reserve included). False when a value does not fit the layout's fields.
bool set_shared_memory(const QmdLayout& layout, std::span<uint32_t> qmd, uint32_t bytes);

// The launch data of a kernel of a program loaded by load_cubin_program.
const NvKernel& cubin_kernel(const detail::KernelImpl& k);

std::shared_ptr<detail::ProgramImpl> load_cubin_program(NvDevice& device, std::shared_ptr<detail::DeviceImpl> self,
                                                        std::span<const std::byte> bytes, const std::string& name);

}  // namespace hcq::nv
