#!/usr/bin/env bash
# The emulator's push notifications driven with curl: Google events.watch /
# channels.stop and their webhook messages, Graph subscriptions with the
# validation handshake, change and lifecycle notifications, and the
# /_control/push API (duplicate, drop, notify, expire, flush, deliveries).
# Webhooks go to the emulator's own sink (/_sink/{name}). Needs no calsync binary.
source "$(dirname "$0")/lib.sh"
start_emulator

GAPI=$EMU/google/calendar/v3
GRAPH=$EMU/graph/v1.0
SINK=$EMU/_sink

# api TOKEN METHOD URL [JSON]: prints the status; body in $T/body, headers in $T/headers.
api() {
    local token=$1 method=$2 url=$3 data=${4-}
    local args=(-sS -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token")
    [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data "$data")
    curl "${args[@]}" "$url"
}
field() { jq -r "$1" "$T/body"; }
flush() { ctl /push/flush "{\"timeout_ms\":${1:-5000}}" >"$T/flush"; assert_eq "$(jq .pending "$T/flush")" 0 "outbox empty"; }
sink() { ctl_get "/sink/$1"; }  # every request the sink received, oldest first
uri() { jq -rn --arg v "$1" '$v|@uri'; }
now_ms() { date +%s%3N; }
iso_in() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%S.0000000Z; }  # now + N seconds, as Graph writes it
# near ACTUAL_MS EXPECTED_MS SLACK_MS WHAT
near() { [ "$(( $1 > $2 ? $1 - $2 : $2 - $1 ))" -le "$3" ] || fail "$4: $1 is not within $3 ms of $2"; }
event() { ctl /events "$1"; }

# === Google ======================================================================
A=alice@example.com
GTOK=$(emu_google_token "$A")
gev() { event "{\"provider\":\"google\",\"email\":\"$A\",$1}" | jq -r .id; }
watch() { api "$GTOK" POST "$GAPI/calendars/$1/events/watch" "$2"; }
WEEK=$((7 * 86400 * 1000))

# Watch: the channel comes back with expiration as a string, capped at 7 days
# (no expiration and no ttl asked for: the default ttl, 604800 s).
t0=$(now_ms)
assert_eq "$(watch primary "{\"id\":\"chan-1\",\"type\":\"web_hook\",\"address\":\"$SINK/google?acct=7\",\"token\":\"target=calsync-1\"}")" 200 "events.watch"
assert_eq "$(field '[.kind, .id, .token, (.expiration | type)] | join(" ")')" "api#channel chan-1 target=calsync-1 string" "channel fields"
RID=$(field .resourceId)
[ -n "$RID" ] && [ "$RID" != null ] || fail "no resourceId"
assert_eq "$(field .resourceUri)" "$GAPI/calendars/primary/events?alt=json" "resourceUri"
EXP1=$(field .expiration)
near "$EXP1" $((t0 + WEEK)) 5000 "default expiry"

# The sync message (number 1) arrives with Google's headers and no body.
flush
sink google >"$T/g"
assert_eq "$(jq length "$T/g")" 1 "one sync message"
assert_eq "$(jq -r '.[0] | [.method, .path, .query, .body] | join("|")' "$T/g")" "POST|/_sink/google|acct=7|" "sync request line"
H='.[0].headers'
assert_eq "$(jq -r "$H | [.\"x-goog-channel-id\", .\"x-goog-message-number\", .\"x-goog-resource-state\", .\"x-goog-resource-id\", .\"x-goog-channel-token\", .\"content-length\"] | join(\"|\")" "$T/g")" \
    "chan-1|1|sync|$RID|target=calsync-1|0" "sync headers"
assert_eq "$(jq -r "$H.\"x-goog-resource-uri\"" "$T/g")" "$GAPI/calendars/primary/events?alt=json" "X-Goog-Resource-URI"
[[ "$(jq -r "$H.\"user-agent\"" "$T/g")" == APIs-Google* ]] || fail "User-Agent: $(jq -r "$H.\"user-agent\"" "$T/g")"
assert_eq "$(jq -r "$H.\"x-goog-channel-expiration\"" "$T/g")" "$(date -u -d "@$((EXP1 / 1000))" '+%a, %d %b %Y %H:%M:%S GMT')" "X-Goog-Channel-Expiration (RFC 1123)"

