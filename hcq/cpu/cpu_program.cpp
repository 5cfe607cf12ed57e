#include "cpu_program.hpp"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "../src/elf.hpp"
#include "../src/signature.hpp"
#include "hcq/cpu_kernel.h"

namespace hcq::cpu {

namespace {

#if defined(__x86_64__)
constexpr uint16_t host_machine = detail::elf::em_x86_64;
#elif defined(__aarch64__)
constexpr uint16_t host_machine = detail::elf::em_aarch64;
#else
#error "the cpu backend knows x86_64 and aarch64 hosts"
#endif

[[noreturn]] void bad(const std::string& what, const std::string& message) {
  throw Error(Errc::bad_code_object, "", "program", what + ": " + message);
}

class CpuProgram final : public detail::ProgramImpl {
 public:
  void* handle = nullptr;
  ~CpuProgram() override {
    if (!handle) return;
    void* h = handle;
    // Queues may still run this code: unload once they finished what was submitted until now.
    device->defer([h] { dlclose(h); });
  }
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

void* dlopen_bytes(std::span<const std::byte> bytes, const std::string& what) {
  Fd f{memfd_create(("hcq:" + what).c_str(), MFD_CLOEXEC)};
  if (f.fd < 0) throw Error(Errc::io, "", "program", fmt::format("{}: memfd_create failed: {}", what, std::strerror(errno)));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(f.fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) throw Error(Errc::io, "", "program", fmt::format("{}: writing the code object failed: {}", what, std::strerror(errno)));
    done += static_cast<size_t>(n);
  }
  std::string path = fmt::format("/proc/self/fd/{}", f.fd);
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) bad(what, fmt::format("the dynamic loader refused it: {}", dlerror()));
  return h;
}

std::vector<hcq_cpu_kernel_record> read_records(const detail::ElfFile& elf, const std::string& what) {
  const detail::ElfSection* sec = elf.section(HCQ_CPU_KERNEL_SECTION);
  if (!sec) bad(what, "no " HCQ_CPU_KERNEL_SECTION " section: not a cpu code object (see hcq/cpu_kernel.h)");
  if (sec->data.empty() || sec->data.size() % sizeof(hcq_cpu_kernel_record) != 0) {
    bad(what, fmt::format(HCQ_CPU_KERNEL_SECTION " holds {} bytes, not a whole number of {}-byte records", sec->data.size(),
                          sizeof(hcq_cpu_kernel_record)));
  }
  std::vector<hcq_cpu_kernel_record> records(sec->data.size() / sizeof(hcq_cpu_kernel_record));
  std::memcpy(records.data(), sec->data.data(), sec->data.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (std::memcmp(r.magic, HCQ_CPU_KERNEL_MAGIC, 4) != 0) bad(what, fmt::format("kernel record {}: bad magic", i));
    if (r.version != HCQ_CPU_KERNEL_VERSION) {
      bad(what, fmt::format("kernel record {}: version {}, expected {}", i, r.version, HCQ_CPU_KERNEL_VERSION));
    }
    if (r.record_bytes != sizeof(r)) bad(what, fmt::format("kernel record {}: size {}, expected {}", i, r.record_bytes, sizeof(r)));
    if (!std::memchr(r.signature, 0, sizeof(r.signature))) bad(what, fmt::format("kernel record {}: signature is not NUL-terminated", i));
  }
  return records;
}

}  // namespace

std::shared_ptr<detail::ProgramImpl> load_host_elf(std::shared_ptr<detail::DeviceImpl> device,
                                                   std::span<const std::byte> bytes, const std::string& name) {
  auto elf = detail::ElfFile::parse(bytes, name);
  if (!elf.is_64() || elf.type() != detail::elf::et_dyn || elf.machine() != host_machine) {
    bad(name, fmt::format("cpu code objects are 64-bit shared objects for machine {}; this is {}-bit, type {}, machine {}",
                          host_machine, elf.is_64() ? 64 : 32, elf.type(), elf.machine()));
  }
  auto records = read_records(elf, name);
  const detail::ElfSection* dynsym = elf.section(".dynsym");
  std::vector<detail::ElfSymbol> exported = dynsym ? elf.symbols(*dynsym) : std::vector<detail::ElfSymbol>{};

  auto program = std::make_shared<CpuProgram>();
  program->device = device;
  program->name = name;
  for (const auto& r : records) {
    KernelInfo info = detail::parse_signature(r.signature, name);
    info.shared_bytes = r.shared_bytes;
    info.max_threads = r.max_threads;
    const DeviceProps& p = device->props();
    if (info.shared_bytes > p.max_shared_bytes || info.args_size > p.max_kernel_args_bytes) {
      bad(name, fmt::format("kernel '{}' needs {} bytes of shared memory and {} of arguments; the device has {} and {}",
                            info.name, info.shared_bytes, info.args_size, p.max_shared_bytes, p.max_kernel_args_bytes));
    }
    for (const auto& k : program->kernels) {
      if (k.info.name == info.name) bad(name, fmt::format("kernel '{}' is described twice", info.name));
    }
    std::string entry = "hcq_kernel_" + info.name;
    bool found = std::any_of(exported.begin(), exported.end(), [&](const detail::ElfSymbol& s) {
      return s.name == entry && s.type == detail::elf::stt_func && s.shndx != detail::elf::shn_undef;
    });
    if (!found) bad(name, fmt::format("kernel '{}': no exported function {} in .dynsym", info.name, entry));
    program->kernels.push_back({std::move(info), 0, program.get()});
  }

  program->handle = dlopen_bytes(bytes, name);
  for (auto& k : program->kernels) {
    void* fn = dlsym(program->handle, ("hcq_kernel_" + k.info.name).c_str());
    if (!fn) bad(name, fmt::format("kernel '{}': dlsym failed: {}", k.info.name, dlerror()));
    k.entry = reinterpret_cast<uintptr_t>(fn);
  }
  device->logger()->debug("loaded {} with {} kernel(s)", name, program->kernels.size());
  return program;
}

}  // namespace hcq::cpu
