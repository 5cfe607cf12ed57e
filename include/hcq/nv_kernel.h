/* Writing kernels for the `nv` device (CUDA C++, compiled to a cubin).
 *
 * An nv code object is a cubin: the ELF file `nvcc -arch=sm_90a -cubin -O3 -o k.cubin k.cu` writes
 * (ELF64, e_machine 190, e_type EXEC; not an -rdc/-dc relocatable object, not a fatbin, not PTX).
 * Every __global__ function in it is a kernel; its parameter offsets and sizes come from the cubin
 * itself. What a cubin lacks is argument *names* and *kinds*; this header adds them:
 *
 *   #include <hcq/nv_kernel.h>
 *   HCQ_NV_SIGNATURE(vadd, "a: ptr, b: ptr, c: ptr, n: u32");
 *   extern "C" __global__ void vadd(const float* a, const float* b, float* c, unsigned n) {
 *     unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
 *     if (i < n) c[i] = a[i] + b[i];
 *   }
 *
 * Signature: the same text as on the cpu device (include/hcq/cpu_kernel.h): comma-separated
 * `name: kind`, kind one of ptr, u32, i32, u64, i64, f32, f64, laid out in order at natural
 * alignment. The loader checks it against the cubin's own parameter table (count, offset and size
 * of every parameter) and rejects the cubin with a message naming the kernel and the first
 * difference, so a stale annotation cannot go unnoticed.
 *
 * How it is stored: HCQ_NV_SIGNATURE(name, sig) defines the device variable
 *   extern "C" __device__ const char hcq_signature_<name>[] = "<name>(<sig>)";
 * nvcc 13 keeps such a variable even when no kernel reads it and places it, NUL-terminated, in the
 * cubin's `.nv.global.init` section under the symbol `hcq_signature_<name>` (it also adds its
 * address to constant bank 4, like every __device__ variable; that costs 8 bytes). The loader reads
 * every symbol starting with HCQ_NV_SIGNATURE_PREFIX; one that names no kernel of the cubin is an
 * error. The kernel is matched by name: the signature's name is the kernel's symbol, which for an
 * `extern "C"` kernel is its plain name. For a C++ kernel (a mangled symbol such as
 * `_ZN2ns5innerEPfj`) the signature's name may be the unqualified name ("inner") when exactly one
 * kernel of the cubin has it.
 *
 * Without an annotation the loader still loads the kernel: argument names are arg0, arg1, ...; kinds
 * come from a C++ kernel's mangled name where it uses only builtin types and pointers (P... ptr,
 * j u32, i i32, m/y u64, l/x i64, f f32, d f64), else from the size (4 bytes u32, 8 bytes ptr). A
 * parameter of another size (a struct passed by value, a char, a short) cannot be described by
 * those kinds: such a kernel loads, but asking for it is an error naming the parameter's size and
 * offset.
 *
 * Launching (what the nv backend does, for reference): parameters live in constant bank 0 from
 * offset 0x210 on sm_90; kernels read blockDim/gridDim and a few launch values from the bank's
 * first 0x210 bytes. Static __shared__ memory is known from the cubin. Dynamic (extern __shared__)
 * memory is not: its size must come with the launch (hcq::Queue::exec has no such parameter yet;
 * see dyn_shared in tests/kernels/nv/hw.cu).
 */
#ifndef HCQ_NV_KERNEL_H
#define HCQ_NV_KERNEL_H

/* The symbol prefix the loader looks for (nv/cubin.cpp). */
#define HCQ_NV_SIGNATURE_PREFIX "hcq_signature_"

#if defined(__CUDACC__)
#define HCQ_NV_SIGNATURE(name, signature)                                         \
  extern "C" __device__ __attribute__((used)) const char hcq_signature_##name[] = \
      #name "(" signature ")"
#endif

#endif /* HCQ_NV_KERNEL_H */
