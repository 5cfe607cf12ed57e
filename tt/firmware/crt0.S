/* BRISC entry: the host's reset vector at L1 0 jumps here. A stack in local data RAM, then the
 * firmware loop, which never returns. */
#include "layout.h"

  .section .text.start, "ax"
  .globl _start
_start:
  li sp, HCQ_TT_STACK_TOP
  call hcq_tt_firmware_main
1:
  j 1b
