#!/bin/sh
# `pistesim load --ramp` shapes the schedule (ctest loadgen.cli_ramp_shapes_the_schedule): it
# once changed nothing. 2 applications ramping from 0 to 100/s in all over the whole 2 s run are
# scheduled the ramp's integral, 100 requests (200 without the ramp), and the summary says so;
# with --start-rate 100 the ramp is flat and all 200 are scheduled.
# Usage: ramp_cli.sh PISTESIM
set -u
pistesim=$1
fail() { echo "FAIL: $*"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

out=$("$pistesim" load --duration 2s --ramp 2s --apps 2 --rate 100 --connections 4 \
  --report "json=$dir/ramp.json") || fail "the ramped run did not pass: $out"
echo "$out"
echo "$out" | grep -qF "ramp 2.0 s from 0/s" || fail "the summary does not show the ramp"
grep -q '"scheduled": 100,' "$dir/ramp.json" || fail "not 100 requests scheduled: \
$(grep '"scheduled"' "$dir/ramp.json")"

out=$("$pistesim" load --duration 2s --ramp 2s --start-rate 100 --apps 2 --rate 100 \
  --connections 4 --report "json=$dir/flat.json") || fail "the flat ramp did not pass: $out"
grep -q '"scheduled": 200,' "$dir/flat.json" || fail "not 200 requests scheduled: \
$(grep '"scheduled"' "$dir/flat.json")"
echo "ok"
