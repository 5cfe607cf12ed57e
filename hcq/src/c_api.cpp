// The C ABI (include/hcq/hcq.h) over the C++ API. Handles are heap structs holding the C++ value
// handles (which share ownership); every entry point runs inside guard(), which turns exceptions
// into status codes and the thread-local last-error text. No exception leaves this file.
#include "hcq/hcq.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "hcq/hcq.hpp"

struct hcq_device {
  hcq::Device d;
};
struct hcq_buffer {
  hcq::Buffer b;
};
struct hcq_signal {
  hcq::Signal s;
};
struct hcq_queue {
  hcq::Queue q;
  std::shared_ptr<hcq::Graph> graph;  // set for a graph's recorder: the recorder refers to the graph
};
struct hcq_program {
  hcq::Program p;
};
struct hcq_kernel {
  hcq::Kernel k;
};
struct hcq_args {
  hcq::KernelArgs a;
};
struct hcq_graph {
  std::shared_ptr<hcq::Graph> g;
};

#define HCQ_SAME_CODE(c, e) static_assert(static_cast<int>(c) == static_cast<int>(hcq::Errc::e), "hcq_status must mirror hcq::Errc")
HCQ_SAME_CODE(HCQ_ERROR_INVALID_ARGUMENT, invalid_argument);
HCQ_SAME_CODE(HCQ_ERROR_NOT_FOUND, not_found);
HCQ_SAME_CODE(HCQ_ERROR_UNSUPPORTED, unsupported);
HCQ_SAME_CODE(HCQ_ERROR_OUT_OF_MEMORY, out_of_memory);
HCQ_SAME_CODE(HCQ_TIMEOUT, timeout);
HCQ_SAME_CODE(HCQ_DEVICE_LOST, device_lost);
HCQ_SAME_CODE(HCQ_ERROR_BAD_CODE_OBJECT, bad_code_object);
HCQ_SAME_CODE(HCQ_ERROR_IO, io);
HCQ_SAME_CODE(HCQ_ERROR_BUSY, busy);
HCQ_SAME_CODE(HCQ_ERROR_INTERNAL, internal);
#undef HCQ_SAME_CODE
static_assert(HCQ_MEMORY_DEVICE == static_cast<int>(hcq::MemoryKind::device) &&
              HCQ_MEMORY_HOST == static_cast<int>(hcq::MemoryKind::host) &&
              HCQ_MEMORY_DEVICE_HOST_VISIBLE == static_cast<int>(hcq::MemoryKind::device_host_visible));
static_assert(HCQ_QUEUE_COMPUTE == static_cast<int>(hcq::QueueKind::compute) &&
              HCQ_QUEUE_COPY == static_cast<int>(hcq::QueueKind::copy));
static_assert(HCQ_ARG_POINTER == static_cast<int>(hcq::ArgKind::pointer) &&
              HCQ_ARG_U32 == static_cast<int>(hcq::ArgKind::u32) && HCQ_ARG_I32 == static_cast<int>(hcq::ArgKind::i32) &&
              HCQ_ARG_U64 == static_cast<int>(hcq::ArgKind::u64) && HCQ_ARG_I64 == static_cast<int>(hcq::ArgKind::i64) &&
              HCQ_ARG_F32 == static_cast<int>(hcq::ArgKind::f32) && HCQ_ARG_F64 == static_cast<int>(hcq::ArgKind::f64) &&
              HCQ_ARG_BYTES == static_cast<int>(hcq::ArgKind::bytes));

