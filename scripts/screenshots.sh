#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/images/) from the browser journeys rather than by
# hand: runs tests/browser/journeys_test.mjs (the SNE-Cotation journey by clicking, the console's
# levers) against the built pistesim and copies the screens it shot:
#   « Tester l'API » answering OK    → docs/images/portal-tester-api.png
#   the console's journal with a 503 → docs/images/console-journal.png
# The journey must pass: a failing run changes nothing. Every screen it shot stays in the
# temporary directory printed at the end, to look at.
# Usage: bash scripts/screenshots.sh [BUILD_DIR]   (default: build; needs scripts/install-deps.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build}")
pistesim="$build/cli/pistesim"
[ -x "$pistesim" ] || { echo "screenshots: no $pistesim; build first (scripts/build.sh)" >&2; exit 2; }

shots=$(mktemp -d -t pistesim-screenshots.XXXXXX)
node "$root/tests/browser/journeys_test.mjs" "$pistesim" "$shots"

# Screens are numbered in the order shot (NN-name.png): the name says which one it is.
copy() {
  local found
  found=$(find "$shots" -maxdepth 1 -name "[0-9]*-$1.png" | sort | tail -n 1)
  [ -n "$found" ] || { echo "screenshots: the journey shot no « $1 » screen (see $shots)" >&2; exit 1; }
  cp "$found" "$root/docs/images/$2"
  echo "screenshots: docs/images/$2 ← $(basename "$found")"
}
copy portal-tester-api-ok portal-tester-api.png
copy console-journal console-journal.png
echo "screenshots: every screen of the run is in $shots"
