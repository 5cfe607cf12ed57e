// vadd for the nv device, shared by demo.cu (hcq-run --demo) and conformance.cu, as
// tools/demo/vadd_cpu.c is for the cpu device: c[i] = a[i] + b[i] for i < n.
#pragma once
#include <hcq/nv_kernel.h>

HCQ_NV_SIGNATURE(vadd, "a: ptr, b: ptr, c: ptr, n: u32");
extern "C" __global__ void vadd(const float* a, const float* b, float* c, unsigned n) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) c[i] = a[i] + b[i];
}