namespace {

thread_local std::string last_error;

// A mistake in a parameter of the C call itself, reported as "<function>: parameter '<name>' <problem>".
struct BadParam {
  const char* param;
  std::string problem;
};

template <class... Parts>
hcq_status fail(hcq_status status, const Parts&... parts) noexcept {
  try {
    last_error.clear();
    (last_error.append(parts), ...);
  } catch (...) {  // out of memory while composing the message: keep what fit
  }
  return status;
}

// Runs `body`, mapping every exception to a status and the last-error text.
template <class F>
hcq_status guard(const char* fn, F&& body) noexcept {
  try {
    body();
    return HCQ_OK;
  } catch (const BadParam& e) {
    return fail(HCQ_ERROR_INVALID_ARGUMENT, fn, ": parameter '", e.param, "' ", e.problem);
  } catch (const hcq::Error& e) {
    return fail(static_cast<hcq_status>(e.code()), e.what());
  } catch (const std::bad_alloc& e) {
    return fail(HCQ_ERROR_OUT_OF_MEMORY, fn, ": out of host memory (", e.what(), ")");
  } catch (const std::exception& e) {
    return fail(HCQ_ERROR_INTERNAL, fn, ": ", e.what());
  } catch (...) {
    return fail(HCQ_ERROR_INTERNAL, fn, ": unknown exception");
  }
}

// Returns `p`, or reports the parameter as NULL.
template <class T>
T* need(T* p, const char* param) {
  if (!p) throw BadParam{param, "is NULL"};
  return p;
}

// Checks an out-handle pointer and clears what it points to, so failures leave NULL behind.
template <class H>
H*& out_handle(H** out, const char* param) {
  H*& o = *need(out, param);
  o = nullptr;
  return o;
}

template <class H>
hcq_status release(const char* fn, H* handle) {
  return guard(fn, [&] { delete handle; });
}

void check_index(size_t index, size_t count, const char* what) {
  if (index >= count) throw BadParam{"index", fmt::format("is {}; there are {} {}", index, count, what)};
}

void copy_out(std::string_view text, char* buf, size_t len, const char* param) {
  need(buf, param);
  if (len == 0) throw BadParam{param, fmt::format("has 0 bytes; \"{}\" needs {}", text, text.size() + 1)};
  size_t n = std::min(text.size(), len - 1);
  std::memcpy(buf, text.data(), n);
  buf[n] = '\0';
  if (n < text.size()) throw BadParam{param, fmt::format("has {} bytes; \"{}\" needs {}", len, text, text.size() + 1)};
}

template <size_t N>
void copy_field(char (&dst)[N], const std::string& src) {
  size_t n = std::min(src.size(), N - 1);
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// Milliseconds, clamped so the wait code's conversion to nanoseconds cannot overflow.
std::chrono::milliseconds timeout_of(uint64_t ms) {
  constexpr uint64_t max_ms = INT64_MAX / 1000000;
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(ms, max_ms)));
}

template <class E>
E enum_in(int value, int last, const char* param, const char* type) {
  if (value < 0 || value > last) throw BadParam{param, fmt::format("is {}, not a valid {}", value, type)};
  return static_cast<E>(value);
}

// Kernel arguments, by index (size_t) or by name (const char*).
template <class K>
hcq::KernelArgs::Arg arg_of(K key) {
  if constexpr (std::is_same_v<K, const char*>) {
    return hcq::KernelArgs::Arg(need(key, "name"));
  } else {
    return hcq::KernelArgs::Arg(key);
  }
}

// `size` bytes at `data` (null only when size is 0).
std::span<const std::byte> bytes_in(const void* data, size_t size) {
  if (size != 0) need(data, "data");
  return {static_cast<const std::byte*>(data), size};
}

template <class K, class F>
hcq_status with_arg(const char* fn, hcq_args* args, K key, F&& set) {
  return guard(fn, [&] {
    hcq::KernelArgs& a = need(args, "args")->a;
    set(a, arg_of(key));
  });
}

template <auto Set, class K, class T>
hcq_status set_scalar(const char* fn, hcq_args* args, K key, T value) {
  return with_arg(fn, args, key, [&](hcq::KernelArgs& a, hcq::KernelArgs::Arg arg) { (a.*Set)(arg, value); });
}

