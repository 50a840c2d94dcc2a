#!/usr/bin/env bash
# A poll killed with SIGKILL mid-pagination, then run again, converges with no
# duplicates and no losses — repeated at several points of a full sync and of
# incremental rounds.
source "$(dirname "$0")/lib.sh"
start_emulator --latency-ms 40
setup_calsync
sed -i 's/^\[google\]/[google]\npage-size = 100/' "$T/calsync.conf"
ctl /seed '{"provider":"google","email":"alice@example.com","count":3000,"seed":11,"recurring_every":9}' >/dev/null
authorize_account google acme alice@example.com --no-sync

kill_poll_after() {  # SECONDS ARGS...
    local delay=$1; shift
    "$CALSYNC" poll "$@" >/dev/null 2>&1 &
    local pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# kill_poll_at N: starts a poll and kills it once the store holds N events
# (mid-pagination whatever the machine's speed).
kill_poll_at() {
    "$CALSYNC" poll >/dev/null 2>&1 &
    local pid=$! _
    for _ in $(seq 1 600); do
        [ "$(sql "SELECT count(*) FROM events")" -ge "$1" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Full sync: 30 pages of 100 at 40 ms each; kill it at several points.
partial=0
for at in 300 1200 2100; do
    kill_poll_at $at
    n=$(sql "SELECT count(*) FROM events")
    [ "$n" -gt 0 ] && [ "$n" -lt 3000 ] && partial=1
done
[ "$partial" = 1 ] || fail "no kill landed mid-pagination; the test proved nothing"
[ "$(sql "SELECT sync_cursor IS NULL FROM calendars")" = 1 ] || fail "a killed full sync stored a cursor"
"$CALSYNC" poll >/dev/null 2>&1 || fail "poll after kills failed"
assert_synced 1 google alice@example.com
assert_eq "$(sql "SELECT count(*) - count(DISTINCT event_id) FROM events")" "0" "duplicate events"

# Incremental rounds with many changes, killed part-way.
for round in 1 2 3; do
    ctl /churn "{\"provider\":\"google\",\"email\":\"alice@example.com\",\"seed\":$round,\"ops\":400}" >/dev/null
    kill_poll_after 0.$((2 + round * 2))
    "$CALSYNC" poll >/dev/null 2>&1 || fail "poll after kill in round $round failed"
    assert_synced 1 google alice@example.com
done
# A killed run leaves its lease behind; a run on the same host sees that the
# holder is gone and takes it over at once (elsewhere it would expire).
"$CALSYNC" poll --full >/dev/null 2>&1 &
pid=$!
# Kill it once it holds the lease (a slow start, e.g. under ASan, takes a while).
for _ in $(seq 1 200); do
    [ "$(sql "SELECT count(*) FROM sync_leases")" = 1 ] && break
    sleep 0.05
done
sleep 0.2
kill -KILL $pid; wait $pid 2>/dev/null || true
assert_eq "$(sql "SELECT count(*) FROM sync_leases")" "1" "the killed poll's lease"
"$CALSYNC" -v poll >/dev/null 2>"$T/poll.err" || fail "poll after a killed holder failed"
assert_contains "$(cat "$T/poll.err")" "a process that is gone"
assert_synced 1 google alice@example.com
pass
