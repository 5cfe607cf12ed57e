// Programs (code objects), their kernels' metadata, and kernel arguments.
#pragma once

#include <cstddef>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hcq/memory.hpp"

namespace hcq {

namespace detail {
struct ProgramImpl;
struct KernelImpl;
}  // namespace detail

// A value that is either a constant or a graph variable (see hcq::Graph). Queues outside a graph
// take only constants; a variable there is a recording error.
struct Var {
  uint32_t id = ~0u;
};
struct Value {
  uint64_t constant = 0;
  uint32_t var = ~0u;  // ~0u: a constant
  constexpr Value(uint64_t v) noexcept : constant(v) {}  // NOLINT(google-explicit-constructor)
  constexpr Value(Var v) noexcept : var(v.id) {}         // NOLINT(google-explicit-constructor)
  constexpr bool is_var() const noexcept { return var != ~0u; }
};
// A graph variable standing for a whole buffer: its address is patched at every replay.
struct BufferVar {
  uint32_t id = ~0u;
  size_t min_size = 0;  // every buffer bound to it must be at least this large
};

// `bytes` is a block passed by value (a struct), of ArgInfo::size bytes; set with set_bytes().
enum class ArgKind : uint8_t { pointer, u32, i32, u64, i64, f32, f64, bytes };
std::string_view to_string(ArgKind kind) noexcept;
size_t size_of(ArgKind kind) noexcept;  // 4 or 8; 0 for bytes (see ArgInfo::size)

struct ArgInfo {
  std::string name;
  ArgKind kind;
  uint32_t offset;  // byte offset in the argument block
  uint32_t size;    // bytes it takes: size_of(kind), or the block's size for ArgKind::bytes
};

struct KernelInfo {
  std::string name;
  std::vector<ArgInfo> args;
  uint32_t args_size = 0;           // bytes of the argument block
  uint32_t shared_bytes = 0;        // static workgroup-shared memory
  uint32_t private_bytes = 0;       // per-thread private (scratch/local) memory
  uint32_t registers = 0;           // per thread, where the target has them (0: not applicable)
  uint32_t max_threads = 0;         // per workgroup allowed by the code (0: the device limit)
};

class Kernel {
 public:
  Kernel() = default;
  explicit operator bool() const noexcept { return impl_ != nullptr; }
  const KernelInfo& info() const noexcept;
  const std::string& name() const noexcept { return info().name; }
  // Index of the argument called `name`, or throws hcq::Error listing the kernel's arguments.
  size_t arg_index(std::string_view name) const;

  const std::shared_ptr<detail::KernelImpl>& impl() const noexcept { return impl_; }
  explicit Kernel(std::shared_ptr<detail::KernelImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<detail::KernelImpl> impl_;
};

class Program {
 public:
  Program() = default;
  explicit operator bool() const noexcept { return impl_ != nullptr; }
  const std::string& name() const noexcept;
  std::vector<std::string> kernel_names() const;
  // Throws hcq::Error listing the kernels the program has when `name` is not one of them.
  Kernel kernel(std::string_view name) const;

  const std::shared_ptr<detail::ProgramImpl>& impl() const noexcept { return impl_; }
  explicit Program(std::shared_ptr<detail::ProgramImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<detail::ProgramImpl> impl_;
};

// Builds a kernel's argument block from its metadata. Buffers and scalars are set by index or by
// name and checked against the argument's kind; the first mistake is kept and reported by
// Queue::exec (sticky) so a builder chain stays readable.
class KernelArgs {
 public:
  struct Patch {  // a graph variable placed in the block
    uint32_t offset;
    uint32_t var;
    uint8_t width;  // 4 or 8 bytes
    bool buffer;    // a BufferVar (an address) rather than a scalar Var
  };

  explicit KernelArgs(const Kernel& kernel);

  // An argument by position or by name.
  struct Arg {
    template <std::integral T>
    Arg(T i) : index(static_cast<size_t>(i)) {}  // NOLINT(google-explicit-constructor)
    Arg(const char* n) : name(n) {}               // NOLINT(google-explicit-constructor)
    Arg(std::string_view n) : name(n) {}          // NOLINT(google-explicit-constructor)
    Arg(const std::string& n) : name(n) {}        // NOLINT(google-explicit-constructor)
    size_t index = ~size_t{0};
    std::string_view name;
  };

  KernelArgs& set(Arg arg, const Buffer& buffer);
  KernelArgs& set(Arg arg, BufferVar buffer);
  KernelArgs& set(Arg arg, Var var);  // a scalar patched at every graph replay
  KernelArgs& set_u32(Arg arg, uint32_t v);
  KernelArgs& set_i32(Arg arg, int32_t v);
  KernelArgs& set_u64(Arg arg, uint64_t v);
  KernelArgs& set_i64(Arg arg, int64_t v);
  KernelArgs& set_f32(Arg arg, float v);
  KernelArgs& set_f64(Arg arg, double v);
  // Sets a scalar argument of any kind from its bit pattern (what the C ABI and hcq-run use).
  KernelArgs& set_bits(Arg arg, uint64_t bits);
  // A by-value block (ArgKind::bytes): `value` must be exactly the argument's size.
  KernelArgs& set_bytes(Arg arg, std::span<const std::byte> value);
  template <class T>
    requires std::is_trivially_copyable_v<T>
  KernelArgs& set_value(Arg arg, const T& value) {
    return set_bytes(arg, std::as_bytes(std::span(&value, 1)));
  }
  // Workgroup-shared memory the launch adds to what the kernel declares (CUDA's dynamic shared
  // memory, `extern __shared__`); static + dynamic must fit the device's max_shared_bytes.
  KernelArgs& dynamic_shared(uint32_t bytes) noexcept {
    dynamic_shared_ = bytes;
    return *this;
  }
  uint32_t dynamic_shared_bytes() const noexcept { return dynamic_shared_; }

  const Kernel& kernel() const noexcept { return kernel_; }
  std::span<const std::byte> bytes() const noexcept { return bytes_; }
  std::span<const Patch> patches() const noexcept { return patches_; }
  // The buffers set as arguments (a graph keeps them alive as long as it may launch).
  std::span<const Buffer> buffers() const noexcept { return buffers_; }
  // Empty when every argument was set, and set correctly; else the first problem found.
  std::string problem() const;

 private:
  // The argument's index after checking it exists and has the wanted kind, or nullopt (error kept).
  std::optional<size_t> resolve(const Arg& arg, std::optional<ArgKind> want, bool any_scalar);
  void store(size_t index, uint64_t bits);

  Kernel kernel_;
  std::vector<std::byte> bytes_;
  std::vector<Patch> patches_;
  std::vector<Buffer> buffers_;
  std::vector<bool> set_;
  std::string error_;
  uint32_t dynamic_shared_ = 0;
};

}  // namespace hcq