# Every change of the calendar (create, update, delete) gives one `exists`
# message, each with a larger (not necessarily consecutive) number.
E1=$(gev '"op":"create","summary":"Standup","start":"2026-11-24T09:00:00Z"')
flush
gev "\"op\":\"update\",\"id\":\"$E1\",\"summary\":\"Standup (moved)\"" >/dev/null
flush
gev "\"op\":\"delete\",\"id\":\"$E1\"" >/dev/null
flush
sink google >"$T/g"
assert_eq "$(jq -r '[.[] | .headers."x-goog-resource-state"] | join(" ")' "$T/g")" "sync exists exists exists" "resource states"
jq -e '[.[] | .headers."x-goog-message-number" | tonumber] | . as $n | all(range(1; length); $n[.] > $n[. - 1])' "$T/g" >/dev/null ||
    fail "message numbers do not increase: $(jq -c '[.[] | .headers."x-goog-message-number"]' "$T/g")"
assert_eq "$(jq -r '[.[] | .body] | join("")' "$T/g")" "" "notifications have no body"

# A second channel on the same calendar (its id URL-encoded) shares the
# resourceId; a live channel id cannot be reused; other calendars are not watched.
assert_eq "$(watch "$(uri "$A")" "{\"id\":\"chan-2\",\"type\":\"webhook\",\"address\":\"$SINK/google2\"}")" 200 "watch by calendar id"
assert_eq "$(field .resourceId)" "$RID" "resourceId is per calendar"
assert_eq "$(field 'has("token")')" false "no token asked, none echoed"
assert_eq "$(watch primary "{\"id\":\"chan-1\",\"type\":\"web_hook\",\"address\":\"$SINK/google\"}")" 400 "duplicate channel id"
assert_eq "$(field '.error.errors[0].reason')" channelIdNotUnique
TEAM=$(ctl /calendars "{\"provider\":\"google\",\"email\":\"$A\",\"name\":\"Team\"}" | jq -r .id)
event "{\"provider\":\"google\",\"email\":\"$A\",\"calendar\":\"$TEAM\",\"op\":\"create\",\"summary\":\"Elsewhere\",\"start\":\"2026-11-25T09:00:00Z\"}" >/dev/null
flush
assert_eq "$(sink google | jq length)" 4 "a change in an unwatched calendar notifies nobody"
assert_eq "$(watch "$(uri "$TEAM")" "{\"id\":\"chan-team\",\"type\":\"web_hook\",\"address\":\"$SINK/team\"}")" 200 "watch a secondary calendar"
[ "$(field .resourceId)" != "$RID" ] || fail "two calendars share a resourceId"

# Expiry: the smallest of expiration, ttl and 7 days; expiration may be a number or a string.
t0=$(now_ms)
assert_eq "$(watch primary "{\"id\":\"chan-long\",\"type\":\"web_hook\",\"address\":\"$SINK/x\",\"expiration\":\"$((t0 + 30 * 86400000))\",\"params\":{\"ttl\":\"99999999\"}}")" 200 "30 days asked"
near "$(field .expiration)" $((t0 + WEEK)) 5000 "expiry capped at 7 days"
assert_eq "$(watch primary "{\"id\":\"chan-hour\",\"type\":\"web_hook\",\"address\":\"$SINK/x\",\"expiration\":$((t0 + 3600000))}")" 200 "1 hour asked"
assert_eq "$(field .expiration)" "$((t0 + 3600000))" "requested expiration kept"
assert_eq "$(watch primary "{\"id\":\"chan-ttl\",\"type\":\"web_hook\",\"address\":\"$SINK/x\",\"params\":{\"ttl\":\"60\"}}")" 200 "ttl 60"
near "$(field .expiration)" $((t0 + 60000)) 5000 "ttl applied"

