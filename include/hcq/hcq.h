/* libhcq C ABI (C11 and C++). The C++ API in <hcq/hcq.hpp> is the reference; this is a thin layer.
 *
 * Conventions
 *   - Every function returns hcq_status (except hcq_last_error, hcq_status_string, hcq_version and
 *     hcq_buffer_cpu_ptr) and writes its results through out-pointers.
 *   - On failure the function returns the error's code and stores a message in a thread-local
 *     string read by hcq_last_error(); a success leaves that string as it was (like errno).
 *     Out-handles are set to NULL on failure.
 *   - A NULL handle or pointer gives HCQ_ERROR_INVALID_ARGUMENT with a message naming the parameter.
 *   - Strings written into caller buffers (char* buf, size_t len) are NUL-terminated; when `len` is
 *     too small the text is truncated and the call returns HCQ_ERROR_INVALID_ARGUMENT.
 *   - Timeouts are in milliseconds; HCQ_WAIT_FOREVER waits without limit (clamped to ~290 years).
 *
 * Ownership
 *   Every hcq_open / *_create / *_alloc / *_load / hcq_program_kernel / hcq_graph_queue /
 *   hcq_device_timeline_signal returns a new handle that the caller releases exactly once with the
 *   matching *_release (NULL is accepted and ignored). Handles share ownership of what they refer
 *   to, so they may be released in any order: releasing a device while its buffers, queues or
 *   programs are alive is fine, and a buffer released while a submitted kernel still uses it is
 *   freed only after that work finished. A queue handle from hcq_graph_queue keeps its graph alive.
 *
 * Threads: handles of different objects may be used from different threads; one handle must not
 * be used from two threads at once (a queue or a graph is recorded by one thread at a time).
 */
#ifndef HCQ_HCQ_H
#define HCQ_HCQ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HCQ_API __attribute__((visibility("default")))
#else
#define HCQ_API
#endif

/* Status codes: the numeric values of hcq::Errc; 0 is success. */
typedef enum hcq_status {
  HCQ_OK = 0,
  HCQ_ERROR_INVALID_ARGUMENT = 1, /* the caller passed something the contract does not allow */
  HCQ_ERROR_NOT_FOUND = 2,        /* no such device, kernel, argument or file */
  HCQ_ERROR_UNSUPPORTED = 3,      /* the backend or device cannot do this */
  HCQ_ERROR_OUT_OF_MEMORY = 4,    /* an allocation did not fit */
  HCQ_TIMEOUT = 5,                /* a bounded wait ran out */
  HCQ_DEVICE_LOST = 6,            /* the device stopped or trapped; it must be reopened */
  HCQ_ERROR_BAD_CODE_OBJECT = 7,  /* a program's bytes are malformed or for another target */
  HCQ_ERROR_IO = 8,               /* an OS call failed */
  HCQ_ERROR_BUSY = 9,             /* the resource is owned by someone else */
  HCQ_ERROR_INTERNAL = 10,        /* a bug in libhcq: please report it */
  HCQ_STATUS_MAX_ENUM = 0x7fffffff /* keeps every enum int-sized and any int value valid in C++ */
} hcq_status;

typedef enum hcq_memory_kind {
  HCQ_MEMORY_DEVICE = 0,              /* device-local, no CPU mapping (use copies or hcq_upload) */
  HCQ_MEMORY_HOST = 1,                /* pinned host memory, CPU-mapped */
  HCQ_MEMORY_DEVICE_HOST_VISIBLE = 2, /* device-local memory the CPU can map */
  HCQ_MEMORY_KIND_MAX_ENUM = 0x7fffffff
} hcq_memory_kind;

typedef enum hcq_queue_kind {
  HCQ_QUEUE_COMPUTE = 0,
  HCQ_QUEUE_COPY = 1,
  HCQ_QUEUE_KIND_MAX_ENUM = 0x7fffffff
} hcq_queue_kind;

