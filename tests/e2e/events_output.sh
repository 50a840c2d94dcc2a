#!/usr/bin/env bash
# `calsync events` over a seeded store: the JSON contract (exact fields, all-day
# dates, nulls, recurrence arrays), --from/--to overlap, --integration and
# --calendar filters, RFC 4180 CSV, iCalendar, and usage errors (exit 2).
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync

# Two integrations, three calendars, six events: singles, an all-day event,
# a weekly series with one moved occurrence, text that needs quoting.
seed_integrations
sql <<'SQL'
INSERT INTO calendars (id, integration_id, provider_calendar_id, name, is_primary, created_at) VALUES
  (1, 1, 'alice@example.com', 'Alice', 1, 0),
  (2, 1, 'team@group.calendar.google.com', 'Team', 0, 0),
  (3, 2, 'AAMkADcal=', 'Calendar', 1, 0);
INSERT INTO events (calendar_id, event_id, status, kind, summary, location, start, "end", all_day, start_ts, end_ts,
                    updated, etag, recurring_event_id, original_start, recurrence, raw) VALUES
  (1, 'standup', 'confirmed', 'single', 'Standup', 'Room 1', '2026-11-24T09:00:00Z', '2026-11-24T09:15:00Z', 0, 0, 0,
   '2026-11-20T08:00:00Z', '"3300"', NULL, NULL, NULL, '{"id":"standup","iCalUID":"standup@google.com"}'),
  (1, 'holiday', 'confirmed', 'single', 'Holiday', NULL, '2026-11-26', '2026-11-27', 1, 0, 0,
   '2026-11-20T08:00:00Z', '"3301"', NULL, NULL, NULL, '{"id":"holiday"}'),
  (1, 'weekly', 'confirmed', 'series', 'Weekly sync', 'Room "A", 2nd floor', '2026-11-24T10:00:00Z',
   '2026-11-24T11:00:00Z', 0, 0, 0, '2026-11-20T08:00:00Z', '"3302"', NULL, NULL,
   '["RRULE:FREQ=WEEKLY;COUNT=5","EXDATE:20261208T100000Z"]', '{"id":"weekly","iCalUID":"weekly@google.com"}'),
  (1, 'weekly_20261201T100000Z', 'confirmed', 'exception', 'Weekly sync (moved)', NULL, '2026-12-01T14:00:00Z',
   '2026-12-01T15:00:00Z', 0, 0, 0, '2026-11-21T08:00:00Z', '"3303"', 'weekly', '2026-12-01T10:00:00Z', NULL,
   '{"id":"weekly_20261201T100000Z","iCalUID":"weekly@google.com"}'),
  (2, 'team1', 'tentative', 'single', 'Plan, review; ship' || char(10) || 'then party', NULL, '2026-11-25T12:00:00Z',
   '2026-11-25T13:00:00Z', 0, 0, 0, NULL, NULL, NULL, NULL, NULL, 'not json'),
  (3, 'AAMkADevt=', 'confirmed', 'single', 'Graph meeting', 'Teams', '2026-11-23T16:00:00Z', '2026-11-23T17:00:00Z',
   0, 0, 0, '2026-11-19T08:00:00Z', 'W/"DwAAABYAAAA"', NULL, NULL, NULL,
   '{"id":"AAMkADevt=","iCalUId":"040000008200E00074C5B7101A82E008"}');
UPDATE events SET start_ts = CAST(strftime('%s', start) AS INTEGER), end_ts = CAST(strftime('%s', "end") AS INTEGER);
SQL

# --- JSON: exactly the contract fields, in start order
json=$("$CALSYNC" events --json)
assert_eq "$(jq -r 'map(.id) | join(" ")' <<<"$json")" \
    "AAMkADevt= standup weekly team1 holiday weekly_20261201T100000Z" "order by start"
assert_eq "$(jq -c '[.[] | keys] | unique' <<<"$json")" \
    '[["all_day","calendar","end","etag","id","integration","kind","location","original_start","provider","recurrence","recurring_event_id","start","status","summary","updated"]]' \
    "fields of every event"
assert_eq "$(jq -c '.[] | select(.id == "standup")' <<<"$json")" \
    '{"integration":1,"provider":"google","calendar":"alice@example.com","id":"standup","status":"confirmed","kind":"single","summary":"Standup","location":"Room 1","start":"2026-11-24T09:00:00Z","end":"2026-11-24T09:15:00Z","all_day":false,"updated":"2026-11-20T08:00:00Z","etag":"\"3300\"","recurring_event_id":null,"original_start":null,"recurrence":null}' \
    "a single event"
assert_eq "$(jq -c '.[] | select(.id == "holiday") | [.all_day, .start, .end]' <<<"$json")" \
    '[true,"2026-11-26","2026-11-27"]' "all-day event"
assert_eq "$(jq -c '.[] | select(.id == "weekly") | .recurrence' <<<"$json")" \
    '["RRULE:FREQ=WEEKLY;COUNT=5","EXDATE:20261208T100000Z"]' "series recurrence"
assert_eq "$(jq -c '.[] | select(.kind == "exception") | [.recurring_event_id, .original_start, .recurrence]' <<<"$json")" \
    '["weekly","2026-12-01T10:00:00Z",null]' "exception"
assert_eq "$(jq -c '.[] | select(.id == "AAMkADevt=") | [.integration, .provider, .calendar]' <<<"$json")" \
    '[2,"microsoft","AAMkADcal="]' "microsoft event"
assert_eq "$("$CALSYNC" events list --format json)" "$json" "--format json is --json"
assert_eq "$("$CALSYNC" events --json --format json)" "$json" "--json with --format json"

