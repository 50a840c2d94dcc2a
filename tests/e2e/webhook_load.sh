#!/usr/bin/env bash
# 1,000 notifications sent concurrently through lighttpd to calsync-webhook
# while `poll` and `process-queue` run in loops and the calendars churn: every
# notification answered 2xx is in the queue exactly once, nobody ever sees
# "database is locked", and in the end the local copy equals the provider's.
source "$(dirname "$0")/lib.sh"

start_emulator
setup_calsync
start_lighttpd
{ echo "public-url = \"$HOOK\""; cat "$T/calsync.conf"; } >"$T/c" && mv "$T/c" "$T/calsync.conf"
ctl /seed '{"provider":"google","email":"alice@example.com","count":300,"seed":1}' >/dev/null
ctl /seed '{"provider":"microsoft","email":"bob@contoso.example","count":300,"seed":2}' >/dev/null
authorize_account google acme alice@example.com
authorize_account microsoft acme bob@contoso.example
ch=$(ctl_get /push/channels | jq -c '[.[] | select(.provider == "google" and .state == "active")][0]')
g_id=$(jq -r .id <<<"$ch")
g_token=$(jq -r .token <<<"$ch")
g_res=$(jq -r .resource_id <<<"$ch")
m_id=$(sql "SELECT channel_id FROM webhook_channels WHERE provider = 'microsoft'")

# The background: poll and process-queue in loops, churn at both providers.
: >"$T/stop"
rm "$T/stop"
loop() {  # NAME COMMAND...
    local name=$1
    shift
    while [ ! -e "$T/stop" ]; do "$@" >>"$T/$name.out" 2>>"$T/$name.err" || echo "exit $?" >>"$T/$name.exits"; done
}
loop poll "$CALSYNC" poll &
_pids+=($!)
loop queue "$CALSYNC" process-queue &
_pids+=($!)
(
    i=0
    while [ ! -e "$T/stop" ]; do
        i=$((i + 1))
        ctl /churn "{\"provider\":\"google\",\"email\":\"alice@example.com\",\"seed\":$i,\"ops\":5}" >/dev/null
        ctl /churn "{\"provider\":\"microsoft\",\"email\":\"bob@contoso.example\",\"seed\":$i,\"ops\":5}" >/dev/null
        sleep 1
    done
) &
_pids+=($!)

# 1,000 Google notifications from 32 concurrent clients (distinct message
# numbers), and Graph notifications from the emulator at the same time.
ctl /push/notify "{\"id\":\"$m_id\",\"count\":300}" >/dev/null
seq 1001 2000 | xargs -P 32 -I{} curl -s -o /dev/null -w '{} %{http_code}\n' -X POST \
    -H "X-Goog-Channel-ID: $g_id" -H "X-Goog-Channel-Token: $g_token" -H "X-Goog-Resource-ID: $g_res" \
    -H 'X-Goog-Resource-State: exists' -H 'X-Goog-Message-Number: {}' -H 'Content-Length: 0' \
    "$HOOK/google" >"$T/codes"
touch "$T/stop"
sleep 0.5
wait "${_pids[@]:2}" 2>/dev/null || true

assert_eq "$(wc -l <"$T/codes")" 1000 "answers"
accepted=$(awk '$2 ~ /^2/ {print $1}' "$T/codes" | sort)
assert_eq "$(awk '$2 !~ /^2/' "$T/codes" | head -5)" "" "non-2xx answers"
queued=$(sql "SELECT message_id FROM webhook_queue WHERE provider = 'google' AND channel_id = '$g_id' AND CAST(message_id AS INTEGER) > 1000" | sort)
assert_eq "$queued" "$accepted" "every 2xx'd notification queued exactly once"
assert_eq "$(sql "SELECT count(*) FROM webhook_queue WHERE provider = 'google' AND CAST(message_id AS INTEGER) > 1000")" 1000 "1000 rows"

# Nobody saw a locked database.
! grep -qi "database is locked\|database .* busy" "$T"/*.err "$T"/*.log 2>/dev/null || fail "database is locked: $(grep -hi "locked\|busy" "$T"/*.err "$T"/*.log | head -3)"
[ ! -e "$T/poll.exits" ] || fail "poll failed: $(sort "$T/poll.exits" | uniq -c) $(tail -3 "$T/poll.err")"
[ ! -e "$T/queue.exits" ] || fail "process-queue failed: $(sort "$T/queue.exits" | uniq -c) $(tail -3 "$T/queue.err")"

# Settle what is left (notifications of the last churn included) and compare
# with the truth.
left=$(ctl /push/flush '{"timeout_ms":300000}' | jq .pending)
assert_eq "$left" 0 "notifications the emulator could not deliver"
graph_ok=$(ctl_get "/push/deliveries?kind=graph" | jq '[.[] | select(.status >= 200 and .status < 300) | .items] | add // 0')
[ "$graph_ok" -ge 300 ] || fail "Graph deliveries accepted: $graph_ok"
sql "UPDATE webhook_queue SET next_attempt_at = 0 WHERE status = 'pending'"
"$CALSYNC" process-queue >/dev/null 2>"$T/final.err" || fail "final process-queue: $(cat "$T/final.err")"
assert_eq "$(sql "SELECT count(*) FROM webhook_queue WHERE status NOT IN ('done')")" 0 "everything settled"
assert_synced 1 google alice@example.com
assert_synced 2 microsoft bob@contoso.example
pass