template <class K>
hcq_status set_buffer(const char* fn, hcq_args* args, K key, hcq_buffer* buffer) {
  return with_arg(fn, args, key, [&](hcq::KernelArgs& a, hcq::KernelArgs::Arg arg) { a.set(arg, need(buffer, "buffer")->b); });
}

// A view from `offset` to the end, empty past the end: the queue then reports the copy as not fitting.
hcq::Buffer tail(const hcq::Buffer& b, size_t offset) {
  size_t o = std::min(offset, b.size());
  return b.view(o, b.size() - o);
}

}  // namespace

extern "C" {

// ---- Errors and version ------------------------------------------------------------------------

const char* hcq_last_error(void) { return last_error.c_str(); }

const char* hcq_status_string(hcq_status status) {
  if (status == HCQ_OK) return "ok";
  if (status < HCQ_ERROR_INVALID_ARGUMENT || status > HCQ_ERROR_INTERNAL) return "unknown status";
  return hcq::to_string(static_cast<hcq::Errc>(status)).data();  // views of string literals
}

const char* hcq_version(void) { return hcq::version(); }

// ---- Devices ------------------------------------------------------------------------------------

hcq_status hcq_device_count(size_t* count) {
  return guard(__func__, [&] { *need(count, "count") = hcq::devices().size(); });
}

hcq_status hcq_device_uri_at(size_t index, char* buf, size_t len) {
  return guard(__func__, [&] {
    need(buf, "buf");
    auto list = hcq::devices();
    check_index(index, list.size(), "devices");
    copy_out(list[index].uri, buf, len, "buf");
  });
}

hcq_status hcq_open(const char* uri, hcq_device** device) {
  return guard(__func__, [&] {
    auto& o = out_handle(device, "device");
    hcq::Device d = uri ? hcq::open(uri) : hcq::open_default();
    o = new hcq_device{std::move(d)};
  });
}

hcq_status hcq_device_release(hcq_device* device) { return release(__func__, device); }

hcq_status hcq_device_props(hcq_device* device, hcq_device_properties* props) {
  return guard(__func__, [&] {
    const hcq::DeviceProps& p = need(device, "device")->d.props();
    hcq_device_properties out{};
    copy_field(out.name, p.name);
    copy_field(out.vendor, p.vendor);
    copy_field(out.arch, p.arch);
    copy_field(out.pci_address, p.pci_address);
    copy_field(out.program_format, p.program_format);
    out.device_memory_bytes = p.device_memory_bytes;
    out.host_visible_device_memory_bytes = p.host_visible_device_memory_bytes;
    out.compute_units = p.compute_units;
    out.max_threads_per_workgroup = p.max_threads_per_workgroup;
    out.max_workgroup_dims[0] = p.max_workgroup_dims.x;
    out.max_workgroup_dims[1] = p.max_workgroup_dims.y;
    out.max_workgroup_dims[2] = p.max_workgroup_dims.z;
    out.max_grid_dims[0] = p.max_grid_dims.x;
    out.max_grid_dims[1] = p.max_grid_dims.y;
    out.max_grid_dims[2] = p.max_grid_dims.z;
    out.max_shared_bytes = p.max_shared_bytes;
    out.max_kernel_args_bytes = p.max_kernel_args_bytes;
    out.compute_queues = p.compute_queues;
    out.copy_queues = p.copy_queues;
    out.timestamp_hz = p.timestamp_hz;
    out.signal_compare_bits = p.signal_compare_bits;
    out.min_buffer_alignment = p.min_buffer_alignment;
    *need(props, "props") = out;
  });
}

hcq_status hcq_device_synchronize(hcq_device* device, uint64_t timeout_ms) {
  return guard(__func__, [&] { need(device, "device")->d.synchronize(timeout_of(timeout_ms)); });
}

hcq_status hcq_device_next_timeline_value(hcq_device* device, uint64_t* value) {
  return guard(__func__, [&] {
    need(value, "value");
    *value = need(device, "device")->d.next_timeline_value();
  });
}

hcq_status hcq_device_timeline_signal(hcq_device* device, hcq_signal** signal) {
  return guard(__func__, [&] {
    auto& o = out_handle(signal, "signal");
    hcq::Signal s = need(device, "device")->d.timeline_signal();
    o = new hcq_signal{std::move(s)};
  });
}

// ---- Memory -------------------------------------------------------------------------------------

hcq_status hcq_buffer_alloc(hcq_device* device, size_t size, hcq_memory_kind kind, size_t alignment,
                            hcq_buffer** buffer) {
  return guard(__func__, [&] {
    auto& o = out_handle(buffer, "buffer");
    auto k = enum_in<hcq::MemoryKind>(kind, HCQ_MEMORY_DEVICE_HOST_VISIBLE, "kind", "hcq_memory_kind");
    hcq::Buffer b = need(device, "device")->d.alloc(size, k, alignment);
    o = new hcq_buffer{std::move(b)};
  });
}

hcq_status hcq_buffer_release(hcq_buffer* buffer) { return release(__func__, buffer); }

hcq_status hcq_buffer_gpu_address(hcq_buffer* buffer, uint64_t* address) {
  return guard(__func__, [&] { *need(address, "address") = need(buffer, "buffer")->b.gpu_address(); });
}

void* hcq_buffer_cpu_ptr(hcq_buffer* buffer) { return buffer ? buffer->b.cpu_ptr() : nullptr; }

hcq_status hcq_buffer_size(hcq_buffer* buffer, size_t* size) {
  return guard(__func__, [&] { *need(size, "size") = need(buffer, "buffer")->b.size(); });
}

hcq_status hcq_upload(hcq_device* device, hcq_buffer* dst, const void* src, size_t bytes) {
  return guard(__func__, [&] {
    need(device, "device")->d.upload(need(dst, "dst")->b, need(src, "src"), bytes);
  });
}

hcq_status hcq_download(hcq_device* device, void* dst, hcq_buffer* src, size_t bytes) {
  return guard(__func__, [&] {
    need(device, "device")->d.download(need(dst, "dst"), need(src, "src")->b, bytes);
  });
}

// ---- Signals ------------------------------------------------------------------------------------

hcq_status hcq_signal_create(hcq_device* device, uint64_t initial, hcq_signal** signal) {
  return guard(__func__, [&] {
    auto& o = out_handle(signal, "signal");
    hcq::Signal s = need(device, "device")->d.new_signal(initial);
    o = new hcq_signal{std::move(s)};
  });
}

hcq_status hcq_signal_release(hcq_signal* signal) { return release(__func__, signal); }

hcq_status hcq_signal_value(hcq_signal* signal, uint64_t* value) {
  return guard(__func__, [&] { *need(value, "value") = need(signal, "signal")->s.value(); });
}

hcq_status hcq_signal_set_value(hcq_signal* signal, uint64_t value) {
  return guard(__func__, [&] { need(signal, "signal")->s.set_value(value); });
}

hcq_status hcq_signal_timestamp_ns(hcq_signal* signal, uint64_t* ns) {
  return guard(__func__, [&] { *need(ns, "ns") = need(signal, "signal")->s.timestamp_ns(); });
}

hcq_status hcq_signal_wait(hcq_signal* signal, uint64_t value, uint64_t timeout_ms) {
  return guard(__func__, [&] { need(signal, "signal")->s.wait_or_throw(value, timeout_of(timeout_ms)); });
}

// ---- Queues -------------------------------------------------------------------------------------

hcq_status hcq_queue_create(hcq_device* device, hcq_queue_kind kind, hcq_queue** queue) {
  return guard(__func__, [&] {
    auto& o = out_handle(queue, "queue");
    auto k = enum_in<hcq::QueueKind>(kind, HCQ_QUEUE_COPY, "kind", "hcq_queue_kind");
    hcq::Queue q = need(device, "device")->d.queue(k);
    o = new hcq_queue{std::move(q), nullptr};
  });
}

hcq_status hcq_queue_release(hcq_queue* queue) { return release(__func__, queue); }

hcq_status hcq_queue_wait(hcq_queue* queue, hcq_signal* signal, uint64_t value) {
  return guard(__func__, [&] { need(queue, "queue")->q.wait(need(signal, "signal")->s, value); });
}

hcq_status hcq_queue_signal(hcq_queue* queue, hcq_signal* signal, uint64_t value) {
  return guard(__func__, [&] { need(queue, "queue")->q.signal(need(signal, "signal")->s, value); });
}

hcq_status hcq_queue_timestamp(hcq_queue* queue, hcq_signal* signal) {
  return guard(__func__, [&] { need(queue, "queue")->q.timestamp(need(signal, "signal")->s); });
}

hcq_status hcq_queue_memory_barrier(hcq_queue* queue) {
  return guard(__func__, [&] { need(queue, "queue")->q.memory_barrier(); });
}

hcq_status hcq_queue_exec(hcq_queue* queue, hcq_args* args, const uint32_t grid[3], const uint32_t block[3]) {
  return guard(__func__, [&] {
    hcq::Queue& q = need(queue, "queue")->q;
    const hcq::KernelArgs& a = need(args, "args")->a;
    need(grid, "grid");
    need(block, "block");
    q.exec(a, hcq::Dim3{grid[0], grid[1], grid[2]}, hcq::Dim3{block[0], block[1], block[2]});
  });
}

hcq_status hcq_queue_copy(hcq_queue* queue, hcq_buffer* dst, size_t dst_offset, hcq_buffer* src, size_t src_offset,
                          size_t bytes) {
  return guard(__func__, [&] {
    hcq::Queue& q = need(queue, "queue")->q;
    q.copy(tail(need(dst, "dst")->b, dst_offset), tail(need(src, "src")->b, src_offset), bytes);
  });
}

hcq_status hcq_queue_submit(hcq_queue* queue) {
  return guard(__func__, [&] { need(queue, "queue")->q.submit(); });
}

// ---- Programs and kernels -----------------------------------------------------------------------

hcq_status hcq_program_load(hcq_device* device, const void* bytes, size_t len, const char* name,
                            hcq_program** program) {
  return guard(__func__, [&] {
    auto& o = out_handle(program, "program");
    std::span<const std::byte> code(static_cast<const std::byte*>(need(bytes, "bytes")), len);
    hcq::Program p = need(device, "device")->d.load_program(code, name ? name : "<memory>");
    o = new hcq_program{std::move(p)};
  });
}

hcq_status hcq_program_load_file(hcq_device* device, const char* path, hcq_program** program) {
  return guard(__func__, [&] {
    auto& o = out_handle(program, "program");
    hcq::Program p = need(device, "device")->d.load_program_file(std::filesystem::path(need(path, "path")));
    o = new hcq_program{std::move(p)};
  });
}

hcq_status hcq_program_release(hcq_program* program) { return release(__func__, program); }

hcq_status hcq_program_kernel_count(hcq_program* program, size_t* count) {
  return guard(__func__, [&] { *need(count, "count") = need(program, "program")->p.kernel_names().size(); });
}

hcq_status hcq_program_kernel_name_at(hcq_program* program, size_t index, char* buf, size_t len) {
  return guard(__func__, [&] {
    auto names = need(program, "program")->p.kernel_names();
    check_index(index, names.size(), "kernels");
    copy_out(names[index], buf, len, "buf");
  });
}

hcq_status hcq_program_kernel(hcq_program* program, const char* name, hcq_kernel** kernel) {
  return guard(__func__, [&] {
    auto& o = out_handle(kernel, "kernel");
    hcq::Kernel k = need(program, "program")->p.kernel(need(name, "name"));
    o = new hcq_kernel{std::move(k)};
  });
}

hcq_status hcq_kernel_release(hcq_kernel* kernel) { return release(__func__, kernel); }

hcq_status hcq_kernel_arg_count(hcq_kernel* kernel, size_t* count) {
  return guard(__func__, [&] { *need(count, "count") = need(kernel, "kernel")->k.info().args.size(); });
}

hcq_status hcq_kernel_arg_info(hcq_kernel* kernel, size_t index, char* name, size_t len, hcq_arg_kind* kind,
                               uint32_t* offset) {
  return guard(__func__, [&] {
    const auto& args = need(kernel, "kernel")->k.info().args;
    need(kind, "kind");
    need(offset, "offset");
    check_index(index, args.size(), "arguments");
    *kind = static_cast<hcq_arg_kind>(args[index].kind);
    *offset = args[index].offset;
    copy_out(args[index].name, name, len, "name");
  });
}

hcq_status hcq_kernel_arg_size(hcq_kernel* kernel, size_t index, uint32_t* size) {
  return guard(__func__, [&] {
    const auto& args = need(kernel, "kernel")->k.info().args;
    need(size, "size");
    check_index(index, args.size(), "arguments");
    *size = args[index].size;
  });
}

// ---- Kernel arguments ---------------------------------------------------------------------------

hcq_status hcq_args_create(hcq_kernel* kernel, hcq_args** args) {
  return guard(__func__, [&] {
    auto& o = out_handle(args, "args");
    o = new hcq_args{hcq::KernelArgs(need(kernel, "kernel")->k)};
  });
}

hcq_status hcq_args_release(hcq_args* args) { return release(__func__, args); }

hcq_status hcq_args_set_buffer(hcq_args* args, size_t index, hcq_buffer* buffer) {
  return set_buffer(__func__, args, index, buffer);
}
hcq_status hcq_args_set_buffer_by_name(hcq_args* args, const char* name, hcq_buffer* buffer) {
  return set_buffer(__func__, args, name, buffer);
}

using KA = hcq::KernelArgs;
hcq_status hcq_args_set_u32(hcq_args* a, size_t i, uint32_t v) { return set_scalar<&KA::set_u32>(__func__, a, i, v); }
hcq_status hcq_args_set_i32(hcq_args* a, size_t i, int32_t v) { return set_scalar<&KA::set_i32>(__func__, a, i, v); }
hcq_status hcq_args_set_u64(hcq_args* a, size_t i, uint64_t v) { return set_scalar<&KA::set_u64>(__func__, a, i, v); }
hcq_status hcq_args_set_i64(hcq_args* a, size_t i, int64_t v) { return set_scalar<&KA::set_i64>(__func__, a, i, v); }
hcq_status hcq_args_set_f32(hcq_args* a, size_t i, float v) { return set_scalar<&KA::set_f32>(__func__, a, i, v); }
hcq_status hcq_args_set_f64(hcq_args* a, size_t i, double v) { return set_scalar<&KA::set_f64>(__func__, a, i, v); }
hcq_status hcq_args_set_scalar_bits(hcq_args* a, size_t i, uint64_t bits) {
  return set_scalar<&KA::set_bits>(__func__, a, i, bits);
}
hcq_status hcq_args_set_scalar_bits_by_name(hcq_args* a, const char* name, uint64_t bits) {
  return set_scalar<&KA::set_bits>(__func__, a, name, bits);
}

hcq_status hcq_args_set_bytes(hcq_args* a, size_t i, const void* data, size_t size) {
  return with_arg(__func__, a, i, [&](KA& args, KA::Arg arg) { args.set_bytes(arg, bytes_in(data, size)); });
}
hcq_status hcq_args_set_bytes_by_name(hcq_args* a, const char* name, const void* data, size_t size) {
  return with_arg(__func__, a, name, [&](KA& args, KA::Arg arg) { args.set_bytes(arg, bytes_in(data, size)); });
}
hcq_status hcq_args_set_dynamic_shared(hcq_args* a, uint32_t bytes) {
  return guard(__func__, [&] { need(a, "args")->a.dynamic_shared(bytes); });
}

hcq_status hcq_args_set_var(hcq_args* a, size_t index, uint32_t var_id) {
  return with_arg(__func__, a, index, [&](KA& args, KA::Arg arg) { args.set(arg, hcq::Var{var_id}); });
}

hcq_status hcq_args_set_buffer_var(hcq_args* a, size_t index, uint32_t var_id) {
  return with_arg(__func__, a, index, [&](KA& args, KA::Arg arg) { args.set(arg, hcq::BufferVar{var_id, 0}); });
}

// ---- Graphs -------------------------------------------------------------------------------------

hcq_status hcq_graph_create(hcq_graph** graph) {
  return guard(__func__, [&] {
    auto& o = out_handle(graph, "graph");
    o = new hcq_graph{std::make_shared<hcq::Graph>()};
  });
}

hcq_status hcq_graph_release(hcq_graph* graph) { return release(__func__, graph); }

hcq_status hcq_graph_var(hcq_graph* graph, const char* name, uint64_t initial, uint32_t* var_id) {
  return guard(__func__, [&] {
    hcq::Graph& g = *need(graph, "graph")->g;
    need(var_id, "var_id");
    *var_id = g.var(need(name, "name"), initial).id;
  });
}

hcq_status hcq_graph_buffer_var(hcq_graph* graph, const char* name, hcq_buffer* buffer, uint32_t* var_id) {
  return guard(__func__, [&] {
    hcq::Graph& g = *need(graph, "graph")->g;
    need(var_id, "var_id");
    *var_id = g.buffer_var(need(name, "name"), need(buffer, "buffer")->b).id;
  });
}

hcq_status hcq_graph_queue(hcq_graph* graph, hcq_queue* queue, hcq_queue** recorder) {
  return guard(__func__, [&] {
    auto& o = out_handle(recorder, "recorder");
    const std::shared_ptr<hcq::Graph>& g = need(graph, "graph")->g;
    hcq::Queue r = g->on(need(queue, "queue")->q);
    o = new hcq_queue{std::move(r), g};
  });
}

hcq_status hcq_queue_wait_var(hcq_queue* recorder, hcq_signal* signal, uint32_t var_id) {
  return guard(__func__, [&] { need(recorder, "recorder")->q.wait(need(signal, "signal")->s, hcq::Var{var_id}); });
}

hcq_status hcq_queue_signal_var(hcq_queue* recorder, hcq_signal* signal, uint32_t var_id) {
  return guard(__func__, [&] { need(recorder, "recorder")->q.signal(need(signal, "signal")->s, hcq::Var{var_id}); });
}

hcq_status hcq_graph_finalize(hcq_graph* graph) {
  return guard(__func__, [&] { need(graph, "graph")->g->finalize(); });
}

hcq_status hcq_graph_set(hcq_graph* graph, uint32_t var_id, uint64_t value) {
  return guard(__func__, [&] { need(graph, "graph")->g->set(hcq::Var{var_id}, value); });
}

hcq_status hcq_graph_set_buffer(hcq_graph* graph, uint32_t var_id, hcq_buffer* buffer) {
  return guard(__func__, [&] {
    hcq::Graph& g = *need(graph, "graph")->g;
    g.set(hcq::BufferVar{var_id, 0}, need(buffer, "buffer")->b);
  });
}

hcq_status hcq_graph_launch(hcq_graph* graph, uint64_t timeout_ms) {
  return guard(__func__, [&] { need(graph, "graph")->g->launch(timeout_of(timeout_ms)); });
}

}  // extern "C"
