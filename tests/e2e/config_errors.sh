#!/usr/bin/env bash
# Configuration errors give a clear message and exit 3; command line beats
# environment beats file.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
expect_config_error() {  # CONF_TEXT EXPECTED_MESSAGE
    printf '%s\n' "$1" >"$T/bad.conf"
    local rc=0
    "$CALSYNC" --config "$T/bad.conf" status >/dev/null 2>"$T/err" || rc=$?
    assert_eq "$rc" "3" "exit status for: $1"
    assert_contains "$(cat "$T/err")" "$2"
}
expect_config_error "db = \"$T/x.db\"
colour = \"blue\"" "unknown key 'colour'"
expect_config_error "[google]
client-idd = \"x\"" "unknown key 'google.client-idd'"
expect_config_error "[google]
token-url = \"not a url\"" "google.token-url: 'not a url' is not a valid URL"
expect_config_error "[microsoft]
graph-url = \"http://graph.example.com/v1.0\"" "plain http to graph.example.com is refused"
expect_config_error "[google]
api-url = \"ftp://example.com/x\"" "must be an https:// URL"
expect_config_error "http-timeout = \"soon\"" "http-timeout"
expect_config_error "[microsoft]
tenant = \"bad tenant/../x\"" "microsoft.tenant"

# allow-insecure-http lets plain http through.
printf 'db = "%s"\nallow-insecure-http = true\n[microsoft]\ngraph-url = "http://graph.example.com/v1.0"\n' "$T/calsync.db" >"$T/ok.conf"
"$CALSYNC" --config "$T/ok.conf" status >/dev/null 2>&1 || fail "allow-insecure-http did not allow http"

# Explicit config file missing.
rc=0; "$CALSYNC" --config "$T/missing.conf" status >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" "3" "missing config file"
assert_contains "$(cat "$T/err")" "cannot read config file"

# Bad flag values and unknown options are usage errors (2).
rc=0; "$CALSYNC" status --no-such-option >/dev/null 2>&1 || rc=$?
assert_eq "$rc" "2" "unknown option"
rc=0; "$CALSYNC" authorize google --org 'bad org!' >/dev/null 2>&1 || rc=$?
assert_eq "$rc" "2" "bad org id"

# Precedence: flag > environment > file.
mkdir "$T/a" "$T/b" "$T/c"
CALSYNC_DB="$T/b/env.db" "$CALSYNC" --json status | jq -e --arg p "$T/b/env.db" '.database == $p' >/dev/null \
    || fail "environment did not beat the file"
CALSYNC_DB="$T/b/env.db" "$CALSYNC" --db "$T/c/flag.db" --json status | jq -e --arg p "$T/c/flag.db" '.database == $p' >/dev/null \
    || fail "the flag did not beat the environment"
"$CALSYNC" --json status | jq -e --arg p "$T/calsync.db" '.database == $p' >/dev/null || fail "file value not used"
pass
