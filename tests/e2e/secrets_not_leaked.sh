#!/usr/bin/env bash
# No token, client secret, code or verifier appears in the database file (or
# its WAL) in plaintext, nor in anything calsync prints at -vvv.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
ctl /config '{"access_token_ttl":60}' >/dev/null   # forces refreshes

run() { "$CALSYNC" -vvv "$@" >>"$T/all.out" 2>>"$T/all.err"; }
ctl /consent '{"provider":"google","email":"alice@example.com"}' >/dev/null
start_authorize google --org acme -vvv
open_callback "$(consent_redirect "$AUTH_URL")" >/dev/null
wait "$AUTH_PID"
cat "$T/auth.out" >>"$T/all.out"; cat "$T/auth.err" >>"$T/all.err"
ctl /consent '{"provider":"microsoft","email":"bob@contoso.example"}' >/dev/null
start_authorize microsoft --org acme -vvv
open_callback "$(consent_redirect "$AUTH_URL")" >/dev/null
wait "$AUTH_PID"
cat "$T/auth.out" >>"$T/all.out"; cat "$T/auth.err" >>"$T/all.err"

run integrations check
ctl /tokens/expire '{"provider":"microsoft"}' >/dev/null
run integrations check
run integrations --json
run integrations show 1 --json
run status --json
ctl /tokens/revoke '{"provider":"google","email":"alice@example.com"}' >/dev/null
"$CALSYNC" -vvv integrations check >>"$T/all.out" 2>>"$T/all.err" || true
run disconnect 2

grep -q "DEBUG\|debug" "$T/all.err" || fail "-vvv produced no debug logs, so this test would prove nothing"
secrets=$(ctl_get /secrets | jq -r '.values[]')
[ "$(wc -l <<<"$secrets")" -ge 8 ] || fail "emulator reported too few secrets: $secrets"
cat "$T"/calsync.db* >"$T/db.bytes"
while IFS= read -r s; do
    [ -n "$s" ] || continue
    for f in "$T/db.bytes" "$T/all.out" "$T/all.err"; do
        if grep -qF -- "$s" "$f"; then fail "secret ${s:0:6}… found in ${f##*/}"; fi
    done
done <<<"$secrets"
# the state sent to the provider is only stored as a digest
state=$(grep -Eo 'state=[^& ]+' "$T/auth.out" | head -1 | cut -d= -f2)
[ -n "$state" ] && ! grep -qF -- "$state" "$T/db.bytes" || fail "state stored in plaintext"
pass
