#!/usr/bin/env bash
# The change feed lists every applied change exactly once, in order: replaying
# it from seq 0 rebuilds exactly the local store, sequence numbers strictly
# increase, and no change is a repeat of the one before it.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
ctl /seed '{"provider":"google","email":"alice@example.com","count":40,"seed":3,"recurring_every":6}' >/dev/null
authorize_account google acme alice@example.com
for round in 1 2 3 4 5 6; do
    ctl /churn "{\"provider\":\"google\",\"email\":\"alice@example.com\",\"seed\":$round,\"ops\":10}" >/dev/null
    "$CALSYNC" poll >/dev/null 2>&1 || fail "poll failed"
    [ "$round" = 3 ] && "$CALSYNC" poll >/dev/null 2>&1   # an extra, idle poll
done
assert_synced 1 google alice@example.com

"$CALSYNC" changes --json >"$T/feed.jsonl"
[ "$(wc -l <"$T/feed.jsonl")" -gt 40 ] || fail "feed too short"
jq -s -e '[.[].seq] as $s | $s == ($s | sort | unique)' "$T/feed.jsonl" >/dev/null || fail "seq not strictly increasing"
# Replay: last op per event wins.
replayed=$(jq -s -S '
    reduce .[] as $c ({}; if $c.op == "upsert" then .[$c.event_id] = $c.event else del(.[$c.event_id]) end)
    | [.[] | {id, status, kind, summary, location, start, "end": .end, all_day, recurring_event_id, original_start, etag, updated}]
    | sort_by(.id)' "$T/feed.jsonl")
[ "$replayed" == "$(local_events 1)" ] || { diff <(echo "$replayed") <(local_events 1) | head >&2; fail "replaying the feed does not rebuild the store"; }
# No change is logged twice: consecutive entries for one event always differ.
dups=$(jq -s '[group_by(.event_id)[] | [.[] | (.op + (.event | tostring))] | . as $a
              | range(1; length) | select($a[.] == $a[. - 1])] | length' "$T/feed.jsonl")
assert_eq "$dups" "0" "repeated feed entries"
# Deletes carry no event, upserts carry the event as `events` shows it.
assert_eq "$(jq -s '[.[] | select(.op == "delete" and .event != null)] | length' "$T/feed.jsonl")" "0" "delete snapshots"
assert_eq "$(jq -s '[.[] | select(.op == "upsert" and (.event.id != .event_id or .event.provider != "google"))] | length' "$T/feed.jsonl")" "0" "upsert snapshots"
# --since continues where a consumer stopped.
mid=$(sed -n 10p "$T/feed.jsonl" | jq .seq)
assert_eq "$("$CALSYNC" changes --since "$mid" --json | head -1 | jq .seq)" "$(sed -n 11p "$T/feed.jsonl" | jq .seq)" "--since"
pass
