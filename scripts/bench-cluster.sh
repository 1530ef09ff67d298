#!/usr/bin/env bash
# The cluster benchmark of docs/cluster.md (issue 18), in one run on one machine:
#  1. the issue's workload (open model): APPS applications offered RATE req/s each against a
#     20/1s quota, on a single node, then on Redis + 3 nodes (`serve --cluster`), each
#     application's calls going round the nodes: requests, achieved rate, over- and
#     under-admission windows (the load generator's oracle);
#  2. capacity (closed model: 64 connections sending back to back, CAPACITY seconds): a single
#     node, one node + Redis, three nodes + Redis — throughput in total and per node, and Redis's
#     work per gateway call (commands and microseconds, from INFO commandstats). With
#     PISTESIM_BASELINE=path/to/an/older/pistesim, the one- and three-node capacity of that
#     binary too, its nodes started with PISTESIM_BASELINE_ARGS (e.g. PISTESIM_BASELINE=build/cli/
#     pistesim PISTESIM_BASELINE_ARGS="--answer-threads 4": answer threads instead of fibers).
# With PISTESIM_LEASE=N, the three-node workload and the capacity runs again with nodes started
# with --quota-lease N (quota permits taken N at a time).
# Each row also gives the requests the nodes served per second of their own CPU (what a node
# would serve with a core to itself, which this machine cannot give three nodes, Redis and the
# load generator) and the CPU the Redis process spent per request (its I/O included).
# With PISTESIM_NODE_CPU=F (e.g. 0.25), every node, the single one included, runs in a CPU
# cgroup of its own limited to F of one core (cgroup v1 cpu.cfs_quota_us or v2 cpu.max; needs
# root): each node then has the same machine slice of its own, and the per-node column compares
# raw throughput at an equal budget, which two cores shared by three nodes, Redis and the load
# generator cannot otherwise show.
# A benchmark, not a test: run it on an otherwise idle machine.
# Usage: bash scripts/bench-cluster.sh [duration, default 60s] [apps, default 1000]
#        [rate per app, default 25] [capacity duration, default 15s]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-60s}
apps=${2:-1000}
per_app=${3:-25}
capacity=${4:-15s}
build=${PISTESIM_BUILD_DIR:-build}
pistesim="$build/cli/pistesim"
baseline=${PISTESIM_BASELINE:-}
lease=${PISTESIM_LEASE:-}
node_cpu=${PISTESIM_NODE_CPU:-}
read -r -a baseline_args <<<"${PISTESIM_BASELINE_ARGS:-}"
[ -x "$pistesim" ] || { echo "missing $pistesim: build first" >&2; exit 2; }
[ -z "$baseline" ] || [ -x "$baseline" ] || { echo "PISTESIM_BASELINE=$baseline: not executable" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server missing: bash scripts/install-deps.sh" >&2; exit 2; }
rate=$((apps * per_app))
token=bench-cluster-admin

tmp=$(mktemp -d)
pids=()
slices=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for s in "${slices[@]}"; do rmdir "$s" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
field() { python3 -c 'import json,sys;j=json.load(open(sys.argv[1]));print(eval(sys.argv[2]))' "$@"; }
# With PISTESIM_NODE_CPU: a new CPU cgroup limited to that share of one core; sets slice_procs
# to the file that a process writes its pid to, to enter it (not in a $(…) subshell, so that the
# cleanup knows the group).
cpu_slice() {
  local quota name=pistesim-bench-$$-${#slices[@]}
  # A 10 ms period: a node throttled for most of the default 100 ms would answer in bursts.
  quota=$(python3 -c 'import sys;print(int(float(sys.argv[1])*10000))' "$node_cpu")
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then  # cgroup v2
    mkdir "/sys/fs/cgroup/$name" && echo "$quota 10000" >"/sys/fs/cgroup/$name/cpu.max"
    slices+=("/sys/fs/cgroup/$name")
  else
    mkdir "/sys/fs/cgroup/cpu/$name"
    slices+=("/sys/fs/cgroup/cpu/$name")
    echo 10000 >"${slices[-1]}/cpu.cfs_period_us" && echo "$quota" >"${slices[-1]}/cpu.cfs_quota_us"
  fi
  slice_procs="${slices[-1]}/cgroup.procs"
}
# Starts `BINARY serve ARGS…` and sets the variable named VAR to its base URL once it listens
# (caught up). Not in a $(…) subshell, so that its pid reaches `pids` and the cleanup stops it.
serve() {
  local var=$1 binary=$2 info="$tmp/info-$RANDOM.json" enter=()
  shift 2
  # The node enters its slice before it starts a thread (bash -c writes its pid, then execs).
  if [ -n "$node_cpu" ]; then
    cpu_slice
    enter=(bash -c 'echo $$ >"$0" && exec "$@"' "$slice_procs")
  fi
  "${enter[@]}" "$binary" serve --port 0 --quiet --admin-token "$token" --info-file "$info" "$@" \
    2>>"$tmp/serve.log" >/dev/null &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$info" ] && break; sleep 0.05; done
  [ -s "$info" ] || { echo "a node did not start:" >&2; cat "$tmp/serve.log" >&2; exit 1; }
  printf -v "$var" '%s' "$(field "$info" 'j["base_url"]')"
}
# Stops the last N servers started.
stop_last() {
  local n=$1
  for _ in $(seq "$n"); do kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; done
}
# CPU time (clock ticks, user + system) the processes PIDS… have used so far.
cpu_ticks() {
  local total=0 stat
  for p in "$@"; do
    read -r -a stat <"/proc/$p/stat"
    total=$((total + stat[13] + stat[14]))
  done
  echo "$total"
}
# Runs `pistesim load LOAD_OPTIONS… -- TARGETS…` against the last NODES servers started and
# prints one row of the workload table. The last column is what the nodes serve per second of
# their own CPU: on a machine with fewer cores than processes, what one node would serve on a
# core of its own.
measure() {
  local label=$1 nodes=$2
  shift 2
  local out="$tmp/load.json" targets=() options=() node_pids before after redis_before redis_after
  node_pids=("${pids[@]: -$nodes}")
  while [ "$1" != "--" ]; do options+=("$1"); shift; done
  shift
  # Closed model: 64 connections; with PISTESIM_NODE_CPU 64 per node, each node driven like
  # the single node was, as on a machine of its own.
  [ "${options[0]}" != --closed ] || options+=(--connections "$((${node_cpu:+nodes *} 64))")
  for t in "$@"; do targets+=(--target "$t"); done
  rm -f "$out"
  before=$(cpu_ticks "${node_pids[@]}")
  redis_before=$(cpu_ticks "${pids[0]}")
  PISTESIM_ADMIN_TOKEN=$token "$pistesim" load "${targets[@]}" --apps "$apps" --quota 20/1s \
    "${options[@]}" --report "json=$out" >"$tmp/load.txt" 2>&1 || true
  after=$(cpu_ticks "${node_pids[@]}")
  redis_after=$(cpu_ticks "${pids[0]}")
  [ -s "$out" ] || { echo "load failed:" >&2; cat "$tmp/load.txt" >&2; exit 1; }
  field "$out" '"| %s | %d | %d | %.0f | %.0f | %d | %s | %.0f | %.1f |" % ("'"$label"'", '"$nodes"', j["completed"], j["achieved_rate"], j["achieved_rate"] / '"$nodes"', j["verdict"]["over_windows"], "%d (at most %d short)" % (j["verdict"]["under_windows"], j["verdict"]["largest_under_admission"]) if j["verdict"]["under_windows"] else "0", j["completed"] / max(1e-9, ('"$after"' - '"$before"') / '"$(getconf CLK_TCK)"'), 1e6 * ('"$redis_after"' - '"$redis_before"') / '"$(getconf CLK_TCK)"' / max(1, j["completed"]))'
}
# Redis's work per completed request since the last reset: commands and microseconds.
redis_per_request() {
  local completed
  completed=$(field "$tmp/load.json" 'j["completed"]')
  redis-cli -p "$rport" info commandstats | tr -d '\r' | python3 -c '
import re, sys
calls = usec = 0
for line in sys.stdin:
    m = re.match(r"cmdstat_(\S+):calls=(\d+),usec=(\d+)", line)
    if m and not m.group(1).startswith(("config", "info", "flushall")):
        calls += int(m.group(2)); usec += int(m.group(3))
n = int(sys.argv[1])
print("%.2f commands, %.1f µs of Redis CPU per request" % (calls / n, usec / n))' "$completed"
  redis-cli -p "$rport" config resetstat >/dev/null
}
# A fresh, empty cluster for each setup: Redis database DB (redis://…/DB).
db=0
next_cluster() {
  db=$((db + 1))
  cluster="redis://127.0.0.1:$rport/$db"
  redis-cli -p "$rport" config resetstat >/dev/null
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M')"
[ -z "$node_cpu" ] || echo "every node limited to $node_cpu of a core (a CPU cgroup of its own)"
rport=$(port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$tmp" --save "" --appendonly yes \
  --appendfsync everysec --logfile "$tmp/redis.log" --daemonize no & pids+=($!)
for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done

echo
echo "## The issue's workload: $apps applications × $per_app req/s offered against 20/1s, $duration (open model)"
echo
echo "| setup | nodes | requests | achieved req/s | per node | over-admission windows | under-admission windows | requests per node CPU-second | Redis process CPU µs per request |"
echo "|---|---|---|---|---|---|---|---|---|"
open=(--rate "$rate" --duration "$duration" --)
serve single "$pistesim"
measure "single node (in memory)" 1 "${open[@]}" "$single"
stop_last 1
next_cluster
serve a "$pistesim" --cluster "$cluster"; serve b "$pistesim" --cluster "$cluster"; serve c "$pistesim" --cluster "$cluster"
measure "3 nodes + Redis (AOF everysec)" 3 "${open[@]}" "$a" "$b" "$c"
open_redis=$(redis_per_request)
stop_last 3
if [ -n "$lease" ]; then
  next_cluster
  for n in a b c; do serve "$n" "$pistesim" --cluster "$cluster" --quota-lease "$lease"; done
  measure "3 nodes + Redis, --quota-lease $lease" 3 "${open[@]}" "$a" "$b" "$c"
  open_lease_redis=$(redis_per_request)
  stop_last 3
fi
echo
echo "Redis: $open_redis"
[ -z "$lease" ] || echo "Redis, --quota-lease $lease: $open_lease_redis"

echo
echo "## Capacity: $apps applications against 20/1s, 64 connections${node_cpu:+ per node} sending back to back, $capacity (closed model)"
echo
echo "| setup | nodes | requests | achieved req/s | per node | over-admission windows | under-admission windows | requests per node CPU-second | Redis process CPU µs per request |"
echo "|---|---|---|---|---|---|---|---|---|"
closed=(--closed --duration "$capacity" --)
serve single "$pistesim"
measure "single node (in memory)" 1 "${closed[@]}" "$single"
stop_last 1
next_cluster
serve a "$pistesim" --cluster "$cluster"
measure "1 node + Redis" 1 "${closed[@]}" "$a"
one_node_redis=$(redis_per_request)
stop_last 1
next_cluster
serve a "$pistesim" --cluster "$cluster"; serve b "$pistesim" --cluster "$cluster"; serve c "$pistesim" --cluster "$cluster"
measure "3 nodes + Redis" 3 "${closed[@]}" "$a" "$b" "$c"
three_nodes_redis=$(redis_per_request)
stop_last 3
if [ -n "$lease" ]; then
  next_cluster
  serve a "$pistesim" --cluster "$cluster" --quota-lease "$lease"
  measure "1 node + Redis, --quota-lease $lease" 1 "${closed[@]}" "$a"
  one_lease_redis=$(redis_per_request)
  stop_last 1
  next_cluster
  for n in a b c; do serve "$n" "$pistesim" --cluster "$cluster" --quota-lease "$lease"; done
  measure "3 nodes + Redis, --quota-lease $lease" 3 "${closed[@]}" "$a" "$b" "$c"
  three_lease_redis=$(redis_per_request)
  stop_last 3
fi
if [ -n "$baseline" ]; then
  label="baseline $(basename "$baseline")${baseline_args[*]:+ ${baseline_args[*]}}"
  next_cluster
  serve a "$baseline" --cluster "$cluster" "${baseline_args[@]}"
  measure "1 node + Redis, $label" 1 "${closed[@]}" "$a"
  baseline_one_redis=$(redis_per_request)
  stop_last 1
  next_cluster
  for n in a b c; do serve "$n" "$baseline" --cluster "$cluster" "${baseline_args[@]}"; done
  measure "3 nodes + Redis, $label" 3 "${closed[@]}" "$a" "$b" "$c"
  baseline_redis=$(redis_per_request)
  stop_last 3
fi
echo
echo "Redis, 1 node: $one_node_redis"
echo "Redis, 3 nodes: $three_nodes_redis"
[ -z "$lease" ] || echo "Redis, 1 node, --quota-lease $lease: $one_lease_redis"
[ -z "$lease" ] || echo "Redis, 3 nodes, --quota-lease $lease: $three_lease_redis"
[ -z "$baseline" ] || echo "Redis, 1 node, baseline: $baseline_one_redis"
[ -z "$baseline" ] || echo "Redis, 3 nodes, baseline: $baseline_redis"