typedef enum hcq_arg_kind {
  HCQ_ARG_POINTER = 0,
  HCQ_ARG_U32 = 1,
  HCQ_ARG_I32 = 2,
  HCQ_ARG_U64 = 3,
  HCQ_ARG_I64 = 4,
  HCQ_ARG_F32 = 5,
  HCQ_ARG_F64 = 6,
  HCQ_ARG_BYTES = 7, /* a block passed by value (a struct); its size: hcq_kernel_arg_size */
  HCQ_ARG_KIND_MAX_ENUM = 0x7fffffff
} hcq_arg_kind;

#define HCQ_DEFAULT_TIMEOUT_MS UINT64_C(30000)
#define HCQ_WAIT_FOREVER UINT64_MAX
#define HCQ_PROPS_STRING_BYTES 128

/* Opaque handles. */
typedef struct hcq_device hcq_device;
typedef struct hcq_buffer hcq_buffer;
typedef struct hcq_signal hcq_signal;
typedef struct hcq_queue hcq_queue;
typedef struct hcq_program hcq_program;
typedef struct hcq_kernel hcq_kernel;
typedef struct hcq_args hcq_args;
typedef struct hcq_graph hcq_graph;

/* hcq::DeviceProps; strings are NUL-terminated (truncated to fit). */
typedef struct hcq_device_properties {
  char name[HCQ_PROPS_STRING_BYTES];
  char vendor[HCQ_PROPS_STRING_BYTES];         /* "cpu", "amd", "nvidia", ... */
  char arch[HCQ_PROPS_STRING_BYTES];           /* target of code objects: "x86_64", "sm_90a", ... */
  char pci_address[HCQ_PROPS_STRING_BYTES];    /* empty when not on PCI */
  char program_format[HCQ_PROPS_STRING_BYTES]; /* what hcq_program_load takes: "host-elf", ... */
  uint64_t device_memory_bytes;
  uint64_t host_visible_device_memory_bytes;
  uint32_t compute_units;
  uint32_t max_threads_per_workgroup;
  uint32_t max_workgroup_dims[3];
  uint32_t max_grid_dims[3];
  uint32_t max_shared_bytes;      /* per workgroup */
  uint32_t max_kernel_args_bytes;
  uint32_t compute_queues;        /* compute queues that may be open at once */
  uint32_t copy_queues;
  uint64_t timestamp_hz;          /* ticks per second of queue timestamps */
  uint32_t signal_compare_bits;   /* 64, or 32 where waits compare the low half only */
  uint64_t min_buffer_alignment;
} hcq_device_properties;

/* ---- Errors and version ---------------------------------------------------------------------- */

/* Text of the last failure in this thread ("" if none); valid until the next failure in this thread. */
HCQ_API const char* hcq_last_error(void);
/* Static name of a status: "ok", "invalid argument", "timeout", ... */
HCQ_API const char* hcq_status_string(hcq_status status);
/* The library version, "major.minor.patch". */
HCQ_API const char* hcq_version(void);

/* ---- Devices --------------------------------------------------------------------------------- */

/* Number of devices hcq_open would accept without options (listed best first). */
HCQ_API hcq_status hcq_device_count(size_t* count);
/* URI of device `index` of that list ("cpu:0"), into buf[len]. */
HCQ_API hcq_status hcq_device_uri_at(size_t index, char* buf, size_t len);
/* Opens a device by URI ("cpu", "cpu:1?signal_bits=32"); NULL opens $HCQ_DEVICE or the best present. */
HCQ_API hcq_status hcq_open(const char* uri, hcq_device** device);
/* Drops this handle; the device closes when nothing refers to it any more. */
HCQ_API hcq_status hcq_device_release(hcq_device* device);
/* Copies the device's properties into *props. */
HCQ_API hcq_status hcq_device_props(hcq_device* device, hcq_device_properties* props);
/* Waits for the last timeline value handed out; HCQ_TIMEOUT or HCQ_DEVICE_LOST on failure. */
HCQ_API hcq_status hcq_device_synchronize(hcq_device* device, uint64_t timeout_ms);
/* Hands out the next value to signal on the device timeline (ask for the timeline signal after each call). */
HCQ_API hcq_status hcq_device_next_timeline_value(hcq_device* device, uint64_t* value);
/* A new handle to the device's current timeline signal. */
HCQ_API hcq_status hcq_device_timeline_signal(hcq_device* device, hcq_signal** signal);

