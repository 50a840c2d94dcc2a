#!/usr/bin/env bash
# `calsync changes` over a seeded change log: JSON lines with the contract
# fields, snapshots identical to `events --json`, --since and --limit, the
# readable form, and --follow picking up a change committed while it waits,
# then exiting 0 on SIGTERM.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync

seed_integrations
sql <<'SQL'
INSERT INTO calendars (id, integration_id, provider_calendar_id, created_at) VALUES
  (1, 1, 'alice@example.com', 0), (2, 2, 'AAMkADcal=', 0);
INSERT INTO events (calendar_id, event_id, status, kind, summary, start, "end", all_day, start_ts, end_ts, updated,
                    etag, recurrence, raw) VALUES
  (1, 'standup', 'confirmed', 'series', 'Standup', '2026-11-24T09:00:00Z', '2026-11-24T09:15:00Z', 0, 1795510800,
   1795511700, '2026-11-20T08:00:00Z', '"1"', '["RRULE:FREQ=DAILY;COUNT=3"]', '{}'),
  (1, 'holiday', 'confirmed', 'single', 'Holiday', '2026-11-26', '2026-11-27', 1, 1795651200, 1795737600, NULL,
   NULL, NULL, '{}'),
  (2, 'AAMkADevt=', 'tentative', 'single', 'Graph meeting', '2026-11-23T16:00:00Z', '2026-11-23T17:00:00Z', 0,
   1795449600, 1795453200, NULL, NULL, NULL, '{}');
SQL

# The change log as a sync appends it: one upsert per event with the snapshot
# `events --json` shows (the same kEventJsonSql), then a delete.
"$CALSYNC" events --json >"$T/events.json"
sql <<SQL
INSERT INTO change_log (integration_id, calendar_id, provider_calendar_id, event_id, op, event, at)
  SELECT json_extract(j.value, '\$.integration'), c.id, c.provider_calendar_id, json_extract(j.value, '\$.id'),
         'upsert', j.value, 1795428000 + j.key
  FROM json_each(readfile('$T/events.json')) j
  JOIN calendars c ON c.provider_calendar_id = json_extract(j.value, '\$.calendar')
  ORDER BY j.key;
INSERT INTO change_log (integration_id, calendar_id, provider_calendar_id, event_id, op, event, at)
  VALUES (1, 1, 'alice@example.com', 'holiday', 'delete', NULL, 1795428100);
SQL

# --- JSON lines, one per change, in seq order
"$CALSYNC" changes --json >"$T/changes.jsonl"
assert_eq "$(wc -l <"$T/changes.jsonl")" "4" "change lines"
assert_eq "$(jq -c 'keys_unsorted' "$T/changes.jsonl" | sort -u)" \
    '["seq","integration","calendar","event_id","op","event","at"]' "fields of every change"
assert_eq "$(jq -r '[.seq, .integration, .calendar, .event_id, .op, .at] | map(tostring) | join(" ")' "$T/changes.jsonl")" \
    "1 2 AAMkADcal= AAMkADevt= upsert 2026-11-23T10:00:00Z
2 1 alice@example.com standup upsert 2026-11-23T10:00:01Z
3 1 alice@example.com holiday upsert 2026-11-23T10:00:02Z
4 1 alice@example.com holiday delete 2026-11-23T10:01:40Z" "changes"
assert_eq "$(jq -c 'select(.op == "upsert") | .event' "$T/changes.jsonl")" "$(jq -c '.[]' "$T/events.json")" \
    "snapshots are the events --json objects"
assert_eq "$(jq -c 'select(.op == "delete") | .event' "$T/changes.jsonl")" "null" "a delete has no event"
assert_eq "$(jq -c 'select(.event_id == "standup") | .event.recurrence' "$T/changes.jsonl")" \
    '["RRULE:FREQ=DAILY;COUNT=3"]' "recurrence stays an array"
assert_eq "$(jq -c 'select(.seq == 3) | .event | [.all_day, .start]' "$T/changes.jsonl")" '[true,"2026-11-26"]' "all-day"

