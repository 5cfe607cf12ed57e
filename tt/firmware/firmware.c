/* Our BRISC firmware: announce itself in the mailbox, then run launches forever. A launch is the
 * host writing kernel entry, argument block and dispatch, then bumping `go`; the firmware runs this
 * core's workgroups in order and copies `go` to `done`. The loop that waits for `go` is the core's
 * idle state and has no timeout on purpose: the host bounds every wait on its side and resets the
 * core when one expires (tt/launch.cpp). Built once per architecture (HCQ_TT_INVALIDATE_L1_CACHE). */
#include "layout.h"

#define MAILBOX ((volatile hcq_tt_mailbox*)HCQ_TT_MAILBOX_BASE)

static void run_launch(volatile hcq_tt_mailbox* mb) {
  hcq_tt_dispatch* d = (hcq_tt_dispatch*)&mb->dispatch;
  hcq_tt_kernel_fn entry = (hcq_tt_kernel_fn)(uintptr_t)mb->kernel_entry;
  const void* args = (const void*)(uintptr_t)mb->args;
  uint32_t gx = d->grid[0], gy = d->grid[1];
  uint32_t result = 0, failed = 0;
  for (uint32_t i = 0; i < d->workgroup_count; ++i) {
    uint32_t wg = d->first_workgroup + i;
    d->workgroup[0] = wg % gx;
    d->workgroup[1] = (wg / gx) % gy;
    d->workgroup[2] = wg / (gx * gy);
    int rc = entry(d, args);
    if (rc != 0) {
      result = (uint32_t)rc;
      failed = wg;
      break;
    }
  }
  mb->result = result;
  mb->result_workgroup = failed;
}

void hcq_tt_firmware_main(void) {
  volatile hcq_tt_mailbox* mb = MAILBOX;
  mb->version = HCQ_TT_FW_VERSION;
  mb->magic = HCQ_TT_FW_MAGIC;
  mb->state = HCQ_TT_STATE_READY;
  for (;;) {
    HCQ_TT_INVALIDATE_L1_CACHE();
    uint32_t go = mb->go;
    if (go == mb->done) continue;
    mb->state = HCQ_TT_STATE_RUNNING;
    run_launch(mb);
    mb->launches = mb->launches + 1;
    mb->state = HCQ_TT_STATE_READY;
    mb->done = go;
  }
}
