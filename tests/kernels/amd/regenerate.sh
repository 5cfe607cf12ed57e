#!/usr/bin/env bash
# Rebuilds the committed amdgcn code objects from their OpenCL C sources with clang-16 and lld-16
# (Debian 12 packages clang-16, lld-16). Code object v5: the workgroup size comes from the hidden
# arguments the launcher fills by their metadata offsets; -cl-kernel-arg-info keeps the argument
# names in the metadata. Run it after editing a .cl file here and commit the .bin
# files with it:   tests/kernels/amd/regenerate.sh      (or CLANG=/path/to/clang)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# The clang in llvm-16's own bin directory, which links with the lld next to it (/usr/bin/ld.lld
# may be an older one that does not know code object v5).
clang=${CLANG:-/usr/lib/llvm-16/bin/clang}
if [ -z "$clang" ] || [ ! -x "$clang" ]; then
  echo "regenerate.sh: clang-16 not found (apt install clang-16 lld-16, or set CLANG=/path/to/clang)" >&2
  exit 1
fi
build() {  # build <mcpu> <source.cl> <output.bin>
  "$clang" -x cl -cl-std=CL2.0 -target amdgcn-amd-amdhsa -mcpu="$1" -nogpulib -O2 \
    -mcode-object-version=5 -cl-kernel-arg-info -o "$here/$3" "$here/$2"
  echo "  $2 -> $3 ($(wc -c <"$here/$3") bytes)"
}
build gfx1100 conformance.cl conformance-amd-gfx1100.bin
# For the loader's unit tests only: a code object for another target (the mach check).
build gfx1030 conformance.cl conformance-amd-gfx1030.bin
