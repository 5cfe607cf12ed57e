#!/usr/bin/env bash
# Rebuilds the built-in copy kernel for every SM the chip table (nv/chips.cpp) can meet. CI machines
# have no nvcc, so the cubins are committed and embedded by nv/meson.build; run this after editing
# copy.cu and commit the .bin files with it.
#   nv/kernels/regenerate.sh            (nvcc from PATH, else /usr/local/cuda/bin)
#   NVCC=/opt/cuda/bin/nvcc nv/kernels/regenerate.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tools/nvcc.sh"
# Ampere (GA100, GA10x), Ada, Hopper, Blackwell (B200, B300, GB20x). A cubin runs on its own SM
# version only (the loader checks), so each gets its own build.
for sm in 80 86 89 90 100 103 120; do
  "$nvcc" -arch=sm_$sm -cubin -O3 -o "$here/copy-sm_$sm.bin" "$here/copy.cu"
  echo "  copy.cu -> copy-sm_$sm.bin ($(wc -c <"$here/copy-sm_$sm.bin") bytes)"
done
