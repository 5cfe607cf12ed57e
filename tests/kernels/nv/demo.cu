// hcq-run --demo's kernel for the nv device (built to hcq-demo-nv-sm_90.bin by regenerate.sh).
#include "vadd.cuh"
