#!/bin/sh
# A deliberately NAIVE PISTE client, to show what the client checks report (WIRE-12). It works,
# in the sense that its calls end up answered 200, but it does everything a gateway operator
# hates. Do not copy it. Its faults, each caught by one check of scenarios/client/README.md:
#   - a new token for every call                              -> reuses_tokens
#   - credentials in HTTP Basic AND in the body ("to be safe") -> single_auth_method
#   - the request answered 400 sent again, identical           -> no_retry_after_400
#   - its client_id in every API call's query string           -> no_credentials_in_query
#   - after a 401, retries with the same token                 -> reauthenticates_once
#   - after a 429 or a 503, retries at once, up to 5 times     -> backoff_after_429
#
# Reads PISTE_TOKEN_URL, PISTE_API_URL, PISTE_CLIENT_ID, PISTE_CLIENT_SECRET, CLIENT_CALLS (5)
# and CLIENT_PATH (Légifrance ping), like good-client.sh.
set -u

: "${PISTE_TOKEN_URL:?}" "${PISTE_API_URL:?}" "${PISTE_CLIENT_ID:?}" "${PISTE_CLIENT_SECRET:?}"
CALLS=${CLIENT_CALLS:-5}
RESOURCE=${CLIENT_PATH:-/dila/legifrance/lf-engine-app/consult/ping}

get_token() {
  # Basic auth and the body at once: PISTE answers 400 invalid_request (RFC 6749 §2.3)...
  for _ in 1 2; do # ..."servers are flaky", so the same request again
    answer=$(curl -s -u "$PISTE_CLIENT_ID:$PISTE_CLIENT_SECRET" "$PISTE_TOKEN_URL" \
      -d grant_type=client_credentials -d "client_id=$PISTE_CLIENT_ID" \
      -d "client_secret=$PISTE_CLIENT_SECRET")
    case $answer in *access_token*) break ;; esac
  done
  # ...and finally the body alone, which works.
  case $answer in
    *access_token*) ;;
    *) answer=$(curl -s "$PISTE_TOKEN_URL" -d grant_type=client_credentials \
      -d "client_id=$PISTE_CLIENT_ID" -d "client_secret=$PISTE_CLIENT_SECRET") ;;
  esac
  printf '%s' "$answer" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

i=1
while [ "$i" -le "$CALLS" ]; do
  token=$(get_token) # a fresh token for every single call
  for _ in 1 2 3 4 5; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
      "$PISTE_API_URL$RESOURCE?client_id=$PISTE_CLIENT_ID")
    echo "call $i: $code"
    [ "$code" = 200 ] && break # anything else: try again, right now, same token
  done
  i=$((i + 1))
done
echo "done: $CALLS calls"
