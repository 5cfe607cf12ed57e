// Programs, kernels and the argument-block builder.
#include <bit>
#include <cstring>

#include "backend.hpp"

namespace hcq {

std::string_view to_string(ArgKind kind) noexcept {
  switch (kind) {
    case ArgKind::pointer: return "ptr";
    case ArgKind::u32: return "u32";
    case ArgKind::i32: return "i32";
    case ArgKind::u64: return "u64";
    case ArgKind::i64: return "i64";
    case ArgKind::f32: return "f32";
    case ArgKind::f64: return "f64";
    case ArgKind::bytes: return "bytes";
  }
  return "?";
}

size_t size_of(ArgKind kind) noexcept {
  switch (kind) {
    case ArgKind::u32:
    case ArgKind::i32:
    case ArgKind::f32: return 4;
    case ArgKind::bytes: return 0;
    default: return 8;
  }
}

const KernelInfo& Kernel::info() const noexcept { return impl_->info; }

static std::string arg_list(const KernelInfo& info) {
  std::string out;
  for (size_t i = 0; i < info.args.size(); ++i) {
    const ArgInfo& a = info.args[i];
    std::string kind = a.kind == ArgKind::bytes ? fmt::format("bytes[{}]", a.size) : std::string(to_string(a.kind));
    out += fmt::format("{}{} #{} {}", i ? ", " : "", kind, i, a.name);
  }
  return out.empty() ? "none" : out;
}

size_t Kernel::arg_index(std::string_view name) const {
  const auto& args = info().args;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].name == name) return i;
  }
  throw Error(Errc::not_found, impl_->program->device->uri(), "program",
              fmt::format("kernel '{}' has no argument '{}'; its arguments: {}", info().name, name, arg_list(info())));
}

const std::string& Program::name() const noexcept { return impl_->name; }

std::vector<std::string> Program::kernel_names() const {
  std::vector<std::string> names;
  for (const auto& k : impl_->kernels) names.push_back(k.info.name);
  return names;
}

Kernel Program::kernel(std::string_view name) const {
  for (auto& k : impl_->kernels) {
    if (k.info.name == name) return Kernel(std::shared_ptr<detail::KernelImpl>(impl_, &k));
  }
  throw Error(Errc::not_found, impl_->device->uri(), "program",
              fmt::format("{} has no kernel '{}'; it has: {}", impl_->name, name, fmt::join(kernel_names(), ", ")));
}

KernelArgs::KernelArgs(const Kernel& kernel) : kernel_(kernel) {
  if (!kernel_) {
    error_ = "KernelArgs made from an empty kernel handle";
    return;
  }
  bytes_.resize(kernel_.info().args_size);
  set_.resize(kernel_.info().args.size());
}

std::optional<size_t> KernelArgs::resolve(const Arg& arg, std::optional<ArgKind> want, bool any_scalar) {
  if (!error_.empty() || !kernel_) return std::nullopt;
  const KernelInfo& info = kernel_.info();
  size_t index = arg.index;
  if (!arg.name.empty()) {
    auto it = std::find_if(info.args.begin(), info.args.end(), [&](const ArgInfo& a) { return a.name == arg.name; });
    if (it == info.args.end()) {
      error_ = fmt::format("kernel '{}' has no argument '{}'; its arguments: {}", info.name, arg.name, arg_list(info));
      return std::nullopt;
    }
    index = static_cast<size_t>(it - info.args.begin());
  }
  if (index >= info.args.size()) {
    error_ = fmt::format("kernel '{}' has {} arguments; there is no argument #{}", info.name, info.args.size(), index);
    return std::nullopt;
  }
  ArgKind have = info.args[index].kind;
  bool ok = any_scalar ? have != ArgKind::pointer && have != ArgKind::bytes : (!want || have == *want);
  if (!ok) {
    error_ = fmt::format("kernel '{}': argument #{} '{}' is {}, not {}", info.name, index, info.args[index].name,
                         to_string(have), any_scalar ? "a scalar" : to_string(*want));
    return std::nullopt;
  }
  return index;
}

