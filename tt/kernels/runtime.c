/* What every tt kernel links besides libgcc: the runtime's one global and the two functions GCC
 * emits calls to for struct copies and zeroing even with -ffreestanding. */
#include <stddef.h>

#include "hcq_tt_kernel.h"

uint32_t hcq_tt_self_xy;

void* memcpy(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);

void* memcpy(void* dst, const void* src, size_t n) {
  unsigned char* d = dst;
  const unsigned char* s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  unsigned char* d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}
