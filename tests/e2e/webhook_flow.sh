#!/usr/bin/env bash
# The push path end to end, both providers, through lighttpd running the real
# calsync-webhook: connect → channel registered (Graph's handshake answered by
# the receiver) → an event changes at the provider → notification → queue →
# process-queue → the event is in `events --json`. Then: 200 duplicate
# notifications cause one sync; Google's sync message needs none; Graph
# lifecycle events (reauthorizationRequired, subscriptionRemoved, missed);
# a forged item is rejected; failures back off into dead letters and come back
# with --retry-dead; a process-queue killed with SIGKILL mid-run leaves items
# that the next run takes back and settles exactly once.
source "$(dirname "$0")/lib.sh"

start_emulator
setup_calsync
start_lighttpd
{ echo "public-url = \"$HOOK\""; cat "$T/calsync.conf"; } >"$T/c" && mv "$T/c" "$T/calsync.conf"

queue() { sql "SELECT provider, kind, state, status FROM webhook_queue ORDER BY id"; }
count() { sql "SELECT count(*) FROM webhook_queue WHERE $1"; }
# Waits until the emulator has delivered everything (deliveries are serial
# per address: slow on a loaded machine, so the wait is long but ends early).
flush() {
    local left
    left=$(ctl /push/flush '{"timeout_ms":240000}' | jq .pending)
    [ "$left" = 0 ] || fail "the emulator still has $left notifications to deliver"
}
event_ids() { "$CALSYNC" events --integration "$1" --json | jq -r '.[].id'; }
list_calls() { ctl_get "/requests?path=$1" | jq length; }
trigger=$T/queue.trigger

authorize_account google acme alice@example.com
authorize_account microsoft acme bob@contoso.example
assert_contains "$(cat "$T/auth.out")" "created channel"
g_id=$(sql "SELECT channel_id FROM webhook_channels WHERE provider = 'google'")
m_id=$(sql "SELECT channel_id FROM webhook_channels WHERE provider = 'microsoft'")
[ -n "$g_id" ] && [ -n "$m_id" ] || fail "channels not registered: $(sql 'SELECT * FROM webhook_channels')"
flush
# Graph's handshake went through lighttpd to calsync-webhook, for both URLs.
assert_eq "$(ctl_get "/push/deliveries?kind=validation" | jq '[.[] | select(.status == 200)] | length')" 2 "validations answered"
# Google's sync message is queued; process-queue acknowledges it without a sync.
assert_eq "$(count "kind = 'sync' AND provider = 'google'")" 1 "Google sync message queued"
[ -e "$trigger" ] || fail "the receiver did not touch the trigger file"

# --- a change at each provider arrives through the queue
before=$(list_calls /google/calendar/v3/calendars)
touch -d '2000-01-01' "$trigger"
new_g=$(ctl /events '{"provider":"google","email":"alice@example.com","op":"create","summary":"Pushed","start":"2026-12-01T10:00:00Z"}' | jq -r .id)
new_m=$(ctl /events '{"provider":"microsoft","email":"bob@contoso.example","op":"create","summary":"Pushed too","start":"2026-12-02T10:00:00Z"}' | jq -r .id)
flush
[ "$(stat -c %Y "$trigger")" -gt 946771200 ] || fail "the trigger file was not touched after an enqueue"
assert_eq "$(count "kind = 'change' AND status = 'pending'")" 2 "two change notifications queued"
out=$("$CALSYNC" process-queue --json)
assert_eq "$(jq -c '[.processed, .failed, .rejected, .syncs]' <<<"$out")" "[3,0,0,2]" "process-queue result"
assert_contains "$(event_ids 1)" "$new_g"
assert_contains "$(event_ids 2)" "$new_m"
assert_synced 1 google alice@example.com
assert_synced 2 microsoft bob@contoso.example
assert_eq "$(count "status = 'done'")" 3 "all settled"
# The sync message caused no events.list of its own: one call for the change.
assert_eq "$(($(list_calls /google/calendar/v3/calendars) - before))" 1 "Google events.list calls"

# --- 200 duplicate notifications for one calendar: one sync
before=$(list_calls /google/calendar/v3/calendars)
# As Google would send them (distinct message numbers), 8 at a time through lighttpd.
g_token=$(ctl_get /push/channels | jq -r --arg id "$g_id" '.[] | select(.id == $id) | .token')
g_res=$(sql "SELECT resource_id FROM webhook_channels WHERE channel_id = '$g_id'")
seq 5001 5200 | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST \
    -H "X-Goog-Channel-ID: $g_id" -H "X-Goog-Channel-Token: $g_token" -H "X-Goog-Resource-ID: $g_res" \
    -H 'X-Goog-Resource-State: exists' -H 'X-Goog-Message-Number: {}' -H 'Content-Length: 0' \
    "$HOOK/google" | sort | uniq -c >"$T/codes"
assert_eq "$(awk '{$1=$1}1' "$T/codes")" "200 200" "200 notifications answered 200"
assert_eq "$(count "status = 'pending'")" 200 "200 notifications queued"
out=$("$CALSYNC" process-queue --json)
assert_eq "$(jq -c '[.processed, .syncs]' <<<"$out")" "[200,1]" "200 notifications, one sync"
assert_eq "$(($(list_calls /google/calendar/v3/calendars) - before))" 1 "one events.list for 200 notifications"

