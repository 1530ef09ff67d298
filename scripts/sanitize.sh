#!/usr/bin/env bash
# Builds pistesim with a sanitizer and runs the whole test suite under it.
#   bash scripts/sanitize.sh asan   # AddressSanitizer + UndefinedBehaviorSanitizer
#   bash scripts/sanitize.sh tsan   # ThreadSanitizer (cpp-httplib's own statics suppressed)
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-asan}
case "$kind" in
  asan) flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" ;;
  tsan) flags="-fsanitize=thread -fno-omit-frame-pointer" ;;
  *) echo "usage: $0 asan|tsan" >&2; exit 2 ;;
esac
bash scripts/install-deps.sh
build_dir=build-$kind
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DPISTESIM_BUILD_BENCHMARKS=OFF -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1
export TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/sanitizers/tsan.supp"
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" --timeout 600 -E '^style\.'
