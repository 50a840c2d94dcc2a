#!/usr/bin/env bash
# 429 with Retry-After is retried after the given delay; 500s are retried;
# an unreachable provider is a temporary failure (exit 75).
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
authorize_account google acme alice@example.com
ctl_del() { curl -sS -X DELETE "$EMU/_control$1" >/dev/null; }
ctl_del /requests

ctl /faults '{"path":"/google/v1/userinfo","status":429,"retry_after":"2","count":1}' >/dev/null
"$CALSYNC" integrations check 1 >/dev/null 2>"$T/err" || fail "check with one 429 failed: $(cat "$T/err")"
reqs=$(ctl_get '/requests?path=/google/v1/userinfo')
assert_eq "$(jq -r '[.[].status] | map(tostring) | join(",")' <<<"$reqs")" "429,200" "statuses"
gap=$(jq '.[1].t_ms - .[0].t_ms' <<<"$reqs")
[ "$gap" -ge 2000 ] || fail "retried after $gap ms, before Retry-After's 2 s"
[ "$gap" -lt 15000 ] || fail "waited $gap ms, far beyond Retry-After"
assert_contains "$(cat "$T/err")" "HTTP 429, retrying in 2000 ms"

# Retry-After as an HTTP-date, 1-2 s ahead.
ctl_del /requests
when_epoch=$(($(date -u +%s) + 3))
when=$(date -u -d "@$when_epoch" '+%a, %d %b %Y %H:%M:%S GMT')
ctl /faults "{\"path\":\"/google/v1/userinfo\",\"status\":503,\"retry_after\":\"$when\",\"count\":1}" >/dev/null
"$CALSYNC" integrations check 1 >/dev/null 2>&1 || fail "check with a dated 503 failed"
reqs=$(ctl_get '/requests?path=/google/v1/userinfo')
retried_at=$(jq '.[1].t_ms' <<<"$reqs")
# Not before the date (which has whole seconds): the retry waits for it.
[ "$retried_at" -ge $((when_epoch * 1000 - 1000)) ] || fail "HTTP-date Retry-After not honoured (retried $((when_epoch * 1000 - retried_at)) ms early)"

# Two 500s, then success.
ctl_del /requests
ctl /faults '{"path":"/google/v1/userinfo","status":500,"count":2}' >/dev/null
"$CALSYNC" integrations check 1 >/dev/null 2>&1 || fail "check with two 500s failed"
assert_eq "$(ctl_get '/requests?path=/google/v1/userinfo' | jq -r '[.[].status] | map(tostring) | join(",")')" "500,500,200" "500 retries"

# A 400 is not retried.
ctl_del /requests
ctl /faults '{"path":"/google/v1/userinfo","status":400,"count":1}' >/dev/null
rc=0; "$CALSYNC" integrations check 1 >/dev/null 2>&1 || rc=$?
assert_eq "$rc" "1" "exit status on a 400"
assert_eq "$(ctl_get '/requests?path=/google/v1/userinfo' | jq length)" "1" "a 400 is not retried"

# Provider unreachable: exit 75 (temporary).
rc=0
CALSYNC_GOOGLE_USERINFO_URL=http://127.0.0.1:9/v1/userinfo "$CALSYNC" integrations check 1 >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" "75" "unreachable provider"
pass