# Refused requests: Google's error body, no channel.
assert_eq "$(watch primary "{\"id\":\"c-http\",\"type\":\"web_hook\",\"address\":\"http://example.com/hook\"}")" 400 "http to a non-loopback host"
assert_eq "$(field '.error.errors[0].reason')" push.webhookUrlNotHttps
assert_contains "$(field .error.message)" "WebHook callback must be HTTPS: http://example.com/hook"
assert_eq "$(watch primary '{"id":"c-bad","type":"web_hook","address":"not a url"}')" 400 "unparsable address"
assert_eq "$(field '.error.errors[0].reason')" push.webhookUrlUnauthorized
assert_eq "$(watch primary "{\"id\":\"c-type\",\"type\":\"email\",\"address\":\"$SINK/x\"}")" 400 "bad type"
assert_eq "$(watch primary "{\"type\":\"web_hook\",\"address\":\"$SINK/x\"}")" 400 "missing id"
assert_eq "$(watch primary "{\"id\":\"$(printf 'a%.0s' {1..65})\",\"type\":\"web_hook\",\"address\":\"$SINK/x\"}")" 400 "id of 65 characters"
assert_eq "$(watch primary "{\"id\":\"c-tok\",\"type\":\"web_hook\",\"address\":\"$SINK/x\",\"token\":\"$(printf 't%.0s' {1..257})\"}")" 400 "token of 257 characters"
assert_eq "$(watch nobody%40example.com "{\"id\":\"c-404\",\"type\":\"web_hook\",\"address\":\"$SINK/x\"}")" 404 "another user's calendar"
assert_eq "$(api "" POST "$GAPI/calendars/primary/events/watch" '{}')" 401 "no token"
assert_eq "$(field '.error.errors[0].reason')" required
NOCAL=$(emu_google_token nocal@example.com '["openid","email"]')
assert_eq "$(api "$NOCAL" POST "$GAPI/calendars/primary/events/watch" "{\"id\":\"c-scope\",\"type\":\"web_hook\",\"address\":\"$SINK/x\"}")" 403 "no calendar scope"
assert_eq "$(field '.error.errors[0].reason')" insufficientPermissions
# https goes anywhere (real Google also checks the certificate; the emulator just delivers).
assert_eq "$(watch primary '{"id":"c-https","type":"web_hook","address":"https://127.0.0.1:1/hook"}')" 200 "https address"
HTTPS_RID=$(field .resourceId)

# Stop: only with the right resourceId and by the user who watched; 204 and an empty body.
stop() { api "$1" POST "$GAPI/channels/stop" "{\"id\":\"$2\",\"resourceId\":\"$3\"}"; }
assert_eq "$(stop "$GTOK" c-https "$HTTPS_RID")" 204 "stop the https channel"
assert_eq "$(stop "$GTOK" chan-1 wrong-resource)" 404 "stop with another resourceId"
assert_eq "$(field '.error.errors[0].reason')" notFound
BOB_G=$(emu_google_token bob@example.com)
assert_eq "$(stop "$BOB_G" chan-1 "$RID")" 403 "stop by another user"
assert_eq "$(stop "$GTOK" chan-1 "$RID")" 204 "stop"
assert_eq "$(wc -c <"$T/body")" 0 "stop answers an empty body"
assert_eq "$(stop "$GTOK" chan-1 "$RID")" 404 "stop twice"
gev '"op":"create","summary":"After stop","start":"2026-11-26T09:00:00Z"' >/dev/null
flush
assert_eq "$(sink google | jq length)" 4 "a stopped channel never notifies again"
assert_eq "$(sink google2 | jq -r '[.[] | .headers."x-goog-resource-state"] | join(" ")')" "sync exists" "the other channel still does"
ctl_get /push/channels >"$T/ch"
assert_eq "$(jq -r '.[] | select(.id == "chan-1") | [.provider, .user, .calendar, .state, .token, .resource_id] | join(" ")' "$T/ch")" \
    "google $A $A stopped target=calsync-1 $RID" "control view of a stopped channel"
assert_eq "$(jq -r '.[] | select(.id == "chan-2") | .state' "$T/ch")" active

