/* A stand-in for libnvidia-ml.so.1 with the entry points hcq-smi binds, so the NVML reader's
 * loading, symbol binding, unit conversion and error mapping are tested without an NVIDIA GPU.
 * It knows one GPU, 0000:01:00.0, with fixed readings; it has no fan (NOT_SUPPORTED, as on an
 * H100) and refuses the max memory clock (NO_PERMISSION) to exercise that mapping. */
#include <string.h>

typedef void* dev_t_;
enum { ok = 0, uninitialized = 1, not_supported = 3, no_permission = 4, not_found = 6 };
static int initialised;

int nvmlInit_v2(void) { initialised = 1; return ok; }
int nvmlShutdown(void) { initialised = 0; return ok; }
const char* nvmlErrorString(int rc) {
  switch (rc) {
    case ok: return "Success";
    case uninitialized: return "Uninitialized";
    case not_supported: return "Not Supported";
    case no_permission: return "Insufficient Permissions";
    case not_found: return "Not Found";
    default: return "Unknown Error";
  }
}
int nvmlDeviceGetHandleByPciBusId_v2(const char* bus_id, dev_t_* dev) {
  if (!initialised) return uninitialized;
  if (strcmp(bus_id, "0000:01:00.0") != 0) return not_found;
  *dev = (dev_t_)1;
  return ok;
}
int nvmlDeviceGetPowerUsage(dev_t_ d, unsigned* mw) { (void)d; *mw = 123456; return ok; }
int nvmlDeviceGetEnforcedPowerLimit(dev_t_ d, unsigned* mw) { (void)d; *mw = 700000; return ok; }
int nvmlDeviceGetClockInfo(dev_t_ d, unsigned type, unsigned* mhz) {
  (void)d;
  *mhz = type == 1 ? 1755 : type == 2 ? 2619 : 0;
  return type <= 2 ? ok : not_supported;
}
int nvmlDeviceGetMaxClockInfo(dev_t_ d, unsigned type, unsigned* mhz) {
  (void)d;
  if (type == 2) return no_permission;
  *mhz = 1980;
  return ok;
}
int nvmlDeviceGetFanSpeed(dev_t_ d, unsigned* pct) { (void)d; (void)pct; return not_supported; }
