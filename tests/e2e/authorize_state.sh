#!/usr/bin/env bash
# calsync refuses a redirect with an unknown, reused or expired state and keeps
# waiting for the real one; a provider error in the redirect ends the attempt.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
ctl /consent '{"provider":"google","email":"alice@example.com"}' >/dev/null

start_authorize google --org acme
cb=$(consent_redirect "$AUTH_URL")
base=${cb%%\?*}

# Unknown (forged) state: refused, listener still waiting.
assert_eq "$(open_callback "$base?code=forged&state=not-a-state-we-issued")" "400" "forged state"
assert_contains "$(cat "$T/page.html")" "unknown authorization state"
assert_eq "$(open_callback "$base?code=forged")" "400" "missing state"
kill -0 "$AUTH_PID" || fail "authorize gave up after a forged redirect"

# The real redirect completes the flow.
assert_eq "$(open_callback "$cb")" "200" "real callback"
wait "$AUTH_PID" || fail "authorize failed: $(cat "$T/auth.err")"

# Replaying that redirect into a new authorization: state already used.
start_authorize google --org acme
cb2=$(consent_redirect "$AUTH_URL")
port2=$(sed -E 's#http://[^:]+:([0-9]+)/.*#\1#' <<<"$cb2")
replay="http://127.0.0.1:$port2/callback?${cb#*\?}"
assert_eq "$(open_callback "$replay")" "400" "reused state"
assert_contains "$(cat "$T/page.html")" "already used"

# Expired: the pending authorization outlives its 10 minutes.
sql "UPDATE pending_authorizations SET expires_at = 0 WHERE used_at IS NULL"
assert_eq "$(open_callback "$cb2")" "400" "expired state"
assert_contains "$(cat "$T/page.html")" "expired"
kill "$AUTH_PID"; wait "$AUTH_PID" 2>/dev/null || true

# The user declines consent: the provider redirects with error=access_denied.
ctl /consent '{"provider":"google","email":"alice@example.com","error":"access_denied"}' >/dev/null
start_authorize google --org acme
cb3=$(consent_redirect "$AUTH_URL")
assert_contains "$cb3" "error=access_denied"
assert_eq "$(open_callback "$cb3")" "400" "denied"
rc=0; wait "$AUTH_PID" || rc=$?
assert_eq "$rc" "1" "exit status after access_denied"
assert_contains "$(cat "$T/auth.err")" "access_denied"

# Scopes unticked by the user: refused with a clear message, nothing stored.
ctl /consent '{"provider":"google","email":"dave@example.com","granted_scopes":["openid","email"]}' >/dev/null
start_authorize google --org acme
rc=0; open_callback "$(consent_redirect "$AUTH_URL")" >/dev/null; wait "$AUTH_PID" || rc=$?
assert_eq "$rc" "1" "exit status without calendar scope"
assert_contains "$(cat "$T/auth.err")" "did not grant https://www.googleapis.com/auth/calendar.readonly"
assert_eq "$("$CALSYNC" integrations --json | jq length)" "1" "integrations stored"

# Nothing was waiting forever: a short --timeout gives up with exit 75.
rc=0; "$CALSYNC" authorize google --org acme --timeout 1s >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" "75" "timeout exit status"
pass
