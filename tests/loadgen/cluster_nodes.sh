#!/bin/sh
# `pistesim load --target A --target B --target C` against a real cluster (ctest
# loadgen.cluster_nodes): Redis (Debian's redis-server, no persistence, its own directory) and
# three `pistesim serve --cluster` nodes on free loopback ports. Each application's calls go
# round the three nodes with one token from its home node, offered well over its quota: the
# oracle, which reckons windows itself, must find no over-admission and every node answering.
# Bounded: a few seconds of load. Usage: cluster_nodes.sh PISTESIM
set -u
pistesim=$1
fail() { echo "FAIL: $*"; [ -n "${dir:-}" ] && tail -n 20 "$dir"/*.log; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is not installed"; exit 1; }
dir=$(mktemp -d)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
token=$(openssl rand -hex 24)

rport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
redis-server --port "$rport" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
  --logfile "$dir/redis.log" --daemonize no &
pids="$pids $!"
i=0
until redis-cli -p "$rport" ping >/dev/null 2>&1; do
  i=$((i + 1))
  [ $i -gt 100 ] && fail "redis-server did not start"
  sleep 0.05
done
cluster="redis://127.0.0.1:$rport/0"

# serve NAME: starts a cluster node, sets $url to its base URL once it listens (caught up).
serve() {
  "$pistesim" serve --port 0 --cluster "$cluster" --admin-token "$token" \
    --info-file "$dir/$1.json" >"$dir/$1.log" 2>&1 &
  pids="$pids $!"
  _i=0
  while [ ! -s "$dir/$1.json" ]; do
    _i=$((_i + 1))
    if [ $_i -gt 100 ] || ! kill -0 "$!" 2>/dev/null; then fail "node $1 did not start"; fi
    sleep 0.1
  done
  url=$(sed -n 's/.*"base_url": *"\([^"]*\)".*/\1/p' "$dir/$1.json" | head -n 1)
}
serve a; a=$url
serve b; b=$url
serve c; c=$url

echo "== 3 nodes + Redis: 4 applications at 60/s against 10/s, 3 s"
out=$("$pistesim" load --target "$a" --target "$b" --target "$c" --apps 4 --rate 60 \
  --duration 3s --connections 6 --quota 10/1s --admin-token "$token" \
  --report "json=$dir/cluster.json" 2>&1)
code=$?
echo "$out" | tail -n 14
[ $code -eq 0 ] || fail "expected exit 0 from a cluster, got $code"
echo "$out" | grep -q "no over-admission" || fail "no over-admission verdict"
echo "$out" | grep -q "FAILED" && fail "a check failed"
for node in "$a" "$b" "$c"; do
  tr -d ' \n' < "$dir/cluster.json" | grep -q "\"$node\":[1-9]" ||
    fail "no answers from $node in the result"
done
echo "PASS"