# Failed deliveries: 5xx is retried after 1 s, a 4xx is not.
ctl /sink/google2/config '{"status":503,"count":1}' >/dev/null
gev '"op":"create","summary":"Retried","start":"2026-11-27T09:00:00Z"' >/dev/null
flush 10000
ctl_get "/push/deliveries?id=chan-2" | jq '[.[] | select(.number > 1)] | .[-2:]' >"$T/d"
assert_eq "$(jq -r '[.[] | "\(.attempt):\(.status)"] | join(" ")' "$T/d")" "1:503 2:202" "retried after a 503"
assert_eq "$(jq -r '.[0].number == .[1].number' "$T/d")" true "the retry is the same message"
[ "$(jq -r '.[1].t_ms - .[0].t_ms' "$T/d")" -ge 900 ] || fail "retried without backoff"
ctl /sink/google2/config '{"status":404,"count":1}' >/dev/null
failed=$(ctl /push/flush '{}' | jq .failed)
gev '"op":"create","summary":"Refused","start":"2026-11-28T09:00:00Z"' >/dev/null
flush
assert_eq "$(jq .failed "$T/flush")" $((failed + 1)) "a 404 is a final failure"
assert_eq "$(ctl_get "/push/deliveries?id=chan-2" | jq -r '.[-1] | "\(.attempt):\(.status)"')" "1:404" "not retried"

# 200 notifications on demand (no change), and duplicate/drop settings.
before=$(sink google2 | jq length)
ctl /push/notify '{"id":"chan-2","count":200}' >/dev/null
flush 20000
assert_eq "$(($(sink google2 | jq length) - before))" 200 "200 notifications on demand"
ctl /push/config '{"duplicate":2}' >/dev/null
before=$(sink google2 | jq length)
gev '"op":"create","summary":"Thrice","start":"2026-11-29T09:00:00Z"' >/dev/null
flush
sink google2 | jq ".[$before:]" >"$T/g"
assert_eq "$(jq -r '[.[] | .headers."x-goog-message-number"] | unique | length' "$T/g"):$(jq length "$T/g")" "1:3" "one message, sent three times"
ctl /push/config '{"duplicate":0,"drop":1}' >/dev/null
before=$(sink google2 | jq length)
gev '"op":"create","summary":"Dropped","start":"2026-11-30T09:00:00Z"' >/dev/null
flush
assert_eq "$(sink google2 | jq length)" "$before" "dropped"
assert_eq "$(ctl_get "/push/deliveries?id=chan-2" | jq -r '.[-1].error')" dropped "the drop is logged"
gev '"op":"create","summary":"Kept","start":"2026-12-01T09:00:00Z"' >/dev/null
flush
assert_eq "$(sink google2 | jq length)" $((before + 1)) "only the next one is dropped"

# Expire now: the channel stops notifying and shows as expired.
assert_eq "$(ctl /push/expire '{"id":"chan-2"}' | jq -r .state)" expired "expire"
before=$(sink google2 | jq length)
gev '"op":"create","summary":"After expiry","start":"2026-12-02T09:00:00Z"' >/dev/null
flush
assert_eq "$(sink google2 | jq length)" "$before" "an expired channel is quiet"
assert_eq "$(stop "$GTOK" chan-2 "$RID")" 404 "stop of an expired channel"

# === Microsoft Graph =============================================================
B=bob@contoso.example
MTOK=$(emu_graph_token "$B")
BOB_ID=$(ctl /users "{\"provider\":\"microsoft\",\"email\":\"$B\"}" | jq -r .id)
mev() { event "{\"provider\":\"microsoft\",\"email\":\"$B\",$1}" | jq -r .id; }
subscribe() {  # subscribe JSON_FIELDS (without expirationDateTime unless given)
    local body="{\"changeType\":\"created,updated,deleted\",\"resource\":\"me/events\",$1}"
    [[ "$1" == *expirationDateTime* ]] || body="${body%\}},\"expirationDateTime\":\"$(iso_in 172800)\"}"
    api "$MTOK" POST "$GRAPH/subscriptions" "$body"
}
count_subs() { ctl_get '/push/channels?provider=microsoft' | jq length; }

