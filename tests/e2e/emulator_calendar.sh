#!/usr/bin/env bash
# The emulator's calendar APIs driven with curl: Google events.list full and
# incremental sync, Graph calendarView delta, the control API (calendars,
# events, seed, churn, expire, truth) and a timed 100,000-event listing.
# Needs no calsync binary.
source "$(dirname "$0")/lib.sh"
start_emulator

GAPI=$EMU/google/calendar/v3
GRAPH=$EMU/graph/v1.0

# call URL [curl args]: prints the status; body in $T/body, headers in $T/headers.
call() { local url=$1; shift; curl -sS -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$url"; }
field() { jq -r "$1" "$T/body"; }
uri() {  # percent-encoding in bash: no process per call
    local s=$1 out="" c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [a-zA-Z0-9.~_-]) out+=$c ;;
        *) printf -v c '%%%02X' "'$c"; out+=$c ;;
        esac
    done
    printf '%s' "$out"
}
event() { ctl /events "$1"; }

# Access tokens come from the emulator's own OAuth flows: lib.sh's
# emu_google_token / emu_graph_token.

# --- Google events.list helpers ------------------------------------------------
# glist TOKEN CALENDAR QUERY: pages through a listing (full, or incremental when
# QUERY has syncToken). Items go to $T/items (one per line); sets PAGES and SYNC.
# Checks: nextPageToken on every page but the last, nextSyncToken only on the
# last. $MID_PAGE runs after the first page.
glist() {
    local token=$1 cal=$2 q=$3 page="" url status
    : >"$T/items"
    PAGES=0
    while :; do
        url="$GAPI/calendars/$(uri "$cal")/events?$q"
        [ -n "$page" ] && url+="&pageToken=$(uri "$page")"
        status=$(curl -sS -o "$T/page" -w '%{http_code}' -H "Authorization: Bearer $token" "$url")
        [ "$status" = 200 ] || fail "events.list $status: $(head -c 400 "$T/page")"
        PAGES=$((PAGES + 1))
        jq -c '.items[]' "$T/page" >>"$T/items"
        # The tokens come before "items"; read them without another process.
        IFS= read -r -N 1500 head <"$T/page" || true
        page="" SYNC=""
        [[ $head =~ \"nextPageToken\":\"([^\"]*)\" ]] && page=${BASH_REMATCH[1]}
        [[ $head =~ \"nextSyncToken\":\"([^\"]*)\" ]] && SYNC=${BASH_REMATCH[1]}
        if [ -n "$page" ]; then
            [ -z "$SYNC" ] || fail "page $PAGES has both nextPageToken and nextSyncToken"
        else
            [ -n "$SYNC" ] || fail "the last page has no nextSyncToken"
            break
        fi
        if [ "$PAGES" = 1 ] && [ -n "${MID_PAGE:-}" ]; then eval "$MID_PAGE"; fi
    done
}
# Google items as truth rows (computed here, independently of the emulator).
GROWS='
def off: if endswith("Z") then 0 else (.[-6:] | ((.[1:3]|tonumber)*3600 + (.[4:6]|tonumber)*60)
         * (if .[0:1] == "-" then -1 else 1 end)) end;
def utc: if .date then .date else (.dateTime | ((.[0:19] + "Z" | fromdateiso8601) - off) | todateiso8601) end;
def row: {id, status,
  kind: (if .recurrence then "series" elif .recurringEventId then "exception" else "single" end),
  summary: (.summary // null), location: (.location // null),
  start: ((.start // .originalStartTime) | utc), end: ((.end // .originalStartTime) | utc),
  all_day: (((.start // .originalStartTime) | has("date"))),
  recurring_event_id: (.recurringEventId // null),
  original_start: (if .originalStartTime then (.originalStartTime | utc) else null end),
  etag, updated: (.updated // null)};'
# A local store kept the way a client keeps it: deletions (cancelled without
# recurringEventId) remove, everything else is upserted.
GAPPLY='reduce .[] as $i (.[0] // {}; if ($i | type) == "object" and $i.kind == "calendar#event" then
  (if $i.status == "cancelled" and ($i.recurringEventId | not) then del(.[$i.id]) else .[$i.id] = $i end) else . end)'

# --- Graph delta helpers ---------------------------------------------------------
# gdelta TOKEN URL PAGESIZE: follows nextLinks until a deltaLink; items to
# $T/gitems; sets PAGES and DELTA. Checks page sizes and Preference-Applied.
# $MID_PAGE runs after the first page.
gdelta() {
    local token=$1 url=$2 size=$3 status
    : >"$T/gitems"
    PAGES=0
    while :; do
        status=$(curl -sS -o "$T/page" -D "$T/headers" -w '%{http_code}' -H "Authorization: Bearer $token" \
            -H "Prefer: odata.maxpagesize=$size" -H 'Prefer: outlook.timezone="UTC"' "$url")
        [ "$status" = 200 ] || fail "delta $status: $(head -c 400 "$T/page")"
        PAGES=$((PAGES + 1))
        [[ "$(<"$T/headers")" == *"Preference-Applied: odata.maxpagesize=$size"* ]] || fail "no Preference-Applied"
        mapfile -t lines < <(jq -c '.value[]' "$T/page")
        [ "${#lines[@]}" -le "$size" ] || fail "page larger than odata.maxpagesize"
        [ "${#lines[@]}" = 0 ] || printf '%s\n' "${lines[@]}" >>"$T/gitems"
        # The links come before "value".
        IFS= read -r -N 1500 head <"$T/page" || true
        url="" DELTA=""
        [[ $head =~ \"@odata.nextLink\":\"([^\"]*)\" ]] && url=${BASH_REMATCH[1]}
        [[ $head =~ \"@odata.deltaLink\":\"([^\"]*)\" ]] && DELTA=${BASH_REMATCH[1]}
        [ -n "$url" ] && [ -n "$DELTA" ] && fail "both nextLink and deltaLink"
        [ -z "$url" ] && { [ -n "$DELTA" ] || fail "no deltaLink on the last page"; break; }
        if [ "$PAGES" = 1 ] && [ -n "${MID_PAGE:-}" ]; then eval "$MID_PAGE"; fi
    done
}
MROWS='def row: {id, status: "confirmed",
  kind: (if .type == "occurrence" then "instance" elif .type == "exception" then "exception" else "single" end),
  summary: .subject, location: (if .location.displayName == "" then null else .location.displayName end),
  start: (if .isAllDay then .start.dateTime[0:10] else .start.dateTime[0:19] + "Z" end),
  end: (if .isAllDay then .end.dateTime[0:10] else .end.dateTime[0:19] + "Z" end),
  all_day: .isAllDay, recurring_event_id: .seriesMasterId,
  original_start: (if .originalStart then (if .isAllDay then .originalStart[0:10] else .originalStart end) else null end),
  etag: ."@odata.etag", updated: .lastModifiedDateTime};'
MAPPLY='reduce .[] as $i (.[0] // {}; if ($i | type) == "object" and $i["@odata.type"] then
  (if $i["@removed"] then del(.[$i.id]) else .[$i.id] = $i end) else . end)'

# The local stores: $T/local (Google) and $T/mlocal (Graph), updated with the last round's items.
apply_google() { jq -s --slurpfile base "$T/local" "\$base + . | $GAPPLY" "$T/items" >"$T/local.new" && mv "$T/local.new" "$T/local"; }
apply_graph() { jq -s --slurpfile base "$T/mlocal" "\$base + . | $MAPPLY" "$T/gitems" >"$T/mlocal.new" && mv "$T/mlocal.new" "$T/mlocal"; }

same_rows() {  # same_rows ACTUAL_JSON EXPECTED_JSON WHAT
    [ "$(jq -cS . <<<"$1")" == "$(jq -cS . <<<"$2")" ] ||
        fail "$3: $(diff <(jq -S . <<<"$2") <(jq -S . <<<"$1") | head -20)"
}

# === Google ======================================================================
A=alice@example.com
GTOK=$(emu_google_token "$A")
CAL_B=$(ctl /calendars "{\"provider\":\"google\",\"email\":\"$A\",\"name\":\"Team\",\"time_zone\":\"America/New_York\"}" | jq -r .id)
[[ "$CAL_B" == *@group.calendar.google.com ]] || fail "secondary calendar id: $CAL_B"
assert_eq "$(call "$GAPI/users/me/calendarList" -H "Authorization: Bearer $GTOK")" 200 "calendarList"
assert_eq "$(field '[.items[] | "\(.id)|\(.primary // false)"] | join(" ")')" "$A|true $CAL_B|false" "calendarList items"

g() { event "{\"provider\":\"google\",\"email\":\"$A\",$1}" | jq -r .id; }
S1=$(g '"op":"create","summary":"Berlin","start":"2026-11-25T10:00:00+01:00","end":"2026-11-25T11:00:00+01:00","time_zone":"Europe/Berlin","location":"Room 1"')
S2=$(g '"op":"create","summary":"UTC","start":"2026-11-26T09:00:00Z","end":"2026-11-26T09:30:00Z","time_zone":"UTC"')
S3=$(g '"op":"create","summary":"Tokyo","start":"2026-11-27T09:00:00","end":"2026-11-27T10:00:00","time_zone":"Asia/Tokyo"')
S4=$(g '"op":"create","summary":"Holiday","start":"2026-12-24","end":"2026-12-27"')
S5=$(g '"op":"create","summary":"To delete","start":"2026-11-28T12:00:00-05:00","time_zone":"America/New_York"')
SER=$(g '"op":"create","summary":"Weekly","start":"2026-11-23T10:00:00+01:00","end":"2026-11-23T10:15:00+01:00","time_zone":"Europe/Berlin","recurrence":{"freq":"WEEKLY","count":4}')
assert_eq "$(call "$GAPI/calendars/primary/events?singleEvents=true&timeMin=2026-01-01T00:00:00Z" -H "Authorization: Bearer $GTOK")" 200 "singleEvents=true"
assert_eq "$(field '[.items[] | select(.recurringEventId) | .id] | length')" 4 "expanded instances"
assert_eq "$(field "[.items[] | select(.id == \"${SER}_20261130T090000Z\") | .start.dateTime] | first")" \
    "2026-11-30T10:00:00+01:00" "instance id and start"
assert_eq "$(jq -r .start.dateTime <<<"$(event "{\"provider\":\"google\",\"email\":\"$A\",\"op\":\"update\",\"id\":\"$S3\"}")")" \
    "2026-11-27T09:00:00+09:00" "wall time read in the event's zone"

# Full listing in pages of 3; an event created after the first page comes in the next incremental round.
Q='maxResults=3&showDeleted=true&singleEvents=false'
MID_PAGE='MID=$(g "\"op\":\"create\",\"summary\":\"Created mid-listing\",\"start\":\"2026-11-29T08:00:00Z\"")'
glist "$GTOK" primary "$Q"
MID_PAGE=
assert_eq "$PAGES" 2 "pages of 3 for 6 events"
assert_eq "$(wc -l <"$T/items")" 6 "items of the full listing"
jq -s "[{}] + . | $GAPPLY" "$T/items" >"$T/local"
FIRST_SYNC=$SYNC
# A page token only works with the query it was issued for.
page1=$(curl -sS -H "Authorization: Bearer $GTOK" "$GAPI/calendars/primary/events?$Q" | jq -r .nextPageToken)
assert_eq "$(call "$GAPI/calendars/primary/events?maxResults=4&showDeleted=true&singleEvents=false&pageToken=$(uri "$page1")" -H "Authorization: Bearer $GTOK")" 400 "page token with another query"
assert_eq "$(field '.error.errors[0].location')" "pageToken"

# Changes: update, delete, cancel one occurrence of the series.
g "\"op\":\"update\",\"id\":\"$S1\",\"summary\":\"Berlin (moved)\",\"start\":\"2026-11-25T14:00:00+01:00\"" >/dev/null
g "\"op\":\"delete\",\"id\":\"$S5\"" >/dev/null
EXC=$(g "\"op\":\"cancel_instance\",\"id\":\"$SER\",\"original_start\":\"2026-12-07T09:00:00Z\"")
assert_eq "$EXC" "${SER}_20261207T090000Z" "cancelled instance id"
glist "$GTOK" primary "$Q&syncToken=$(uri "$FIRST_SYNC")"
assert_eq "$(jq -r .id "$T/items" | sort | paste -sd' ')" "$(printf '%s\n' "$MID" "$S1" "$S5" "$EXC" | sort | paste -sd' ')" "incremental: exactly the changes"
assert_eq "$(jq -c "select(.id == \"$S5\") | keys" "$T/items")" '["etag","id","kind","status"]' "a deletion carries only kind, etag, id, status"
assert_eq "$(jq -c "select(.id == \"$EXC\") | [.status, .recurringEventId, .originalStartTime.dateTime]" "$T/items")" \
    "[\"cancelled\",\"$SER\",\"2026-12-07T10:00:00+01:00\"]" "cancelled instance"
assert_eq "$(jq -r "select(.id == \"$S1\") | .summary" "$T/items")" "Berlin (moved)" "updated event"
apply_google
glist "$GTOK" primary "$Q&syncToken=$(uri "$SYNC")"
assert_eq "$(wc -l <"$T/items")" 0 "nothing changed since the last round"
LAST_SYNC=$SYNC

# The local store equals the truth, and so does a fresh listing.
TRUTH=$(ctl_get "/truth?provider=google&email=$A")
same_rows "$(jq "$GROWS [.[]] | map(row) | sort_by(.id)" "$T/local")" "$TRUTH" "google: incremental store vs truth"
glist "$GTOK" primary "maxResults=250"
same_rows "$(jq -s "$GROWS map(row) | sort_by(.id)" "$T/items")" "$TRUTH" "google: fresh listing vs truth"

# Forbidden combinations.
assert_eq "$(call "$GAPI/calendars/primary/events?syncToken=$(uri "$LAST_SYNC")&timeMin=2026-01-01T00:00:00Z" -H "Authorization: Bearer $GTOK")" 400 "syncToken + timeMin"
assert_eq "$(field '.error.errors[0].location')" "timeMin"
assert_eq "$(call "$GAPI/calendars/primary/events?syncToken=$(uri "$LAST_SYNC")&showDeleted=false" -H "Authorization: Bearer $GTOK")" 400 "syncToken + showDeleted=false"
assert_eq "$(call "$GAPI/calendars/$(uri "$CAL_B")/events?syncToken=$(uri "$LAST_SYNC")" -H "Authorization: Bearer $GTOK")" 410 "a sync token of another calendar"

# Expire: the next incremental round gets 410 with the exact body.
ctl /sync/expire "{\"provider\":\"google\",\"email\":\"$A\"}" >/dev/null
assert_eq "$(call "$GAPI/calendars/primary/events?$Q&syncToken=$(uri "$LAST_SYNC")" -H "Authorization: Bearer $GTOK")" 410 "expired sync token"
same_rows "$(cat "$T/body")" '{"error":{"errors":[{"domain":"calendar","reason":"fullSyncRequired","message":"Sync token is no longer valid, a full sync is required.","locationType":"parameter","location":"syncToken"}],"code":410,"message":"Sync token is no longer valid, a full sync is required."}}' "410 body"

# Empty pages ("or none at all") and a page-size cap.
ctl /config '{"empty_pages":2,"page_size_cap":2}' >/dev/null
glist "$GTOK" primary "maxResults=100"
assert_eq "$(wc -l <"$T/items") $PAGES" "7 7" "7 items in pages of 2 with every 2nd page empty"
ctl /config '{"empty_pages":0,"page_size_cap":0}' >/dev/null

# Scope: calendar.readonly or calendar.events.readonly.
NOSCOPE=$(emu_google_token "$A" '["openid","email"]')
assert_eq "$(call "$GAPI/calendars/primary/events" -H "Authorization: Bearer $NOSCOPE")" 403 "no calendar scope"
assert_eq "$(field '.error.errors[0].reason')" "insufficientPermissions"

# === Microsoft Graph =============================================================
B=bob@contoso.example
MTOK=$(emu_graph_token "$B")
assert_eq "$(call "$GRAPH/me/calendars" -H "Authorization: Bearer $MTOK")" 200 "graph calendars"
assert_eq "$(field '.value[0].isDefaultCalendar, (.value[0].id | startswith("AAMkAG"))' | paste -sd' ')" "true true"
m() { event "{\"provider\":\"microsoft\",\"email\":\"$B\",$1}" | jq -r .id; }
M1=$(m '"op":"create","summary":"Planning","start":"2026-11-25T10:00:00+01:00","end":"2026-11-25T11:00:00+01:00","time_zone":"Europe/Berlin","location":"Room 7"')
M2=$(m '"op":"create","summary":"Offsite","start":"2026-12-01","end":"2026-12-03"')
M3=$(m '"op":"create","summary":"Doomed","start":"2026-12-02T15:00:00Z","end":"2026-12-02T16:00:00Z"')
MS=$(m '"op":"create","summary":"Daily","start":"2026-11-30T08:00:00-05:00","end":"2026-11-30T08:15:00-05:00","time_zone":"America/New_York","recurrence":["RRULE:FREQ=DAILY;COUNT=5"]')
m '"op":"create","summary":"Outside","start":"2027-03-01T10:00:00Z"' >/dev/null
WIN="startDateTime=2026-11-20T00:00:00Z&endDateTime=2027-01-01T00:00:00Z"
assert_eq "$(call "$GRAPH/me/calendarView/delta" -H "Authorization: Bearer $MTOK")" 400 "delta without a window"
gdelta "$MTOK" "$GRAPH/me/calendarView/delta?$WIN" 2
assert_eq "$(wc -l <"$T/gitems") $PAGES" "8 4" "3 events + 5 occurrences in pages of 2"
assert_eq "$(jq -r 'select(.type == "occurrence") | .seriesMasterId' "$T/gitems" | sort -u)" "$MS" "occurrences of the series"
assert_eq "$(jq -r 'select(.type == "seriesMaster") | .id' "$T/gitems")" "" "no series master in calendarView"
assert_eq "$(jq -r "select(.id == \"$M1\") | .start.dateTime + \" \" + .start.timeZone" "$T/gitems")" \
    "2026-11-25T09:00:00.0000000 UTC" "times in UTC"
assert_eq "$(jq -r "select(.type == \"occurrence\") | .originalStart" "$T/gitems" | head -1)" "2026-11-30T13:00:00Z" "originalStart"
OCC_IDS=$(jq -r 'select(.type == "occurrence") | .id' "$T/gitems" | sort)
jq -s "[{}] + . | $MAPPLY" "$T/gitems" >"$T/mlocal"
DELTA1=$DELTA
assert_contains "$DELTA1" "$GRAPH/me/calendarView/delta?\$deltatoken="
gdelta "$MTOK" "$GRAPH/me/calendarView/delta?$WIN" 100
assert_eq "$(jq -r 'select(.type == "occurrence") | .id' "$T/gitems" | sort)" "$OCC_IDS" "occurrence ids are stable"

# Changes: create, update, delete, cancel an occurrence, move one out of the window.
M4=$(m '"op":"create","summary":"New","start":"2026-12-10T10:00:00Z"')
m "\"op\":\"update\",\"id\":\"$M1\",\"summary\":\"Planning v2\"" >/dev/null
m "\"op\":\"delete\",\"id\":\"$M3\"" >/dev/null
CANCELLED=$(event "{\"provider\":\"microsoft\",\"email\":\"$B\",\"op\":\"cancel_instance\",\"id\":\"$MS\",\"original_start\":\"2026-12-01T13:00:00Z\"}" | jq -r .id)
grep -qx "$CANCELLED" <<<"$OCC_IDS" || fail "the cancelled occurrence keeps its id"
m "\"op\":\"update\",\"id\":\"$M2\",\"start\":\"2027-02-01\",\"end\":\"2027-02-02\"" >/dev/null
gdelta "$MTOK" "$DELTA1" 2
assert_eq "$(jq -r 'select(."@removed" | not) | .id' "$T/gitems" | sort | paste -sd' ')" "$(printf '%s\n' "$M4" "$M1" | sort | paste -sd' ')" "delta: upserts"
assert_eq "$(jq -r 'select(."@removed") | .id' "$T/gitems" | sort | paste -sd' ')" "$(printf '%s\n' "$M3" "$CANCELLED" "$M2" | sort | paste -sd' ')" "delta: removals"
assert_eq "$(jq -c "select(.id == \"$M3\")" "$T/gitems")" "{\"@odata.type\":\"#microsoft.graph.event\",\"id\":\"$M3\",\"@removed\":{\"reason\":\"deleted\"}}" "@removed shape"
apply_graph
MTRUTH=$(ctl_get "/truth?provider=microsoft&email=$B&window_start=2026-11-20T00:00:00Z&window_end=2027-01-01T00:00:00Z")
same_rows "$(jq "$MROWS [.[]] | map(row) | sort_by(.id)" "$T/mlocal")" "$MTRUTH" "graph: delta store vs truth"
DELTA2=$DELTA
gdelta "$MTOK" "$DELTA2" 2
assert_eq "$(wc -l <"$T/gitems")" 0 "no changes since the last round"
DELTA3=$DELTA

# Expired delta tokens: the configured error.
ctl /sync/expire "{\"provider\":\"microsoft\",\"email\":\"$B\"}" >/dev/null
assert_eq "$(call "$DELTA3" -H "Authorization: Bearer $MTOK")" 410 "expired delta token"
assert_eq "$(field .error.code)" "resyncRequired"
ctl /config '{"graph_expired_status":404}' >/dev/null
assert_eq "$(call "$DELTA3" -H "Authorization: Bearer $MTOK")" 404 "expired delta token, 404 configured"
assert_eq "$(field '.error.code, (.error.innerError | has("request-id"))' | paste -sd' ')" "syncStateNotFound true"

# A secondary calendar through /me/calendars/{id}/calendarView/delta.
MCAL=$(ctl /calendars "{\"provider\":\"microsoft\",\"email\":\"$B\",\"name\":\"Side\"}" | jq -r .id)
event "{\"provider\":\"microsoft\",\"email\":\"$B\",\"calendar\":\"$MCAL\",\"op\":\"create\",\"summary\":\"Side\",\"start\":\"2026-12-05T10:00:00Z\"}" >/dev/null
gdelta "$MTOK" "$GRAPH/me/calendars/$(uri "$MCAL")/calendarView/delta?$WIN" 10
assert_eq "$(jq -r .subject "$T/gitems")" "Side" "secondary calendar delta"
assert_contains "$DELTA" "/me/calendars/"

# === Churn: a client's incremental store stays equal to the truth ================
C=churn@example.com
CTOK=$(emu_google_token "$C")
ctl /calendars "{\"provider\":\"google\",\"email\":\"$C\",\"name\":\"Other\"}" >/dev/null
ctl /seed "{\"provider\":\"google\",\"email\":\"$C\",\"count\":120,\"seed\":7,\"recurring_every\":5,\"all_day_every\":7}" >/dev/null
# 40 changes land while the client pages through the full listing.
MID_PAGE='ctl /churn "{\"provider\":\"google\",\"email\":\"$C\",\"seed\":1,\"ops\":30}" >/dev/null'
glist "$CTOK" primary "maxResults=50&showDeleted=true&singleEvents=false"
MID_PAGE=
jq -s "[{}] + . | $GAPPLY" "$T/items" >"$T/local"
ops1=$(ctl /churn "{\"provider\":\"google\",\"email\":\"$C\",\"seed\":42,\"ops\":100}")
glist "$CTOK" primary "maxResults=50&showDeleted=true&singleEvents=false&syncToken=$(uri "$SYNC")"
apply_google
same_rows "$(jq "$GROWS [.[]] | map(row) | sort_by(.id)" "$T/local")" "$(ctl_get "/truth?provider=google&email=$C")" "google churn"

D=churn@contoso.example
DTOK=$(emu_graph_token "$D")
ctl /calendars "{\"provider\":\"microsoft\",\"email\":\"$D\",\"name\":\"Other\"}" >/dev/null
ctl /seed "{\"provider\":\"microsoft\",\"email\":\"$D\",\"count\":120,\"seed\":7,\"recurring_every\":5,\"all_day_every\":7}" >/dev/null
WS=$(date -u -d '-10 days' +%Y-%m-%dT00:00:00Z)
WE=$(date -u -d '+200 days' +%Y-%m-%dT00:00:00Z)
MID_PAGE='ctl /churn "{\"provider\":\"microsoft\",\"email\":\"$D\",\"seed\":1,\"ops\":30}" >/dev/null'
gdelta "$DTOK" "$GRAPH/me/calendarView/delta?startDateTime=$WS&endDateTime=$WE" 40
MID_PAGE=
jq -s "[{}] + . | $MAPPLY" "$T/gitems" >"$T/mlocal"
ops2=$(ctl /churn "{\"provider\":\"microsoft\",\"email\":\"$D\",\"seed\":42,\"ops\":100}")
assert_eq "$(jq -c '[.ops[].op]' <<<"$ops2")" "$(jq -c '[.ops[].op]' <<<"$ops1")" "churn is reproducible for a seed and state"
gdelta "$DTOK" "$DELTA" 40
apply_graph
same_rows "$(jq "$MROWS [.[]] | map(row) | sort_by(.id)" "$T/mlocal")" \
    "$(ctl_get "/truth?provider=microsoft&email=$D&window_start=$WS&window_end=$WE")" "graph churn"
echo "churn: $(jq -c .counts <<<"$ops1")"

# === Concurrency: latency is not serialized ======================================
# 32 parallel requests (one curl process) without and with 50 ms latency: the
# difference stays far below the 1.6 s a serializing server would add.
parallel_ms() {
    local args=() start
    for _ in $(seq 1 32); do args+=(-o /dev/null "$GAPI/calendars/primary/events?maxResults=10"); done
    start=$(date +%s%N)
    curl -sS --no-progress-meter --parallel --parallel-immediate --parallel-max 32 -H "Authorization: Bearer $GTOK" "${args[@]}"
    echo $(( ($(date +%s%N) - start) / 1000000 ))
}
base_ms=$(parallel_ms)
ctl /config '{"latency_ms":50}' >/dev/null
slow_ms=$(parallel_ms)
ctl /config '{"latency_ms":0}' >/dev/null
echo "32 parallel requests: ${base_ms} ms; with 50 ms latency each: ${slow_ms} ms"
[ $((slow_ms - base_ms)) -lt 800 ] || fail "latency was serialized (${base_ms} ms -> ${slow_ms} ms)"

# === Load: 100,000 events, a full listing in 40 pages of 2,500 ===================
L=load@example.com
LTOK=$(emu_google_token "$L")
seeded=$(ctl /seed "{\"provider\":\"google\",\"email\":\"$L\",\"count\":100000,\"seed\":1,\"recurring_every\":10,\"all_day_every\":7}")
echo "seed of 100000 events: $(jq .elapsed_ms <<<"$seeded") ms"
# One curl per page and nothing else spawned. The emulator's own CPU time is
# reported too: on a busy machine starting curl 40 times dominates the wall time.
emulator_cpu() { awk '{print $14 + $15}' "/proc/${_pids[0]}/stat"; }
cpu_start=$(emulator_cpu)
start=$(date +%s%N)
enc=""
n=0
while :; do
    n=$((n + 1))
    out=$T/load.page
    [ "$n" = 1 ] && out=$T/load.first
    curl -sS -o "$out" -H "Authorization: Bearer $LTOK" \
        "$GAPI/calendars/primary/events?maxResults=2500&showDeleted=true&singleEvents=false${enc:+&pageToken=$enc}"
    IFS= read -r -N 1200 head <"$out" || true
    [[ $head =~ \"nextPageToken\":\"([^\"]*)\" ]] || break
    enc=${BASH_REMATCH[1]//+/%2B}
    enc=${enc//\//%2F}
    enc=${enc//=/%3D}
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cpu_ms=$(( ($(emulator_cpu) - cpu_start) * 1000 / $(getconf CLK_TCK) ))
echo "full listing of 100000 events: $n pages in ${ms} ms (emulator CPU: ${cpu_ms} ms; the rest is curl and bash)"
# 40 pages, each capped at 2,500 items, the first and the last full: 100,000.
assert_eq "$n $(grep -o '"kind":"calendar#event"' "$T/load.first" | wc -l) $(grep -o '"kind":"calendar#event"' "$T/load.page" | wc -l)" \
    "40 2500 2500" "pages, items on the first and the last page"
head -c 1200 "$T/load.page" | grep -q '"nextSyncToken"' || fail "no nextSyncToken on page 40"
rm -f "$T"/load.*
pass
