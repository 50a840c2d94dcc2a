# Shared helpers for the benchmarks (sourced, not run). They print figures and
# never assert. Each run gets its own temp dir and its own emulator on an
# ephemeral 127.0.0.1 port; both go away on exit (KEEP=1 keeps the dir).
#
#   BUILD=DIR   use the calsync and calsync-emulator built in DIR. Default:
#               <repo>/build, configured (RelWithDebInfo, as scripts/demo.sh
#               does) and built for those two targets (and the script's own) first.
# shellcheck disable=SC2034  # sets variables for the scripts that source it
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
source "$ROOT/scripts/emulator-config.sh"

T=""
_pids=()       # ours until the end (the emulator)
batch_pids=()  # short-lived children still running (reset once they are reaped)
_cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${batch_pids[@]}" "${_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${batch_pids[@]}" "${_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -n "$T" ] && [ -d "$T" ]; then
        if [ "${KEEP:-0}" = 1 ]; then echo "files kept in $T" >&2; else rm -rf "$T"; fi
    fi
    exit "$status"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "# $*" >&2; }

# bench_args "USAGE" "$@": every argument is NAME=VALUE and becomes an
# environment variable; anything else prints "usage: SCRIPT USAGE" and exits.
bench_args() {
    local usage=$1 arg
    shift
    for arg in "$@"; do
        case "$arg" in
            *=*) export "${arg?}" ;;
            *) die "usage: $0 $usage" ;;
        esac
    done
}

# Installs Debian packages when missing (via sudo when not root).
need_debs() {
    local missing=() p sudo=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || sudo="sudo"
    note "installing ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Sets CALSYNC and CALSYNC_EMULATOR, building them (and any extra targets
# given as arguments) unless BUILD was given.
bench_build() {
    need_debs time curl jq sqlite3
    if [ -n "${BUILD:-}" ]; then
        BUILD=$(cd "$BUILD" && pwd)
    else
        BUILD=$ROOT/build
        local try
        for try in 1 2 3; do
            if { [ -f "$BUILD/CMakeCache.txt" ] && grep -q '^CMAKE_BUILD_TYPE:STRING=.\+' "$BUILD/CMakeCache.txt"; } ||
                cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null; then
                cmake --build "$BUILD" --target calsync calsync-emulator "$@" -j "$(nproc)" >"$BUILD/bench-build.log" 2>&1 && break
            fi
            # Someone may be mid-edit: wait and retry, then fall back to what is there.
            note "build failed (try $try, see $BUILD/bench-build.log)"
            [ "$try" -lt 3 ] && sleep 60
        done
    fi
    CALSYNC=$BUILD/cmd/calsync
    CALSYNC_EMULATOR=$BUILD/tests/emulator/calsync-emulator
    [ -x "$CALSYNC" ] || die "no calsync in $BUILD"
    [ -x "$CALSYNC_EMULATOR" ] || die "no calsync-emulator in $BUILD"
    local type
    type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
    case "$type" in
        Release | RelWithDebInfo | MinSizeRel) ;;
        *) note "WARNING: $BUILD is a '${type:-no build type}' build (not optimized); figures will be slow" ;;
    esac
    grep -q '^CALSYNC_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null &&
        note "WARNING: $BUILD is a sanitizer build; figures will be slow"
    BUILD_TYPE=${type:-none}
    T=$(mktemp -d "${TMPDIR:-/tmp}/calsync-bench.XXXXXX")
}

# Starts the emulator (extra args passed on); sets EMU, EMU_PID, EMU_LOG.
start_emulator() {
    EMU_LOG=$T/emulator.log
    "$CALSYNC_EMULATOR" --port 0 --port-file "$T/emulator.port" "$@" >"$EMU_LOG" 2>&1 &
    EMU_PID=$!
    _pids+=("$EMU_PID")
    local _
    for _ in $(seq 1 200); do
        [ -s "$T/emulator.port" ] && break
        sleep 0.05
    done
    [ -s "$T/emulator.port" ] || die "the emulator did not start: $(tail -5 "$EMU_LOG")"
    EMU="http://127.0.0.1:$(cat "$T/emulator.port")"
}