# --- Graph lifecycle events
renewed=$(ctl_get /push/channels | jq --arg id "$m_id" '.[] | select(.id == $id) | .renewed')
ctl /push/lifecycle "{\"subscription\":\"$m_id\",\"event\":\"reauthorizationRequired\"}" >/dev/null
flush
assert_eq "$(count "kind = 'lifecycle' AND state = 'reauthorizationRequired'")" 1 "lifecycle item queued"
"$CALSYNC" process-queue >/dev/null
assert_eq "$(ctl_get /push/channels | jq --arg id "$m_id" '.[] | select(.id == $id) | .renewed')" "$((renewed + 1))" "reauthorizationRequired renews"
ctl /push/lifecycle "{\"subscription\":\"$m_id\",\"event\":\"subscriptionRemoved\"}" >/dev/null
ctl /events '{"provider":"microsoft","email":"bob@contoso.example","op":"create","summary":"While removed","start":"2026-12-03T10:00:00Z"}' >/dev/null
flush
"$CALSYNC" process-queue >/dev/null
m_new=$(sql "SELECT channel_id FROM webhook_channels WHERE provider = 'microsoft'")
[ -n "$m_new" ] && [ "$m_new" != "$m_id" ] || fail "subscriptionRemoved did not re-create the subscription"
assert_eq "$(ctl_get /push/channels | jq -r --arg id "$m_new" '.[] | select(.id == $id) | .state')" active "new subscription"
assert_synced 2 microsoft bob@contoso.example
ctl /push/lifecycle "{\"subscription\":\"$m_new\",\"event\":\"missed\"}" >/dev/null
flush
out=$("$CALSYNC" -vvv process-queue --json 2>"$T/process-queue-vvv.err")
assert_eq "$(jq -c '[.processed, .syncs]' <<<"$out")" "[1,1]" "missed → one sync"

# --- a forged item (wrong secret) is rejected, never synced
sql "INSERT INTO webhook_queue (provider, channel_id, message_id, kind, state, payload, secret_digest, status, next_attempt_at, received_at)
     VALUES ('google', '$g_id', 'forged', 'change', 'exists', '{}', '00', 'pending', 0, 0)"
out=$("$CALSYNC" process-queue --json)
assert_eq "$(jq -c '[.processed, .rejected, .syncs]' <<<"$out")" "[0,1,0]" "forged item rejected"

# --- failures back off, become dead letters, and come back with --retry-dead
ctl /faults '{"path":"/google/calendar/v3/calendars","status":500,"count":-1}' >/dev/null
ctl /events '{"provider":"google","email":"alice@example.com","op":"create","summary":"Late","start":"2026-12-04T10:00:00Z"}' >/dev/null
flush
set +e
"$CALSYNC" process-queue --max-attempts 2 >"$T/out" 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 1 "process-queue exit with a failed sync"
assert_contains "$(cat "$T/out")" "failed 1"
assert_eq "$(count "status = 'pending' AND attempts = 1 AND next_attempt_at > strftime('%s','now')")" 1 "backoff"
sql "UPDATE webhook_queue SET next_attempt_at = 0 WHERE status = 'pending'"
"$CALSYNC" process-queue --max-attempts 2 >/dev/null 2>&1 || true
assert_eq "$(count "status = 'dead'")" 1 "dead letter after max attempts"
assert_eq "$("$CALSYNC" status --json | jq .dead_letters)" 1 "status shows the dead letter"
assert_contains "$("$CALSYNC" status)" "1 dead letters"
curl -sS -X DELETE "$EMU/_control/faults" >/dev/null
out=$("$CALSYNC" process-queue --retry-dead --json)
assert_eq "$(jq -c '[.revived, .processed, .failed]' <<<"$out")" "[1,1,0]" "dead letter retried"
assert_synced 1 google alice@example.com

# --- SIGKILL mid-run: the next run takes the items back and settles them once
ctl /config '{"latency_ms":400}' >/dev/null
ctl /churn '{"provider":"google","email":"alice@example.com","seed":7,"ops":30}' >/dev/null
ctl /churn '{"provider":"microsoft","email":"bob@contoso.example","seed":8,"ops":30}' >/dev/null
flush
pending=$(count "status = 'pending'")
[ "$pending" -gt 0 ] || fail "churn queued nothing"
"$CALSYNC" process-queue >"$T/killed.out" 2>&1 &
pq=$!
for _ in $(seq 1 100); do
    [ "$(count "status = 'processing'")" -gt 0 ] && break
    sleep 0.05
done
sleep 0.3
kill -9 "$pq"
wait "$pq" 2>/dev/null || true
left=$(count "status = 'processing'")
[ "$left" -gt 0 ] || fail "the kill came too late: nothing was being processed"
ctl /config '{"latency_ms":0}' >/dev/null
out=$("$CALSYNC" process-queue --json)
assert_eq "$(jq .reclaimed <<<"$out")" "$left" "items of the killed worker taken back"
assert_eq "$(count "status IN ('pending', 'processing')")" 0 "nothing left behind"
assert_eq "$(count "status = 'done' AND attempts > 1")" 0 "no item settled twice"
assert_synced 1 google alice@example.com
assert_synced 2 microsoft bob@contoso.example

# --- no channel secret in the receiver's or the web server's logs
for s in $(ctl_get /push/channels | jq -r '.[] | (.token // empty), (.client_state // empty)'); do
    ! grep -qaF -- "$s" "$T"/*.log "$T"/*.err "$T"/*.out 2>/dev/null || fail "a channel secret in a log"
done
pass
