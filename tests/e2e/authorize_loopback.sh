#!/usr/bin/env bash
# Connect a Google and a Microsoft account through the real loopback flow, the
# test acting as the browser; re-authorizing updates instead of duplicating.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync

authorize_account google acme alice@example.com
assert_contains "$(cat "$T/auth.out")" "Connected google account alice@example.com as integration 1"
assert_contains "$(cat "$T/page.html")" "alice@example.com"
# the URL asked for what SPEC 4.1 says
assert_contains "$AUTH_URL" "access_type=offline"
assert_contains "$AUTH_URL" "prompt=consent"
assert_contains "$AUTH_URL" "code_challenge_method=S256"
assert_contains "$AUTH_URL" "redirect_uri=http%3A%2F%2F127.0.0.1%3A"

authorize_account microsoft acme bob@contoso.example
assert_contains "$(cat "$T/auth.out")" "Connected microsoft account bob@contoso.example as integration 2"
assert_contains "$AUTH_URL" "/microsoft/common/oauth2/v2.0/authorize?"
assert_contains "$AUTH_URL" "offline_access"
assert_contains "$AUTH_URL" "redirect_uri=http%3A%2F%2Flocalhost%3A"

json=$("$CALSYNC" integrations --json)
assert_eq "$(jq length <<<"$json")" "2" "integration count"
assert_eq "$(jq -r '.[0] | [.id, .org, .provider, .account_email, .status] | @tsv' <<<"$json")" \
    "$(printf '1\tacme\tgoogle\talice@example.com\tconnected')" "google integration"
assert_eq "$(jq -r '.[1] | [.id, .org, .provider, .account_email, .status] | @tsv' <<<"$json")" \
    "$(printf '2\tacme\tmicrosoft\tbob@contoso.example\tconnected')" "microsoft integration"
assert_eq "$(jq -r '.[0].calendars | type' <<<"$json")" "array" "calendars field"

# Same account again: updated in place, not duplicated; another org is a new integration.
authorize_account google acme alice@example.com --json
assert_eq "$(jq -r '.id, .created' "$T/auth.out" | paste -sd' ')" "1 false" "re-authorize result"
authorize_account google beta alice@example.com
assert_contains "$(cat "$T/auth.out")" "as integration 3"
assert_eq "$("$CALSYNC" integrations --json | jq length)" "3" "integration count after re-authorize"

show=$("$CALSYNC" integrations show 2 --json)
assert_eq "$(jq -r .account_email <<<"$show")" "bob@contoso.example" "integrations show"
"$CALSYNC" integrations show 99 >/dev/null 2>"$T/err" && fail "show of a missing id succeeded"
assert_contains "$(cat "$T/err")" "no integration with id 99"

# The human table lists them too.
table=$("$CALSYNC" integrations list)
assert_contains "$table" "alice@example.com"
assert_contains "$table" "bob@contoso.example"
pass
