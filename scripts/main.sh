#!/usr/bin/env bash
# README command 1: install, build, and run the main job on the embedded simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DPISTESIM_BUILD_TESTS=OFF -DPISTESIM_BUILD_BENCHMARKS=OFF
exec "${PISTESIM_BUILD_DIR:-build}/cli/pistesim" demo
