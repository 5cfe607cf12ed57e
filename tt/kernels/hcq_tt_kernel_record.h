/* The kernel record of a tt code object (see hcq_tt_kernel.h), shared with the host's loader
 * (tt/elf_loader.cpp). The layout is the cpu device's (include/hcq/cpu_kernel.h). */
#ifndef HCQ_TT_KERNEL_RECORD_H
#define HCQ_TT_KERNEL_RECORD_H

#include <stdint.h>

#define HCQ_TT_KERNEL_SECTION ".hcq.kernels"
#define HCQ_TT_KERNEL_VERSION 1

typedef struct hcq_tt_kernel_record {
  char magic[4];          /* "HCQK" */
  uint16_t version;       /* HCQ_TT_KERNEL_VERSION */
  uint16_t record_bytes;  /* 256 */
  uint32_t shared_bytes;  /* workgroup memory the kernel needs */
  uint32_t max_threads;   /* 0: the device limit */
  char signature[240];    /* "name(a: ptr, n: u32)", NUL-terminated */
} hcq_tt_kernel_record;

#ifdef __cplusplus
static_assert(sizeof(hcq_tt_kernel_record) == 256, "record layout");
#else
_Static_assert(sizeof(hcq_tt_kernel_record) == 256, "record layout");
#endif

#endif /* HCQ_TT_KERNEL_RECORD_H */
