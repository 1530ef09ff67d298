#!/usr/bin/env bash
# Installs what pistesim needs from Debian's packages. Idempotent: installs only what is
# missing, so a second run costs a few dpkg queries. Run as root (or with sudo available).
# dpkg-dev: dpkg-shlibdeps, which computes the .deb's dependencies; jq: the CI service example.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates curl openssl
  libcpp-httplib-dev nlohmann-json3-dev libssl-dev libtomlplusplus-dev libcli11-dev
  libgtest-dev googletest libbenchmark-dev clang-format libsqlite3-dev
  libboost1.81-dev
  dpkg-dev jq
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -ne 0 ] && as_root=(sudo)
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
