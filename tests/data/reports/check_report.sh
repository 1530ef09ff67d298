#!/bin/sh
# check_report.sh PISTESIM COMMAND FORMAT: runs `pistesim COMMAND … --report FORMAT=FILE` (run:
# one passing scenario; conform: two checks on the embedded simulator; load: one second at a
# small rate) and checks FILE is that format with stable names (no port, no random id).
# With a fourth argument "alias" (load only): the deprecated --json/--html spelling instead,
# which must still write the file and say its new spelling on stderr.
set -u
pistesim=$1 command=$2 format=$3 alias=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
file="$dir/report.$format"
fail() { echo "check_report.sh $command $format: $*" >&2; [ -f "$file" ] && cat "$file" >&2; exit 1; }

report="--report $format=$file"
[ "$alias" = alias ] && report="--$format $file"
case $command in
  run) set -- run --color never $report "$here/../run/passing.toml" ;;
  conform) set -- conform --color never --only A1,B1 $report ;;
  load) set -- load --duration 1s --apps 2 --rate 20 --connections 2 $report ;;
  *) fail "unknown command" ;;
esac
out=$("$pistesim" "$@" 2>&1) || fail "exit code $?: $out"
[ -s "$file" ] || fail "no report written: $out"
if [ "$alias" = alias ]; then
  echo "$out" | grep -qF -- "--$format is deprecated (kept for one release): use --report $format=$file" ||
    fail "no deprecation notice naming the new spelling: $out"
fi
case $format in
  junit)
    grep -q '^<testsuites name="pistesim' "$file" || fail "not JUnit"
    grep -o '<testsuite name="[^"]*"' "$file" | grep -Eq '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+|:[0-9]{4,5}' &&
      fail "a suite name holds an address or port"
    grep -o '<testcase [^>]*name="[^"]*"' "$file" | grep -Eq '127\.0\.0\.1|localhost' &&
      fail "a case name holds an address" ;;
  tap)
    head -1 "$file" | grep -qx 'TAP version 14' || fail "not TAP 14"
    sed -n 2p "$file" | grep -Eq '^1\.\.[1-9][0-9]*$' || fail "no plan"
    grep -q '^ok 1 - ' "$file" || fail "no passing test point" ;;
  json)
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$file" || fail "not JSON" ;;
  html)
    grep -qi '^<!DOCTYPE html>' "$file" || fail "not HTML"
    grep -q '</html>' "$file" || fail "HTML cut short" ;;
esac
echo "check_report.sh: $command --report $format: OK"
