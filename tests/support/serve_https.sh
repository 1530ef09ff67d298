# Sourced by the shell tests that need `pistesim serve` over HTTPS (conformance.served_https,
# loadgen.served_https). `serve_https PISTESIM [serve options…]` makes a self-signed certificate
# for 127.0.0.1 with the openssl CLI, starts the server on a free loopback port and sets:
#   dir (a temporary directory, removed on exit), cert (the certificate, to trust with
#   --ca-file), token (the admin token), url (the https:// base URL), server (its pid).
# Exits 2 when the certificate or the server cannot be made.
dir=$(mktemp -d)
server=""
serve_https_cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$dir"
}
trap serve_https_cleanup EXIT INT TERM

serve_https() {
  _pistesim=$1
  shift
  cert="$dir/cert.pem"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$dir/key.pem" -out "$cert" >/dev/null 2>&1 || { echo "openssl failed"; exit 2; }
  token=$(openssl rand -hex 24)
  "$_pistesim" serve --port 0 --tls-cert "$cert" --tls-key "$dir/key.pem" \
    --admin-token "$token" --info-file "$dir/info.json" "$@" >"$dir/serve.log" 2>&1 &
  server=$!
  _i=0
  while [ ! -s "$dir/info.json" ]; do
    _i=$((_i + 1))
    if [ $_i -gt 100 ] || ! kill -0 "$server" 2>/dev/null; then
      echo "pistesim serve did not start:"; cat "$dir/serve.log"; exit 2
    fi
    sleep 0.1
  done
  url=$(sed -n 's/.*"base_url": *"\([^"]*\)".*/\1/p' "$dir/info.json" | head -n 1)
  case "$url" in https://*) ;; *) echo "not an HTTPS base URL: $url"; exit 2 ;; esac
}
