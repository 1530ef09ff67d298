#!/bin/sh
# A well-behaved PISTE client in POSIX sh + curl: it passes every check of WIRE-12
# (scenarios/client/README.md). It gets a token by OAuth 2.0 client credentials, then makes
# CLIENT_CALLS calls to one API resource.
#   - one token, cached with its expiry, reused until CLIENT_REFRESH_S seconds before it ends;
#   - on 401 invalid_token: forget the token, fetch one new token, retry the call once;
#   - on 429, 5xx or a cut connection: wait (Retry-After if longer, else CLIENT_BACKOFF_MS
#     doubling each time), at most CLIENT_MAX_RETRIES times;
#   - any other 4xx is permanent: never sent again, the client stops;
#   - credentials in the form body only (one method), never in a URL, never on the command line.
#
# Reads: PISTE_TOKEN_URL, PISTE_API_URL, PISTE_CLIENT_ID, PISTE_CLIENT_SECRET (set by the
# scenario's exec step), and optionally CLIENT_CALLS (5), CLIENT_PATH (Légifrance ping),
# CLIENT_BACKOFF_MS (500), CLIENT_MAX_RETRIES (5), CLIENT_REFRESH_S (120), CLIENT_TOKEN_CACHE
# (a file keeping the token between runs). Exit: 0 all calls done, 3 credentials refused,
# 4 a call refused for good, 5 gave up after retries.
set -u

: "${PISTE_TOKEN_URL:?}" "${PISTE_API_URL:?}" "${PISTE_CLIENT_ID:?}" "${PISTE_CLIENT_SECRET:?}"
CALLS=${CLIENT_CALLS:-5}
RESOURCE=${CLIENT_PATH:-/dila/legifrance/lf-engine-app/consult/ping}
BACKOFF_MS=${CLIENT_BACKOFF_MS:-500}
MAX_RETRIES=${CLIENT_MAX_RETRIES:-5}
REFRESH_S=${CLIENT_REFRESH_S:-120}   # WIRE-12: clients renew 60-240 s before expiry
CACHE=${CLIENT_TOKEN_CACHE:-}

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
token=""
expires_at=0
tokens_fetched=0

log() { printf '%s\n' "$*"; }
now() { date +%s; }

# curl writes the body and headers to $work, prints the status ("000" when the connection
# failed or was cut mid-answer). Secrets and tokens go through stdin, not argv (ps shows argv).
status_of() {
  rm -f "$work/body" "$work/headers"
  out=$(curl -sS -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" 2>"$work/err") || out=000
  printf '%s' "$out"
}
json_string() { sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p" "$work/body"; }
json_number() { sed -n "s/.*\"$1\" *: *\([0-9][0-9]*\).*/\1/p" "$work/body"; }

# Sleeps before retry number $1 (0, 1, …): BACKOFF_MS * 2^n, or Retry-After when longer.
backoff() {
  ms=$((BACKOFF_MS << $1))
  ra=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9][0-9]*\).*/\1/p' "$work/headers" 2>/dev/null)
  [ -n "$ra" ] && [ $((ra * 1000)) -gt "$ms" ] && ms=$((ra * 1000))
  log "  waiting ${ms} ms"
  sleep "$(awk "BEGIN { print $ms / 1000 }")"
}

load_cache() {
  [ -n "$CACHE" ] && [ -s "$CACHE" ] || return 0
  read -r token expires_at <"$CACHE" || { token=""; expires_at=0; }
}
save_cache() { [ -z "$CACHE" ] || (umask 077 && printf '%s %s\n' "$token" "$expires_at" >"$CACHE"); }
forget_token() { token=""; expires_at=0; [ -z "$CACHE" ] || rm -f "$CACHE"; }

# Fetches a token (retrying failures the server caused); exits on a refusal.
fetch_token() {
  ftry=0
  while :; do
    code=$(printf '%s' "$PISTE_CLIENT_SECRET" | status_of -X POST "$PISTE_TOKEN_URL" \
      --data-urlencode grant_type=client_credentials \
      --data-urlencode "client_id=$PISTE_CLIENT_ID" --data-urlencode client_secret@-)
    case $code in
      200)
        token=$(json_string access_token)
        expires_at=$(($(now) + $(json_number expires_in)))
        tokens_fetched=$((tokens_fetched + 1))
        save_cache
        log "  new token (expires in $(json_number expires_in) s)"
        return 0 ;;
      429 | 5?? | 000) ;;
      *)
        log "token endpoint answered $code $(json_string error): credentials refused, not retrying" >&2
        exit 3 ;;
    esac
    [ "$ftry" -ge "$MAX_RETRIES" ] && { log "token endpoint: giving up after $ftry retries" >&2; exit 5; }
    backoff "$ftry"
    ftry=$((ftry + 1))
  done
}

valid_token() { [ -n "$token" ] && [ "$(now)" -lt $((expires_at - REFRESH_S)) ]; }

# One API call with its retries.
call() {
  try=0
  renewed=no
  while :; do
    valid_token || fetch_token
    code=$(printf 'Authorization: Bearer %s\n' "$token" | status_of -H @- "$PISTE_API_URL$RESOURCE")
    case $code in
      2??) log "call $1: $code"; return 0 ;;
      401)
        # Expired or revoked: one new token, one retry; a second 401 is not a token problem.
        [ "$renewed" = yes ] && { log "call $1: 401 again with a new token, stopping" >&2; exit 4; }
        log "call $1: 401 $(sed -n 's/.*error="\([^"]*\)".*/\1/p' "$work/headers"), renewing the token"
        forget_token
        renewed=yes
        continue ;;
      429 | 5?? | 000)
        if [ "$code" = 000 ]; then log "call $1: connection failed ($(cat "$work/err"))"; else log "call $1: $code"; fi
        [ "$try" -ge "$MAX_RETRIES" ] && { log "call $1: giving up after $try retries" >&2; exit 5; }
        backoff "$try"
        try=$((try + 1)) ;;
      *)
        log "call $1: $code, a permanent refusal: not sending it again" >&2
        exit 4 ;;
    esac
  done
}

load_cache
i=1
while [ "$i" -le "$CALLS" ]; do
  call "$i"
  i=$((i + 1))
done
log "done: $CALLS calls, $tokens_fetched new token(s)"
