#!/usr/bin/env bash
# Builds pistesim with a sanitizer, in its own build directory, and runs the tests that job covers.
#   bash scripts/sanitize.sh asan   # AddressSanitizer + UndefinedBehaviorSanitizer: the unit,
#                                   # end-to-end and scenario engine tests (build-asan/)
#   bash scripts/sanitize.sh tsan   # ThreadSanitizer: the concurrency tests (build-tsan/)
#   bash scripts/sanitize.sh asan|tsan all   # everything: every target, every test but style.*
# Built with clang (scripts/install-clang.sh) at -O0: this project's instrumented code compiles
# about five times faster than with g++ -O1 (docs/ci.md has the figures), and the tests still run
# in a couple of minutes. Only the executables those tests need are built.
# PISTESIM_SANITIZE_JOBS sets the parallelism; PISTESIM_SANITIZE_OPT the optimisation (-O0).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
case "$kind" in
  asan)
    flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    targets=(unit_tests e2e_tests scenario_tests pistesim)
    tests='^(unit|e2e|scenario)\.'
    ;;
  tsan)
    flags="-fsanitize=thread -fno-omit-frame-pointer"
    targets=(unit_tests e2e_tests pistesim)
    # The tests that run threads against shared state: quota counters (directly and through the
    # gateway), the token store, fault counters, usage counters, portal registrations, durable
    # state under concurrent writers and kill -9, the server's workers over sockets, and cluster
    # nodes sharing one Redis (their pool, signal and journal-writer threads, and the fibers their
    # loops answer on).
    tests='^(unit\.(QuotaConcurrency\..*'
    tests+='|.*TokenEndpoint\.IssuesDistinctTokensFromSeveralThreadsAtOnce.*'
    tests+='|Faults\.ExactlyCountCallsAreAffectedUnderConcurrency'
    tests+='|UsageRecorder\.CountsExactlyUnderConcurrency'
    tests+='|PortalAccounts\.ConcurrentRegistrationsOfTheSameEmailOneWins'
    tests+='|DurableState\.ConcurrentTokensAreAllSaved'
    tests+='|ClusterStoreTest\..*|ClusterSharedTest\..*|ClusterQuotasTest\..*|ClusterTokensTest\..*'
    tests+='|Fiber\..*|RedisLink\..*)'
    tests+='|e2e\.(Concurrency|DurableServe|ServerLimits|EventServer|ClusterServe)\..*)$'
    ;;
  *) echo "usage: $0 asan|tsan" >&2; exit 2 ;;
esac
select=(-R "$tests")
if [ "${2:-}" = all ]; then
  targets=(all)
  select=(-E '^style\.')  # clang-format's check does not depend on the build
fi
jobs=${PISTESIM_SANITIZE_JOBS:-$(nproc)}
bash scripts/install-deps.sh
cxx=$(bash scripts/install-clang.sh)
opt=${PISTESIM_SANITIZE_OPT:--O0}
build_dir=build-$kind
# A build directory configured with another compiler (an older g++ build) starts afresh.
if [ -f "$build_dir/CMakeCache.txt" ] &&
  ! grep -qx "CMAKE_CXX_COMPILER:[A-Z]*=$cxx" "$build_dir/CMakeCache.txt"; then
  rm -rf "$build_dir"
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build_dir" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="$opt -g" \
  -DPISTESIM_BUILD_TESTS=ON -DPISTESIM_BUILD_BENCHMARKS=OFF -DCMAKE_CXX_FLAGS="$flags" \
  "${launcher[@]}" >/dev/null
cmake --build "$build_dir" -j"$jobs" --target "${targets[@]}"

# Any report fails the test that provoked it (halt_on_error / -fno-sanitize-recover).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/sanitizers/tsan.supp"
cd "$build_dir"
n=$(ctest -N "${select[@]}" | sed -n 's/^Total Tests: //p')
[ "${n:-0}" -gt 0 ] || { echo "sanitize.sh: no test selected (${select[*]})" >&2; exit 1; }
echo "sanitize.sh $kind: $n tests"
ctest --output-on-failure -j"$jobs" --timeout 300 "${select[@]}"
