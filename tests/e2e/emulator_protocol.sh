#!/usr/bin/env bash
# The emulator itself, driven with curl as an OAuth client would: Google's
# code flow with PKCE, Microsoft's code flow with rotation and its device
# flow, injected faults and the request log. Needs no calsync binary.
source "$(dirname "$0")/lib.sh"
start_emulator
EMU_PID=${_pids[0]}

G_ID=calsync-test-google
G_SECRET=emu-google-client-secret
M_ID=calsync-test-microsoft
MS=$EMU/microsoft/common/oauth2/v2.0
CAL=https://www.googleapis.com/auth/calendar.events.readonly

# call URL [curl args]: prints the status; body in $T/body, headers in $T/headers.
call() { local url=$1; shift; curl -sS -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$url"; }
body() { cat "$T/body"; }
field() { jq -r "$1" "$T/body"; }
b64url_decode() {
    local s=${1//-/+}
    s=${s//_//}
    while [ $((${#s} % 4)) -ne 0 ]; do s+="="; done
    printf %s "$s" | base64 -d
}
s256() { printf %s "$1" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n'; }
location() { curl -sS -o /dev/null -w '%{redirect_url}' "$1"; }

VERIFIER=$(head -c 48 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
CHALLENGE=$(s256 "$VERIFIER")
STATE='st a&b=c/d'
ENC_STATE='st%20a%26b%3Dc%2Fd'
CB=http://127.0.0.1:41999/callback
AUTH="$EMU/google/o/oauth2/v2/auth?client_id=$G_ID&redirect_uri=http%3A%2F%2F127.0.0.1%3A41999%2Fcallback&response_type=code&scope=openid%20email%20${CAL//\//%2F}&state=$ENC_STATE&code_challenge=$CHALLENGE&code_challenge_method=S256&access_type=offline"

# --- Google: authorize ----------------------------------------------------
assert_eq "$(call "$AUTH")" "200" "no consent configured: sign-in page"
assert_eq "$(call "${AUTH/client_id=$G_ID/client_id=nobody}")" "401" "unknown client"
assert_contains "$(body)" "invalid_client"
assert_eq "$(call "${AUTH/127.0.0.1%3A41999/evil.example}")" "400" "unregistered redirect_uri"
assert_contains "$(body)" "redirect_uri_mismatch"
assert_not_contains "$(cat "$T/headers")" "Location:"

ctl /consent '{"provider":"google","email":"alice@example.com"}' >/dev/null
loc=$(location "$AUTH")
assert_eq "${loc%%\?*}" "$CB" "redirect target"
assert_eq "$(qparam "$loc" state)" "$STATE" "state echoed verbatim"
assert_eq "$(qparam "$loc" scope)" "openid email $CAL" "granted scopes in the redirect"
CODE=$(qparam "$loc" code)
assert_contains "$CODE" "4/"

gtoken() { call "$EMU/google/token" -X POST "$@"; }
exchange() {
    gtoken --data-urlencode grant_type=authorization_code --data-urlencode "client_id=$G_ID" \
        --data-urlencode "redirect_uri=$CB" --data-urlencode "code=$CODE" "$@"
}
assert_eq "$(exchange --data-urlencode "code_verifier=$VERIFIER")" "400" "no client_secret"
assert_eq "$(field .error_description)" "client_secret is missing." "missing secret"
assert_eq "$(exchange --data-urlencode client_secret=wrong --data-urlencode "code_verifier=$VERIFIER")" "401" "wrong secret"
assert_eq "$(field .error)" "invalid_client"
assert_eq "$(exchange --data-urlencode "client_secret=$G_SECRET" --data-urlencode "code_verifier=${VERIFIER}x")" "400" "wrong verifier"
assert_eq "$(field .error)" "invalid_grant"
assert_eq "$(exchange --data-urlencode "client_secret=$G_SECRET")" "400" "missing verifier"
assert_eq "$(field .error)" "invalid_grant"

# --- Google: code exchange, userinfo, expiry, refresh, revoke ----------------
assert_eq "$(exchange --data-urlencode "client_secret=$G_SECRET" --data-urlencode "code_verifier=$VERIFIER")" "200" "code exchange: $(body)"
assert_eq "$(field '.token_type, .expires_in, .scope' | paste -sd'|')" "Bearer|3599|openid email $CAL" "token response"
G_AT=$(field .access_token)
G_RT=$(field .refresh_token)
assert_contains "$G_RT" "1//"
claims=$(b64url_decode "$(field .id_token | cut -d. -f2)")
assert_eq "$(jq -r '[.iss, .aud, .email, .email_verified] | join(" ")' <<<"$claims")" \
    "https://accounts.google.com $G_ID alice@example.com true" "id_token claims"
assert_eq "$(exchange --data-urlencode "client_secret=$G_SECRET" --data-urlencode "code_verifier=$VERIFIER")" "400" "reused code"
assert_eq "$(field .error)" "invalid_grant"

assert_eq "$(call "$EMU/google/v1/userinfo" -H "Authorization: Bearer $G_AT")" "200" "userinfo"
assert_eq "$(field '.email, .email_verified' | paste -sd' ')" "alice@example.com true" "userinfo claims"
assert_eq "$(ctl /tokens/expire '{"provider":"google","email":"alice@example.com"}' | jq .expired)" "1" "expired count"
assert_eq "$(call "$EMU/google/v1/userinfo" -H "Authorization: Bearer $G_AT")" "401" "expired token"
assert_eq "$(field .error)" "invalid_token"
assert_contains "$(cat "$T/headers")" 'WWW-Authenticate: Bearer realm="https://accounts.google.com/", error="invalid_token"'

refresh_google() {
    gtoken --data-urlencode grant_type=refresh_token --data-urlencode "client_id=$G_ID" \
        --data-urlencode "client_secret=$G_SECRET" --data-urlencode "refresh_token=$1"
}
assert_eq "$(refresh_google "$G_RT")" "200" "google refresh"
assert_eq "$(field '.refresh_token // "none"')" "none" "Google does not rotate"
G_AT2=$(field .access_token)
[ "$G_AT2" != "$G_AT" ] || fail "refresh returned the same access token"
assert_eq "$(call "$EMU/google/v1/userinfo" -H "Authorization: Bearer $G_AT2")" "200" "userinfo after refresh"

# A second offline authorization without prompt=consent brings no refresh token; with it, one.
CODE=$(qparam "$(location "$AUTH")" code)
exchange --data-urlencode "client_secret=$G_SECRET" --data-urlencode "code_verifier=$VERIFIER" >/dev/null
assert_eq "$(field '.refresh_token // "none"')" "none" "no refresh token on re-consent"
CODE=$(qparam "$(location "$AUTH&prompt=consent")" code)
exchange --data-urlencode "client_secret=$G_SECRET" --data-urlencode "code_verifier=$VERIFIER" >/dev/null
assert_contains "$(field .refresh_token)" "1//"

# Revoking the refresh token kills its access token too.
assert_eq "$(call "$EMU/google/revoke" -X POST --data-urlencode "token=$G_RT")" "200" "revoke"
assert_eq "$(refresh_google "$G_RT")" "400" "refresh after revoke"
assert_eq "$(field '.error + ": " + .error_description')" "invalid_grant: Token has been expired or revoked." "revoked refresh"
assert_eq "$(call "$EMU/google/v1/userinfo" -H "Authorization: Bearer $G_AT2")" "401" "access token of a revoked grant"
assert_eq "$(call "$EMU/google/revoke?token=$G_RT" -X POST)" "400" "revoking twice (no body, no Content-Length)"
assert_eq "$(field .error)" "invalid_token"

# --- Microsoft: authorize and code exchange ---------------------------------
M_SCOPE='offline_access%20openid%20profile%20Calendars.Read%20User.Read'
M_CB=http://localhost:8400/callback
M_AUTH="$MS/authorize?client_id=$M_ID&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8400%2Fcallback&scope=$M_SCOPE&state=$ENC_STATE&code_challenge=$CHALLENGE&code_challenge_method=S256"
assert_eq "$(call "${M_AUTH/localhost%3A8400/%5B%3A%3A1%5D%3A8400}")" "400" "[::1] is not a Microsoft loopback"
assert_contains "$(body)" "AADSTS50011"
ctl /consent '{"provider":"microsoft","email":"bob@contoso.example"}' >/dev/null
loc=$(location "$M_AUTH")
assert_eq "${loc%%\?*}" "$M_CB" "microsoft redirect target"
assert_eq "$(qparam "$loc" state)" "$STATE" "microsoft state"
CODE=$(qparam "$loc" code)

mtoken() { call "$MS/token" -X POST --data-urlencode "client_id=$M_ID" "$@"; }
m_exchange() {
    mtoken --data-urlencode grant_type=authorization_code --data-urlencode "redirect_uri=$M_CB" \
        --data-urlencode "code=$CODE" --data-urlencode "code_verifier=$VERIFIER" "$@"
}
assert_eq "$(m_exchange --data-urlencode client_secret=s3cret)" "401" "public client sending a secret"
assert_eq "$(field '.error, .error_codes[0]' | paste -sd' ')" "invalid_client 700025"
assert_contains "$(field .error_description)" "AADSTS700025: Client is public"
assert_eq "$(m_exchange)" "200" "microsoft code exchange: $(body)"
assert_eq "$(field '.scope, .expires_in, .ext_expires_in' | paste -sd'|')" \
    "offline_access openid profile https://graph.microsoft.com/Calendars.Read https://graph.microsoft.com/User.Read|3599|3599" \
    "microsoft token response"
M_AT=$(field .access_token)
RT1=$(field .refresh_token)
[ -n "$(field .id_token)" ] || fail "no id_token with openid"
assert_eq "$(m_exchange)" "400" "reused microsoft code"
assert_eq "$(field '.error, .error_codes[0]' | paste -sd' ')" "invalid_grant 54005"

assert_eq "$(call "$EMU/graph/v1.0/me" -H "Authorization: Bearer $M_AT")" "200" "graph /me"
assert_eq "$(field '.mail, .userPrincipalName' | paste -sd' ')" "bob@contoso.example bob@contoso.example"
assert_eq "$(field '."@odata.context"')" "$EMU/graph/v1.0/\$metadata#users/\$entity"

# --- Microsoft: rotation --------------------------------------------------
m_refresh() {
    mtoken --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$1" \
        --data-urlencode 'scope=offline_access Calendars.Read User.Read'
}
assert_eq "$(m_refresh "$RT1")" "200" "microsoft refresh"
RT2=$(field .refresh_token)
[ -n "$RT2" ] && [ "$RT2" != "$RT1" ] || fail "refresh did not rotate the refresh token"
assert_eq "$(m_refresh "$RT1")" "200" "old refresh token still valid by default"
RT3=$(field .refresh_token)
ctl /config '{"strict_rotation":true}' >/dev/null
assert_eq "$(m_refresh "$RT1")" "400" "redeemed refresh token under strict_rotation"
assert_eq "$(field .error)" "invalid_grant"
# A faulted request has no side effects: RT3 is not redeemed by the 500.
ctl /faults '{"path":"/microsoft/common/oauth2/v2.0/token","method":"POST","status":500}' >/dev/null
assert_eq "$(m_refresh "$RT3")" "500" "injected 500"
assert_eq "$(field .error)" "temporarily_unavailable"
assert_eq "$(m_refresh "$RT3")" "200" "RT3 after the fault"
RT4=$(field .refresh_token)
assert_eq "$(m_refresh "$RT3")" "400" "RT3 once redeemed"
ctl /tokens/revoke '{"provider":"microsoft","email":"bob@contoso.example"}' >/dev/null
assert_eq "$(m_refresh "$RT4")" "400" "refresh after revocation"
assert_eq "$(field '.error, .error_codes[0]' | paste -sd' ')" "invalid_grant 50173"
assert_eq "$(call "$EMU/graph/v1.0/me" -H "Authorization: Bearer $M_AT")" "401" "graph with a revoked token"
assert_eq "$(field .error.code)" "InvalidAuthenticationToken"
ctl /config '{"strict_rotation":false}' >/dev/null

# --- Microsoft: device flow -------------------------------------------------
ctl /config '{"device_interval":1,"slow_down_increment":2}' >/dev/null
device_code() {
    assert_eq "$(call "$MS/devicecode" -X POST --data-urlencode "client_id=$M_ID" \
        --data-urlencode 'scope=offline_access Calendars.Read User.Read')" "200" "devicecode"
    DEVICE=$(field .device_code)
    USER_CODE=$(field .user_code)
}
poll() { mtoken --data-urlencode grant_type=urn:ietf:params:oauth:grant-type:device_code --data-urlencode "device_code=$1"; }
device_code
[[ "$USER_CODE" =~ ^[A-Z0-9]{8}$ ]] || fail "user_code shape: $USER_CODE"
assert_eq "$(field '.verification_uri, .expires_in, .interval, has("verification_uri_complete")' | paste -sd' ')" \
    "$EMU/microsoft/devicelogin 900 1 false" "devicecode response"
assert_contains "$(field .message)" "enter the code $USER_CODE to authenticate."
poll "$DEVICE" >/dev/null
assert_eq "$(field .error)" "authorization_pending" "first poll"
poll "$DEVICE" >/dev/null
assert_eq "$(field .error)" "slow_down" "immediate second poll"
sleep 1.2
poll "$DEVICE" >/dev/null
assert_eq "$(field .error)" "slow_down" "1.2 s later, with the interval grown to 3 s"
ctl /device "{\"user_code\":\"$USER_CODE\",\"email\":\"carol@contoso.example\",\"action\":\"approve\"}" >/dev/null
assert_eq "$(poll "$DEVICE")" "200" "poll after approval: $(body)"
assert_contains "$(field .scope)" "https://graph.microsoft.com/Calendars.Read"
[ -n "$(field .refresh_token)" ] || fail "device flow gave no refresh token"
assert_eq "$(call "$EMU/graph/v1.0/me" -H "Authorization: Bearer $(field .access_token)")" "200" "me via device token"
assert_eq "$(field .mail)" "carol@contoso.example"
assert_eq "$(poll "$DEVICE")" "400" "device code is single-use"

device_code
ctl /device "{\"user_code\":\"$USER_CODE\",\"action\":\"deny\"}" >/dev/null
poll "$DEVICE" >/dev/null
assert_eq "$(field .error)" "authorization_declined"
ctl /config '{"device_expires_in":0}' >/dev/null
device_code
poll "$DEVICE" >/dev/null
assert_eq "$(field .error)" "expired_token"
poll "not-a-device-code" >/dev/null
assert_eq "$(field .error)" "bad_verification_code"

# --- Faults and the request log ------------------------------------------
curl -sS -X DELETE "$EMU/_control/requests" >/dev/null
ctl /faults '{"path":"/google/v1/userinfo","status":429,"retry_after":"2"}' >/dev/null
assert_eq "$(call "$EMU/google/v1/userinfo")" "429" "injected 429"
assert_contains "$(cat "$T/headers")" "Retry-After: 2"
assert_eq "$(field '.error.code, .error.errors[0].reason' | paste -sd' ')" "429 rateLimitExceeded"
assert_eq "$(call "$EMU/google/v1/userinfo")" "401" "fault used up"
ctl /faults '{"path":"/google/v1/","status":0,"delay_ms":300}' >/dev/null
took=$(curl -sS -o /dev/null -w '%{time_total}' "$EMU/google/v1/userinfo")
awk -v t="$took" 'BEGIN { exit !(t >= 0.3) }' || fail "delay_ms fault: answered in $took s"
refresh_google "$G_RT" >/dev/null
log=$(ctl_get '/requests?path=/google/')
assert_eq "$(jq -r '[.[] | "\(.method) \(.path) \(.status)"] | join(",")' <<<"$log")" \
    "GET /google/v1/userinfo 429,GET /google/v1/userinfo 401,GET /google/v1/userinfo 401,POST /google/token 400" "request log"
assert_eq "$(jq -r '.[3].grant_type' <<<"$log")" "refresh_token" "grant_type logged"
[ "$(jq '.[0].t_ms' <<<"$log")" -gt 1700000000000 ] || fail "t_ms is not unix milliseconds"
assert_eq "$(ctl_get '/requests?path=/_control' | jq length)" "0" "control requests are not logged"
assert_eq "$(ctl_get "/tokens?provider=google&email=alice@example.com" | jq -c '[.refresh_count, .code_exchanges]')" "[1,3]" "token counts"

# Every secret handed out or received is listed, for leak checks.
secrets=$(ctl_get /secrets)
for s in "$G_SECRET" "$VERIFIER" "$G_RT" "$G_AT" "$RT1" "$RT4" "$M_AT" "$DEVICE"; do
    jq -e --arg s "$s" '.values | index($s)' <<<"$secrets" >/dev/null || fail "secret missing from /_control/secrets"
done

# SIGTERM stops the emulator cleanly.
kill -TERM "$EMU_PID"
rc=0
wait "$EMU_PID" || rc=$?
assert_eq "$rc" "0" "exit status after SIGTERM"
pass
