#!/bin/sh
# CTest openapi.lint: Redocly's lint of docs/openapi.json with tests/openapi/redocly.yaml
# (recommended rules, warnings as errors). Needs node and the packages of
# tests/openapi/package.json, which scripts/install-deps.sh installs.
# Usage: tests/openapi/lint.sh [DOCUMENT]   (default docs/openapi.json)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
document=${1:-$here/../../docs/openapi.json}
redocly=$here/node_modules/.bin/redocly
if ! command -v node >/dev/null 2>&1 || [ ! -x "$redocly" ]; then
  echo "openapi lint: node or $redocly is missing; run scripts/install-deps.sh" \
       "(it installs nodejs and npm, then the packages of tests/openapi/package.json)" >&2
  exit 1
fi
exec "$redocly" lint --config "$here/redocly.yaml" "$document"
