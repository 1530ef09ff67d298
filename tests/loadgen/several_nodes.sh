#!/bin/sh
# `pistesim load --target A --target B` against two independent `pistesim serve` processes of the
# same (default) world on free loopback ports (ctest loadgen.several_nodes). Independent nodes are
# not a cluster, and the load generator must say so in each way it can:
#  1. applications created on A are unknown to B: refused before the run (exit 2), naming it
#     (and --use-applications refuses a prefix that matches too few applications);
#  2. the world's own application (--use-applications), one token used on both nodes: B refuses
#     A's token — a protocol finding naming both nodes (exit 1), not a crash;
#  3. the same with a token from each node (--token-per-node), offered 40/s against 5/s: each
#     node admits its 5 a second, so the oracle, counting the union of the answers, must report
#     over-admission (exit 1): the negative proof that verification spans the nodes;
#  4. one node given twice is one PISTE: no over-admission (exit 0); and two load processes
#     sharing the applications (--shard) against it merge (`load merge`, exit 0).
# Usage: several_nodes.sh PISTESIM
set -u
pistesim=$1
fail() { echo "FAIL: $*"; exit 1; }
dir=$(mktemp -d)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
token=$(openssl rand -hex 24)

# serve NAME: starts a node, sets $url to its base URL.
serve() {
  "$pistesim" serve --port 0 --admin-token "$token" --info-file "$dir/$1.json" \
    >"$dir/$1.log" 2>&1 &
  pids="$pids $!"
  _i=0
  while [ ! -s "$dir/$1.json" ]; do
    _i=$((_i + 1))
    if [ $_i -gt 100 ] || ! kill -0 "$!" 2>/dev/null; then
      echo "pistesim serve did not start:"; cat "$dir/$1.log"; exit 2
    fi
    sleep 0.1
  done
  url=$(sed -n 's/.*"base_url": *"\([^"]*\)".*/\1/p' "$dir/$1.json" | head -n 1)
}
serve a
a=$url
serve b
b=$url
small="--apps 1 --rate 40 --duration 2s --connections 4 --quota 5/1s --admin-token $token"

echo "== 1. applications created on $a are unknown to $b"
out=$("$pistesim" load --target "$a" --target "$b" $small 2>&1)
code=$?
echo "$out" | tail -n 3
[ $code -eq 2 ] || fail "expected exit 2 for nodes of different worlds, got $code"
echo "$out" | grep -q "$b does not serve the same world as $a: application .* is unknown there" ||
  fail "the refusal does not say which node lacks which application"

echo "== 1b. --use-applications takes what the target has, and says when it falls short"
out=$("$pistesim" load --target "$a" --use-applications nope $small 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q "$a has no application whose id starts with it" ||
  fail "an unknown prefix is not refused clearly: $out"
out=$("$pistesim" load --target "$a" --use-applications demo-production --apps 2 --rate 40 \
  --duration 1s --admin-token "$token" 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q "the workload plays 2 applications, $a has 1" ||
  fail "too few applications are not refused clearly: $out"

echo "== 2. one token on both nodes: B refuses A's token"
out=$("$pistesim" load --target "$a" --target "$b" --use-applications demo-production $small 2>&1)
code=$?
echo "$out" | tail -n 12
[ $code -eq 1 ] || fail "expected exit 1 when a node refuses another's token, got $code"
echo "$out" | grep -q "401 invalid_token from $b for a token issued by $a (the nodes do not share tokens" ||
  fail "the cross-node token refusal is not reported as such"

echo "== 3. a token from each node: each node admits its own limit, the oracle sees the union"
out=$("$pistesim" load --target "$a" --target "$b" --use-applications demo-production \
  --token-per-node $small --report "json=$dir/independent.json" 2>&1)
code=$?
echo "$out" | tail -n 14
[ $code -eq 1 ] || fail "expected exit 1 (over-admission) from independent nodes, got $code"
echo "$out" | grep -q "FAILED no over-admission" || fail "no over-admission reported"
echo "$out" | grep -Eq "demo-production: at least ([6-9]|10) calls admitted in the window" ||
  fail "the over-admission is not the union of both nodes' admissions"
echo "$out" | grep -q "ok     no server errors" || fail "unexpected errors besides the quota"
for node in "$a" "$b"; do
  tr -d ' \n' < "$dir/independent.json" | grep -q "\"$node\":[1-9]" ||
    fail "no answers from $node in the result"
done

echo "== 4. one node twice: one PISTE, no over-admission; shards merge"
"$pistesim" load --target "$a" --target "$a" --use-applications demo-production $small ||
  fail "a node given twice over-admitted or failed"
"$pistesim" load --target "$a" --target "$a" --apps 2 --rate 40 --duration 2s --connections 4 \
  --quota 5/1s --admin-token "$token" --shard 1/2 --report "json=$dir/s1.json" >"$dir/s1.log" 2>&1 &
s1=$!
"$pistesim" load --target "$a" --target "$a" --apps 2 --rate 40 --duration 2s --connections 4 \
  --quota 5/1s --admin-token "$token" --shard 2/2 --report "json=$dir/s2.json" >"$dir/s2.log" 2>&1
c2=$?
wait $s1
c1=$?
[ $c1 -eq 0 ] && [ $c2 -eq 0 ] || { cat "$dir/s1.log" "$dir/s2.log"; fail "a shard failed"; }
out=$("$pistesim" load merge "$dir/s1.json" "$dir/s2.json" 2>&1) ||
  { echo "$out"; fail "the merged shards failed"; }
echo "$out" | grep -q "2 processes merged" || fail "the merge did not join both shards"
echo "$out" | grep -q "no over-admission — 2 applications" || fail "the merge lost an application"
echo "PASS"