# Create: both URLs are validated first; the token is percent-encoded in the query
# (after the URL's own query) and must come back decoded, as text/plain.
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/graph?acct=42\",\"lifecycleNotificationUrl\":\"$SINK/life\",\"clientState\":\"s3cret-state\"")" 201 "create subscription"
SUB=$(field .id)
[[ "$SUB" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || fail "subscription id: $SUB"
assert_eq "$(field '[.resource, .applicationId, .changeType, .clientState, .creatorId, .latestSupportedTlsVersion, .notificationContentType, .lifecycleNotificationUrl] | join(" ")')" \
    "me/events calsync-test-microsoft created,updated,deleted s3cret-state $BOB_ID v1_2 application/json $SINK/life" "subscription fields"
[[ "$(field '."@odata.context"')" == *'$metadata#subscriptions/$entity' ]] || fail "@odata.context"
sink graph >"$T/v"
assert_eq "$(jq length "$T/v")" 1 "one validation request"
assert_eq "$(jq -r '.[0] | [.method, .body, .params.acct, .headers."content-type"] | join("|")' "$T/v")" "POST||42|text/plain; charset=utf-8" "validation request"
[[ "$(jq -r '.[0].query' "$T/v")" == acct=42\&validationToken=Validation%3a+Testing+client* ]] || fail "query: $(jq -r '.[0].query' "$T/v")"
[[ "$(jq -r '.[0].params.validationToken' "$T/v")" =~ ^"Validation: Testing client application reachability for subscription Request-Id: "[0-9a-f-]{36}$ ]] ||
    fail "validation token: $(jq -r '.[0].params.validationToken' "$T/v")"
assert_eq "$(sink life | jq -r '.[0].params.validationToken | startswith("Validation: ")')" true "the lifecycle URL is validated too"
assert_eq "$(ctl_get "/push/deliveries?kind=validation&id=$SUB" | jq -r '[.[] | .status] | join(" ")')" "200 200" "validations logged"

# GET shows clientState as null (as Graph does); the control API shows it.
assert_eq "$(api "$MTOK" GET "$GRAPH/subscriptions/$SUB")" 200 "GET subscription"
assert_eq "$(field '[.id, (.clientState | tostring)] | join(" ")')" "$SUB null" "GET hides clientState"
assert_eq "$(ctl_get /push/channels | jq -r ".[] | select(.id == \"$SUB\") | [.client_state, .user, .resource, .notification_url, .state] | join(\" \")")" \
    "s3cret-state $B me/events $SINK/graph?acct=42 active" "control view of the subscription"
assert_eq "$(api "$MTOK" GET "$GRAPH/subscriptions")" 200 "list subscriptions"
assert_eq "$(field '[.value[].id] | join(" ")')" "$SUB" "the list"

# Changes: created, updated, deleted, with clientState and the event's resource.
M1=$(mev '"op":"create","summary":"Review","start":"2026-11-24T09:00:00Z"')
flush
mev "\"op\":\"update\",\"id\":\"$M1\",\"summary\":\"Review (moved)\"" >/dev/null
flush
mev "\"op\":\"delete\",\"id\":\"$M1\"" >/dev/null
flush
sink graph | jq '.[1:]' >"$T/n"
assert_eq "$(jq length "$T/n")" 3 "three notification POSTs"
assert_eq "$(jq -r '[.[] | .params.acct] | unique | join(" ")' "$T/n")" 42 "the notificationUrl's query is kept"
assert_eq "$(jq -r '.[0].headers."content-type"' "$T/n")" "application/json; charset=utf-8"
jq '[.[] | .body | fromjson | .value[]]' "$T/n" >"$T/items"
assert_eq "$(jq -r '[.[] | .changeType] | join(" ")' "$T/items")" "created updated deleted" "change types"
assert_eq "$(jq -r '[.[] | [.subscriptionId, .clientState, .resource, .resourceData.id, .resourceData."@odata.type", .resourceData."@odata.id"] | join(" ")] | unique | join("\n")' "$T/items")" \
    "$SUB s3cret-state Users/$BOB_ID/Events/$M1 $M1 #Microsoft.Graph.Event Users/$BOB_ID/Events/$M1" "notification items"
jq -e 'all(.[]; (.tenantId | length) == 36 and (.resourceData."@odata.etag" | startswith("W/\"")) and (.subscriptionExpirationDateTime | endswith("Z")))' "$T/items" >/dev/null ||
    fail "tenantId, etag or subscriptionExpirationDateTime: $(jq -c '.[0]' "$T/items")"

# Several changes at once (a seed) share one POST.
ctl /seed "{\"provider\":\"microsoft\",\"email\":\"$B\",\"count\":5,\"seed\":1}" >/dev/null
flush
sink graph | jq '.[-1].body | fromjson | .value' >"$T/items"
assert_eq "$(jq -r '[length, (map(.changeType) | unique | join(","))] | join(" ")' "$T/items")" "5 created" "a batch of five"

# A subscription on one calendar hears only that calendar.
CAL2=$(ctl /calendars "{\"provider\":\"microsoft\",\"email\":\"$B\",\"name\":\"Projects\"}" | jq -r .id)
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/cal\",\"resource\":\"me/calendars/$CAL2/events\",\"changeType\":\"created\"")" 201 "per-calendar subscription"
SUB_CAL=$(field .id)
mev '"op":"create","summary":"Primary only","start":"2026-11-25T09:00:00Z"' >/dev/null
M2=$(event "{\"provider\":\"microsoft\",\"email\":\"$B\",\"calendar\":\"$CAL2\",\"op\":\"create\",\"summary\":\"In Projects\",\"start\":\"2026-11-25T10:00:00Z\"}" | jq -r .id)
event "{\"provider\":\"microsoft\",\"email\":\"$B\",\"calendar\":\"$CAL2\",\"op\":\"update\",\"id\":\"$M2\",\"summary\":\"x\"}" >/dev/null
flush
assert_eq "$(sink cal | jq -r '[.[1:][] | .body | fromjson | .value[] | "\(.changeType):\(.resourceData.id)"] | join(" ")')" "created:$M2" \
    "only that calendar, only the change types asked for"

# Validation failures: no subscription, Graph's 400.
n=$(count_subs)
ctl /sink/raw/config '{"echo":"raw"}' >/dev/null
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/raw\"")" 400 "the token echoed still encoded"
assert_eq "$(field .error.code)" InvalidRequest
assert_contains "$(field .error.message)" "Subscription validation request failed."
ctl /sink/json/config '{"content_type":"application/json"}' >/dev/null
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/json\"")" 400 "wrong content type"
ctl /sink/forbidden/config '{"status":403}' >/dev/null
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/forbidden\"")" 400 "403 from the endpoint"
assert_contains "$(field .error.message)" "HTTP status code is 'Forbidden'"
ctl /sink/badlife/config '{"echo":"none"}' >/dev/null
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/ok\",\"lifecycleNotificationUrl\":\"$SINK/badlife\"")" 400 "the lifecycle URL fails validation"
ctl /push/config '{"validation_timeout_ms":300}' >/dev/null
ctl /sink/slow/config '{"delay_ms":1000}' >/dev/null
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/slow\"")" 400 "slower than the validation timeout"
assert_eq "$(field .error.message)" "Subscription validation request timed out."
ctl_get '/push/deliveries?kind=validation' | jq '.[-1]' >"$T/d"
assert_eq "$(jq -r '[.url, .status, .error] | join(" ")' "$T/d")" "$SINK/slow 0 Subscription validation request timed out." "the timeout is logged"
[ "$(jq .ms "$T/d")" -lt 900 ] || fail "the timeout was not applied: $(jq .ms "$T/d") ms"
assert_eq "$(subscribe "\"notificationUrl\":\"http://127.0.0.1:1/nobody\"")" 400 "nobody listening"
assert_eq "$(count_subs)" "$n" "failed validations create nothing"
# A token with characters that need encoding is decoded by the sink and accepted.
ctl /push/config '{"validation_timeout_ms":10000,"validation_token":"Validation: a+b&c=d 100% ok?/é"}' >/dev/null
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/odd\"")" 201 "odd validation token"
assert_eq "$(sink odd | jq -r '.[0].params.validationToken')" "Validation: a+b&c=d 100% ok?/é" "token decoded"
ODD=$(field .id)
ctl /push/config '{"validation_token":""}' >/dev/null

