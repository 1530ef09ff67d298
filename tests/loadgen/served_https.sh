#!/bin/sh
# `pistesim load` against `pistesim serve` over HTTPS (ctest loadgen.served_https): a self-signed
# certificate made with the openssl CLI, the server on a free loopback port, then
#  1. a quota run through the control API and the TLS connections, the certificate trusted with
#     --ca-file: exit 0, every call answered, quotas held;
#  2. the same server without --ca-file, --plain (no control API call first): the load
#     generator's own handshakes must refuse the unknown certificate (exit 1, named as such);
#  3. --insecure: the same run passes.
# Usage: served_https.sh PISTESIM
set -u
pistesim=$1
dir=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 || fail "openssl"
token=$(openssl rand -hex 24)
"$pistesim" serve --port 0 --tls-cert "$dir/cert.pem" --tls-key "$dir/key.pem" \
  --admin-token "$token" --info-file "$dir/info.json" >"$dir/serve.log" 2>&1 &
server=$!
i=0
while [ ! -s "$dir/info.json" ]; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$server" 2>/dev/null; then
    cat "$dir/serve.log"; fail "pistesim serve did not start"
  fi
  sleep 0.1
done
url=$(sed -n 's/.*"base_url": *"\([^"]*\)".*/\1/p' "$dir/info.json" | head -n 1)
case "$url" in https://*) ;; *) fail "not an HTTPS base URL: $url" ;; esac

echo "== 1. quota run over TLS, certificate trusted"
"$pistesim" load --target "$url" --admin-token "$token" --ca-file "$dir/cert.pem" \
  --duration 2s --apps 2 --rate 80 --quota 5/1s --connections 4 --json "$dir/run.json" ||
  fail "the load run over TLS did not pass"
# Exit 0 means no over-admission, no error, no 5xx; the quota must also have refused calls.
tr -d ' \n' < "$dir/run.json" | grep -Eq '"refusals":\{"bad":\{\},"count":[1-9]' ||
  fail "no 429 seen: the quota was not exercised over TLS"

echo "== 2. unknown certificate refused by the load generator's handshakes"
out=$("$pistesim" load --target "$url" --plain /__pistesim/ready --duration 1s --rate 20 \
  --connections 2 2>&1)
code=$?
echo "$out" | tail -n 15
[ $code -eq 1 ] || fail "expected exit 1 against an untrusted certificate, got $code"
echo "$out" | grep -q "certificate" || fail "the failure does not name the certificate"

echo "== 3. --insecure"
"$pistesim" load --target "$url" --plain /__pistesim/ready --insecure --duration 1s --rate 20 \
  --connections 2 || fail "--insecure run failed"
echo "PASS"
