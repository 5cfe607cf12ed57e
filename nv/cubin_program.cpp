#include "cubin_program.hpp"

#include <cstring>

#include "cubin.hpp"
#include "nv.hpp"

namespace hcq::nv {

namespace {

class CubinProgram final : public detail::ProgramImpl {
 public:
  std::shared_ptr<detail::BufferImpl> image;  // code and module banks, in device memory
  std::vector<NvKernel> launch;               // by kernel index
  ~CubinProgram() override {
    // Queues may still run this code: free it once they finished what was submitted until now.
    if (image) device->defer([keep = std::move(image)] {});
  }
};

// The SM's shared-memory carve-out: the smallest Hopper configuration that holds `kib` (CUDA
// programming guide, sm_90: 0, 8, 16, 32, 64, 100, 132, 164, 196, 228 KiB).
uint32_t carveout_kib(uint32_t kib) {
  for (uint32_t c : {8u, 16u, 32u, 64u, 100u, 132u, 164u, 196u}) {
    if (c >= kib) return c;
  }
  return 228;
}

// Per-thread local memory the hardware reserves above the kernel's own stack (0x240 bytes: the
// difference between libcuda's stack top and 16 MiB, see cbank0::stack_top).
constexpr uint32_t local_reserve = 0x240;

}  // namespace

bool set_shared_memory(const QmdLayout& layout, std::span<uint32_t> qmd, uint32_t bytes) {
  uint32_t carveout = carveout_kib((bytes + 1023) / 1024);
  if (carveout * 1024 < bytes) return false;
  uint32_t granule = 1u << layout.shared_memory_size.shift;
  return set_field(qmd, layout.shared_memory_size, (uint64_t{bytes} + granule - 1) / granule * granule) &&
         set_field(qmd, layout.min_sm_config_shared_mem_size, sm_config_encoding(carveout)) &&
         set_field(qmd, layout.target_sm_config_shared_mem_size, sm_config_encoding(carveout)) &&
         set_field(qmd, layout.max_sm_config_shared_mem_size, sm_config_encoding(std::max(carveout, 100u)));
}

const NvKernel& cubin_kernel(const detail::KernelImpl& k) {
  return static_cast<const CubinProgram*>(k.program)->launch[k.entry];
}

std::shared_ptr<detail::ProgramImpl> load_cubin_program(NvDevice& device, std::shared_ptr<detail::DeviceImpl> self,
                                                        std::span<const std::byte> bytes, const std::string& name) {
  CubinImage cubin = parse_cubin(bytes, name);
  check_sm(cubin, (device.sm_version() >> 8) * 10 + (device.sm_version() & 0xf));

  auto program = std::make_shared<CubinProgram>();
  program->device = std::move(self);
  program->name = name;
  // The image lives in device memory the CPU can write; relocated for its final address.
  program->image = device.alloc_internal(std::max<uint64_t>(cubin.image.size(), 1), MemoryKind::device_host_visible);
  if (program->image->gpu_va % cubin.alignment != 0) {
    throw Error(Errc::internal, device.uri(), "program",
                fmt::format("{}: image placed at {:#x}, not aligned to {}", name, program->image->gpu_va, cubin.alignment));
  }
  std::vector<std::byte> image = cubin.image;
  cubin.relocate(image, program->image->gpu_va);
  std::memcpy(program->image->cpu, image.data(), image.size());

  const LaunchDesc defaults = hopper_launch_defaults();
  for (size_t i = 0; i < cubin.kernels.size(); ++i) {
    const CubinKernel& k = cubin.kernels[i];
    NvKernel nk;
    nk.cbank0 = k.cbank0;
    nk.param_base = k.param_base;
    nk.local_per_thread = k.info.private_bytes + local_reserve;
    LaunchDesc& d = nk.launch;
    d = defaults;
    d.register_count = k.info.registers;
    d.barrier_count = k.barriers;
    // The per-thread local memory the SM lets the kernel address: without it, the first local
    // access faults with Xid 13 "Out Of Range Address" (seen on the H100). tinygrad sets the high
    // size the same way.
    d.local_memory_high_bytes = (nk.local_per_thread + 15) / 16 * 16;
    d.shared_memory_bytes = static_cast<uint32_t>(k.launch_shared_bytes(0));
    d.release[0].enable = false;  // the queue signals with host semaphores after the launch
    d.program_va = program->image->gpu_va + k.text_offset;
    for (const CubinBank& b : cubin.banks) d.constant_buffer.at(b.index) = {true, true, program->image->gpu_va + b.image_offset, static_cast<uint32_t>(b.size)};
    for (const CubinBank& b : k.banks) d.constant_buffer.at(b.index) = {true, true, program->image->gpu_va + b.image_offset, static_cast<uint32_t>(b.size)};
    // Bank 0 is the launch's own copy: its size is known now, its address is relocated per launch.
    nk.cbank0_bytes = static_cast<uint32_t>((std::max<size_t>(k.cbank0.size(), k.param_base + k.info.args_size) + 63) / 64 * 64);
    d.constant_buffer[0] = {true, true, 0, nk.cbank0_bytes};
    const QmdLayout& layout = qmd_layout(device.chip().qmd_major);
    nk.qmd.resize(layout.dwords);
    encode_qmd(layout, d, nk.qmd);
    // Shared memory and the SM carve-out as a launch with dynamic shared memory sets them.
    if (!set_shared_memory(layout, nk.qmd, d.shared_memory_bytes)) {
      throw Error(Errc::bad_code_object, device.uri(), "program",
                  fmt::format("{}: kernel '{}' needs {} bytes of shared memory; the SM has at most 228 KiB", name, k.info.name,
                              d.shared_memory_bytes));
    }
    program->launch.push_back(std::move(nk));
    program->kernels.push_back({k.info, i, program.get()});
  }
  return program;
}

}  // namespace hcq::nv