/* ---- Memory ---------------------------------------------------------------------------------- */

/* Allocates `size` (> 0) bytes; alignment 0 = the device minimum, else a power of two. */
HCQ_API hcq_status hcq_buffer_alloc(hcq_device* device, size_t size, hcq_memory_kind kind, size_t alignment,
                                    hcq_buffer** buffer);
/* Drops this handle; the memory is freed once no handle and no submitted work uses it. */
HCQ_API hcq_status hcq_buffer_release(hcq_buffer* buffer);
/* The device virtual address of the buffer's first byte. */
HCQ_API hcq_status hcq_buffer_gpu_address(hcq_buffer* buffer, uint64_t* address);
/* CPU pointer to the buffer, or NULL for HCQ_MEMORY_DEVICE memory (and for a NULL handle). */
HCQ_API void* hcq_buffer_cpu_ptr(hcq_buffer* buffer);
/* The buffer's size in bytes. */
HCQ_API hcq_status hcq_buffer_size(hcq_buffer* buffer, size_t* size);
/* Blocking copy of `bytes` from host memory into a buffer of `device` (any memory kind). */
HCQ_API hcq_status hcq_upload(hcq_device* device, hcq_buffer* dst, const void* src, size_t bytes);
/* Blocking copy of `bytes` from a buffer of `device` into host memory. */
HCQ_API hcq_status hcq_download(hcq_device* device, void* dst, hcq_buffer* src, size_t bytes);

/* ---- Signals --------------------------------------------------------------------------------- */

/* Creates a signal holding `initial`. */
HCQ_API hcq_status hcq_signal_create(hcq_device* device, uint64_t initial, hcq_signal** signal);
/* Drops this handle. */
HCQ_API hcq_status hcq_signal_release(hcq_signal* signal);
/* The signal's current value. */
HCQ_API hcq_status hcq_signal_value(hcq_signal* signal, uint64_t* value);
/* Sets the value from the CPU (unblocks queues waiting on it). */
HCQ_API hcq_status hcq_signal_set_value(hcq_signal* signal, uint64_t value);
/* The timestamp last written by hcq_queue_timestamp, in nanoseconds. */
HCQ_API hcq_status hcq_signal_timestamp_ns(hcq_signal* signal, uint64_t* ns);
/* Waits until value >= `value`: HCQ_OK, HCQ_TIMEOUT (no progress for timeout_ms) or HCQ_DEVICE_LOST. */
HCQ_API hcq_status hcq_signal_wait(hcq_signal* signal, uint64_t value, uint64_t timeout_ms);

/* ---- Queues ---------------------------------------------------------------------------------- */
/* Recording calls return HCQ_OK for any non-NULL handles: mistakes are kept by the queue and
 * returned by hcq_queue_submit, which then drops the whole recording. */

/* Opens a hardware queue (HCQ_ERROR_BUSY when all queues of that kind are open). */
HCQ_API hcq_status hcq_queue_create(hcq_device* device, hcq_queue_kind kind, hcq_queue** queue);
/* Drops this handle; the queue finishes its submitted work first. */
HCQ_API hcq_status hcq_queue_release(hcq_queue* queue);
/* Records: stall until `signal` >= value. */
HCQ_API hcq_status hcq_queue_wait(hcq_queue* queue, hcq_signal* signal, uint64_t value);
/* Records: write `value` to `signal` once everything before it finished. */
HCQ_API hcq_status hcq_queue_signal(hcq_queue* queue, hcq_signal* signal, uint64_t value);
/* Records: write the device clock to the signal's timestamp. */
HCQ_API hcq_status hcq_queue_timestamp(hcq_queue* queue, hcq_signal* signal);
/* Records: make earlier memory writes visible to later operations and the host (compute queues). */
HCQ_API hcq_status hcq_queue_memory_barrier(hcq_queue* queue);
/* Records: run the args' kernel over grid[3] workgroups of block[3] threads (compute queues). */
HCQ_API hcq_status hcq_queue_exec(hcq_queue* queue, hcq_args* args, const uint32_t grid[3], const uint32_t block[3]);
/* Records: copy `bytes` from src + src_offset to dst + dst_offset. */
HCQ_API hcq_status hcq_queue_copy(hcq_queue* queue, hcq_buffer* dst, size_t dst_offset, hcq_buffer* src,
                                  size_t src_offset, size_t bytes);
