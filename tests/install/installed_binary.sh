#!/bin/sh
# ctest install.relocated_binary: `cmake --install --strip` into a temporary prefix, the prefix
# moved elsewhere, then the installed pistesim run from an empty directory with PISTESIM_DATA_DIR
# unset: it must find its scenarios, checks and profiles under <prefix>/share/pistesim, carry no
# path of the source or build tree, and say which file is missing, and why, when the data is gone.
# Usage: installed_binary.sh BUILD_DIR SOURCE_DIR
set -u
build=$(cd "$1" && pwd -P)
src=$(cd "$2" && pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset PISTESIM_DATA_DIR PISTESIM_PROFILES_DIR
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
# expect CODE REGEX COMMAND…: exit code and output (stdout and stderr, extended regex).
expect() {
  code=$1 regex=$2
  shift 2
  out=$("$@" 2>&1)
  status=$?
  printf '$ %s\n%s\n' "$*" "$out" | tail -n 8
  [ "$status" -eq "$code" ] || fail "$*: exit code $status, expected $code"
  printf '%s\n' "$out" | grep -Eq -- "$regex" || fail "$*: output does not match: $regex"
}

cmake --install "$build" --prefix "$tmp/prefix" --strip >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; fail "cmake --install"; exit 1; }
mv "$tmp/prefix" "$tmp/moved"
prefix=$tmp/moved
pistesim=$prefix/bin/pistesim
mkdir "$tmp/empty"
cd "$tmp/empty" || exit 1

[ "$(ls "$prefix/bin")" = pistesim ] || fail "bin/ holds more than pistesim: $(ls "$prefix/bin")"
for d in scenarios conformance/checks conformance/profiles loadgen/profiles fixtures docs examples; do
  [ -d "$prefix/share/pistesim/$d" ] || fail "share/pistesim/$d not installed"
done
for p in "$src" "$build"; do
  if strings "$pistesim" | grep -qF "$p"; then fail "the installed binary names $p"; fi
done

expect 0 "^$prefix/share/pistesim\$" "$pistesim" data-dir
expect 0 "scenarios: [0-9]+ passed, 0 failed, 0 errors" "$pistesim" run --jobs 2 --color never
expect 0 "passed" "$pistesim" conform --color never --level MUST
expect 0 "PASSED" "$pistesim" load --duration 1s --apps 2 --rate 20
expect 0 "PASSED" "$pistesim" load --workload smoke --duration 1s --ramp 0s
# A user's relative path stays relative to the working directory.
expect 2 "no-such-dir" "$pistesim" run no-such-dir
[ -z "$(ls -A .)" ] || fail "the commands left files in the working directory: $(ls -A .)"

# PISTESIM_DATA_DIR wins, and a wrong one is named.
expect 2 "PISTESIM_DATA_DIR=$tmp/nowhere is not a directory" \
  env PISTESIM_DATA_DIR="$tmp/nowhere" "$pistesim" conform
# Data gone: which file, and why; never the 0:0 of a file that could not be opened.
rm -r "$prefix/share/pistesim/conformance/profiles"
expect 2 "$prefix/share/pistesim/conformance/profiles/embedded.toml: not found in the pistesim data directory" \
  "$pistesim" conform
rm -r "$prefix/share"
expect 2 "no pistesim data directory: PISTESIM_DATA_DIR is unset, $prefix/share/pistesim does not exist" \
  "$pistesim" run
expect 2 "no pistesim data directory" "$pistesim" conform
if "$pistesim" conform 2>&1 | grep -q ":0:0:"; then fail "conform says 0:0"; fi
# The data can live anywhere.
mkdir "$tmp/data" && cp -R "$src/scenarios" "$tmp/data/"
expect 0 "scenarios?: [0-9]+ passed, 0 failed" env PISTESIM_DATA_DIR="$tmp/data" "$pistesim" run --tag journal

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "the installed pistesim runs from an empty directory, relocated"