seqs() { "$CALSYNC" changes --json "$@" | jq -r '.seq' | paste -sd' '; }
assert_eq "$(seqs --since 0)" "1 2 3 4" "--since 0"
assert_eq "$(seqs --since 2)" "3 4" "--since 2"
assert_eq "$(seqs --since 4)" "" "--since the last"
assert_eq "$(seqs --since 99)" "" "--since beyond the end"
assert_eq "$(seqs --limit 2)" "1 2" "--limit"
assert_eq "$(seqs --since 1 --limit 2)" "2 3" "--since with --limit"

# --- readable lines
text=$("$CALSYNC" changes)
assert_eq "$(wc -l <<<"$text")" "4" "text lines"
assert_eq "$(sed -n 2p <<<"$text" | awk '{print $1, $2, $3, $4, $5, $6, $7, $8}')" \
    "2 2026-11-23T10:00:01Z upsert 1 alice@example.com standup 2026-11-24T09:00:00Z Standup" "an upsert line"
assert_eq "$(sed -n 4p <<<"$text" | awk '{print $1, $3, $6, $7}')" "4 delete holiday -" "a delete line"

# --- usage errors
for bad in "--since -1" "--limit 0" "--since abc"; do
    rc=0
    # shellcheck disable=SC2086
    "$CALSYNC" changes $bad >/dev/null 2>&1 || rc=$?
    assert_eq "$rc" "2" "changes $bad"
done

# --- --follow: prints what is there, then each new change as it commits
"$CALSYNC" changes --json --since 3 --follow >"$T/follow.jsonl" 2>"$T/follow.err" &
follow=$!
_pids+=("$follow")
wait_lines() {  # FILE N: wait up to 10 s for N lines
    for _ in $(seq 1 200); do
        [ "$(wc -l <"$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
    fail "$1 has $(wc -l <"$1") lines, expected $2: $(cat "$1" "$T/follow.err")"
}
wait_lines "$T/follow.jsonl" 1
assert_eq "$(jq -r .seq "$T/follow.jsonl")" "4" "existing change printed first"
sql "INSERT INTO change_log (integration_id, calendar_id, provider_calendar_id, event_id, op, event, at)
     SELECT integration_id, calendar_id, provider_calendar_id, event_id, 'upsert', event, 1795428200
     FROM change_log WHERE seq = 2"
wait_lines "$T/follow.jsonl" 2
assert_eq "$(jq -r '[.seq, .event_id, .event.summary] | join(" ")' "$T/follow.jsonl" | tail -1)" "5 standup Standup" \
    "new change picked up"
kill -0 "$follow" || fail "--follow exited on its own"
kill -TERM "$follow"
rc=0; wait "$follow" || rc=$?
assert_eq "$rc" "0" "--follow exit status after SIGTERM"
assert_eq "$(wc -l <"$T/follow.jsonl")" "2" "nothing more printed"

# --follow stops by itself once --limit changes are printed, SIGINT also ends it cleanly.
"$CALSYNC" changes --json --since 4 --follow --limit 2 >"$T/limit.jsonl" 2>&1 &
limited=$!
_pids+=("$limited")
wait_lines "$T/limit.jsonl" 1
sql "INSERT INTO change_log (integration_id, calendar_id, provider_calendar_id, event_id, op, event, at)
     VALUES (2, 2, 'AAMkADcal=', 'AAMkADevt=', 'delete', NULL, 1795428300)"
rc=0; wait "$limited" || rc=$?
assert_eq "$rc" "0" "--follow --limit exit status"
assert_eq "$(jq -r .seq "$T/limit.jsonl" | paste -sd' ')" "5 6" "--follow --limit output"

"$CALSYNC" changes --since 5 --follow >"$T/int.out" 2>&1 &
interrupted=$!
_pids+=("$interrupted")
wait_lines "$T/int.out" 1  # running, with its handlers in place
kill -INT "$interrupted"
rc=0; wait "$interrupted" || rc=$?
assert_eq "$rc" "0" "--follow exit status after SIGINT"
pass
