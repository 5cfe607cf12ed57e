#!/usr/bin/env bash
# Configures (once) and builds libhcq, its tools and tests into ./build (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [ -f "$dir/build.ninja" ]; then
  meson configure "$dir" "$@" >/dev/null
else
  meson setup "$dir" --buildtype=debugoptimized "$@"
fi
ninja -C "$dir"
