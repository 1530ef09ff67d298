#!/bin/sh
# The conformance suite against `pistesim serve` over HTTPS (ctest conformance.served_https):
# a self-signed certificate made with the openssl CLI, the server on a free loopback port with
# the conformance world, the suite verifying the certificate with --ca-file.
# Usage: served_https.sh PISTESIM SOURCE_DIR [extra conform options…]
set -u
pistesim=$1
src=$2
shift 2
dir=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 || { echo "openssl failed"; exit 2; }
token=$(openssl rand -hex 24)
"$pistesim" serve --port 0 --world "$src/conformance/world.toml" --tls-cert "$dir/cert.pem" \
  --tls-key "$dir/key.pem" --admin-token "$token" --info-file "$dir/info.json" \
  >"$dir/serve.log" 2>&1 &
server=$!
i=0
while [ ! -s "$dir/info.json" ]; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$server" 2>/dev/null; then
    echo "pistesim serve did not start:"; cat "$dir/serve.log"; exit 2
  fi
  sleep 0.1
done
url=$(sed -n 's/.*"base_url": *"\([^"]*\)".*/\1/p' "$dir/info.json" | head -n 1)
case "$url" in https://*) ;; *) echo "not an HTTPS base URL: $url"; exit 2 ;; esac
"$pistesim" conform --color never --target "$url" --ca-file "$dir/cert.pem" \
  --admin-token "$token" --profile-file "$src/conformance/profiles/pistesim.toml" "$@"