/* Sends the recording to the device; returns the first recording error, if any. */
HCQ_API hcq_status hcq_queue_submit(hcq_queue* queue);

/* ---- Programs and kernels -------------------------------------------------------------------- */

/* Loads a code object from memory (copied); `name` is for messages (NULL: "<memory>"). */
HCQ_API hcq_status hcq_program_load(hcq_device* device, const void* bytes, size_t len, const char* name,
                                    hcq_program** program);
/* Loads a code object from a file. */
HCQ_API hcq_status hcq_program_load_file(hcq_device* device, const char* path, hcq_program** program);
/* Drops this handle (its kernels keep the program alive). */
HCQ_API hcq_status hcq_program_release(hcq_program* program);
/* Number of kernels in the program. */
HCQ_API hcq_status hcq_program_kernel_count(hcq_program* program, size_t* count);
/* Name of kernel `index`, into buf[len]. */
HCQ_API hcq_status hcq_program_kernel_name_at(hcq_program* program, size_t index, char* buf, size_t len);
/* Looks a kernel up by name (HCQ_ERROR_NOT_FOUND listing the kernels there are). */
HCQ_API hcq_status hcq_program_kernel(hcq_program* program, const char* name, hcq_kernel** kernel);
/* Drops this handle. */
HCQ_API hcq_status hcq_kernel_release(hcq_kernel* kernel);
/* Number of arguments of the kernel. */
HCQ_API hcq_status hcq_kernel_arg_count(hcq_kernel* kernel, size_t* count);
/* Argument `index`: its name into name[len], its kind and its byte offset in the argument block. */
HCQ_API hcq_status hcq_kernel_arg_info(hcq_kernel* kernel, size_t index, char* name, size_t len, hcq_arg_kind* kind,
                                       uint32_t* offset);
/* Bytes argument `index` takes in the block (4 or 8, or the size of an HCQ_ARG_BYTES block). */
HCQ_API hcq_status hcq_kernel_arg_size(hcq_kernel* kernel, size_t index, uint32_t* size);

/* ---- Kernel arguments ------------------------------------------------------------------------ */
/* Setters return HCQ_OK for non-NULL handles: a wrong index, name or kind is kept and returned by
 * hcq_queue_submit (or hcq_graph_finalize) of the queue the args are executed on. */

