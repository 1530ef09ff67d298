#!/bin/sh
# The simulator's folders form layers: no folder may include, directly or through others, a
# folder that includes it (docs/design.md, "Layers"). Prints the loop and fails when one does.
# Usage: folder_cycles.sh SIMULATOR_DIR
set -eu
cd "$1"
edges=$(for d in */; do
  d=${d%/}
  grep -rhoE '#include "[a-z_]+/' "$d" | sed -E 's/#include "//; s/\///' | sort -u |
    while read -r dep; do [ "$dep" = "$d" ] || echo "$dep $d"; done
done)
[ -n "$edges" ] || { echo "no include found under $1" >&2; exit 1; }
if ! echo "$edges" | tsort >/dev/null 2>"${TMPDIR:-/tmp}/folder_cycles.$$"; then
  cat "${TMPDIR:-/tmp}/folder_cycles.$$" >&2
  rm -f "${TMPDIR:-/tmp}/folder_cycles.$$"
  exit 1
fi
rm -f "${TMPDIR:-/tmp}/folder_cycles.$$"
echo "$(echo "$edges" | wc -l) folder dependencies, no cycle"
