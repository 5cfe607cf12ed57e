#!/usr/bin/env bash
# Builds the firmware-loader libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined) into
# ${1:-build-fuzz} and runs each for $HCQ_FUZZ_SECONDS (default 20) seconds, seeded with the installed
# firmware (tests/fuzz/seeds.py). Any crash, sanitizer report, leak or timeout fails the run; the
# input that caused it is left in the build folder as crash-*/leak-*/timeout-*. docs/firmware.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-fuzz}
seconds=${HCQ_FUZZ_SECONDS:-20}
cxx=${HCQ_FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}
if [ -z "$cxx" ]; then
  echo "fuzz: clang++ not found: run tools/install-deps.sh (clang, libclang-rt-14-dev)" >&2
  exit 1
fi

targets=(amdgpu nvidia_gsp nvidia_bin qcom describe decompress)
# The parsers and what they use from libhcq (the error type, the ELF reader); no logging, no loader.
sources=(firmware-loader/src/amdgpu.cpp firmware-loader/src/decompress.cpp firmware-loader/src/describe.cpp
         firmware-loader/src/nvidia.cpp firmware-loader/src/qcom.cpp hcq/src/elf.cpp hcq/src/error.cpp)
common=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all
        -Iinclude -Ihcq/src -Ifirmware-loader/include -Ifirmware-loader/src)
libs=(-lfmt -lzstd -llzma)

# Rebuild what is older than its source or than the newest header it may include.
headers=$(ls -t firmware-loader/include/hcq/firmware/*.hpp firmware-loader/src/*.hpp tests/fuzz/*.hpp hcq/src/elf.hpp \
  include/hcq/error.hpp | head -n 1 || true)
stale() { [ ! -e "$1" ] || [ "$2" -nt "$1" ] || [ "$headers" -nt "$1" ]; }
mkdir -p "$out/obj"
echo "fuzz: building ${#targets[@]} targets with $cxx into $out"
pids=()
objs=()
for src in "${sources[@]}"; do
  obj="$out/obj/$(basename "${src%.cpp}").o"
  objs+=("$obj")
  if stale "$obj" "$src"; then
    "$cxx" "${common[@]}" -fsanitize=fuzzer-no-link,address,undefined -c "$src" -o "$obj" &
    pids+=($!)
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
pids=()
for t in "${targets[@]}"; do
  exe="$out/fuzz_$t"
  if stale "$exe" "tests/fuzz/fuzz_$t.cpp" || [ -n "$(find "${objs[@]}" -newer "$exe")" ]; then
    "$cxx" "${common[@]}" -fsanitize=fuzzer,address,undefined "tests/fuzz/fuzz_$t.cpp" "${objs[@]}" "${libs[@]}" \
      -o "$exe" &
    pids+=($!)
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done

python3 tests/fuzz/seeds.py "$out/seeds"

status=0
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"
  mkdir -p "$corpus"
  log="$out/fuzz_$t.log"
  # New inputs go to the corpus folder; the seeds are read only.
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$out/fuzz_$t" "$corpus" "$out/seeds/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=1048576 -artifact_prefix="$out/" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz: $t: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs in ${seconds}s)"
  else
    echo "fuzz: $t: FAILED, see $log" >&2
    tail -n 30 "$log" >&2
    status=1
  fi
done
exit $status
