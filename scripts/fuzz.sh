#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, docs/fuzzing.md) with clang into build-fuzz/ and
# fuzzes them.
#   bash scripts/fuzz.sh --ci               # every target for FUZZ_SECONDS (20) each, after
#                                           # replaying every regression input and seed,
#                                           # FUZZ_JOBS (nproc) targets at a time
#   bash scripts/fuzz.sh TARGET [SECONDS]   # one target (form, authorization, world_loader,
#                                           # scenario_loader, json_path, simulator); no SECONDS:
#                                           # until stopped. New inputs go to build-fuzz/corpus/.
#   bash scripts/fuzz.sh --build            # build only
# A crash stops the run; libFuzzer writes the input to build-fuzz/artifacts/ and this script
# exits non-zero. Fix it, then keep the input in tests/fuzz/regressions/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(form authorization world_loader scenario_loader json_path simulator request_reader)
build_dir=${PISTESIM_FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-$(nproc)}

usage() { sed -n '2,11p' "$0" >&2; exit 2; }
mode=${1:-}
case "$mode" in
  --ci | --build) ;;
  -h | --help | "") usage ;;
  *) [[ " ${targets[*]} " == *" $mode "* ]] || { echo "fuzz.sh: unknown target '$mode'" >&2; usage; } ;;
esac

# clang and its libFuzzer runtime come from Debian, installed on first use.
bash scripts/install-deps.sh
clang_cxx=$(bash scripts/install-clang.sh)

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$clang_cxx" \
  -DPISTESIM_FUZZ=ON -DPISTESIM_BUILD_TESTS=ON -DPISTESIM_BUILD_BENCHMARKS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build_dir" -j"$jobs" --target "${targets[@]/#/fuzz_}"
[ "$mode" = --build ] && exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
mkdir -p "$build_dir/artifacts"

# One target: replay its regressions, then fuzz with the seeds plus what earlier runs found.
fuzz() {
  local t=$1 secs=$2 bin=$build_dir/tests/fuzz/fuzz_$1
  local runs=() work=$build_dir/corpus/$t
  mkdir -p "$work"
  echo "== fuzz_$t: regression inputs and seeds"
  local kept=(tests/fuzz/corpus/"$t")
  [ -d tests/fuzz/regressions/"$t" ] && kept=(tests/fuzz/regressions/"$t" "${kept[@]}")
  "$bin" -runs=0 "${kept[@]}" || return 1
  [ -n "$secs" ] && runs=(-max_total_time="$secs")
  echo "== fuzz_$t ${secs:+for ${secs}s}"
  # -timeout: an input taking more than 10 s is a hang, reported like a crash. -rss_limit_mb
  # bounds memory per input.
  "$bin" "${runs[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build_dir/artifacts/$t-" -dict=tests/fuzz/dictionaries/"$t".dict \
    "$work" tests/fuzz/corpus/"$t"
}

if [ "$mode" = --ci ]; then
  # FUZZ_JOBS targets at a time (one per core), each with its own log and exit status.
  running=0
  rm -f "$build_dir"/fuzz-*.rc
  for t in "${targets[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
      wait -n || true
      running=$((running - 1))
    fi
    (if fuzz "$t" "$seconds" > "$build_dir/fuzz-$t.log" 2>&1; then rc=0; else rc=$?; fi
     echo "$rc" > "$build_dir/fuzz-$t.rc") &
    running=$((running + 1))
  done
  wait
  failed=()
  for t in "${targets[@]}"; do
    grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::new_units_added)|SUMMARY|ERROR' \
      "$build_dir/fuzz-$t.log" | sed "s/^/[$t] /" || true
    [ "$(cat "$build_dir/fuzz-$t.rc" 2>/dev/null)" = 0 ] || failed+=("$t")
  done
  if [ ${#failed[@]} -gt 0 ]; then
    for t in "${failed[@]}"; do echo "--- fuzz_$t failed; end of its log:"; tail -n 60 "$build_dir/fuzz-$t.log"; done
    echo "fuzz.sh: failed: ${failed[*]} (inputs in $build_dir/artifacts/)" >&2
    exit 1
  fi
  echo "fuzz.sh: ${#targets[@]} targets fuzzed ${seconds}s each, $jobs at a time, no crash"
else
  fuzz "$mode" "${2:-}"
fi
