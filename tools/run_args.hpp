// hcq-run's command-line values: numbers, buffer specs (TYPE[N]=...), dimensions, and the binding of
// ARG... to a kernel's arguments. No device work happens here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hcq/hcq.hpp"

namespace hcq_run {

// A mistake on the command line: reported as "hcq-run: <message>", exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Element types of buffers (and, but for u8, of scalars).
enum class Elem : uint8_t { u8, u32, i32, u64, i64, f32, f64 };

std::string_view to_string(Elem e) noexcept;
size_t size_of(Elem e) noexcept;
std::optional<Elem> elem_from(std::string_view name) noexcept;
// The element type of a scalar argument kind (not for ArgKind::pointer).
Elem elem_of(hcq::ArgKind kind) noexcept;

// Parses `text` as a value of type `e` ("42", "-3", "0x10", "1.5") and returns its bit pattern
// (little-endian in the low size_of(e) bytes). Throws UsageError saying why not.
uint64_t parse_value(std::string_view text, Elem e);

// "1.5", "42", "-3": element `index` of `bytes` printed as its type.
std::string format_element(const std::byte* bytes, Elem e, size_t index = 0);

// A buffer's host copy: what is uploaded before the run and downloaded after it.
struct HostBuffer {
  Elem type = Elem::u8;
  std::vector<std::byte> bytes;
  size_t count() const noexcept { return bytes.size() / size_of(type); }
};

// TYPE[N], TYPE[N]=v, TYPE[N]=iota, TYPE[N]=a,b,c, TYPE[]=a,b,c, @file.bin (u8), TYPE@file.bin.
// Throws UsageError for a malformed spec and std::runtime_error when a file cannot be read.
HostBuffer parse_buffer_spec(std::string_view spec);

// "X[,Y[,Z]]" with every part a positive 32-bit integer; `what` names the option in errors.
hcq::Dim3 parse_dims(std::string_view text, std::string_view what);

// One kernel argument with the value the command line gave it.
struct BoundArg {
  hcq::ArgInfo info;
  std::string spec;                 // as given, without "name="
  std::optional<HostBuffer> host;   // pointer arguments
  uint64_t bits = 0;                // scalar arguments
};

// Binds ARG... (positional in order, or name=SPEC) to the kernel's arguments and parses each.
// Errors name the argument, the spec and why.
std::vector<BoundArg> bind_args(const hcq::KernelInfo& kernel, const std::vector<std::string>& specs);

// "vadd(a: ptr, b: ptr, c: ptr, n: u32)"
std::string signature(const hcq::KernelInfo& kernel);

}  // namespace hcq_run
