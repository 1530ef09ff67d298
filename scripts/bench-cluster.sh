#!/usr/bin/env bash
# The cluster benchmark of docs/cluster.md (issue 18): a single node, then Redis + 3 nodes
# (`serve --cluster`), each driven by `pistesim load` with APPS applications offered RATE req/s
# each against a 20/1s quota; prints achieved rates, over- and under-admissions. A benchmark, not a
# test: run it on an otherwise idle machine. Needs redis-server and a load generator that takes
# several --target (issue 18 item 6).
# Usage: bash scripts/bench-cluster.sh [duration, default 60s] [apps, default 1000] [rate per app, default 25]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-60s}
apps=${2:-1000}
per_app=${3:-25}
build=${PISTESIM_BUILD_DIR:-build}
pistesim="$build/cli/pistesim"
[ -x "$pistesim" ] || { echo "missing $pistesim: build first" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server missing: bash scripts/install-deps.sh" >&2; exit 2; }
rate=$((apps * per_app))
token=bench-cluster-admin

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
field() { python3 -c 'import json,sys;j=json.load(open(sys.argv[1]));print(eval(sys.argv[2]))' "$@"; }
# Starts `pistesim serve ARGS…` and sets the variable named VAR to its base URL once it listens
# (caught up). Not in a $(…) subshell, so that its pid reaches `pids` and the cleanup stops it.
serve() {
  local var=$1 info="$tmp/info-$RANDOM.json"
  shift
  "$pistesim" serve --port 0 --quiet --admin-token "$token" --info-file "$info" "$@" \
    2>>"$tmp/serve.log" >/dev/null &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$info" ] && break; sleep 0.05; done
  [ -s "$info" ] || { echo "a node did not start:" >&2; cat "$tmp/serve.log" >&2; exit 1; }
  printf -v "$var" '%s' "$(field "$info" 'j["base_url"]')"
}
# Runs `pistesim load` against the given targets and prints one table row.
measure() {
  local label=$1 nodes=$2
  shift 2
  local out="$tmp/load.json" targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  PISTESIM_ADMIN_TOKEN=$token "$pistesim" load "${targets[@]}" --apps "$apps" --rate "$rate" \
    --quota 20/1s --duration "$duration" --report "json=$out" >"$tmp/load.txt" 2>&1 || true
  [ -s "$out" ] || { echo "load failed:" >&2; cat "$tmp/load.txt" >&2; exit 1; }
  field "$out" '"| %s | %d | %d | %.0f | %.0f | %d | %d |" % ("'"$label"'", '"$nodes"', j["completed"], j["achieved_rate"], j["achieved_rate"] / '"$nodes"', sum(1 for v in j.get("verdict", {}).get("violations", []) if v["kind"] == "over"), sum(1 for v in j.get("verdict", {}).get("violations", []) if v["kind"] == "under"))'
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%F)"
echo "workload: $apps applications × $per_app req/s offered against 20/1s, $duration"
echo
echo "| setup | nodes | requests | achieved req/s | per node | over-admission windows | under-admission windows |"
echo "|---|---|---|---|---|---|---|"

serve single
measure "single node (in memory)" 1 "$single"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

rport=$(port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$tmp" --save "" --appendonly yes \
  --appendfsync everysec --logfile "$tmp/redis.log" --daemonize no & pids+=($!)
for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
cluster="redis://127.0.0.1:$rport/0"
serve a --cluster "$cluster"; serve b --cluster "$cluster"; serve c --cluster "$cluster"
measure "3 nodes + Redis (AOF everysec)" 3 "$a" "$b" "$c"
echo
echo "Redis: $(redis-cli -p "$rport" info stats | grep -E 'total_commands_processed' | tr -d '\r')"