# Other refusals.
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/x\",\"expirationDateTime\":\"$(iso_in $((10081 * 60)))\"")" 400 "beyond 10080 minutes"
assert_eq "$(field .error.message)" "Subscription expiration can only be 10080 minutes in the future."
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/x\",\"expirationDateTime\":\"$(iso_in -60)\"")" 400 "in the past"
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/x\",\"clientState\":\"$(printf 's%.0s' {1..129})\"")" 400 "clientState of 129 characters"
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/x\",\"resource\":\"me/messages\"")" 400 "unsupported resource"
assert_eq "$(subscribe "\"notificationUrl\":\"http://example.com/hook\"")" 400 "http to a non-loopback host"
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/x\",\"changeType\":\"created,moved\"")" 400 "bad changeType"
assert_eq "$(api "$MTOK" POST "$GRAPH/subscriptions" "{\"changeType\":\"created\",\"notificationUrl\":\"$SINK/x\",\"resource\":\"me/events\"}")" 400 "no expirationDateTime"
# Under 45 minutes is raised to 45.
t0=$(date +%s)
assert_eq "$(subscribe "\"notificationUrl\":\"$SINK/short\",\"expirationDateTime\":\"$(iso_in 600)\"")" 201 "10 minutes asked"
[ "$(date -u -d "$(field .expirationDateTime)" +%s)" -ge $((t0 + 45 * 60 - 2)) ] || fail "not raised to 45 minutes: $(field .expirationDateTime)"
SHORT=$(field .id)

