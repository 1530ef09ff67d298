#!/usr/bin/env bash
# Installs what pistesim needs from Debian's packages. Idempotent: installs only what is
# missing, so a second run costs a few dpkg queries. Run as root (or with sudo available).
# redis-server and libhiredis-dev: `serve --cluster` and its tests (docs/cluster.md).
# dpkg-dev: dpkg-shlibdeps, which computes the .deb's dependencies; jq: the CI service example;
# chromium: the browser the portal and console tests drive (tests/browser/).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates curl openssl
  libcpp-httplib-dev nlohmann-json3-dev libssl-dev libtomlplusplus-dev libcli11-dev
  libgtest-dev googletest libbenchmark-dev clang-format libsqlite3-dev
  libboost1.81-dev libboost-context1.81-dev
  redis-server libhiredis-dev
  dpkg-dev jq chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm for the OpenAPI checks (below): Debian's unless a node with its npm is already
# there (NodeSource's nodejs carries its own npm, and conflicts with Debian's).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  echo "install-deps: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The OpenAPI checks (tests/openapi/: Redocly's lint, Ajv for the end-to-end schema checks): their
# npm packages go to tests/openapi/node_modules (git-ignored); `npm install` is a no-op when they
# are up to date. Offline, it warns, and the OpenAPI tests say what is missing.
# The same for the real PISTE client the dila.client test runs (tests/dila/), and for Playwright
# (playwright-core), which drives chromium through the portal and the console (tests/browser/).
for checks in openapi dila browser; do
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/$checks"
  npm install --prefix "$dir" --no-audit --no-fund --silent ||
    echo "install-deps: npm install in $dir failed: the tests using it will fail" >&2
done
