#!/usr/bin/env bash
# A cursor the provider no longer accepts (Google 410 fullSyncRequired, Graph
# syncStateNotFound) is discarded and a full sync runs, which also deletes
# local events the provider no longer has (with tombstones in the feed).
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
ctl /seed '{"provider":"google","email":"alice@example.com","count":30,"seed":5}' >/dev/null
ctl /seed '{"provider":"microsoft","email":"bob@contoso.example","count":30,"seed":6}' >/dev/null
authorize_account google acme alice@example.com
authorize_account microsoft acme bob@contoso.example

for provider in google microsoft; do
    [ $provider = google ] && { id=1; email=alice@example.com; } || { id=2; email=bob@contoso.example; }
    # Changes happen, then the provider forgets every cursor it issued.
    ctl /churn "{\"provider\":\"$provider\",\"email\":\"$email\",\"seed\":9,\"ops\":12}" >/dev/null
    # The victim is an event calsync holds and the provider still has.
    truth $provider $email >"$T/truth.json"
    local_events $id >"$T/local.json"
    victim=$(jq -rn --slurpfile t "$T/truth.json" --slurpfile l "$T/local.json" \
        '[$l[0][] | select(.kind == "single") | .id] - ([$l[0][].id] - [$t[0][].id]) | .[0]')
    [ -n "$victim" ] && [ "$victim" != null ] || fail "no event to delete"
    ctl /events "{\"provider\":\"$provider\",\"email\":\"$email\",\"op\":\"delete\",\"id\":\"$victim\"}" >/dev/null
    ctl /sync/expire "{\"provider\":\"$provider\",\"email\":\"$email\"}" >/dev/null
    seq_before=$("$CALSYNC" changes --json | tail -1 | jq .seq)
    "$CALSYNC" -v poll "$id" --json >"$T/poll.json" 2>"$T/poll.err" || fail "$provider poll after expiry failed: $(cat "$T/poll.err")"
    assert_contains "$(cat "$T/poll.err")" "running a full sync"
    assert_eq "$(jq '.integrations[0].full' "$T/poll.json")" "true" "$provider resync was full"
    assert_synced $id $provider $email
    "$CALSYNC" changes --since "$seq_before" --json | jq -s -e --arg v "$victim" 'any(.[]; .op == "delete" and .event_id == $v)' >/dev/null \
        || fail "$provider: no tombstone for the deleted event"
    # The next poll is incremental again.
    "$CALSYNC" poll "$id" --json >"$T/poll.json" 2>/dev/null
    assert_eq "$(jq '.integrations[0].full' "$T/poll.json")" "false" "$provider poll after resync"
done

# Graph can also answer 410 resyncRequired; same outcome.
ctl /config '{"graph_expired_status":410}' >/dev/null
ctl /churn '{"provider":"microsoft","email":"bob@contoso.example","seed":10,"ops":5}' >/dev/null
ctl /sync/expire '{"provider":"microsoft","email":"bob@contoso.example"}' >/dev/null
"$CALSYNC" poll 2 >/dev/null 2>&1 || fail "poll after a 410 from graph failed"
assert_synced 2 microsoft bob@contoso.example
pass
