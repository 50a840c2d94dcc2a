# Shared helpers for the end-to-end tests. Each test is a small bash script,
# one scenario, run by CTest with CALSYNC, CALSYNC_EMULATOR and CALSYNC_WEBHOOK
# pointing at the built binaries. Every test gets its own temp dir (kept when
# the test fails) and its own emulator on an ephemeral 127.0.0.1 port.
set -euo pipefail

: "${CALSYNC:?CALSYNC must point at the calsync binary}"
: "${CALSYNC_EMULATOR:?CALSYNC_EMULATOR must point at the emulator binary}"

T=$(mktemp -d "${TMPDIR:-/tmp}/calsync-e2e.XXXXXX")
_pids=()
_ok=0

_cleanup() {
    local status=$?
    for pid in "${_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -eq 0 ] && [ "$_ok" -eq 1 ]; then
        rm -rf "$T"
    else
        echo "test failed (status $status); files kept in $T" >&2
        [ -f "$T/emulator.log" ] && { echo "--- emulator log (tail)" >&2; tail -20 "$T/emulator.log" >&2; }
        [ "$status" -eq 0 ] && status=1
    fi
    exit "$status"
}
trap _cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { _ok=1; echo "PASS: ${0##*/}"; }

# Starts the emulator; sets EMU (base URL, e.g. http://127.0.0.1:41234).
start_emulator() {
    "$CALSYNC_EMULATOR" --port 0 --port-file "$T/emulator.port" "$@" >"$T/emulator.log" 2>&1 &
    _pids+=($!)
    for _ in $(seq 1 100); do
        [ -s "$T/emulator.port" ] && break
        sleep 0.05
    done
    [ -s "$T/emulator.port" ] || fail "emulator did not start"
    EMU="http://127.0.0.1:$(cat "$T/emulator.port")"
}

# POST JSON to the emulator's control API: ctl PATH JSON
ctl() {
    curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' --data "${2:-{\}}" "$EMU/_control$1"
}
ctl_get() { curl -sS --fail-with-body "$EMU/_control$1"; }

assert_eq() { [ "$1" == "$2" ] || fail "${3:-values differ}: expected [$2], got [$1]"; }
assert_contains() { grep -qF -- "$2" <<<"$1" || fail "${3:-missing text}: [$2] not in [$1]"; }
assert_not_contains() { ! grep -qF -- "$2" <<<"$1" || fail "${3:-unexpected text}: [$2] found"; }
