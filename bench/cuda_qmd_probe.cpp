// hcq-cuda-qmd-probe: what libcuda puts in the launch descriptors (QMDs) of its own launches, read
// back from this process's memory and decoded with libhcq's QMD tables. It is how docs/nv.md
// knows which QMD fields CUDA sets for stream launches and for a graph's launches (a fact to
// check again for each new GPU generation and driver): nothing here is used by libhcq itself.
//
// libcuda writes each QMD into its push buffer (host memory mapped through /dev/nvidiactl) as
// inline data of an inline-to-memory transfer. After launches of a shape no other launch has (a
// grid of 4321 x 3 blocks of 77 threads, say), the probe copies every anonymous or /dev/nvidiactl
// mapping (never a device's BAR mapping: no register is read) and looks for a Hopper QMD (V04)
// with that shape, then prints its fields and the push-buffer words around it.
//
//   build/bench/hcq-cuda-qmd-probe [cubin with an `empty` kernel]   (default: tests/kernels/nv/hw)
#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cuda_driver.hpp"
#include "pkt/qmd.hpp"

#ifndef HCQ_BENCH_NV_KERNELS
#error "HCQ_BENCH_NV_KERNELS (the path of hw-nvidia-sm_90.bin) is defined by bench/meson.build"
#endif

namespace {

using namespace hcq::nv;
using qmd_detail::bit;
using qmd_detail::bits;

struct Mapping {
  uintptr_t lo, hi;
  std::string perms, path;
};

std::vector<Mapping> mappings() {
  std::vector<Mapping> out;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, path;
    fields >> range >> perms >> offset >> dev >> inode;
    std::getline(fields, path);
    path.erase(0, path.find_first_not_of(' ') == std::string::npos ? path.size() : path.find_first_not_of(' '));
    auto dash = range.find('-');
    out.push_back({std::stoull(range.substr(0, dash), nullptr, 16), std::stoull(range.substr(dash + 1), nullptr, 16), perms, path});
  }
  return out;
}

// A mapping may lose its pages while being copied (libcuda's own threads unmap): skip it then.
sigjmp_buf fault_jump;
void on_fault(int) { siglongjmp(fault_jump, 1); }

bool copy_mapping(const Mapping& m, std::vector<uint32_t>& out) {
  out.resize((m.hi - m.lo) / 4);
  struct sigaction sa {}, old_bus{}, old_segv{};
  sa.sa_handler = on_fault;
  sigaction(SIGBUS, &sa, &old_bus);
  sigaction(SIGSEGV, &sa, &old_segv);
  bool ok = true;
  if (sigsetjmp(fault_jump, 1) == 0) {
    std::memcpy(out.data(), reinterpret_cast<const void*>(m.lo), out.size() * 4);
  } else {
    ok = false;
  }
  sigaction(SIGBUS, &old_bus, nullptr);
  sigaction(SIGSEGV, &old_segv, nullptr);
  return ok;
}

uint64_t field(const uint32_t* q, QmdField f) {
  return f.present() ? get_bits(std::span<const uint32_t>(q, qmd_v04.dwords), f.hi, f.lo) : 0;
}

void words(const char* what, const uint32_t* from, int count) {
  fmt::print("  {}:", what);
  for (int i = 0; i < count; ++i) fmt::print("{}{:08x}", i % 8 ? " " : "\n    ", from[i]);
  fmt::print("\n");
}

// Fields named as in clcbc0qmd.h (NVIDIA open-gpu-doc); the ones our table has by name.
void print_qmd(const uint32_t* q, const Mapping& m, uintptr_t at) {
  const QmdLayout& l = qmd_v04;
  fmt::print("QMD at {:#x} in {} (+{:#x})\n", at, m.path.empty() ? "anonymous memory" : m.path, at - m.lo);
  fmt::print("  QMD_TYPE {} QMD_GROUP_ID {} DEPENDENCE_COUNTER {} ARRIVE_AT_LATCH_VALID {} WAIT_ON_LATCH_VALID {} "
             "REQUIRE_SCHEDULING_PCAS {}\n",
             field(q, l.qmd_type), field(q, l.qmd_group_id), field(q, bits(15, 0)), field(q, bit(28)), field(q, bit(29)),
             field(q, bit(30)));
  fmt::print("  CWD_MEMBAR_TYPE {} CWD_MEMBAR_TASK_CHASING_ENABLE {} SELF_COPY_ON_COMPLETION {} DISABLE_AUTO_INVALIDATE {}\n",
             field(q, l.cwd_membar_type), field(q, l.cwd_membar_task_chasing), field(q, bit(378)), field(q, bit(380)));
  fmt::print("  INVALIDATE texture header {} sampler {} texture data {} shader data {} instruction {} constant {}\n",
             field(q, l.invalidate_texture_header_cache), field(q, l.invalidate_texture_sampler_cache),
             field(q, l.invalidate_texture_data_cache), field(q, l.invalidate_shader_data_cache),
             field(q, l.invalidate_instruction_cache), field(q, l.invalidate_shader_constant_cache));
  for (size_t i = 0; i < l.release.size(); ++i) {
    const auto& r = l.release[i];
    if (!field(q, r.enable)) continue;
    fmt::print("  RELEASE{} STRUCTURE_SIZE {} MEMBAR_TYPE {} PAYLOAD64B {} at {:#x} payload {:#x}\n", i, field(q, r.structure_size),
               field(q, r.membar_type), field(q, r.payload64b), get_split(std::span<const uint32_t>(q, l.dwords), r.address),
               get_split(std::span<const uint32_t>(q, l.dwords), r.payload));
  }
  fmt::print("  DEPENDENT_QMD0 ENABLE {} ACTION {} PREFETCH {} POINTER {:#x}\n", field(q, l.dependent_qmd0_enable),
             field(q, l.dependent_qmd0_action), field(q, l.dependent_qmd0_prefetch), field(q, l.dependent_qmd0_pointer));
  words("24 push-buffer words before", q - 24, 24);
  words("the QMD", q, static_cast<int>(l.dwords));
  words("48 push-buffer words after", q + l.dwords, 48);
}

