#!/bin/sh
# An independent OAuth 2.0 server with a protected resource, to run the whole conformance suite
# against (docs/conformance.md "Peers"): the npm library @node-oauth/oauth2-server 5 behind
# Express 4 (node-oauth2-server.js), installed into conformance/peers/.node/ (not committed) and
# started on loopback. Prints the conform command line, then serves until killed.
# Usage: conformance/peers/node-oauth2-server.sh [PORT]   (default 8090)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-8090}
prefix="$here/.node"
if [ ! -d "$prefix/node_modules/@node-oauth/oauth2-server" ] || [ ! -d "$prefix/node_modules/express" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --silent @node-oauth/oauth2-server@5 express@4 >&2
fi
base="http://127.0.0.1:$port"
echo "run: pistesim conform --target $base --profile rfc --token-url $base/token --api-url $base/api --client-id conform-client --client-secret conform-secret-0001 --second-client-id other-client --second-client-secret other-secret-0002 --special-client-id 'sp:ec%ial&1+a b' --special-client-secret 's3:c%&+ z-secret' --public-client-id public-client --allowed-path /echo/hello --forbidden-path /other/hello" >&2
NODE_PATH="$prefix/node_modules" exec node "$here/node-oauth2-server.js" "$port"