# PATCH renews (clientState null again); beyond the maximum it is refused.
want=$(iso_in 259200)
assert_eq "$(api "$MTOK" PATCH "$GRAPH/subscriptions/$SUB" "{\"expirationDateTime\":\"$want\"}")" 200 "PATCH"
assert_eq "$(field '[.id, (.clientState | tostring), .expirationDateTime[0:19]] | join(" ")')" "$SUB null ${want:0:19}" "renewed"
assert_eq "$(ctl_get /push/channels | jq -r ".[] | select(.id == \"$SUB\") | .renewed")" 1 "renewal counted"
assert_eq "$(api "$MTOK" PATCH "$GRAPH/subscriptions/$SUB" "{\"expirationDateTime\":\"$(iso_in $((10090 * 60)))\"}")" 400 "PATCH beyond 10080 minutes"
assert_eq "$(api "$MTOK" POST "$GRAPH/subscriptions/$SUB/reauthorize")" 204 "reauthorize"

# Only the creating user (and app) sees the subscription.
CAROL=$(emu_graph_token carol@contoso.example)
assert_eq "$(api "$CAROL" GET "$GRAPH/subscriptions/$SUB")" 404 "another user's subscription"
assert_eq "$(field .error.code)" ResourceNotFound
assert_eq "$(api "$CAROL" DELETE "$GRAPH/subscriptions/$SUB")" 404 "another user cannot delete it"
MTOK=$(emu_graph_token "$B")  # the consent went to carol; bob signs in again

