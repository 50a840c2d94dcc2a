#!/usr/bin/env bash
# calsync-webhook behind a real lighttpd, configured with the shipped
# deploy/lighttpd directives: genuine Google and Graph notifications are
# queued (redeliveries once), the Graph handshake echoes the decoded token,
# every bad input gets a 4xx and queues nothing, an unavailable database gets
# a 503, the trigger file is touched, 1,000 concurrent notifications are all
# queued, and no token or clientState shows in a reply or a log.
source "$(dirname "$0")/lib.sh"
command -v lighttpd >/dev/null || fail "lighttpd is not installed (scripts/deps.sh)"
start_emulator
setup_calsync
seed_integrations

GTOKEN=gtok-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
CSTATE=cstate-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
digest() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
sql "INSERT INTO webhook_channels (integration_id, provider, channel_id, resource_id, resource, secret_digest, status,
       expires_at, created_at) VALUES
     (1, 'google', 'chan-1', 'res-1', 'https://www.googleapis.com/calendar/v3/calendars/primary/events',
      '$(digest "$GTOKEN")', 'active', 4102444800, 0),
     (2, 'microsoft', 'sub-1', NULL, 'me/events', '$(digest "$CSTATE")', 'active', 4102444800, 0)"
start_lighttpd

# hook METHOD PATH [curl args]: prints the status; the reply in $T/reply, its
# headers in $T/reply.h; every reply is kept in $T/replies for the secret check.
hook() {
    local method=$1 path=$2
    shift 2
    curl -sS -o "$T/reply" -D "$T/reply.h" -w '%{http_code}' -X "$method" "$@" "$HOOK$path"
    cat "$T/reply.h" "$T/reply" >>"$T/replies"
}
# goog NUMBER [STATE] [TOKEN] [CHANNEL] [RESOURCE] [curl args]: a Google
# notification as Google sends it (empty body); "-" leaves a header out.
goog() {
    local h=(-H 'Content-Type: application/json; utf-8' -H 'User-Agent: APIs-Google'
        -H 'X-Goog-Resource-URI: https://www.googleapis.com/calendar/v3/calendars/primary/events')
    add() { [ "$2" = - ] || h+=(-H "$1: $2"); }
    add X-Goog-Message-Number "$1"
    add X-Goog-Resource-State "${2:-exists}"
    add X-Goog-Channel-Token "${3:-$GTOKEN}"
    add X-Goog-Channel-ID "${4:-chan-1}"
    add X-Goog-Resource-ID "${5:-res-1}"
    hook POST /google "${h[@]}" "${@:6}" --data-binary ''
}
graph() { hook POST "$1" -H 'Content-Type: application/json' --data-binary "$2"; }
item() {  # item SUBSCRIPTION CLIENT_STATE [LIFECYCLE_EVENT]
    if [ -n "${3:-}" ]; then
        jq -cn --arg s "$1" --arg c "$2" --arg l "$3" '{subscriptionId:$s, clientState:$c, lifecycleEvent:$l,
            subscriptionExpirationDateTime:"2030-01-01T00:00:00Z", tenantId:"t-1"}'
    else
        jq -cn --arg s "$1" --arg c "$2" '{id:"lsgTZMr9KwAAA", subscriptionId:$s, clientState:$c, changeType:"updated",
            resource:"Users/u-1/Events/e-1", tenantId:"t-1", resourceData:{id:"e-1", "@odata.type":"#Microsoft.Graph.Event"}}'
    fi
}
queued() { sql "SELECT count(*) FROM webhook_queue${1:+ WHERE $1}"; }
mtime() { stat -c %Y "$T/queue.trigger" 2>/dev/null || echo none; }

# --- health
assert_eq "$(hook GET /healthz)" 200 "healthz"
assert_eq "$(cat "$T/reply")" ok "healthz body"