ctl() { curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' --data "${2:-{\}}" "$EMU/_control$1"; }
ctl_get() { curl -sS --fail-with-body "$EMU/_control$1"; }
ctl_delete() { curl -sS --fail-with-body -X DELETE "$EMU/_control$1"; }
uri() { jq -rn --arg v "$1" '$v|@uri'; }

# A calsync config pointing every endpoint at the emulator (the one config the
# demo and the tests use); exports CALSYNC_CONFIG and runs `calsync init`.
setup_calsync() {
    emulator_config "$EMU" "$T" >"$T/calsync.conf"
    export CALSYNC_CONFIG=$T/calsync.conf
    "$CALSYNC" init >/dev/null 2>"$T/init.err" || die "calsync init failed: $(cat "$T/init.err")"
}

# The real loopback flow, curl as the browser: authorize_account EMAIL ORG [LOCK]
# Prints the integration id. With LOCK (a file), the two browser steps that
# depend on the emulator's one per-provider consent (set it, open the URL) run
# under flock, so several of these can run at once for different people.
authorize_account() {
    local email=$1 org=$2 lock=${3:-} dir out err pid url="" cb status _
    dir=$(mktemp -d "$T/auth.XXXXXX")
    out=$dir/out
    err=$dir/err
    "$CALSYNC" --json authorize google --org "$org" --no-sync >"$out" 2>"$err" &
    pid=$!
    for _ in $(seq 1 400); do
        url=$(grep -Eo 'https?://[^ ]+/(auth|authorize)\?[^ ]+' "$err" | head -1 || true)
        [ -n "$url" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    [ -n "$url" ] || { kill "$pid" 2>/dev/null || true; die "authorize printed no URL: $(cat "$err")"; }
    browser() {
        ctl /consent "{\"provider\":\"google\",\"email\":\"$email\"}" >/dev/null
        curl -sS -o /dev/null -w '%{redirect_url}' "$url"
    }
    if [ -n "$lock" ]; then
        cb=$( (
            flock 9
            browser
        ) 9>"$lock")
    else
        cb=$(browser)
    fi
    [ -n "$cb" ] || die "the emulator did not redirect for $email"
    status=$(curl -sS -o /dev/null -w '%{http_code}' "$cb")
    wait "$pid" || die "authorize $email exited $?: $(cat "$err")"
    [ "$status" = 200 ] || die "callback page status $status for $email"
    jq -r .id "$out"
    rm -rf "$dir"
}

# An access token for EMAIL straight from the emulator's OAuth endpoints
# (code flow with PKCE, curl as client and browser), as
# tests/e2e/emulator_protocol.sh does: calsync's copy is sealed in its DB.
mint_google_token() {
    local email=$1 verifier challenge cb=http://127.0.0.1:1/cb loc code
    verifier=$(head -c 48 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n')
    ctl /consent "{\"provider\":\"google\",\"email\":\"$email\"}" >/dev/null
    loc=$(curl -sS -o /dev/null -w '%{redirect_url}' \
        "$EMU/google/o/oauth2/v2/auth?client_id=calsync-test-google&redirect_uri=$(uri "$cb")&response_type=code&scope=$(uri 'openid email https://www.googleapis.com/auth/calendar.readonly')&state=bench&code_challenge=$challenge&code_challenge_method=S256")
    code=$(sed -E 's/.*[?&]code=([^&]*).*/\1/' <<<"$loc")
    code=$(printf '%b' "${code//%/\\x}")
    curl -sS --fail-with-body "$EMU/google/token" --data-urlencode grant_type=authorization_code \
        --data-urlencode client_id=calsync-test-google --data-urlencode client_secret=emu-google-client-secret \
        --data-urlencode "redirect_uri=$cb" --data-urlencode "code=$code" --data-urlencode "code_verifier=$verifier" |
        jq -re .access_token
}

# timed NAME CMD...: runs CMD under /usr/bin/time -v; stdout in $T/NAME.out,
# stderr (with time's report) in $T/NAME.err. Sets WALL (s), RSS_MB, CPU_S,
# OUT_MB (written to storage) and RC.
timed() {
    local name=$1
    shift
    RC=0
    /usr/bin/time -v "$@" >"$T/$name.out" 2>"$T/$name.err" || RC=$?
    WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$T/$name.err")
    RSS_MB=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$T/$name.err")
    CPU_S=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$T/$name.err")
    # getrusage's ru_oublock: 512-byte blocks the kernel accounted as written to storage.
    OUT_MB=$(awk -F': ' '/File system outputs/ { printf "%.0f", $2 * 512 / 1048576 }' "$T/$name.err")
}

# The emulator's own time for requests logged after line FROM of its log whose
# path starts with PREFIX: "COUNT TOTAL_SECONDS" (its log line ends in "Nms").
server_time() {
    local from=$1 prefix=$2
    tail -n +"$((from + 1))" "$EMU_LOG" | awk -v p="$prefix" '
        index($2, p) == 1 && $NF ~ /ms$/ { n++; sub(/ms$/, "", $NF); ms += $NF }
        END { printf "%d %.2f\n", n, ms / 1000 }'
}
log_lines() { wc -l <"$EMU_LOG"; }

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"${2:-%.2f}\", $1 }"; }

# Serves the files of DIR (p1.json, p2.json, …: one events.list page each) as
# Google's events.list for any calendar, with lighttpd: a request whose query
# carries pageToken=pN gets pN.json, one without gets p1.json. Nothing is
# checked (no token, no parameter); every byte is pre-rendered. Sets STATIC.
start_static_server() {
    local dir=$1 conf=$T/lighttpd.conf port _ try pid
    need_debs lighttpd
    for try in $(seq 1 20); do
        port=$((20000 + RANDOM % 40000))
        cat >"$conf" <<CONF
server.document-root = "$dir"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$T/lighttpd.err"
server.modules = ("mod_rewrite")
server.max-keep-alive-requests = 1000
mimetype.assign = (".json" => "application/json")
url.rewrite-once = (
    "^/google/calendar/v3/calendars/[^/?]+/events\?(?:.*&)?pageToken=(p[0-9]+)(?:&.*)?\$" => "/\$1.json",
    "^/google/calendar/v3/calendars/[^/?]+/events(?:\?.*)?\$" => "/p1.json",
)
CONF
        /usr/sbin/lighttpd -D -f "$conf" 2>>"$T/lighttpd.err" &
        pid=$!
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            if curl -sf -o /dev/null "http://127.0.0.1:$port/p1.json"; then
                _pids+=("$pid")
                STATIC="http://127.0.0.1:$port"
                return 0
            fi
            sleep 0.05
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    die "lighttpd did not start: $(tail -5 "$T/lighttpd.err")"
}