// Every QMD with this shape in the mappings that can hold libcuda's push buffers.
int find(const char* what, uint32_t grid_x, uint32_t grid_y, uint32_t block_x) {
  const QmdLayout& l = qmd_v04;
  fmt::print("== {}: grid {}x{}, block {}\n", what, grid_x, grid_y, block_x);
  int found = 0;
  std::vector<uint32_t> copy;
  for (const Mapping& m : mappings()) {
    bool candidate = m.perms[0] == 'r' && (m.path.empty() || m.path == "/dev/nvidiactl") && m.hi - m.lo <= (1ull << 30);
    if (!candidate || !copy_mapping(m, copy) || copy.size() < 24 + l.dwords + 48) continue;
    for (size_t i = 24; i + l.dwords + 48 <= copy.size(); ++i) {
      const uint32_t* q = &copy[i];
      if (field(q, l.grid[0]) == grid_x && field(q, l.grid[1]) == grid_y && field(q, l.block[0]) == block_x &&
          field(q, l.major_version) == 4) {
        print_qmd(q, m, m.lo + i * 4);
        ++found;
      }
    }
  }
  fmt::print("-- {}: {} found\n", what, found);
  return found;
}

}  // namespace

int main(int argc, char** argv) try {
  std::unique_ptr<cu::Driver> driver;
  try {
    driver = cu::Driver::load();
  } catch (const cu::Unavailable& e) {
    fmt::print(stderr, "skipped: {}\n", e.what());
    return 77;
  }
  const cu::Driver& cu = *driver;
  const char* path = argc > 1 ? argv[1] : HCQ_BENCH_NV_KERNELS;
  std::ifstream in(path, std::ios::binary);
  std::vector<char> cubin((std::istreambuf_iterator<char>(in)), {});
  if (cubin.empty()) throw std::runtime_error(fmt::format("cannot read {}", path));
  cu.cuInit(0);
  cu::Device device;
  cu.cuDeviceGet(&device, 0);
  cu::Context ctx;
  cu.cuDevicePrimaryCtxRetain(&ctx, device);
  cu.cuCtxSetCurrent(ctx);
  cu::Module module;
  cu.cuModuleLoadData(&module, cubin.data());
  cu::Function empty;
  cu.cuModuleGetFunction(&empty, module, "empty");
  cu::Stream stream;
  cu.cuStreamCreate(&stream, cu::stream_non_blocking);
  cu::DevicePtr arg;
  cu.cuMemAlloc(&arg, 4096);
  uint32_t n = 0;
  void* params[] = {&arg, &n};

  // Launches on a stream, each its own cuLaunchKernel.
  for (int i = 0; i < 3; ++i) cu.cuLaunchKernel(empty, 4321, 3, 1, 77, 1, 1, 0, stream, params, nullptr);
  cu.cuStreamSynchronize(stream);
  int found = find("stream launches", 4321, 3, 77);

  // A captured graph of 4 launches in stream order, each its own shape, launched twice.
  cu.cuStreamBeginCapture(stream, cu::capture_mode_thread_local);
  for (uint32_t i = 0; i < 4; ++i) cu.cuLaunchKernel(empty, 4322 + i, 5, 1, 79, 1, 1, 0, stream, params, nullptr);
  cu::Graph graph;
  cu.cuStreamEndCapture(stream, &graph);
  cu::GraphExec exec;
  cu.cuGraphInstantiateWithFlags(&exec, graph, 0);
  for (int i = 0; i < 2; ++i) {
    cu.cuGraphLaunch(exec, stream);
    cu.cuStreamSynchronize(stream);
  }
  for (uint32_t i = 0; i < 4; ++i) found += find(fmt::format("graph launch {} of 4", i + 1).c_str(), 4322 + i, 5, 79);
  return found ? 0 : 1;
} catch (const std::exception& e) {
  fmt::print(stderr, "hcq-cuda-qmd-probe: {}\n", e.what());
  return 1;
}