# --- Google: genuine notifications, once each; the trigger is touched
assert_eq "$(goog 1 sync)" 200 "google sync message"
assert_eq "$(sql "SELECT kind, state, message_id FROM webhook_queue")" "sync|sync|1" "sync row"
[ -f "$T/queue.trigger" ] || fail "no trigger file after an enqueue"
touch -d '2001-01-01' "$T/queue.trigger"
assert_eq "$(goog 5)" 200 "google change"
assert_eq "$(cat "$T/reply")" queued "reply to a new notification"
[ "$(mtime)" -gt "$(date -d 2001-01-02 +%s)" ] || fail "trigger not touched after an enqueue"
touch -d '2001-01-01' "$T/queue.trigger"
assert_eq "$(goog 5)" 200 "google redelivery"
assert_eq "$(cat "$T/reply")" "already queued" "reply to a redelivery"
assert_eq "$(mtime)" "$(date -d 2001-01-01 +%s)" "trigger touched by a redelivery"
assert_eq "$(queued "message_id = '5'")" 1 "rows for message 5"
assert_eq "$(sql "SELECT kind, state FROM webhook_queue WHERE message_id = '5'")" "change|exists" "change row"
assert_eq "$(sql "SELECT json_extract(payload, '$.resource_uri') FROM webhook_queue WHERE message_id = '5'")" \
    https://www.googleapis.com/calendar/v3/calendars/primary/events "payload"

# --- Google: everything else is a 4xx and queues nothing
before=$(queued)
assert_eq "$(goog 6 exists "$GTOKEN" chan-forged)" 404 "unknown channel"
assert_eq "$(cat "$T/reply")" "unknown channel" "unknown channel reply"
assert_eq "$(goog 6 exists "$GTOKEN" sub-1)" 404 "a Graph subscription id as a Google channel"
assert_eq "$(goog 6 exists wrong-token)" 403 "wrong token"
assert_eq "$(cat "$T/reply")" "bad token" "wrong token reply"
assert_eq "$(goog 6 exists -)" 403 "no token"
assert_eq "$(goog 6 exists "$GTOKEN" chan-1 res-other)" 403 "wrong resource id"
assert_eq "$(goog 6 add)" 400 "unknown resource state"
assert_eq "$(goog 6x)" 400 "malformed message number"
assert_eq "$(goog - )" 400 "no message number"
assert_eq "$(cat "$T/reply")" "missing X-Goog-Message-Number" "missing header reply"
assert_eq "$(goog 6 -)" 400 "no resource state"
assert_eq "$(goog 6 exists "$GTOKEN" -)" 400 "no channel id"
assert_eq "$(goog 6 exists "$GTOKEN" chan-1 -)" 400 "no resource id"
assert_eq "$(hook GET /google)" 405 "GET /google"
grep -qi '^Allow: POST' "$T/reply.h" || fail "405 without Allow: POST"
assert_eq "$(goog 6 exists "$GTOKEN" chan-1 res-1 --data-binary "$(head -c 5000 /dev/zero | tr '\0' x)")" 413 "oversize body"
assert_eq "$(hook POST /nope --data-binary '')" 404 "unknown route"
assert_eq "$(hook POST '' --data-binary '')" 404 "no route"
assert_eq "$(hook PUT /google --data-binary '')" 403 "PUT (refused by lighttpd)"
assert_eq "$(queued)" "$before" "rows after refused Google notifications"

# --- Graph validation handshake: the decoded token, exactly, as text/plain
token='Validation: Testing client application reachability for subscription Request-Id: 877cb92e-1+2 äß'
for path in /microsoft /microsoft/lifecycle; do
    assert_eq "$(hook POST "$path?validationToken=$(jq -rn --arg v "$token" '$v|@uri')" \
        -H 'Content-Type: text/plain; charset=utf-8' --data-binary '')" 200 "handshake on $path"
    printf %s "$token" | cmp -s - "$T/reply" || fail "handshake on $path: body [$(cat "$T/reply")] is not the decoded token"
    grep -qi '^Content-Type: text/plain' "$T/reply.h" || fail "handshake on $path: not text/plain"
done
assert_eq "$(hook POST "/microsoft?validationToken=$(head -c 1025 /dev/zero | tr '\0' A)" --data-binary '')" 400 \
    "over-long validation token"

# --- Graph notifications: 202 for a well-formed batch; only genuine items queued
before=$(queued "provider = 'microsoft'")
assert_eq "$(graph /microsoft "{\"value\":[$(item sub-1 "$CSTATE"),$(item sub-1 wrong-state),$(item sub-9 "$CSTATE")]}")" \
    202 "batch with drops"
