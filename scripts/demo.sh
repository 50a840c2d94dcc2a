#!/usr/bin/env bash
# The main job, end to end. Installs the Debian packages if missing, builds,
# and — unless CALSYNC_CONFIG names a real configuration — starts the bundled
# provider emulator with a few hundred events, connects a Google and a
# Microsoft account through the real `calsync authorize` flow (this script
# plays the person in the browser; push channels are registered with the
# webhook receiver, which lighttpd runs on 127.0.0.1, and the initial full
# sync follows), changes events at the "provider", lets the notifications
# arrive and runs `calsync process-queue`, then `calsync poll` (the safety
# net), and shows the synced events, the change feed and the status. State is
# kept in ./demo-state (delete it to start over).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
CALSYNC=$PWD/build/cmd/calsync

if [ -n "${CALSYNC_CONFIG:-}" ]; then
    echo "== using your configuration $CALSYNC_CONFIG"
    "$CALSYNC" init
    "$CALSYNC" poll
    "$CALSYNC" status
    exit 0
fi

state=$PWD/demo-state
mkdir -p "$state"
"$PWD/build/tests/emulator/calsync-emulator" --port 0 --port-file "$state/emulator.port" >"$state/emulator.log" 2>&1 &
emulator=$!
lighttpd_pid=""
trap 'kill $emulator $lighttpd_pid 2>/dev/null || true' EXIT
rm -f "$state/emulator.port"
for _ in $(seq 1 100); do [ -s "$state/emulator.port" ] && break; sleep 0.05; done
EMU="http://127.0.0.1:$(cat "$state/emulator.port")"
echo "== provider emulator at $EMU"

source scripts/emulator-config.sh
source scripts/lighttpd-config.sh
# The webhook receiver: lighttpd runs calsync-webhook (as deployed, see
# deploy/lighttpd/calsync.conf) on a free loopback port.
port=18089
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
lighttpd_config "$state" "$port" "$PWD/build/cmd/calsync-webhook" "$state/calsync.conf" >"$state/lighttpd.conf"
: >"$state/lighttpd.err"
/usr/sbin/lighttpd -D -f "$state/lighttpd.conf" >>"$state/lighttpd.err" 2>&1 &
lighttpd_pid=$!
HOOK="http://127.0.0.1:$port/calsync"
echo "== webhook receiver (lighttpd + calsync-webhook) at $HOOK"
{ echo "public-url = \"$HOOK\""; emulator_config "$EMU" "$state"; } >"$state/calsync.conf"
export CALSYNC_CONFIG=$state/calsync.conf
rm -f "$state/calsync.db"*   # the emulator starts empty each time, so does the demo's database
"$CALSYNC" init

connect() {  # PROVIDER EMAIL
    curl -sS -X POST -H 'Content-Type: application/json' \
        --data "{\"provider\":\"$1\",\"email\":\"$2\"}" "$EMU/_control/consent" >/dev/null
    echo "== calsync authorize $1 --org demo"
    "$CALSYNC" authorize "$1" --org demo >"$state/authorize.out" &
    local pid=$! url=""
    for _ in $(seq 1 100); do
        url=$(grep -Eo 'http://[^ ]+/(auth|authorize)\?[^ ]+' "$state/authorize.out" || true)
        [ -n "$url" ] && break
        sleep 0.05
    done
    echo "   (the browser opens the printed URL and the person consents as $2)"
    callback=$(curl -sS -o /dev/null -w '%{redirect_url}' "$url")
    curl -sS -o /dev/null "$callback"
    wait "$pid"
    tail -n 1 "$state/authorize.out"
}
control() { curl -sS -X POST -H 'Content-Type: application/json' --data "$2" "$EMU/_control$1" >/dev/null; }
control /seed '{"provider":"google","email":"alice@example.com","count":300,"seed":1,"recurring_every":10,"all_day_every":7}'
control /seed '{"provider":"microsoft","email":"bob@contoso.example","count":300,"seed":2,"recurring_every":10,"all_day_every":7}'
connect google alice@example.com
connect microsoft bob@contoso.example

echo "== calsync integrations"
"$CALSYNC" integrations
echo "== the provider changes things and notifies the receiver; calsync process-queue syncs"
control /churn '{"provider":"google","email":"alice@example.com","seed":7,"ops":20}'
control /churn '{"provider":"microsoft","email":"bob@contoso.example","seed":8,"ops":20}'
control /push/flush '{"timeout_ms":10000}'
"$CALSYNC" process-queue
echo "== calsync poll (the safety net for missed notifications: nothing left to do)"
"$CALSYNC" poll
echo "== calsync events --from today --to +3 days"
"$CALSYNC" events --from "$(date -u +%F)" --to "$(date -u -d '+3 days' +%F)"
echo "== calsync changes (last 5)"
"$CALSYNC" changes | tail -n 5
echo "== calsync status"
"$CALSYNC" status
