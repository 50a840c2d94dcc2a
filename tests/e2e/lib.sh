# Shared helpers for the end-to-end tests. Each test is a small bash script,
# one scenario, run by CTest with CALSYNC, CALSYNC_EMULATOR and CALSYNC_WEBHOOK
# pointing at the built binaries. Every test gets its own temp dir (kept when
# the test fails) and its own emulator on an ephemeral 127.0.0.1 port.
set -euo pipefail

: "${CALSYNC:?CALSYNC must point at the calsync binary}"
: "${CALSYNC_EMULATOR:?CALSYNC_EMULATOR must point at the emulator binary}"

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/emulator-config.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lighttpd-config.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/calsync-e2e.XXXXXX")
_pids=()
_ok=0

_cleanup() {
    local status=$?
    for pid in "${_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -eq 0 ] && [ "$_ok" -eq 1 ]; then
        rm -rf "$T"
    else
        echo "test failed (status $status); files kept in $T" >&2
        [ -f "$T/emulator.log" ] && { echo "--- emulator log (tail)" >&2; tail -20 "$T/emulator.log" >&2; }
        [ -f "$T/webhook.log" ] && { echo "--- calsync-webhook log (tail)" >&2; tail -20 "$T/webhook.log" >&2; }
        [ "$status" -eq 0 ] && status=1
    fi
    exit "$status"
}
trap _cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { _ok=1; echo "PASS: ${0##*/}"; }

# Starts the emulator; sets EMU (base URL, e.g. http://127.0.0.1:41234).
start_emulator() {
    "$CALSYNC_EMULATOR" --port 0 --port-file "$T/emulator.port" "$@" >"$T/emulator.log" 2>&1 &
    _pids+=($!)
    for _ in $(seq 1 100); do
        [ -s "$T/emulator.port" ] && break
        sleep 0.05
    done
    [ -s "$T/emulator.port" ] || fail "emulator did not start"
    EMU="http://127.0.0.1:$(cat "$T/emulator.port")"
}

# POST JSON to the emulator's control API: ctl PATH JSON
ctl() {
    curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' --data "${2:-{\}}" "$EMU/_control$1"
}
ctl_get() { curl -sS --fail-with-body "$EMU/_control$1"; }

assert_eq() { [ "$1" == "$2" ] || fail "${3:-values differ}: expected [$2], got [$1]"; }
assert_contains() { grep -qF -- "$2" <<<"$1" || fail "${3:-missing text}: [$2] not in [$1]"; }
assert_not_contains() { ! grep -qF -- "$2" <<<"$1" || fail "${3:-unexpected text}: [$2] found"; }

# Writes a config pointing every provider URL at the emulator, exports
# CALSYNC_CONFIG and runs `calsync init`.
setup_calsync() {
    emulator_config "$EMU" "$T" >"$T/calsync.conf"
    export CALSYNC_CONFIG="$T/calsync.conf"
    "$CALSYNC" init >/dev/null 2>"$T/init.err" || fail "calsync init failed: $(cat "$T/init.err")"
}

# Starts `calsync authorize ARGS...` in the background (output in
# $T/auth.out / $T/auth.err, pid in AUTH_PID) and waits for the URL it prints;
# sets AUTH_URL.
start_authorize() {
    : >"$T/auth.out"
    "$CALSYNC" authorize "$@" >"$T/auth.out" 2>"$T/auth.err" &
    AUTH_PID=$!
    AUTH_URL=""
    for _ in $(seq 1 200); do
        AUTH_URL=$(cat "$T/auth.out" "$T/auth.err" | grep -Eo 'https?://[^ ]+/(auth|authorize)\?[^ ]+' | head -1 || true)
        [ -n "$AUTH_URL" ] && return 0
        kill -0 "$AUTH_PID" 2>/dev/null || break
        sleep 0.05
    done
    fail "authorize printed no URL: $(cat "$T/auth.out" "$T/auth.err")"
}

# The browser: opens the authorization URL at the emulator and returns the
# redirect location it answers with (the loopback callback), without following.
consent_redirect() {
    curl -sS -o /dev/null -w '%{redirect_url}' "$1"
}

