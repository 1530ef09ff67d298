#!/usr/bin/env bash
# Loopback HTTP figures for docs/performance.md, measured side by side in one run with wrk:
# a bare cpp-httplib handler (library defaults, then tuned like pistesim), then `pistesim serve`'s
# gateway (Légifrance /consult/ping with a bearer token) and token endpoint.
# Usage: bash scripts/bench-http.sh [seconds per run, default 10] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-64}
build=${PISTESIM_BUILD_DIR:-build}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
[ -x "$build/bench/bare_httplib_server" ] || bash scripts/build.sh -DPISTESIM_BUILD_BENCHMARKS=ON

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

run_wrk() {  # label url [wrk args…]
  local label=$1 url=$2; shift 2
  local out
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" "$url")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  printf '| %-44s | %10s | %8s | %8s | %s |\n' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}"
}

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; wrk -t2 -c$connections -d${duration}s; $(date -u +%F)"
echo
echo "| target | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"

p=$(port); "$build/bench/bare_httplib_server" "$p" default >/dev/null & pids+=($!); sleep 0.5
run_wrk "bare cpp-httplib, library defaults" "http://127.0.0.1:$p/ping"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

p=$(port); "$build/bench/bare_httplib_server" "$p" tuned >/dev/null & pids+=($!); sleep 0.5
run_wrk "bare cpp-httplib, tuned" "http://127.0.0.1:$p/ping"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

"$build/cli/pistesim" serve --port 0 --info-file "$tmp/info.json" >/dev/null & pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/info.json" ] && break; sleep 0.05; done
base=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["base_url"])' "$tmp/info.json")
id=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["demo"]["sandbox"]["client_id"])' "$tmp/info.json")
secret=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["demo"]["sandbox"]["client_secret"])' "$tmp/info.json")
body="grant_type=client_credentials&client_id=$id&client_secret=$secret&scope=openid"
token=$(curl -s -d "$body" "$base/sandbox/oauth/api/oauth/token" | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
run_wrk "pistesim gateway (Légifrance ping, bearer)" "$base/sandbox/api/dila/legifrance/lf-engine-app/consult/ping" \
  -H "Authorization: Bearer $token"
cat >"$tmp/token.lua" <<LUA
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
run_wrk "pistesim token endpoint" "$base/sandbox/oauth/api/oauth/token" -s "$tmp/token.lua"