void KernelArgs::store(size_t index, uint64_t bits) {
  const ArgInfo& a = kernel_.info().args[index];
  if (a.size == 4) {
    auto v = static_cast<uint32_t>(bits);
    std::memcpy(bytes_.data() + a.offset, &v, 4);
  } else {
    std::memcpy(bytes_.data() + a.offset, &bits, 8);
  }
  set_[index] = true;
  std::erase_if(patches_, [&](const Patch& p) { return p.offset == a.offset; });
}

KernelArgs& KernelArgs::set(Arg arg, const Buffer& buffer) {
  if (auto i = resolve(arg, ArgKind::pointer, false)) {
    if (!buffer) {
      error_ = fmt::format("kernel '{}': argument #{} is an empty buffer handle", kernel_.name(), *i);
    } else {
      store(*i, buffer.gpu_address());
      buffers_.push_back(buffer);
    }
  }
  return *this;
}

KernelArgs& KernelArgs::set(Arg arg, BufferVar buffer) {
  if (auto i = resolve(arg, ArgKind::pointer, false)) {
    store(*i, 0);
    patches_.push_back({kernel_.info().args[*i].offset, buffer.id, 8, true});
  }
  return *this;
}

KernelArgs& KernelArgs::set(Arg arg, Var var) {
  if (auto i = resolve(arg, std::nullopt, true)) {
    store(*i, 0);
    patches_.push_back({kernel_.info().args[*i].offset, var.id, static_cast<uint8_t>(size_of(kernel_.info().args[*i].kind)), false});
  }
  return *this;
}

KernelArgs& KernelArgs::set_u32(Arg arg, uint32_t v) {
  if (auto i = resolve(arg, ArgKind::u32, false)) store(*i, v);
  return *this;
}
KernelArgs& KernelArgs::set_i32(Arg arg, int32_t v) {
  if (auto i = resolve(arg, ArgKind::i32, false)) store(*i, static_cast<uint32_t>(v));
  return *this;
}
KernelArgs& KernelArgs::set_u64(Arg arg, uint64_t v) {
  if (auto i = resolve(arg, ArgKind::u64, false)) store(*i, v);
  return *this;
}
KernelArgs& KernelArgs::set_i64(Arg arg, int64_t v) {
  if (auto i = resolve(arg, ArgKind::i64, false)) store(*i, static_cast<uint64_t>(v));
  return *this;
}
KernelArgs& KernelArgs::set_f32(Arg arg, float v) {
  if (auto i = resolve(arg, ArgKind::f32, false)) store(*i, std::bit_cast<uint32_t>(v));
  return *this;
}
KernelArgs& KernelArgs::set_f64(Arg arg, double v) {
  if (auto i = resolve(arg, ArgKind::f64, false)) store(*i, std::bit_cast<uint64_t>(v));
  return *this;
}
KernelArgs& KernelArgs::set_bits(Arg arg, uint64_t bits) {
  if (auto i = resolve(arg, std::nullopt, true)) store(*i, bits);
  return *this;
}
KernelArgs& KernelArgs::set_bytes(Arg arg, std::span<const std::byte> value) {
  if (auto i = resolve(arg, ArgKind::bytes, false)) {
    const ArgInfo& a = kernel_.info().args[*i];
    if (value.size() != a.size) {
      error_ = fmt::format("kernel '{}': argument #{} '{}' is bytes[{}], given {} bytes", kernel_.name(), *i, a.name, a.size, value.size());
    } else {
      std::memcpy(bytes_.data() + a.offset, value.data(), value.size());
      set_[*i] = true;
    }
  }
  return *this;
}

std::string KernelArgs::problem() const {
  if (!error_.empty()) return error_;
  const KernelInfo& info = kernel_.info();
  for (size_t i = 0; i < set_.size(); ++i) {
    if (!set_[i]) return fmt::format("kernel '{}': argument #{} '{}' ({}) was not set", info.name, i, info.args[i].name, to_string(info.args[i].kind));
  }
  return {};
}

}  // namespace hcq

namespace hcq::detail {
ProgramImpl::~ProgramImpl() = default;
}  // namespace hcq::detail
