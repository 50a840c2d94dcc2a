#!/usr/bin/env bash
# Access tokens refresh before expiry and once on a 401; Microsoft's rotated
# refresh token is persisted; invalid_grant marks needs_reauth and exits 4
# without retrying, and status shows it.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
authorize_account google acme alice@example.com
authorize_account microsoft acme bob@contoso.example
token_requests() { ctl_get "/requests?path=$1" | jq '[.[] | select(.grant_type == "refresh_token")] | length'; }
GTOKEN=/google/token
MTOKEN=/microsoft/common/oauth2/v2.0/token

# Fresh tokens: a check refreshes nothing.
"$CALSYNC" integrations check >/dev/null 2>&1 || fail "check of fresh integrations failed"
assert_eq "$(token_requests $GTOKEN)" "0" "refreshes with fresh tokens"

# 401: the emulator expires the token early; calsync refreshes once and retries.
ctl /tokens/expire '{"provider":"google","email":"alice@example.com"}' >/dev/null
"$CALSYNC" integrations check 1 >/dev/null 2>"$T/err" || fail "check after 401 failed: $(cat "$T/err")"
assert_eq "$(token_requests $GTOKEN)" "1" "refreshes after a 401"
assert_eq "$(ctl_get '/requests?path=/google/v1/userinfo' | jq '[.[] | .status] | map(tostring) | join(",")' -r | tail -c 8)" "401,200" "userinfo statuses"
assert_contains "$(cat "$T/err")" "refreshing once"

# Near expiry: calsync refreshes before using the token (no 401 first).
sql "UPDATE integrations SET access_token_expires_at = strftime('%s','now') + 30 WHERE id = 1"
before=$(ctl_get '/requests?path=/google/v1/userinfo' | jq '[.[] | select(.status == 401)] | length')
"$CALSYNC" integrations check 1 >/dev/null 2>&1 || fail "check near expiry failed"
assert_eq "$(token_requests $GTOKEN)" "2" "refreshes near expiry"
assert_eq "$(ctl_get '/requests?path=/google/v1/userinfo' | jq '[.[] | select(.status == 401)] | length')" "$before" "no 401 when refreshing ahead"

# Rotation: with strict rotation a used Microsoft refresh token dies, so two
# successive refreshes only work if the rotated one was saved.
ctl /config '{"strict_rotation":true}' >/dev/null
old_rt=$(sql "SELECT hex(refresh_token) FROM integrations WHERE id = 2")
for round in 1 2 3; do
    sql "UPDATE integrations SET access_token_expires_at = 0 WHERE id = 2"
    "$CALSYNC" integrations check 2 >/dev/null 2>"$T/err" || fail "refresh round $round failed: $(cat "$T/err")"
done
assert_eq "$(token_requests $MTOKEN)" "3" "microsoft refreshes"
[ "$(sql "SELECT hex(refresh_token) FROM integrations WHERE id = 2")" != "$old_rt" ] || fail "rotated refresh token not stored"
assert_eq "$(sql "SELECT status FROM integrations WHERE id = 2")" "connected" "status after rotation"

# invalid_grant: revoked at the provider → needs_reauth, exit 4, one attempt only.
ctl /tokens/revoke '{"provider":"google","email":"alice@example.com"}' >/dev/null
n_before=$(token_requests $GTOKEN)
rc=0; "$CALSYNC" integrations check 1 >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" "4" "exit status after invalid_grant"
assert_contains "$(cat "$T/err")" "needs re-authorization"
assert_eq "$(token_requests $GTOKEN)" "$((n_before + 1))" "token requests after invalid_grant"
assert_eq "$(sql "SELECT status FROM integrations WHERE id = 1")" "needs_reauth" "stored status"
status=$("$CALSYNC" status --json)
assert_eq "$(jq -r '.needs_reauth[0].id, .integrations.by_status.needs_reauth' <<<"$status" | paste -sd' ')" "1 1" "status --json"
assert_contains "$("$CALSYNC" status)" "calsync authorize google --org acme"
# Again: no further call to the provider, still exit 4.
rc=0; "$CALSYNC" integrations check 1 >/dev/null 2>&1 || rc=$?
assert_eq "$rc" "4" "second check"
assert_eq "$(token_requests $GTOKEN)" "$((n_before + 1))" "no retry loop"
# The other integration is unaffected and a check of all still reports 4.
rc=0; "$CALSYNC" integrations check --json >"$T/check.json" 2>/dev/null || rc=$?
assert_eq "$rc" "4" "check all"
assert_eq "$(jq -r '.[] | select(.id == 2) | .ok' "$T/check.json")" "true" "microsoft still fine"

# Re-authorizing repairs it.
authorize_account google acme alice@example.com
assert_eq "$(sql "SELECT status FROM integrations WHERE id = 1")" "connected" "status after re-authorize"
"$CALSYNC" integrations check 1 >/dev/null 2>&1 || fail "check after re-authorize failed"
pass