/* Creates an argument block for `kernel`; every argument must be set before hcq_queue_exec. */
HCQ_API hcq_status hcq_args_create(hcq_kernel* kernel, hcq_args** args);
/* Drops the arguments (a recorded exec has its own copy). */
HCQ_API hcq_status hcq_args_release(hcq_args* args);
/* Sets a pointer argument to a buffer's device address. */
HCQ_API hcq_status hcq_args_set_buffer(hcq_args* args, size_t index, hcq_buffer* buffer);
HCQ_API hcq_status hcq_args_set_buffer_by_name(hcq_args* args, const char* name, hcq_buffer* buffer);
/* Sets a scalar argument; the argument's kind must match the setter. */
HCQ_API hcq_status hcq_args_set_u32(hcq_args* args, size_t index, uint32_t value);
HCQ_API hcq_status hcq_args_set_i32(hcq_args* args, size_t index, int32_t value);
HCQ_API hcq_status hcq_args_set_u64(hcq_args* args, size_t index, uint64_t value);
HCQ_API hcq_status hcq_args_set_i64(hcq_args* args, size_t index, int64_t value);
HCQ_API hcq_status hcq_args_set_f32(hcq_args* args, size_t index, float value);
HCQ_API hcq_status hcq_args_set_f64(hcq_args* args, size_t index, double value);
/* Sets a scalar argument of any kind from its bit pattern (the low 32 bits for 4-byte kinds). */
HCQ_API hcq_status hcq_args_set_scalar_bits(hcq_args* args, size_t index, uint64_t bits);
HCQ_API hcq_status hcq_args_set_scalar_bits_by_name(hcq_args* args, const char* name, uint64_t bits);
/* Sets an HCQ_ARG_BYTES argument: `size` must be exactly its size. */
HCQ_API hcq_status hcq_args_set_bytes(hcq_args* args, size_t index, const void* data, size_t size);
HCQ_API hcq_status hcq_args_set_bytes_by_name(hcq_args* args, const char* name, const void* data, size_t size);
/* Workgroup-shared memory the launch adds to the kernel's own (CUDA's dynamic shared memory). */
HCQ_API hcq_status hcq_args_set_dynamic_shared(hcq_args* args, uint32_t bytes);

/* ---- Graphs ---------------------------------------------------------------------------------- */
/* Record once with hcq_graph_queue handles, hcq_graph_finalize, then hcq_graph_set* and
 * hcq_graph_launch many times: each launch submits once per queue, patching changed variables. */

/* Creates an empty graph. */
HCQ_API hcq_status hcq_graph_create(hcq_graph** graph);
/* Drops this handle (waits up to 5 s for the last launch once no recorder handle is left). */
HCQ_API hcq_status hcq_graph_release(hcq_graph* graph);
/* Adds a scalar variable (a signal value or a scalar kernel argument); before finalize. */
HCQ_API hcq_status hcq_graph_var(hcq_graph* graph, const char* name, uint64_t initial, uint32_t* var_id);
/* Adds a buffer-address variable bound to `buffer`; later bindings must be at least as large. */
HCQ_API hcq_status hcq_graph_buffer_var(hcq_graph* graph, const char* name, hcq_buffer* buffer, uint32_t* var_id);
/* A new queue handle that records into the graph for `queue` (no hcq_queue_submit on it). */
HCQ_API hcq_status hcq_graph_queue(hcq_graph* graph, hcq_queue* queue, hcq_queue** recorder);
/* Sets a scalar argument to a graph variable (patched at every launch). */
HCQ_API hcq_status hcq_args_set_var(hcq_args* args, size_t index, uint32_t var_id);
/* Sets a pointer argument to a graph buffer variable. */
HCQ_API hcq_status hcq_args_set_buffer_var(hcq_args* args, size_t index, uint32_t var_id);
/* Records on a graph queue: stall until `signal` >= the variable's value. */
HCQ_API hcq_status hcq_queue_wait_var(hcq_queue* recorder, hcq_signal* signal, uint32_t var_id);
/* Records on a graph queue: write the variable's value to `signal`. */
HCQ_API hcq_status hcq_queue_signal_var(hcq_queue* recorder, hcq_signal* signal, uint32_t var_id);
/* Ends recording; returns the first recording error of any of the graph's queues. */
HCQ_API hcq_status hcq_graph_finalize(hcq_graph* graph);
/* Sets a scalar variable for the next launch. */
HCQ_API hcq_status hcq_graph_set(hcq_graph* graph, uint32_t var_id, uint64_t value);
/* Binds a buffer variable to another buffer for the next launch. */
HCQ_API hcq_status hcq_graph_set_buffer(hcq_graph* graph, uint32_t var_id, hcq_buffer* buffer);
/* Waits (up to timeout_ms) for the previous launch, applies changed variables, submits. */
HCQ_API hcq_status hcq_graph_launch(hcq_graph* graph, uint64_t timeout_ms);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HCQ_HCQ_H */
