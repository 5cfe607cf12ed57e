/* hcq-run --demo's kernel for the cpu device: c[i] = a[i] + b[i] for i < n (see hcq/cpu_kernel.h). */
#include <hcq/cpu_kernel.h>
#include <stdint.h>

struct vadd_args { const float* a; const float* b; float* c; uint32_t n; };
HCQ_CPU_KERNEL(vadd, "a: ptr, b: ptr, c: ptr, n: u32", 0) {
  const struct vadd_args* p = (const struct vadd_args*)args;
  HCQ_FOR_EACH_THREAD(d, t) {
    if (t.global_x < p->n) p->c[t.global_x] = p->a[t.global_x] + p->b[t.global_x];
  }
  return 0;
}
