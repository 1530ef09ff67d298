#!/bin/sh
# An independent OAuth 2.0 server to run the conformance suite against (docs/conformance.md
# "Peer"): the npm package oauth2-mock-server, installed into conformance/peers/.node/ (not
# committed) and started on loopback. Prints the conform command line, then serves until killed.
# Usage: conformance/peers/oauth2-mock-server.sh [PORT]   (default 8089)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-8089}
prefix="$here/.node"
if [ ! -d "$prefix/node_modules/oauth2-mock-server" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --silent oauth2-mock-server@7 >&2
fi
echo "token endpoint: http://127.0.0.1:$port/token" >&2
echo "run: pistesim conform --target http://127.0.0.1:$port --profile rfc --token-url http://127.0.0.1:$port/token --client-id conform-client --client-secret conform-secret-0001" >&2
exec "$prefix/node_modules/.bin/oauth2-mock-server" -a 127.0.0.1 -p "$port"
