#include "cpu_program.hpp"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <set>

#include "../src/elf.hpp"
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

constexpr size_t max_args = 64;

[[noreturn]] void bad(const std::string& what, const std::string& message) {
  throw Error(Errc::bad_code_object, "", "program", what + ": " + message);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool kind_from(std::string_view s, ArgKind& out) {
  for (ArgKind k : {ArgKind::pointer, ArgKind::u32, ArgKind::i32, ArgKind::u64, ArgKind::i64, ArgKind::f32, ArgKind::f64}) {
    if (to_string(k) == s) {
      out = k;
      return true;
    }
  }
  return false;
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

KernelInfo parse_signature(std::string_view signature, const std::string& what) {
  KernelInfo info;
  size_t open = signature.find('(');
  if (open == std::string_view::npos || signature.back() != ')') {
    bad(what, fmt::format("signature '{}' is not of the form name(arg: kind, ...)", signature));
  }
  info.name = std::string(trim(signature.substr(0, open)));
  if (!is_identifier(info.name)) bad(what, fmt::format("signature '{}': '{}' is not a kernel name", signature, info.name));
  std::string_view list = trim(signature.substr(open + 1, signature.size() - open - 2));
  std::set<std::string, std::less<>> seen;
  uint32_t offset = 0;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    size_t colon = item.find(':');
    std::string_view name = trim(item.substr(0, colon));
    ArgKind kind = ArgKind::pointer;
    bool known = colon != std::string_view::npos && kind_from(trim(item.substr(colon + 1)), kind);
    if (!is_identifier(name) || !known) {
      bad(what, fmt::format("kernel '{}': argument '{}' is not 'name: kind' with kind one of ptr, u32, i32, u64, i64, "
                            "f32, f64", info.name, item));
    }
    if (!seen.insert(std::string(name)).second) bad(what, fmt::format("kernel '{}': argument '{}' twice", info.name, name));
    if (info.args.size() == max_args) bad(what, fmt::format("kernel '{}': more than {} arguments", info.name, max_args));
    auto size = static_cast<uint32_t>(size_of(kind));
    offset = (offset + size - 1) / size * size;
    info.args.push_back({std::string(name), kind, offset});
    offset += size;
  }
  info.args_size = (offset + 7) / 8 * 8;
  return info;
}

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
    KernelInfo info = parse_signature(r.signature, name);
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
