#!/bin/sh
# `pistesim load` against `pistesim serve` over HTTPS (ctest loadgen.served_https): a self-signed
# certificate made with the openssl CLI, the server on a free loopback port, then
#  1. the smoke profile (PRODUCTION applications, and SANDBOX ones made by registering and
#     activating accounts) through the control API and the TLS connections, the certificate
#     trusted with --ca-file: exit 0, every call answered, quotas held;
#  2. the same server without --ca-file, --plain (no control API call first): the load
#     generator's own handshakes must refuse the unknown certificate (exit 1, named as such);
#  3. --insecure: the same run passes.
# Usage: served_https.sh PISTESIM
set -u
pistesim=$1
fail() { echo "FAIL: $*"; exit 1; }
. "$(dirname "$0")/../support/serve_https.sh"
serve_https "$pistesim"

echo "== 1. smoke profile over TLS, certificate trusted"
"$pistesim" load --target "$url" --admin-token "$token" --ca-file "$cert" --workload smoke \
  --report "json=$dir/run.json" || fail "the load run over TLS did not pass"
# 4 PRODUCTION + 2 SANDBOX applications, each with its quota ledger.
[ "$(grep -o '"application":' "$dir/run.json" | wc -l)" -eq 6 ] ||
  fail "expected the 6 applications of the smoke profile in the result"
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
