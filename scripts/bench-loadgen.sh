#!/usr/bin/env bash
# Load generator figures for docs/performance.md, measured side by side in one run:
#  1. the load generator's ceiling against a trivial loopback target, next to wrk (same target,
#     same connections, one client thread each, runs alternated);
#  2. peak throughput (closed model) of a bare cpp-httplib handler (tuned like pistesim) given
#     GET /ping and given the POST of a token request's form, of the simulator's gateway and of
#     its token endpoint (`pistesim serve`), then p99 of each at half of its peak (open model,
#     latency from the intended send time);
#  3. the quota core (bench/quota_bench).
# Usage: bash scripts/bench-loadgen.sh [seconds per run, default 5] [connections, default 32] [runs, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5}
connections=${2:-32}
runs=${3:-2}
build=${PISTESIM_BUILD_DIR:-build}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
for t in cli/pistesim bench/loadgen_trivial_server bench/bare_httplib_server bench/quota_bench; do
  [ -x "$build/$t" ] || { echo "missing $build/$t: build with -DPISTESIM_BUILD_BENCHMARKS=ON" >&2; exit 2; }
done
pistesim="$build/cli/pistesim"

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
field() { python3 -c 'import json,sys;j=json.load(open(sys.argv[1]));print(eval(sys.argv[2]))' "$@"; }
# Runs `pistesim load … --report json=F` and prints "rate p50 p99 errors".
load() {
  local out=$tmp/load.json
  "$pistesim" load "$@" --report "json=$out" >/dev/null 2>&1 || true
  field "$out" '"%.0f %.3f %.3f %d" % (j["achieved_rate"], j["summary"]["p50_ms"], j["summary"]["p99_ms"], sum(j["errors"].values()))'
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%F)"
echo

echo "## 1. Load generator ceiling vs wrk (trivial epoll target, 1 server thread, c$connections, ${duration}s)"
echo
echo "| run | wrk -t1 req/s | pistesim load --threads 1 req/s | ratio |"
echo "|---|---|---|---|"
p=$(port); "$build/bench/loadgen_trivial_server" "$p" 1 >/dev/null & pids+=($!); sleep 0.3
for r in $(seq "$runs"); do
  w=$(wrk -t1 -c"$connections" -d"${duration}s" "http://127.0.0.1:$p/ping" | awk '/Requests\/sec/ {print $2}')
  read -r l _ _ _ < <(load --target "http://127.0.0.1:$p" --plain /ping --closed --threads 1 \
    --connections "$connections" --duration "${duration}s")
  printf '| %s | %.0f | %.0f | %.2f |\n' "$r" "$w" "$l" "$(python3 -c "print($l/$w)")"
done
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
echo

echo "## 2. Peak and p99 at half of peak (pistesim load, c$connections, ${duration}s)"
echo
echo "| target | peak req/s (closed) | p99 at peak | rate at 50 % | p50 at 50 % | p99 at 50 % | errors |"
echo "|---|---|---|---|---|---|---|"
p=$(port); "$build/bench/bare_httplib_server" "$p" tuned >/dev/null & pids+=($!); sleep 0.3
read -r peak _ p99peak _ < <(load --target "http://127.0.0.1:$p" --plain /ping --closed \
  --connections "$connections" --duration "${duration}s")
half=$(python3 -c "print(int($peak/2))")
read -r rate p50 p99 errs < <(load --target "http://127.0.0.1:$p" --plain /ping --rate "$half" \
  --apps 4 --connections "$connections" --duration "${duration}s")
echo "| bare cpp-httplib, tuned: GET /ping | $peak | $p99peak ms | $rate | $p50 ms | $p99 ms | $errs |"
bare_peak=$peak
# The token endpoint's yardstick: the same handler POSTed the form of a token request (same size,
# same Content-Type), answering a constant token-shaped body.
form="grant_type=client_credentials&client_id=6f2e9d41-8c3b-47a5-b0e9-1d5c7a3f2e86&client_secret=0b7c4e2a-5d9f-4a13-8e6b-c2f1d7a9e354&scope=openid"
post=(--plain /api/oauth/token --method POST --body "$form")
read -r peak _ p99peak _ < <(load --target "http://127.0.0.1:$p" "${post[@]}" --closed \
  --connections "$connections" --duration "${duration}s")
half=$(python3 -c "print(int($peak/2))")
read -r rate p50 p99 errs < <(load --target "http://127.0.0.1:$p" "${post[@]}" --rate "$half" \
  --apps 4 --connections "$connections" --duration "${duration}s")
echo "| bare cpp-httplib, tuned: POST of a token request's form | $peak | $p99peak ms | $rate | $p50 ms | $p99 ms | $errs |"
bare_post_peak=$peak
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

"$pistesim" serve --port 0 --info-file "$tmp/info.json" >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/info.json" ] && break; sleep 0.05; done
base=$(field "$tmp/info.json" 'j["base_url"]')
export PISTESIM_ADMIN_TOKEN=$(field "$tmp/info.json" 'j["admin_token"]')
read -r peak _ p99peak _ < <(load --target "$base" --workload gateway-closed --connections "$connections" \
  --duration "${duration}s" --run-id gwpeak)
half=$(python3 -c "print(int($peak/2))")
read -r rate p50 p99 errs < <(load --target "$base" --apps 16 --quota 1000000/1s --rate "$half" \
  --connections "$connections" --duration "${duration}s" --run-id gwhalf)
echo "| pistesim gateway (Légifrance ping, bearer) | $peak ($(python3 -c "print('%.2f' % ($peak/$bare_peak))")× bare) | $p99peak ms | $rate | $p50 ms | $p99 ms | $errs |"
read -r peak _ p99peak _ < <(load --target "$base" --workload token-endpoint --connections "$connections" \
  --duration "${duration}s" --run-id tokpeak)
half=$(python3 -c "print(int($peak/2))")
read -r rate p50 p99 errs < <(load --target "$base" --kind token --apps 16 --rate "$half" \
  --connections "$connections" --duration "${duration}s" --run-id tokhalf)
echo "| pistesim token endpoint | $peak ($(python3 -c "print('%.2f' % ($peak/$bare_post_peak))")× bare POST, $(python3 -c "print('%.2f' % ($peak/$bare_peak))")× bare GET) | $p99peak ms | $rate | $p50 ms | $p99 ms | $errs |"
echo

echo "## 3. Quota core (bench/quota_bench)"
echo
"$build/bench/quota_bench" --benchmark_min_time=0.5 2>/dev/null | awk '/^BM_/ {print "    " $0}'
