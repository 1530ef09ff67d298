#!/usr/bin/env bash
# README command 1: install, build, and run the main job: the shipped scenario suite
# (scenarios/) on the embedded simulator, printing a line per scenario and the summary.
# Extra arguments go to `pistesim run` (e.g. --verbose, --coverage, --report html=report.html).
# The guided walk-through of PISTE's SNE-Cotation journey stays available: `pistesim demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DPISTESIM_BUILD_TESTS=OFF -DPISTESIM_BUILD_BENCHMARKS=OFF
exec "${PISTESIM_BUILD_DIR:-build}/cli/pistesim" run "$@"
