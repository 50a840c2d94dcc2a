#!/usr/bin/env bash
# Microsoft's device code flow: calsync prints the code, a person approves it,
# calsync polls (backing off on slow_down) and connects the account.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
ctl /config '{"device_interval":1,"slow_down_increment":1}' >/dev/null
ctl /users '{"provider":"microsoft","email":"carol@contoso.example"}' >/dev/null

"$CALSYNC" -v authorize microsoft --org acme --device >"$T/auth.out" 2>"$T/auth.err" &
pid=$!
code=""
for _ in $(seq 1 100); do
    code=$(grep -Eo 'enter the code [A-Z0-9]+' "$T/auth.out" | awk '{print $4}' || true)
    [ -n "$code" ] && break
    sleep 0.05
done
[ -n "$code" ] || fail "no user code printed: $(cat "$T/auth.out" "$T/auth.err")"
sleep 2.2  # let calsync poll while the sign-in is pending
ctl /device "{\"user_code\":\"$code\",\"email\":\"carol@contoso.example\",\"action\":\"approve\"}" >/dev/null
wait "$pid" || fail "authorize --device exited $?: $(cat "$T/auth.err")"
assert_contains "$(cat "$T/auth.out")" "Connected microsoft account carol@contoso.example as integration 1"
polls=$(ctl_get '/requests?path=/microsoft/common/oauth2/v2.0/token' | jq length)
[ "$polls" -ge 2 ] || fail "expected calsync to poll while pending, saw $polls token requests"

# Declined: calsync stops with an error, nothing stored.
"$CALSYNC" authorize microsoft --org acme --device >"$T/auth2.out" 2>"$T/auth2.err" &
pid=$!
for _ in $(seq 1 100); do
    code=$(grep -Eo 'enter the code [A-Z0-9]+' "$T/auth2.out" | awk '{print $4}' || true)
    [ -n "$code" ] && break
    sleep 0.05
done
ctl /device "{\"user_code\":\"$code\",\"email\":\"carol@contoso.example\",\"action\":\"deny\"}" >/dev/null
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" "1" "exit status after a declined sign-in"
assert_contains "$(cat "$T/auth2.err")" "authorization_declined"
assert_eq "$("$CALSYNC" integrations --json | jq length)" "1" "integrations after decline"

# Google has no device flow for Calendar scopes: a usage error.
rc=0
"$CALSYNC" authorize google --org acme --device >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" "2" "google --device"
pass