assert_eq "$(cat "$T/reply")" "accepted 1 of 3" "batch reply"
assert_eq "$(queued "provider = 'microsoft'")" $((before + 1)) "rows after the batch"
assert_eq "$(sql "SELECT channel_id, kind, state, message_id IS NULL, json_extract(payload, '$.clientState') IS NULL
                  FROM webhook_queue WHERE provider = 'microsoft'")" "sub-1|change|updated|1|1" "graph row"
assert_eq "$(graph /microsoft/lifecycle "{\"value\":[$(item sub-1 "$CSTATE" reauthorizationRequired)]}")" 202 "lifecycle"
assert_eq "$(sql "SELECT kind, state FROM webhook_queue ORDER BY id DESC LIMIT 1")" "lifecycle|reauthorizationRequired" \
    "lifecycle row"
assert_eq "$(graph /microsoft "{\"value\":[$(item sub-1 wrong)]}")" 202 "batch with every item dropped"
before=$(queued)
assert_eq "$(graph /microsoft '{"value":[')" 400 "malformed JSON"
assert_eq "$(graph /microsoft '{"foo":[]}')" 400 "JSON that is not a batch"
assert_eq "$(graph /microsoft '[]')" 400 "an array"
assert_eq "$(hook POST /microsoft -H 'Content-Type: text/plain' --data-binary '{"value":[]}')" 415 "not JSON"
assert_eq "$(hook POST /microsoft -H 'Content-Type: application/json' --data-binary @<(head -c 1100000 /dev/zero))" \
    413 "batch over 1 MiB"
assert_eq "$(hook GET /microsoft)" 405 "GET /microsoft"
assert_eq "$(queued)" "$before" "rows after refused batches"

# --- an unavailable database is a 503 (the provider retries), never created
mv "$T/calsync.conf" "$T/calsync.conf.good"
for db in "$T/missing.db" "$T/no-such-dir/calsync.db" "$T/garbage.db"; do
    head -c 8192 /dev/urandom >"$T/garbage.db"
    sed "s|^db = .*|db = \"$db\"|" "$T/calsync.conf.good" >"$T/calsync.conf"
    assert_eq "$(hook GET /healthz)" 503 "healthz with $db"
    assert_eq "$(goog 7)" 503 "google notification with $db"
    assert_eq "$(graph /microsoft "{\"value\":[$(item sub-1 "$CSTATE")]}")" 503 "graph batch with $db"
done
[ -e "$T/missing.db" ] && fail "the receiver created a database"
assert_eq "$(hook POST "/microsoft?validationToken=still%20works" --data-binary '')" 200 "handshake without a database"
mv "$T/calsync.conf.good" "$T/calsync.conf"
assert_eq "$(hook GET /healthz)" 200 "healthz after the database is back"

# --- 1,000 notifications at once: every one answered 200 and queued once
seq 1000 1999 | xargs -P 32 -I{} curl -sS -o /dev/null -w '{} %{http_code}\n' -X POST \
    -H 'X-Goog-Channel-ID: chan-1' -H 'X-Goog-Resource-ID: res-1' -H 'X-Goog-Resource-State: exists' \
    -H 'X-Goog-Message-Number: {}' -H "X-Goog-Channel-Token: $GTOKEN" --data-binary '' "$HOOK/google" >"$T/concurrent.txt"
assert_eq "$(awk '$2 == 200' "$T/concurrent.txt" | wc -l)" 1000 "200s of 1,000 concurrent notifications"
assert_eq "$(sql "SELECT count(*), count(DISTINCT message_id) FROM webhook_queue
                  WHERE CAST(message_id AS INTEGER) BETWEEN 1000 AND 1999")" "1000|1000" "rows for them"
! grep -qi 'database is locked' "$T/webhook.log" "$T/lighttpd.err" || fail "'database is locked' in the logs"

# --- no secret in any reply, log line or queued payload
for secret in "$GTOKEN" "$CSTATE"; do
    ! grep -qF -- "$secret" "$T/replies" "$T/webhook.log" "$T/lighttpd.err" || fail "a secret reached a reply or a log"
    assert_eq "$(sql "SELECT count(*) FROM webhook_queue WHERE instr(payload, '$secret') > 0")" 0 "payloads with a secret"
done
grep -q 'POST /google 200 items=1 queued=1' "$T/webhook.log" || fail "no request log line in $T/webhook.log"
grep -q 'dropped item 1 (subscription sub-1): clientState does not match' "$T/webhook.log" || fail "no drop log line"
pass
