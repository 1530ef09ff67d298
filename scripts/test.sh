#!/usr/bin/env bash
# README command 2: install, build, and run every test (unit, end-to-end over sockets, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DPISTESIM_BUILD_TESTS=ON -DPISTESIM_BUILD_BENCHMARKS=ON
cd "${PISTESIM_BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 300
