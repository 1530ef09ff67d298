#!/bin/sh
# The conformance suite against `pistesim serve` over HTTPS (ctest conformance.served_https):
# a self-signed certificate made with the openssl CLI, the server on a free loopback port with
# the conformance world, the suite verifying the certificate with --ca-file.
# Usage: served_https.sh PISTESIM SOURCE_DIR [extra conform options…]
set -u
pistesim=$1
src=$2
shift 2
. "$src/tests/support/serve_https.sh"
serve_https "$pistesim" --world "$src/conformance/world.toml"
"$pistesim" conform --color never --target "$url" --ca-file "$cert" \
  --admin-token "$token" --profile-file "$src/conformance/profiles/pistesim.toml" "$@"
