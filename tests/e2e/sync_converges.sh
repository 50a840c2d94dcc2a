#!/usr/bin/env bash
# The heart of calsync: after the initial sync and after every round of random
# churn at the provider (creates, updates, deletes, moves, recurring edits, a
# cancelled instance) followed by `poll`, the local copy equals the provider's
# truth exactly — for both providers, seeded and reproducible.
source "$(dirname "$0")/lib.sh"
SEED=${SEED:-4242}
ROUNDS=${ROUNDS:-12}
start_emulator
setup_calsync
ctl /config '{"page_size_cap":7}' >/dev/null   # many small pages
ctl /seed '{"provider":"google","email":"alice@example.com","count":60,"seed":1,"recurring_every":7,"all_day_every":5}' >/dev/null
ctl /seed '{"provider":"microsoft","email":"bob@contoso.example","count":60,"seed":2,"recurring_every":7,"all_day_every":5}' >/dev/null

authorize_account google acme alice@example.com
assert_contains "$(cat "$T/auth.out")" "Synced "
authorize_account microsoft acme bob@contoso.example
assert_synced 1 google alice@example.com
assert_synced 2 microsoft bob@contoso.example
[ "$(local_events 1 | jq length)" -gt 50 ] || fail "initial sync stored too few events"
[ "$(local_events 1 | jq '[.[] | select(.kind == "series")] | length')" -gt 0 ] || fail "no series synced"
[ "$(local_events 2 | jq '[.[] | select(.kind == "instance")] | length')" -gt 0 ] || fail "no occurrences synced"

for round in $(seq 1 "$ROUNDS"); do
    ctl /churn "{\"provider\":\"google\",\"email\":\"alice@example.com\",\"seed\":$((SEED + round)),\"ops\":8}" >/dev/null
    ctl /churn "{\"provider\":\"microsoft\",\"email\":\"bob@contoso.example\",\"seed\":$((SEED + 100 + round)),\"ops\":8}" >/dev/null
    "$CALSYNC" poll >"$T/poll.out" 2>"$T/poll.err" || fail "poll failed in round $round: $(cat "$T/poll.err")"
    assert_synced 1 google alice@example.com
    assert_synced 2 microsoft bob@contoso.example
done

# An idle poll changes nothing and asks only for changes (incremental).
before=$("$CALSYNC" changes --json | wc -l)
"$CALSYNC" poll --json >"$T/poll.json"
assert_eq "$(jq '[.upserts, .deletes, .failed] | map(tostring) | join(" ")' -r "$T/poll.json")" "0 0 0" "idle poll"
assert_eq "$(jq '[.integrations[].full] | any' "$T/poll.json")" "false" "idle poll was incremental"
assert_eq "$("$CALSYNC" changes --json | wc -l)" "$before" "change feed after an idle poll"

# --full lists everything again and still changes nothing.
"$CALSYNC" poll --full --json >"$T/poll.json"
assert_eq "$(jq '[.upserts, .deletes] | map(tostring) | join(" ")' -r "$T/poll.json")" "0 0" "full poll on a synced store"
assert_synced 1 google alice@example.com
assert_synced 2 microsoft bob@contoso.example
pass
