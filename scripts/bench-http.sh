#!/usr/bin/env bash
# Loopback HTTP figures for docs/performance.md, side by side in one run with wrk (-t1):
#   nginx (Debian nginx-light, one worker, a static JSON answer behind limit_req), the bare Beast
#   handler (bench/bare_beast_server), `pistesim serve` (with one loop, as nginx, and with its
#   default of a loop per core): its gateway (Légifrance /consult/ping with a
#   bearer token) and its token endpoint, each at c=16 and c=1000; then a slow-client run (the
#   gateway's p99 while hundreds of connections trickle a body) and an idle-connection run
#   (thousands of idle connections held, the RSS they cost, a client's p99 beside them).
# With --tls, the same over HTTPS (nginx given the same ECDSA certificate), and new TLS
# connections per second with `ab -c 16` (no keep-alive).
# Usage: bash scripts/bench-http.sh [--tls] [seconds per run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
tls=0
if [ "${1:-}" = "--tls" ]; then tls=1; shift; fi
duration=${1:-5}
build=${PISTESIM_BUILD_DIR:-build}
need=(wrk nginx)
[ "$tls" = 1 ] && need+=(ab)
for c in "${need[@]}"; do
  command -v "$c" >/dev/null && continue
  pkg=$c; [ "$c" = nginx ] && pkg=nginx-light; [ "$c" = ab ] && pkg=apache2-utils
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
done
for t in cli/pistesim bench/bare_beast_server bench/slow_clients; do
  [ -x "$build/$t" ] || { bash scripts/build.sh -DPISTESIM_BUILD_BENCHMARKS=ON; break; }
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
scheme=http
[ "$tls" = 1 ] && scheme=https