# Notifications on demand, duplicate and drop.
ctl /push/notify "{\"id\":\"$SUB\",\"count\":3}" >/dev/null
flush
assert_eq "$(sink graph | jq -r '[.[] | .body | select(. != "") | fromjson | .value[]] | .[-3:] | map(.changeType) | join(" ")')" "updated updated updated" "notify"
ctl /push/config '{"duplicate":1}' >/dev/null
before=$(sink graph | jq '[.[] | .body | select(. != "") | fromjson | .value[]] | length')
M3=$(mev '"op":"create","summary":"Twice","start":"2026-11-26T09:00:00Z"')
flush
sink graph | jq "[.[] | .body | select(. != \"\") | fromjson | .value[]] | .[$before:]" >"$T/items"
assert_eq "$(jq -r '[length, (map(.resourceData.id) | unique | join(","))] | join(" ")' "$T/items")" "2 $M3" "duplicated"
ctl /push/config '{"duplicate":0,"drop":1}' >/dev/null
before=$(sink graph | jq length)
mev "\"op\":\"update\",\"id\":\"$M3\",\"summary\":\"Dropped\"" >/dev/null
flush
assert_eq "$(sink graph | jq length)" "$before" "dropped"
mev "\"op\":\"update\",\"id\":\"$M3\",\"summary\":\"Kept\"" >/dev/null
flush
assert_eq "$(sink graph | jq length)" $((before + 1)) "the next one is sent"

# Lifecycle notifications go to the lifecycle URL; subscriptionRemoved also deletes.
ctl /push/lifecycle "{\"subscription\":\"$SUB\",\"event\":\"reauthorizationRequired\"}" >/dev/null
ctl /push/lifecycle "{\"subscription\":\"$SUB\",\"event\":\"missed\"}" >/dev/null
flush
sink life | jq '[.[1:][] | .body | fromjson | .value[]]' >"$T/life"
assert_eq "$(jq -r '[.[] | [.lifecycleEvent, .subscriptionId, .clientState] | join(":")] | join(" ")' "$T/life")" \
    "reauthorizationRequired:$SUB:s3cret-state missed:$SUB:s3cret-state" "lifecycle events"
jq -e 'all(.[]; has("resource") | not)' "$T/life" >/dev/null || fail "lifecycle items carry no resource"
assert_eq "$(ctl /push/lifecycle "{\"subscription\":\"$SUB\",\"event\":\"subscriptionRemoved\"}" | jq -r .subscription.state)" stopped "removed"
flush
assert_eq "$(sink life | jq -r '.[-1].body | fromjson | .value[0].lifecycleEvent')" subscriptionRemoved
assert_eq "$(api "$MTOK" GET "$GRAPH/subscriptions/$SUB")" 404 "a removed subscription is gone"
before=$(sink graph | jq length)
mev '"op":"create","summary":"Nobody hears","start":"2026-11-27T09:00:00Z"' >/dev/null
flush
assert_eq "$(sink graph | jq length)" "$before" "a removed subscription is quiet"

# Expire: PATCH gets 404 and nothing more is sent.
assert_eq "$(ctl /push/expire "{\"id\":\"$ODD\"}" | jq -r .state)" expired "expire"
assert_eq "$(api "$MTOK" PATCH "$GRAPH/subscriptions/$ODD" "{\"expirationDateTime\":\"$(iso_in 86400)\"}")" 404 "PATCH after expiry"
assert_eq "$(field .error.code)" ResourceNotFound
before=$(sink odd | jq length)
mev '"op":"create","summary":"After expiry","start":"2026-11-28T09:00:00Z"' >/dev/null
flush
assert_eq "$(sink odd | jq length)" "$before" "an expired subscription is quiet"

# DELETE: 204, then 404.
assert_eq "$(api "$MTOK" DELETE "$GRAPH/subscriptions/$SHORT")" 204 "DELETE"
assert_eq "$(api "$MTOK" GET "$GRAPH/subscriptions/$SHORT")" 404 "GET after DELETE"
assert_eq "$(api "$MTOK" DELETE "$GRAPH/subscriptions/$SHORT")" 404 "DELETE twice"
assert_eq "$(api "" GET "$GRAPH/subscriptions/$SUB_CAL")" 401 "no token"
assert_eq "$(field .error.code)" InvalidAuthenticationToken

# Sink and push traffic stays out of the request log; reset forgets push state.
assert_eq "$(ctl_get '/requests?path=/_sink' | jq length)" 0 "sink requests are not logged"
ctl /reset >/dev/null
assert_eq "$(ctl_get /push/channels | jq length):$(ctl_get /push/deliveries | jq length):$(sink graph | jq length)" "0:0:0" "reset clears push state"
pass
