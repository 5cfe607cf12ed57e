// Kernels the conformance suite runs on amd devices (gfx1100): the same names, signatures and
// semantics as tests/kernels/conformance_cpu.c, tools/demo/vadd_cpu.c and nv/conformance.cu, in
// OpenCL C. Built without the device library (no get_global_id), so the indices come from the
// amdgcn builtins; argument names and types travel in the code object's metadata note, which is
// what am/program.cpp reads. Rebuilt by regenerate.sh.

static uint global_x(void) {
  return __builtin_amdgcn_workgroup_id_x() * __builtin_amdgcn_workgroup_size_x() + __builtin_amdgcn_workitem_id_x();
}

// barrier(CLK_LOCAL_MEM_FENCE) without the device library: release, s_barrier, acquire.
static void group_barrier(void) {
  __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup");
  __builtin_amdgcn_s_barrier();
  __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup");
}

// Every kernel takes workgroups of up to 1024 threads, as on the other devices (OpenCL's default
// limit is 256).
#define KERNEL __attribute__((amdgpu_flat_work_group_size(1, 1024))) kernel

// c[i] = a[i] + b[i], for i < n.
KERNEL void vadd(global const float* a, global const float* b, global float* c, uint n) {
  uint i = global_x();
  if (i < n) c[i] = a[i] + b[i];
}

// out[i] = value + i, for i < n.
KERNEL void fill_u32(global uint* out, uint value, uint n) {
  uint i = global_x();
  if (i < n) out[i] = value + i;
}

// out[i] = in[i] * scale + bias.
KERNEL void axpb(global const float* in, global float* out, float scale, long bias, uint n) {
  uint i = global_x();
  if (i < n) out[i] = in[i] * scale + (float)bias;
}

// One partial sum per workgroup of up to 1024 threads, in the cpu kernel's pairwise order.
KERNEL void reduce_sum(global const uint* in, global ulong* out, uint n) {
  local ulong partial[1024];
  uint t = __builtin_amdgcn_workitem_id_x();
  uint size = __builtin_amdgcn_workgroup_size_x();
  uint i = global_x();
  partial[t] = i < n ? in[i] : 0;
  group_barrier();
  for (uint stride = 1; stride < size; stride *= 2) {
    if (t % (2 * stride) == 0 && t + stride < size) partial[t] += partial[t + stride];
    group_barrier();
  }
  if (t == 0) out[__builtin_amdgcn_workgroup_id_x()] = partial[0];
}

// A by-value block and dynamic shared memory (the dynamic part is a local pointer argument the
// launcher sizes; here the workgroup's own indices, mirrored inside the group).
struct affine {
  uint mul, add, tag;
};
KERNEL void reverse_affine(struct affine p, global uint* out, uint n) {
  local uint buf[1024];
  uint t = __builtin_amdgcn_workitem_id_x();
  uint size = __builtin_amdgcn_workgroup_size_x();
  uint base = __builtin_amdgcn_workgroup_id_x() * size;
  buf[t] = base + t;
  group_barrier();
  uint j = base + (size - 1 - t);
  if (j < n) out[j] = buf[t] * p.mul + p.add + p.tag;
}

// Reads a counter and adds one (one thread): back-to-back launches prove in-order execution.
KERNEL void bump(global ulong* counter, global ulong* seen, uint slot) {
  if (__builtin_amdgcn_workitem_id_x() != 0) return;
  seen[slot] = counter[0];
  counter[0] += 1;
}

// Traps: the device is lost.
KERNEL void trap(uint code) {
  (void)code;
  __builtin_trap();
}
