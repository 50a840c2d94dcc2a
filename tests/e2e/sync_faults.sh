#!/usr/bin/env bash
# 429 + Retry-After honoured and 500s retried during a sync; an account whose
# provider times out fails alone while the others sync (exit 1); an account
# that needs re-authorization gives exit 4.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
for u in alice bob carol; do
    ctl /seed "{\"provider\":\"google\",\"email\":\"$u@example.com\",\"count\":20,\"seed\":7}" >/dev/null
    authorize_account google acme $u@example.com --no-sync
done
ctl_del() { curl -sS -X DELETE "$EMU/_control$1" >/dev/null; }

# 429 with Retry-After: 1 on the first events page, then two 500s.
ctl_del /requests
ctl /faults '{"path":"/google/calendar/v3/calendars/alice@example.com/events","status":429,"retry_after":"1","count":1}' >/dev/null
ctl /faults '{"path":"/google/calendar/v3/calendars/bob@example.com/events","status":500,"count":2}' >/dev/null
"$CALSYNC" poll 1 2 --json >"$T/poll.json" 2>"$T/poll.err" || fail "poll with retryable faults failed: $(cat "$T/poll.err")"
assert_eq "$(jq -r '.ok' "$T/poll.json")" "2" "integrations synced"
reqs=$(ctl_get '/requests?path=/google/calendar/v3/calendars/alice@example.com/events')
assert_eq "$(jq -r '[.[].status] | map(tostring) | join(",")' <<<"$reqs")" "429,200" "alice's requests"
gap=$(jq '.[1].t_ms - .[0].t_ms' <<<"$reqs")
[ "$gap" -ge 1000 ] || fail "retried after $gap ms, before Retry-After"
assert_eq "$(ctl_get '/requests?path=/google/calendar/v3/calendars/bob@example.com/events' | jq -r '[.[].status] | map(tostring) | join(",")')" "500,500,200" "bob's requests"
assert_synced 1 google alice@example.com
assert_synced 2 google bob@example.com

# A provider that hangs for carol: her sync times out, the others still sync; exit 1.
ctl /churn '{"provider":"google","email":"alice@example.com","seed":1,"ops":5}' >/dev/null
ctl /faults '{"path":"/google/calendar/v3/calendars/carol@example.com/events","status":0,"delay_ms":4000,"count":-1}' >/dev/null
rc=0
"$CALSYNC" --http-timeout 1s poll --json >"$T/poll.json" 2>"$T/poll.err" || rc=$?
assert_eq "$rc" "1" "exit status with one account timing out"
assert_eq "$(jq -r '[.integrations[] | select(.id == 3) | .status][0]' "$T/poll.json")" "failed" "carol"
assert_eq "$(jq -r '.ok' "$T/poll.json")" "2" "the others"
assert_synced 1 google alice@example.com
assert_contains "$(jq -r '.integrations[] | select(.id == 3) | .error' "$T/poll.json")" "timed out"
assert_eq "$(sql "SELECT failures > 0 AND last_error IS NOT NULL FROM calendars c WHERE c.integration_id = 3")" "1" "failure recorded on the calendar"
curl -sS -X DELETE "$EMU/_control/faults" >/dev/null
"$CALSYNC" poll 3 >/dev/null 2>&1 || fail "carol's sync after the fault cleared"
assert_synced 3 google carol@example.com
assert_eq "$(sql "SELECT failures FROM calendars WHERE integration_id = 3")" "0" "failures reset"

# A 401 on a page fetched ahead (page 2, downloaded and parsed on a second
# thread while page 1 is stored) is fetched again on the syncing thread (the
# token path: refreshed if it is still refused) and parsed there; the full
# sync completes.
ctl /config '{"page_size_cap":7}' >/dev/null
ctl_del /requests
ctl /faults '{"path":"/google/calendar/v3/calendars/alice@example.com/events","status":0,"delay_ms":1,"count":1}' >/dev/null  # page 1 passes
ctl /faults '{"path":"/google/calendar/v3/calendars/alice@example.com/events","status":401,"count":1}' >/dev/null
"$CALSYNC" poll 1 --full --json >"$T/poll.json" 2>"$T/poll.err" || fail "full sync with a 401 on page 2: $(cat "$T/poll.err")"
pages=$(jq -r '.integrations[0].pages' "$T/poll.json")
[ "$pages" -ge 3 ] || fail "expected at least 3 pages, got $pages"
log=$(ctl_get '/requests?path=/google/calendar/v3/calendars/alice@example.com/events' | jq -r '[.[].status] | join(",")')
assert_eq "$log" "200,401$(printf ',200%.0s' $(seq 2 "$pages"))" "events requests"
assert_synced 1 google alice@example.com
ctl /config '{"page_size_cap":0}' >/dev/null

# Re-authorization needed: exit 4 when that is the only failure; others unaffected.
ctl /tokens/revoke '{"provider":"google","email":"bob@example.com"}' >/dev/null
sql "UPDATE integrations SET access_token_expires_at = 0 WHERE id = 2"
rc=0; "$CALSYNC" poll --json >"$T/poll.json" 2>/dev/null || rc=$?
assert_eq "$rc" "4" "exit status with one needs_reauth"
assert_eq "$(jq -r '.needs_reauth, .ok' "$T/poll.json" | paste -sd' ')" "1 2" "poll summary"
# A later poll skips it (not connected) and succeeds.
"$CALSYNC" poll >/dev/null 2>&1 || fail "poll with a needs_reauth integration present"
pass
