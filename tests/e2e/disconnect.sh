#!/usr/bin/env bash
# disconnect revokes the grant at Google (Microsoft has no revocation
# endpoint), wipes the stored tokens and marks the integration disconnected.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
authorize_account google acme alice@example.com
ctl /seed '{"provider":"microsoft","email":"bob@contoso.example","count":5,"seed":1}' >/dev/null
authorize_account microsoft acme bob@contoso.example
bob_events=$(sql "SELECT count(*) FROM events e JOIN calendars c ON c.id = e.calendar_id WHERE c.integration_id = 2")
[ "$bob_events" -ge 5 ] || fail "bob's events were not synced ($bob_events)"

out=$("$CALSYNC" disconnect 1)
assert_contains "$out" "Disconnected integration 1 (alice@example.com), access revoked at google"
assert_eq "$(ctl_get '/requests?path=/google/revoke' | jq -r '.[0].status')" "200" "revoke call"
assert_eq "$(ctl_get '/tokens?provider=google&email=alice@example.com' | jq -r '[.refresh_tokens_total > 0, .refresh_tokens_live] | map(tostring) | join(" ")')" "true 0" "live refresh tokens at google"
assert_eq "$(sql "SELECT status, access_token IS NULL, refresh_token IS NULL FROM integrations WHERE id = 1")" "disconnected|1|1" "stored row"

json=$("$CALSYNC" disconnect 2 --purge --json)
assert_eq "$(jq -r '.status, .revoked_at_provider, .purged' <<<"$json" | paste -sd' ')" "disconnected false true" "microsoft disconnect"
assert_eq "$("$CALSYNC" integrations --json | jq -r '[.[].status] | join(",")')" "disconnected,disconnected" "statuses"
# The purge deleted bob's events and told the change feed, whose earlier
# entries still carry their snapshots.
assert_eq "$(sql "SELECT count(*) FROM events")" "0" "events after purge"
"$CALSYNC" changes --json >"$T/feed.jsonl"
assert_eq "$(jq -s '[.[] | select(.integration == 2 and .op == "delete")] | length' "$T/feed.jsonl")" "$bob_events" "purge tombstones"
assert_eq "$(jq -s '[.[] | select(.integration == 2 and .op == "upsert" and .event.id != .event_id)] | length' "$T/feed.jsonl")" "0" "snapshots after purge"

# A disconnected integration is not checked, and disconnecting again is harmless.
"$CALSYNC" integrations check >/dev/null 2>&1 || fail "check with only disconnected integrations failed"
"$CALSYNC" disconnect 1 >/dev/null || fail "second disconnect failed"
rc=0; "$CALSYNC" disconnect 42 >/dev/null 2>&1 || rc=$?
assert_eq "$rc" "2" "disconnect of an unknown id"

# Provider unreachable during disconnect: nothing changes, exit 75.
authorize_account google acme alice@example.com
rc=0; CALSYNC_GOOGLE_REVOKE_URL=http://127.0.0.1:9/revoke "$CALSYNC" disconnect 1 >/dev/null 2>&1 || rc=$?
assert_eq "$rc" "75" "disconnect with google unreachable"
assert_eq "$(sql "SELECT status FROM integrations WHERE id = 1")" "connected" "status after failed disconnect"
pass
