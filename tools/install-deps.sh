#!/usr/bin/env bash
# Installs everything libhcq needs to build and test, from Debian 12's own archive.
# Runs as root, or through sudo for a user who has it. docs/dependencies.md says why each is here.
set -euo pipefail

packages=(
  g++ gcc meson ninja-build pkg-config python3
  libspdlog-dev libfmt-dev          # logging (spdlog on fmt)
  libcli11-dev nlohmann-json3-dev   # tools: arguments, JSON output
  catch2                            # tests
  libbenchmark-dev                  # bench/
  libpciaccess-dev libdrm-dev pci.ids  # PCI discovery and device names (hcq-smi, kmd-free)
  libzstd-dev liblzma-dev           # firmware-loader: .zst and .xz firmware files
  clang libclang-rt-14-dev          # tests/fuzz: libFuzzer (-fsanitize=fuzzer) for the firmware parsers
  gcc-riscv64-unknown-elf           # tt/firmware, tt/kernels: our own RV32 firmware and kernels for Tensix cores
)

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "install-deps: run as root or install sudo" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# GPU firmware the firmware-loader tests decode, from bookworm-backports (non-free-firmware).
"$(dirname "$0")/install-firmware.sh"
