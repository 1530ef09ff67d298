#!/usr/bin/env bash
# CI phase "package" (docs/ci.md): the Debian package built by CPack from the already-built tree,
# installed on this machine, each command run from an empty directory as a pipeline would —
# `pistesim run`, `conform`, `load --duration 2s`, and `serve` through the docs/ci-service.md
# example (scripts/ci-service-example.sh) — then the package removed, whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${PISTESIM_BUILD_DIR:-build}
as_root=()
[ "$(id -u)" -ne 0 ] && as_root=(sudo)
if dpkg-query -W -f='${Status}' pistesim 2>/dev/null | grep -q "install ok installed"; then
  echo "ci-package: a pistesim package is already installed; remove it first" >&2
  exit 1
fi

rm -f "$build"/pistesim_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/pistesim_*.deb)
echo "ci-package: built $deb"
dpkg-deb --field "$deb" Package Version Architecture Depends

work=$(mktemp -d)
cleanup() {
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get remove -y -qq pistesim >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
  "$(realpath "$deb")" >/dev/null
pistesim=$(command -v pistesim)
echo "ci-package: installed $pistesim, data in $(pistesim data-dir)"

cd "$work"  # empty: nothing here for pistesim to read
pistesim run --jobs 2 --color never
pistesim conform --color never
pistesim load --duration 2s
# The installed copy of the example: what an integrator's pipeline runs.
REPORT_DIR="$work/reports" bash "$(pistesim data-dir)/examples/ci-service-example.sh"
[ -s "$work/reports/pistesim-client.xml" ]

cd "$repo"
cleanup
trap - EXIT
hash -r  # bash remembers where pistesim was
if command -v pistesim >/dev/null || [ -e /usr/share/pistesim ]; then
  echo "ci-package: the package left files behind after its removal" >&2
  exit 1
fi
echo "ci-package: installed, ran and removed $(basename "$deb")"
