# Sourced by the scripts that rebuild committed cubins (nv/kernels/regenerate.sh,
# tests/kernels/nv/regenerate.sh): sets $nvcc to NVCC, else nvcc from PATH, else
# /usr/local/cuda/bin/nvcc, or exits with a message saying how to get one.
nvcc=${NVCC:-$(command -v nvcc || true)}
if [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [ -z "$nvcc" ] || [ ! -x "$nvcc" ]; then
  echo "$(basename "$0"): nvcc not found (install the CUDA toolkit, put nvcc on PATH or set NVCC=/path/to/nvcc)" >&2
  exit 1
fi
echo "$(basename "$0"): using $("$nvcc" --version | tail -n 1)"
