/* Kernels the host-overhead benchmark (bench/host_overhead.cpp) runs on the cpu device. They do
 * (almost) nothing: the benchmark measures the host's command-building path, not the kernels. */
#include <hcq/cpu_kernel.h>
#include <stdint.h>

/* Does nothing: 2 arguments (16-byte argument block), like a small real launch. */
HCQ_CPU_KERNEL(empty, "a: ptr, n: u32", 0) {
  (void)d;
  (void)args;
  return 0;
}

/* a[0] += n, once per launch (workgroup 0 only): lets a round trip prove the kernel ran. */
struct touch_args { uint64_t* a; uint32_t n; };
HCQ_CPU_KERNEL(touch, "a: ptr, n: u32", 0) {
  const struct touch_args* p = (const struct touch_args*)args;
  if (d->workgroup[0] == 0 && d->workgroup[1] == 0 && d->workgroup[2] == 0) p->a[0] += p->n;
  return 0;
}
