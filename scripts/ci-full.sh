#!/usr/bin/env bash
# The full pipeline, what .ci/run runs: the README's test command; the Debian package built from
# that build, installed, used from an empty directory and removed; the sanitizer jobs (ASan+UBSan
# over the unit, end-to-end and scenario tests; TSan over the concurrency tests); a short bounded
# run of every fuzz target with its regression inputs (docs/ci.md). Each phase prints its
# duration; the first failure stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
summary=()
phase() {
  local name=$1 t0=$SECONDS
  shift
  echo "=== ci: $name"
  "$@"
  summary+=("$(printf '%-40s %4ds' "$name" $((SECONDS - t0)))")
  echo "=== ci: $name passed in $((SECONDS - t0))s"
}

phase "tests (scripts/test.sh)" bash scripts/test.sh
phase "package (scripts/ci-package.sh)" bash scripts/ci-package.sh
phase "ASan+UBSan (scripts/sanitize.sh asan)" bash scripts/sanitize.sh asan
phase "TSan (scripts/sanitize.sh tsan)" bash scripts/sanitize.sh tsan
phase "fuzzing (scripts/fuzz.sh --ci)" bash scripts/fuzz.sh --ci
printf '=== ci: %s\n' "${summary[@]}"
echo "=== ci: all passed in $((SECONDS - start))s"
