#!/usr/bin/env bash
# The whole test suite, as CI runs it: unit + sim + conformance tests in a -Werror build, then the
# conformance and unit suites again under AddressSanitizer and UndefinedBehaviorSanitizer. Ends
# with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

run_build() {  # dir, meson options...
  local dir=$1
  shift
  rm -f "$dir/meson-logs/testlog.json" "$dir"/tests/*.junit.xml
  ./tools/build.sh "$dir" --werror "$@" || return 1
  meson test -C "$dir" --no-rebuild --print-errorlogs --suite unit --suite sim
}

run_build build || status=1
# The sanitizer build is unoptimised (-O0): it compiles in about half the time of -O2 on CI's two
# cores, and the tests are short enough that running them slower costs little.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_build build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dbench=disabled || status=1

# libFuzzer runs of the firmware parsers (clang, ASan + UBSan), ~20 s per target.
./tests/fuzz/run.sh build-fuzz || status=1

python3 tests/summary.py build build-asan || status=1
exit $status
