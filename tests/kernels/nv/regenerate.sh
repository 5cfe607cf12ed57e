#!/usr/bin/env bash
# Rebuilds the committed nv cubins from their CUDA sources. CI machines have no nvcc, so the
# cubins are committed; run this after editing a .cu file here and commit the .bin files with it.
#   tests/kernels/nv/regenerate.sh            (nvcc from PATH, else /usr/local/cuda/bin)
#   NVCC=/opt/cuda/bin/nvcc tests/kernels/nv/regenerate.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
include=$(cd "$here/../../../include" && pwd)
nvcc=${NVCC:-$(command -v nvcc || true)}
if [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [ -z "$nvcc" ] || [ ! -x "$nvcc" ]; then
  echo "regenerate.sh: nvcc not found (install the CUDA toolkit, put nvcc on PATH or set NVCC=/path/to/nvcc)" >&2
  exit 1
fi
echo "regenerate.sh: using $("$nvcc" --version | tail -n 1)"
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
