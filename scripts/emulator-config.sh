# Sourced by scripts/demo.sh, tests/e2e/lib.sh and bench/: prints a calsync
# configuration whose every provider endpoint is the bundled emulator.
# Usage: emulator_config EMULATOR_URL STATE_DIR > calsync.conf
emulator_config() {
    local emu=$1 dir=$2
    cat <<CONF
# every endpoint is the local provider emulator (calsync-emulator)
db = "$dir/calsync.db"
key-file = "$dir/calsync.key"

[google]
client-id = "calsync-test-google"
client-secret = "emu-google-client-secret"
auth-url = "$emu/google/o/oauth2/v2/auth"
token-url = "$emu/google/token"
revoke-url = "$emu/google/revoke"
userinfo-url = "$emu/google/v1/userinfo"
api-url = "$emu/google/calendar/v3"

[microsoft]
client-id = "calsync-test-microsoft"
tenant = "common"
authority-url = "$emu/microsoft"
graph-url = "$emu/graph/v1.0"
CONF
}
