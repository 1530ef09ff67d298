#!/usr/bin/env bash
# Renders an HTML report (pistesim load --html, pistesim run --report html=…) to a PNG with
# headless Chromium, to look at its plots and tables the way a browser draws them.
# Usage: bash scripts/render-report.sh REPORT.html OUT.png [WIDTH [HEIGHT]]
# Chromium comes from Debian, installed on first use (no test needs it, so install-deps.sh
# does not install it).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 REPORT.html OUT.png [WIDTH [HEIGHT]]" >&2; exit 2; }
report=$(realpath "$1")
out=$(realpath -m "$2")
width=${3:-1000}
height=${4:-2400}
[ -f "$report" ] || { echo "render-report: no such file: $1" >&2; exit 2; }

if ! command -v chromium >/dev/null; then
  as_root=()
  [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  echo "render-report: installing chromium" >&2
  "${as_root[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    chromium >&2
fi

# A throw-away profile, so that renders neither share state nor touch the user's own.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: Chromium's sandbox refuses to run as root (CI containers); the page is our own.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size="$width,$height" --screenshot="$out" "file://$report" 2>/dev/null
[ -s "$out" ] || { echo "render-report: chromium wrote no screenshot" >&2; exit 1; }
echo "$out"