# Follows a callback URL like a browser; prints "STATUS" and keeps the page in $T/page.html.
open_callback() {
    curl -sS -o "$T/page.html" -w '%{http_code}' "$1"
}

# Runs the whole loopback flow for one account: authorize_account PROVIDER ORG EMAIL [extra args]
authorize_account() {
    local provider=$1 org=$2 email=$3
    shift 3
    ctl /consent "{\"provider\":\"$provider\",\"email\":\"$email\"}" >/dev/null
    start_authorize "$provider" --org "$org" "$@"
    local cb status
    cb=$(consent_redirect "$AUTH_URL")
    [ -n "$cb" ] || fail "the emulator did not redirect"
    status=$(open_callback "$cb")
    wait "$AUTH_PID" || fail "authorize exited $?: $(cat "$T/auth.err")"
    assert_eq "$status" "200" "callback page status"
}

urldecode() { local s="${1//+/ }"; printf '%b' "${s//%/\\x}"; }
# qparam URL NAME: the decoded value of a query parameter.
qparam() {
    local q=${1#*\?} part
    IFS='&' read -ra parts <<<"${q%%#*}"
    for part in "${parts[@]}"; do
        if [ "${part%%=*}" = "$2" ]; then urldecode "${part#*=}"; return; fi
    done
}

# sqlite3 on the test database
sql() { sqlite3 "$T/calsync.db" "$@"; }

# Two integrations written straight into the store (no provider involved), for
# tests of the read side: 1 = google alice@example.com, 2 = microsoft bob@contoso.example.
seed_integrations() {
    sql <<'SQL'
INSERT INTO organizations (id, created_at) VALUES ('acme', 0);
INSERT INTO integrations (id, org_id, provider, account_id, account_email, status, created_at, updated_at) VALUES
  (1, 'acme', 'google', 'g-1', 'alice@example.com', 'connected', 0, 0),
  (2, 'acme', 'microsoft', 'm-1', 'bob@contoso.example', 'connected', 0, 0);
SQL
}

# A TCP port on 127.0.0.1 that nothing listens on just now.
free_port() {
    local port _
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
    done
    fail "no free port found"
}

# Starts lighttpd (-D, as this user) serving $CALSYNC_WEBHOOK under /calsync
# with the directives of deploy/lighttpd/calsync.conf and CALSYNC_CONFIG =
# $T/calsync.conf, on a free 127.0.0.1 port, and waits until
# /calsync/healthz answers (any status). Sets HOOK (http://127.0.0.1:PORT/calsync)
# and HOOK_LOG (the receiver's log; lighttpd's own is $T/lighttpd.err).
start_lighttpd() {
    : "${CALSYNC_WEBHOOK:?CALSYNC_WEBHOOK must point at the calsync-webhook binary}"
    local port pid code _try _
    HOOK_LOG=$T/webhook.log
    for _try in 1 2 3 4 5; do
        port=$(free_port)
        lighttpd_config "$T" "$port" "$CALSYNC_WEBHOOK" "$T/calsync.conf" >"$T/lighttpd.conf" ||
            fail "cannot build the lighttpd config"
        lighttpd -D -f "$T/lighttpd.conf" >>"$T/lighttpd.err" 2>&1 &
        pid=$!
        code=000
        for _ in $(seq 1 200); do
            kill -0 "$pid" 2>/dev/null || break
            code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/calsync/healthz" || true)
            [ "$code" != 000 ] && break
            sleep 0.05
        done
        if [ "$code" != 000 ] && kill -0 "$pid" 2>/dev/null; then
            _pids+=("$pid")
            HOOK=http://127.0.0.1:$port/calsync
            return 0
        fi
        kill "$pid" 2>/dev/null || true  # the port was taken meanwhile: another one
        wait "$pid" 2>/dev/null || true
    done
    fail "lighttpd did not start: $(tail -5 "$T/lighttpd.err")"
}

# The Graph calendarView window calsync uses by default (30 days back, 365
# ahead, from the start of today UTC), as "START END" in RFC 3339.
graph_window() {
    local now ds
    now=$(date -u +%s)
    ds=$((now - now % 86400))
    echo "$(date -u -d "@$((ds - 30 * 86400))" +%Y-%m-%dT%H:%M:%SZ) $(date -u -d "@$((ds + 365 * 86400))" +%Y-%m-%dT%H:%M:%SZ)"
}

# The provider's truth for one calendar, normalized by the emulator:
# truth PROVIDER EMAIL [CALENDAR]
truth() {
    local provider=$1 email=$2 calendar=${3:-primary} q
    q="provider=$provider&email=$(jq -rn --arg v "$email" '$v|@uri')&calendar=$(jq -rn --arg v "$calendar" '$v|@uri')"
    if [ "$provider" = microsoft ]; then
        read -r ws we < <(graph_window)
        q="$q&window_start=$ws&window_end=$we"
    fi
    ctl_get "/truth?$q"
}

# calsync's copy of one integration's events in the truth's shape, sorted by id.
local_events() {  # INTEGRATION_ID [CALENDAR]
    local args=(--integration "$1")
    [ -n "${2:-}" ] && args+=(--calendar "$2")
    "$CALSYNC" events "${args[@]}" --format json |
        jq -S '[.[] | {id, status, kind, summary, location, start, "end": .end, all_day, recurring_event_id, original_start, etag, updated}] | sort_by(.id)'
}

# Fails unless calsync's copy equals the provider's truth: assert_synced ID PROVIDER EMAIL [CALENDAR_ID]
assert_synced() {
    local id=$1 provider=$2 email=$3 calendar=${4:-}
    local want got
    want=$(truth "$provider" "$email" "${calendar:-primary}" | jq -S 'sort_by(.id)')
    got=$(local_events "$id" "$calendar")
    if [ "$want" != "$got" ]; then
        diff <(echo "$want") <(echo "$got") | head -40 >&2 || true
        fail "integration $id ($provider $email) differs from the provider (< provider, > calsync)"
    fi
}

# Access tokens straight from the emulator's own OAuth flows (no calsync), for
# tests that call the provider APIs with curl. Each sets the consent for EMAIL.
#   emu_google_token EMAIL [GRANTED_SCOPES_JSON]: scopes openid email calendar.readonly
#   emu_graph_token EMAIL: scopes offline_access openid Calendars.Read User.Read
_emu_pkce() {  # sets _verifier and _challenge
    _verifier=$(head -c 48 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    _challenge=$(printf %s "$_verifier" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n')
}
emu_google_token() {
    local loc
    _emu_pkce
    ctl /consent "{\"provider\":\"google\",\"email\":\"$1\"${2:+,\"granted_scopes\":$2}}" >/dev/null
    loc=$(curl -sS -o /dev/null -w '%{redirect_url}' "$EMU/google/o/oauth2/v2/auth?client_id=calsync-test-google&redirect_uri=http%3A%2F%2F127.0.0.1%3A41999%2Fcb&response_type=code&scope=openid%20email%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar.readonly&code_challenge=$_challenge&code_challenge_method=S256")
    curl -sS -X POST "$EMU/google/token" --data-urlencode grant_type=authorization_code \
        --data-urlencode client_id=calsync-test-google --data-urlencode client_secret=emu-google-client-secret \
        --data-urlencode redirect_uri=http://127.0.0.1:41999/cb --data-urlencode "code=$(qparam "$loc" code)" \
        --data-urlencode "code_verifier=$_verifier" | jq -r .access_token
}
emu_graph_token() {
    local loc
    _emu_pkce
    ctl /consent "{\"provider\":\"microsoft\",\"email\":\"$1\"}" >/dev/null
    loc=$(curl -sS -o /dev/null -w '%{redirect_url}' "$EMU/microsoft/common/oauth2/v2.0/authorize?client_id=calsync-test-microsoft&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8400%2Fcb&scope=offline_access%20openid%20Calendars.Read%20User.Read&code_challenge=$_challenge&code_challenge_method=S256")
    curl -sS -X POST "$EMU/microsoft/common/oauth2/v2.0/token" --data-urlencode grant_type=authorization_code \
        --data-urlencode client_id=calsync-test-microsoft --data-urlencode redirect_uri=http://localhost:8400/cb \
        --data-urlencode "code=$(qparam "$loc" code)" --data-urlencode "code_verifier=$_verifier" | jq -r .access_token
}
