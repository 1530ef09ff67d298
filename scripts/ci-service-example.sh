#!/usr/bin/env bash
# pistesim as a service in a pipeline (docs/ci-service.md): start it in the background, wait
# until it is ready, hand its URLs and credentials to the job as environment variables, smoke it
# (a token, an API call), run the client scenarios against the integrator's client, collect the
# JUnit report, stop it. CI runs this very script against the installed .deb
# (scripts/ci-package.sh). Needs pistesim, curl and jq.
#   PISTESIM           the binary (default: pistesim on PATH)
#   CLIENT_UNDER_TEST  the client the scenarios judge (default: the example client they ship)
#   REPORT_DIR         where the JUnit report goes (default: ./reports)
set -euo pipefail
pistesim=${PISTESIM:-pistesim}
reports=${REPORT_DIR:-$PWD/reports}
mkdir -p "$reports"
run=$(mktemp -d)

# 1. In the background, on a free port; the info file (mode 0600) says which, once listening.
"$pistesim" serve --port 0 --info-file "$run/info.json" >"$run/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$run"' EXIT
stop_with() {
  echo "ci-service-example: $1" >&2
  cat "$run/serve.log" >&2
  exit 1
}

# 2. Ready: the info file exists and GET /__pistesim/ready answers 200 (503 while stopping).
for _ in $(seq 100); do
  [ -s "$run/info.json" ] && break
  kill -0 "$server" 2>/dev/null || stop_with "pistesim serve exited"
  sleep 0.1
done
[ -s "$run/info.json" ] || stop_with "no info file after 10 s"
base=$(jq -r .base_url "$run/info.json")
for _ in $(seq 50); do
  curl -fsS -o /dev/null "$base/__pistesim/ready" && break
  sleep 0.1
done
curl -fsS "$base/__pistesim/ready" >/dev/null || stop_with "$base/__pistesim/ready never answered 200"

# 3. What the job's own tools need, as environment variables (names as pistesim run gives an
#    exec step; PISTESIM_ADMIN_TOKEN is read by pistesim run and load).
info() { jq -r "$1" "$run/info.json"; }
PISTE_TOKEN_URL=$(info .sandbox.token_url)
PISTE_API_URL=$(info .sandbox.api_url)
PISTE_CLIENT_ID=$(info .demo.sandbox.client_id)
PISTE_CLIENT_SECRET=$(info .demo.sandbox.client_secret)
PISTESIM_ADMIN_TOKEN=$(info .admin_token)
export PISTE_TOKEN_URL PISTE_API_URL PISTE_CLIENT_ID PISTE_CLIENT_SECRET PISTESIM_ADMIN_TOKEN

# 4. Smoke: a token (the secret on stdin, not in ps), then an API call with it.
token=$(printf 'grant_type=client_credentials&client_id=%s&client_secret=%s&scope=openid' \
  "$PISTE_CLIENT_ID" "$PISTE_CLIENT_SECRET" | curl -fsS -d @- "$PISTE_TOKEN_URL" | jq -r .access_token)
[ -n "$token" ] && [ "$token" != null ] || stop_with "no access_token from $PISTE_TOKEN_URL"
answer=$(curl -fsS -H "Authorization: Bearer $token" \
  "$PISTE_API_URL/dila/legifrance/lf-engine-app/consult/ping")
echo "ci-service-example: token obtained, Légifrance ping answered: $answer"

# 5. The client scenarios against the service (faults, clock and journal through the control
#    API), judging CLIENT_UNDER_TEST; JUnit for the CI's test report.
"$pistesim" run --target "$base" --color never --report junit="$reports/pistesim-client.xml" \
  "$("$pistesim" data-dir)/scenarios/client/conformance"

# 6. Stop: SIGTERM ends the server cleanly (exit 0).
kill -TERM "$server"
wait "$server" || stop_with "pistesim serve did not exit 0 on SIGTERM"
echo "ci-service-example: passed; JUnit report in $reports/pistesim-client.xml"