# label url connections [wrk args…]
run_wrk() {
  local label=$1 url=$2 c=$3; shift 3
  local out rps p50 p99 non2xx errors
  out=$(wrk -t1 -c"$c" -d"${duration}s" --latency "$@" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  errors=$(awk '/Socket errors/ {print $4 $5 $6 $7 $8 $9 $10 $11}' <<<"$out")
  printf '| %-34s | %5s | %10s | %8s | %8s | %7s | %s |\n' "$label" "$c" "$rps" "$p50" "$p99" \
    "${non2xx:-0}" "${errors:--}"
  echo "$rps" >"$tmp/last_rps"
}

if [ "$tls" = 1 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
fi

# nginx: one worker, the same JSON body, limit_req with a rate no run reaches.
np=$(port)
listen="127.0.0.1:$np"
[ "$tls" = 1 ] && listen="$listen ssl; ssl_certificate $tmp/cert.pem; ssl_certificate_key $tmp/key.pem"
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65536;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_requests 1000000;
  limit_req_zone \$binary_remote_addr zone=all:1m rate=10000000r/s;
  server {
    listen $listen;
    location / {
      limit_req zone=all burst=1000000 nodelay;
      default_type application/json;
      return 200 '{"status":"ok"}';
    }
  }
}
CONF
nginx -c "$tmp/nginx.conf" -p "$tmp" 2>/dev/null
wait_port "$np"

bp=$(port)
"$build/bench/bare_beast_server" "$bp" 1 & pids+=($!)
wait_port "$bp"

# Two servers: one loop, as nginx's one worker (like for like), and the default (a loop per
# core). Every client here is 127.0.0.1: the per-client limit is raised for the idle run.
loops_default=$(nproc)
start_server() {  # name extra-args…
  local name=$1; shift
  local args=(serve --port 0 --info-file "$tmp/$name.json" --max-connections 12000
    --max-connections-per-client 12000 "$@" ${PISTESIM_BENCH_SERVE_ARGS:-})
  [ "$tls" = 1 ] && args+=(--tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem")
  "$build/cli/pistesim" "${args[@]}" >/dev/null 2>"$tmp/$name.log" & pids+=($!)
  for _ in $(seq 100); do [ -s "$tmp/$name.json" ] && break; sleep 0.05; done
}
start_server one --threads 1
start_server all
spid=$!
json() { python3 -c 'import json,sys;d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$tmp/$1.json" "$2"; }
ping_path=/sandbox/api/dila/legifrance/lf-engine-app/consult/ping
token_path=/sandbox/oauth/api/oauth/token
form() { echo "grant_type=client_credentials&client_id=$(json "$1" demo.sandbox.client_id)&client_secret=$(json "$1" demo.sandbox.client_secret)&scope=openid"; }
# A new bearer token before each gateway run: a token endpoint run issues more than the live
# tokens a client may hold (10 000), and the oldest (this one) expire.
fresh_token() {  # server
  token=$(curl -sk -d "$(form "$1")" "$(json "$1" base_url)$token_path" | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
}
for name in one all; do
  # The demo application's quotas (1 000 000 a day) would run out within a run: a billion, so
  # the runs measure served calls (the quota is still counted on each).
  for scope in '"api":"legifrance",' ''; do  # the subscription's quota, then the application's
    curl -sk -X PUT -H "Authorization: Bearer $(json $name admin_token)" -H 'Content-Type: application/json' \
      -d "{$scope\"limit\":1000000000,\"window\":\"1d\"}" \
      "$(json $name base_url)/__pistesim/applications/demo-sandbox/quota" >/dev/null
  done
  cat >"$tmp/token-$name.lua" <<LUA
wrk.method = "POST"
wrk.body = "$(form $name)"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
done
base=$(json all base_url)

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; wrk -t1 -d${duration}s; pistesim serve with 1 loop and with its default ($loops_default loops); $scheme; $(date -u +%F)"
echo
echo "| target | conns | req/s | p50 | p99 | non-2xx | socket errors |"
echo "|---|---|---|---|---|---|---|"
declare -A rps
for c in 16 1000; do
  run_wrk "nginx (1 worker, limit_req)" "$scheme://127.0.0.1:$np/ping" "$c"; rps[nginx$c]=$(cat "$tmp/last_rps")
  if [ "$tls" = 0 ]; then
    run_wrk "bare Beast handler (1 thread)" "http://127.0.0.1:$bp/ping" "$c"
  fi
  for name in one all; do
    label="1 loop"; [ $name = all ] && label="$loops_default loops"
    fresh_token $name
    run_wrk "pistesim gateway, $label" "$(json $name base_url)$ping_path" "$c" -H "Authorization: Bearer $token"
    rps[gw$name$c]=$(cat "$tmp/last_rps")
    run_wrk "pistesim token endpoint, $label" "$(json $name base_url)$token_path" "$c" -s "$tmp/token-$name.lua"
    rps[tok$name$c]=$(cat "$tmp/last_rps")
  done
done
echo
for c in 16 1000; do
  for name in one all; do
    label="1 loop"; [ $name = all ] && label="$loops_default loops"
    python3 -c "import sys;n,g,t=map(float,sys.argv[1:4]);print(f'c={sys.argv[4]}, {sys.argv[5]}: gateway {g/n:.2f}x nginx, token endpoint {t/n:.2f}x nginx')" \
      "${rps[nginx$c]}" "${rps[gw$name$c]}" "${rps[tok$name$c]}" "$c" "$label"
  done
done

if [ "$tls" = 1 ]; then
  echo
  echo "New TLS connections per second (ab -c 16, no keep-alive, ${duration}s):"
  for pair in "nginx|https://127.0.0.1:$np/ping" "pistesim health|$base/__pistesim/health"; do
    label=${pair%%|*}; url=${pair#*|}
    printf '  %-16s %s\n' "$label" "$(ab -q -c 16 -t "$duration" -n 10000000 "$url" 2>/dev/null | awk '/Requests per second/ {print $4}')"
  done
  exit 0
fi

echo
echo "Slow and idle clients against pistesim serve, $loops_default loops (bench/slow_clients):"
fresh_token all
"$build/bench/slow_clients" --port "${base##*:}" --pid "$spid" --token "$token" --seconds "$duration"
