#!/usr/bin/env bash
# Installs clang 14 and its runtimes (sanitizers, libFuzzer) from Debian when missing, then prints
# the clang++ to use. The sanitizer jobs and the fuzz targets are built with it: clang compiles
# this project's instrumented code several times faster than g++ (docs/ci.md), and libFuzzer is
# clang's.
set -euo pipefail
packages=(clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  echo "install-clang: installing ${missing[*]}" >&2
  "${as_root[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
fi
command -v clang++-14 || { echo "install-clang: clang++-14 not found after install" >&2; exit 2; }
