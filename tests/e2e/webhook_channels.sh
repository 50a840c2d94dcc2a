#!/usr/bin/env bash
# Push channels at the providers (SPEC 4.2, 4.3): authorize registers them,
# register-webhook replaces them (the old one stopped at the provider), renew
# extends Graph subscriptions, replaces Google channels with overlap,
# re-creates a subscription Graph lost and creates missing ones; disconnect
# stops them. Only digests of the channel secrets are stored; no secret is
# printed. The notification address is the emulator's sink, which answers
# Graph's validation handshake like the real receiver.
source "$(dirname "$0")/lib.sh"

start_emulator
setup_calsync
{ echo "public-url = \"$EMU/_sink/hook\""; cat "$T/calsync.conf"; } >"$T/c" && mv "$T/c" "$T/calsync.conf"

channels() { ctl_get "/push/channels"; }
active() { channels | jq -r --arg p "$1" '[.[] | select(.provider == $p and .state == "active")]'; }
db_channels() { sql "SELECT provider || ' ' || channel_id || ' ' || secret_digest || ' ' || status FROM webhook_channels ORDER BY id"; }
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

# --- authorize registers a channel per provider after connecting
authorize_account google acme alice@example.com
authorize_account microsoft acme bob@contoso.example
cat "$T/auth.out" "$T/auth.err" >"$T/all-output"
g=$(active google)
m=$(active microsoft)
assert_eq "$(jq length <<<"$g")" 1 "one active Google channel"
assert_eq "$(jq length <<<"$m")" 1 "one active Graph subscription"
g_id=$(jq -r '.[0].id' <<<"$g")
m_id=$(jq -r '.[0].id' <<<"$m")
assert_eq "$(jq -r '.[0].address' <<<"$g")" "$EMU/_sink/hook/google" "Google address"
assert_eq "$(jq -r '.[0].notification_url' <<<"$m")" "$EMU/_sink/hook/microsoft" "Graph notificationUrl"
assert_eq "$(jq -r '.[0].lifecycle_notification_url' <<<"$m")" "$EMU/_sink/hook/microsoft/lifecycle" "lifecycle URL"
assert_eq "$(jq -r '.[0].resource' <<<"$m")" "me/events" "Graph resource of the default calendar"
assert_eq "$(jq -r '.[0].change_type' <<<"$m")" "created,updated,deleted" "Graph changeType"
g_token=$(jq -r '.[0].token' <<<"$g")
m_state=$(jq -r '.[0].client_state' <<<"$m")
[[ $g_token =~ ^acme:[0-9a-f]{32}$ ]] || fail "Google channel token is not <org>:<32 hex>"
[[ $m_state =~ ^acme:[0-9a-f]{32}$ ]] || fail "clientState is not <org>:<32 hex>"
[[ $g_id =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] || fail "channel id is not a UUID: $g_id"
# Only digests are stored, and they match what the provider holds.
rows=$(db_channels)
assert_contains "$rows" "google $g_id $(sha "$g_token") active"
assert_contains "$rows" "microsoft $m_id $(sha "$m_state") active"
assert_eq "$(sql "SELECT resource_id FROM webhook_channels WHERE channel_id = '$g_id'")" "$(jq -r '.[0].resource_id' <<<"$g")" "resourceId stored"
# The stored expiry is what the provider granted (Google caps at 7 days; Graph gets 3 days).
assert_eq "$(sql "SELECT expires_at FROM webhook_channels WHERE channel_id = '$g_id'")" "$(($(jq -r '.[0].expiration_ms' <<<"$g") / 1000))" "Google expiry"
assert_eq "$(sql "SELECT expires_at FROM webhook_channels WHERE channel_id = '$m_id'")" "$(($(jq -r '.[0].expiration_ms' <<<"$m") / 1000))" "Graph expiry"
m_exp=$(sql "SELECT expires_at FROM webhook_channels WHERE channel_id = '$m_id'")
now=$(date +%s)
[ $((m_exp - now)) -gt $((3 * 86400 - 120)) ] && [ $((m_exp - now)) -le $((3 * 86400 + 5)) ] || fail "Graph subscription not 3 days out"
# The handshake went to both URLs, and Google's sync message arrived.
ctl /push/flush '{}' >/dev/null
sink=$(ctl_get /sink/hook)
assert_eq "$(jq '[.[] | select(.params.validationToken != null)] | length' <<<"$sink")" 2 "validations (notification + lifecycle)"
assert_eq "$(jq -r '[.[] | select(.path | endswith("/google"))][0].headers["x-goog-resource-state"]' <<<"$sink")" sync "Google sync message"
# integrations --json shows when each calendar's channel expires.
assert_eq "$("$CALSYNC" integrations --json | jq '[.[].calendars[] | select(.selected) | .webhook_expires_at != null] | all')" true "webhook_expires_at"

# --- register-webhook replaces: the new channel exists before the old one is stopped
"$CALSYNC" -vvv register-webhook --all >"$T/out" 2>"$T/err" || fail "register-webhook: $(cat "$T/err")"
cat "$T/out" "$T/err" >>"$T/all-output"
assert_contains "$(cat "$T/out")" "integration 1 calendar alice@example.com: replaced channel"
assert_eq "$(channels | jq -r --arg id "$g_id" '.[] | select(.id == $id) | .state')" stopped "old Google channel stopped"
assert_eq "$(channels | jq -r --arg id "$m_id" '.[] | select(.id == $id) | .state')" stopped "old Graph subscription deleted"
assert_eq "$(active google | jq length)" 1 "still one live Google channel"
assert_eq "$(active microsoft | jq length)" 1 "still one live Graph subscription"
assert_eq "$(sql 'SELECT count(*) FROM webhook_channels')" 2 "two channel rows"
g_id=$(active google | jq -r '.[0].id')
m_id=$(active microsoft | jq -r '.[0].id')

# --- usage
set +e
"$CALSYNC" register-webhook >/dev/null 2>&1; assert_eq "$?" 2 "register-webhook without ids or --all"
"$CALSYNC" register-webhook 99 >/dev/null 2>&1; assert_eq "$?" 2 "unknown integration"
CALSYNC_MICROSOFT_SUBSCRIPTION_TTL=10081m "$CALSYNC" renew >/dev/null 2>&1; assert_eq "$?" 3 "ttl beyond Graph's maximum"
CALSYNC_PUBLIC_URL= "$CALSYNC" renew --public-url "" >/dev/null 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 3 "renew without public-url"
assert_contains "$(cat "$T/err")" "public-url is not set"

# --- renew: nothing expires within 1h; a dry run changes nothing
out=$("$CALSYNC" renew --within 1h)
assert_contains "$out" "0 renewed, 0 replaced, 0 recreated, 0 created, 0 stopped, 2 kept, 0 failed"
before=$(db_channels; sql 'SELECT expires_at FROM webhook_channels ORDER BY id')
out=$("$CALSYNC" renew --within 8d --dry-run)
assert_contains "$out" "1 renewed, 1 replaced"
assert_contains "$out" "dry run"
assert_eq "$(db_channels; sql 'SELECT expires_at FROM webhook_channels ORDER BY id')" "$before" "dry run changed the store"
assert_eq "$(active google | jq -r '.[0].id')" "$g_id" "dry run touched Google"

# --- renew within 8 days: Graph PATCHed, Google replaced with overlap
sql "UPDATE webhook_channels SET expires_at = expires_at - 3600 WHERE channel_id = '$m_id'"  # so a renewal shows
m_old_exp=$(sql "SELECT expires_at FROM webhook_channels WHERE channel_id = '$m_id'")
"$CALSYNC" -vvv renew --within 8d --json >"$T/renew.json" 2>"$T/err" || fail "renew: $(cat "$T/err")"
cat "$T/renew.json" "$T/err" >>"$T/all-output"
assert_eq "$(jq -r '[.[] | .action] | sort | join(",")' "$T/renew.json")" "renewed,replaced" "renew actions"
assert_eq "$(active microsoft | jq -r '.[0].id')" "$m_id" "Graph subscription kept its id"
assert_eq "$(active microsoft | jq -r '.[0].renewed')" 1 "Graph PATCH"
[ "$(sql "SELECT expires_at FROM webhook_channels WHERE channel_id = '$m_id'")" -gt "$m_old_exp" ] || fail "Graph expiry not extended"
g_new=$(active google | jq -r '.[0].id')
[ "$g_new" != "$g_id" ] || fail "Google channel not replaced"
assert_eq "$(channels | jq -r --arg id "$g_id" '.[] | select(.id == $id) | .state')" stopped "old Google channel stopped after renew"
# Overlap: the replacement was created (watch) before the old one was stopped.
req=$(ctl_get /requests)
watch_at=$(jq -r '[.[] | select(.path | endswith("/events/watch"))] | length' <<<"$req")
[ "$watch_at" -ge 3 ] || fail "expected at least 3 watch calls, saw $watch_at"
order=$(jq -r '[.[] | select((.path | endswith("/events/watch")) or (.path | endswith("/channels/stop"))) | .path | split("/") | last] | .[-2:] | join(",")' <<<"$req")
assert_eq "$order" "watch,stop" "Google renew: watch before stop"

# --- a subscription Graph no longer knows is re-created
ctl /push/expire "{\"id\":\"$m_id\"}" >/dev/null
out=$("$CALSYNC" renew --within 8d)
assert_contains "$out" "recreated"
m_new=$(active microsoft | jq -r '.[0].id')
[ -n "$m_new" ] && [ "$m_new" != "$m_id" ] || fail "Graph subscription not re-created"
assert_eq "$(sql "SELECT count(*) FROM webhook_channels WHERE provider = 'microsoft'")" 1 "one Graph row"

# --- a missing channel is created (the orphan at the provider just expires)
sql "DELETE FROM webhook_channels WHERE provider = 'google'"
out=$("$CALSYNC" renew)
assert_contains "$out" "1 created"
assert_eq "$(sql "SELECT count(*) FROM webhook_channels WHERE provider = 'google'")" 1 "Google channel created"

# --- a provider failure is reported per integration, exit 1, and retried next run
ctl /faults '{"path":"/graph/v1.0/subscriptions","method":"PATCH","status":403,"count":1}' >/dev/null
set +e
"$CALSYNC" renew --within 8d >"$T/out" 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 1 "renew exit status with a failure"
assert_contains "$(cat "$T/out")" "FAILED"
"$CALSYNC" renew --within 8d >/dev/null 2>&1 || fail "the next renew did not recover"

# --- status shows the channels
st=$("$CALSYNC" status --json)
assert_eq "$(jq .channels.active <<<"$st")" 2 "status: active channels"
[ "$(jq -r .channels.next_expiry <<<"$st")" != null ] || fail "status: next expiry"

# --- disconnect stops the integration's channels
g_live=$(sql "SELECT channel_id FROM webhook_channels WHERE provider = 'google'")
"$CALSYNC" disconnect 1 >>"$T/all-output" 2>&1 || fail "disconnect failed"
assert_eq "$(channels | jq -r --arg id "$g_live" '.[] | select(.id == $id) | .state')" stopped "disconnect stopped the channel"
assert_eq "$(sql 'SELECT count(*) FROM webhook_channels WHERE integration_id = 1')" 0 "channel rows of a disconnected integration"

# --- no channel secret anywhere calsync wrote
for s in $(channels | jq -r '.[] | (.token // empty), (.client_state // empty)'); do
    assert_not_contains "$(cat "$T/all-output")" "$s" "a channel secret in calsync's output"
    ! grep -qaF -- "$s" "$T"/calsync.db* || fail "a channel secret in the database"
done
pass