ids() { "$CALSYNC" events --json "$@" | jq -r 'map(.id) | join(" ")'; }

# --- --from/--to select events overlapping [from, to)
assert_eq "$(ids --from 2026-11-26 --to 2026-11-27)" "holiday" "one day"
assert_eq "$(ids --from 2026-11-24T09:15:00Z --to 2026-11-24T10:00:00Z)" "" "touching intervals do not overlap"
assert_eq "$(ids --from 2026-11-24T09:10:00Z --to 2026-11-24T10:30:00Z)" "standup weekly" "partial overlaps"
assert_eq "$(ids --from 2026-11-24T10:10:00+01:00 --to 2026-11-24T10:00:00Z)" "standup" "offsets"
assert_eq "$(ids --from 2026-11-27)" "weekly_20261201T100000Z" "open end"
assert_eq "$(ids --to 2026-11-24)" "AAMkADevt=" "open start"

# --- --integration / --calendar
assert_eq "$(ids --integration 2)" "AAMkADevt=" "integration 2"
assert_eq "$(ids --integration 1 --integration 2 | wc -w)" "6" "both integrations"
assert_eq "$(ids --integration 3)" "" "an integration without events"
assert_eq "$(ids --calendar team@group.calendar.google.com)" "team1" "one calendar"
assert_eq "$(ids --calendar team@group.calendar.google.com --calendar AAMkADcal=)" "AAMkADevt= team1" "two calendars"
assert_eq "$(ids --integration 2 --calendar alice@example.com)" "" "filters combine"
assert_eq "$(ids list --integration 1 --from 2026-11-25 --to 2026-11-26)" "team1" "list with every filter"

# --- CSV (RFC 4180): CRLF records, quoting where needed
"$CALSYNC" events --format csv >"$T/events.csv"
assert_eq "$(head -1 "$T/events.csv")" \
    $'integration,provider,calendar,id,status,kind,summary,location,start,end,all_day,updated,etag,recurring_event_id,original_start\r' \
    "csv header"
assert_eq "$(grep -c $'\r$' "$T/events.csv")" "7" "csv records (header + 6)"
csv=$(cat "$T/events.csv")
assert_contains "$csv" $'1,google,alice@example.com,standup,confirmed,single,Standup,Room 1,2026-11-24T09:00:00Z,2026-11-24T09:15:00Z,false,2026-11-20T08:00:00Z,"""3300""",,\r'
assert_contains "$csv" '"Room ""A"", 2nd floor"'
assert_contains "$csv" $'"Plan, review; ship\nthen party"'
assert_contains "$csv" $'holiday,confirmed,single,Holiday,,2026-11-26,2026-11-27,true,'
assert_contains "$csv" $',weekly,2026-12-01T10:00:00Z\r'

# --- iCalendar
"$CALSYNC" events --format ics >"$T/events.ics"
ics=$(tr -d '\r' <"$T/events.ics")
assert_eq "$(head -1 <<<"$ics")" "BEGIN:VCALENDAR" "ics begins"
assert_eq "$(tail -1 <<<"$ics")" "END:VCALENDAR" "ics ends"
assert_eq "$(grep -c '^BEGIN:VEVENT$' <<<"$ics")" "6" "VEVENT count"
assert_eq "$(grep -c '^END:VEVENT$' <<<"$ics")" "6" "VEVENT ends"
assert_contains "$ics" "VERSION:2.0"
assert_contains "$ics" "PRODID:-//calsync//calsync//EN"
assert_contains "$ics" "DTSTART;VALUE=DATE:20261126"
assert_contains "$ics" "DTEND;VALUE=DATE:20261127"
assert_contains "$ics" "DTSTART:20261124T090000Z"
assert_contains "$ics" "UID:standup@google.com"
assert_contains "$ics" "UID:040000008200E00074C5B7101A82E008"
assert_contains "$ics" "UID:team1"
assert_contains "$ics" "RRULE:FREQ=WEEKLY;COUNT=5"
assert_contains "$ics" "EXDATE:20261208T100000Z"
assert_contains "$ics" "RECURRENCE-ID:20261201T100000Z"
assert_contains "$ics" 'SUMMARY:Plan\, review\; ship\nthen party'
assert_contains "$ics" "STATUS:TENTATIVE"
assert_contains "$ics" "X-CALSYNC-KIND:exception"
assert_eq "$(grep -c $'\r$' "$T/events.ics")" "$(wc -l <"$T/events.ics")" "every ics line ends in CRLF"
assert_eq "$(LC_ALL=C awk '{ if (length($0) > 76) n++ } END { print n + 0 }' "$T/events.ics")" "0" "no line over 75 octets"

# --- the table
table=$("$CALSYNC" events)
assert_eq "$(head -1 <<<"$table" | awk '{print $1, $2, $3}')" "START END SUMMARY" "table header"
assert_eq "$(wc -l <<<"$table")" "7" "table rows"
assert_contains "$table" "Standup"
assert_eq "$("$CALSYNC" events --from 2030-01-01)" "no events" "empty table"
assert_eq "$("$CALSYNC" events --json --from 2030-01-01)" "[]" "empty JSON"

# --- usage errors exit 2 and print nothing on stdout
for bad in "--format xml" "--from tomorrow" "--to 2026-13-01" "--from 2026-11-25 --to 2026-11-24" \
    "--json --format csv" "--integration abc"; do
    rc=0
    # shellcheck disable=SC2086
    out=$("$CALSYNC" events $bad 2>"$T/err") || rc=$?
    assert_eq "$rc" "2" "events $bad"
    assert_eq "$out" "" "stdout of events $bad"
done
assert_contains "$(cat "$T/err")" "abc"
pass
