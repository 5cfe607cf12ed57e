/* Writing kernels for the `cpu` device (C11 or C++).
 *
 * A cpu code object is a host ELF shared object (ET_DYN, the host's machine) that carries its own
 * metadata: one 256-byte record per kernel in the section ".hcq.kernels", and for each record a
 * global function `hcq_kernel_<name>` with the entry signature below.
 *
 *   #include <hcq/cpu_kernel.h>
 *   struct vadd_args { const float* a; const float* b; float* c; uint32_t n; };
 *   HCQ_CPU_KERNEL(vadd, "a: ptr, b: ptr, c: ptr, n: u32", 0) {
 *     const struct vadd_args* p = (const struct vadd_args*)args;
 *     HCQ_FOR_EACH_THREAD(d, t) { uint32_t i = t.global_x; if (i < p->n) p->c[i] = p->a[i] + p->b[i]; }
 *     return 0;
 *   }
 *
 * Build: cc -O2 -fPIC -shared -o vadd.so vadd.c
 *
 * Signature: comma-separated `name: kind` with kind one of ptr, u32, i32, u64, i64, f32, f64. The
 * argument block lays them out in order at their natural alignment (as a C struct of the same
 * members would), its size rounded up to 8. `ptr` is a 64-bit device address; on the cpu device it
 * is directly a host pointer.
 *
 * Execution: the entry is called once per workgroup, in order, on the queue's worker thread; it
 * runs the workgroup's threads itself (HCQ_FOR_EACH_THREAD). `shared` points to `shared_bytes` of
 * workgroup memory (the record's third field; its contents are undefined at the start of a
 * workgroup, as on a GPU). The argument block is 16-byte aligned. Returning non-zero is a trap:
 * the device is lost, waits report device_lost and the value is in the error message.
 */
#ifndef HCQ_CPU_KERNEL_H
#define HCQ_CPU_KERNEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#define HCQ_CPU_EXTERN_C extern "C"
#else
#define HCQ_CPU_EXTERN_C
#endif

typedef struct hcq_cpu_dispatch {
  uint32_t grid[3];       /* workgroups in the launch */
  uint32_t block[3];      /* threads in a workgroup */
  uint32_t workgroup[3];  /* this workgroup's id */
  uint32_t reserved;
  void* shared;           /* workgroup-shared memory */
  uint64_t shared_bytes;
} hcq_cpu_dispatch;

typedef int (*hcq_cpu_kernel_fn)(const hcq_cpu_dispatch* d, const void* args);

#define HCQ_CPU_KERNEL_SECTION ".hcq.kernels"
#define HCQ_CPU_KERNEL_MAGIC "HCQK"
#define HCQ_CPU_KERNEL_VERSION 1

typedef struct hcq_cpu_kernel_record {
  char magic[4];           /* "HCQK" */
  uint16_t version;        /* HCQ_CPU_KERNEL_VERSION */
  uint16_t record_bytes;   /* 256 */
  uint32_t shared_bytes;   /* workgroup memory the kernel needs */
  uint32_t max_threads;    /* largest workgroup it supports, 0 = the device limit */
  char signature[240];     /* "name(a: ptr, n: u32)", NUL-terminated */
} hcq_cpu_kernel_record;

#ifdef __cplusplus
static_assert(sizeof(hcq_cpu_kernel_record) == 256, "record layout");
#else
_Static_assert(sizeof(hcq_cpu_kernel_record) == 256, "record layout");
#endif

#define HCQ_CPU_KERNEL(name, signature, shared_bytes)                                                          \
  __attribute__((used, section(HCQ_CPU_KERNEL_SECTION), aligned(8))) static const hcq_cpu_kernel_record        \
      hcq_record_##name = {{'H', 'C', 'Q', 'K'}, HCQ_CPU_KERNEL_VERSION, 256, (shared_bytes), 0,              \
                           #name "(" signature ")"};                                                          \
  HCQ_CPU_EXTERN_C __attribute__((visibility("default"))) int hcq_kernel_##name(const hcq_cpu_dispatch* d,   \
                                                                                const void* args)

/* A thread's coordinates inside the launch. */
typedef struct hcq_cpu_thread {
  uint32_t local_x, local_y, local_z;
  uint32_t global_x, global_y, global_z;
} hcq_cpu_thread;

/* Runs the following statement once per thread of the workgroup, with `t` set. */
#define HCQ_FOR_EACH_THREAD(d, t)                                                                     \
  for (hcq_cpu_thread t = {0, 0, 0, 0, 0, 0}; t.local_z < (d)->block[2]; ++t.local_z)                 \
    for (t.local_y = 0; t.local_y < (d)->block[1]; ++t.local_y)                                       \
      for (t.local_x = 0; t.local_x < (d)->block[0] &&                                                \
                          ((t.global_x = (d)->workgroup[0] * (d)->block[0] + t.local_x),              \
                           (t.global_y = (d)->workgroup[1] * (d)->block[1] + t.local_y),              \
                           (t.global_z = (d)->workgroup[2] * (d)->block[2] + t.local_z), 1);          \
           ++t.local_x)

#ifdef __cplusplus
}
#endif

#endif /* HCQ_CPU_KERNEL_H */
