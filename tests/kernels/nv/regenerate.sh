#!/usr/bin/env bash
# Rebuilds the committed nv cubins from their CUDA sources. CI machines have no nvcc, so the
# cubins are committed; run this after editing a .cu file here and commit the .bin files with it.
#   tests/kernels/nv/regenerate.sh            (nvcc from PATH, else /usr/local/cuda/bin)
#   NVCC=/opt/cuda/bin/nvcc tests/kernels/nv/regenerate.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
include=$(cd "$here/../../../include" && pwd)
. "$here/../../../tools/nvcc.sh"
build() {  # build <arch> <source.cu> <output.bin>
  "$nvcc" -arch="$1" -cubin -O3 -I"$include" -o "$here/$3" "$here/$2"
  echo "  $2 -> $3 ($(wc -c <"$here/$3") bytes)"
}
build sm_90a conformance.cu conformance-nvidia-sm_90.bin
build sm_90a demo.cu hcq-demo-nvidia-sm_90.bin
build sm_90a hw.cu hw-nvidia-sm_90.bin
# For the loader's unit tests only: a cubin for another SM (check_sm) and its older layout
# (parameters at c[0][0x160], SHT_REL relocations).
build sm_86 demo.cu demo-nvidia-sm_86.bin
