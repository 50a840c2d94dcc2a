#!/usr/bin/env bash
# Webhook ingress: how many notifications a second calsync-webhook takes
# under lighttpd's mod_cgi, against a do-nothing C++ CGI under the same server.
#
#   bench/ingress.sh [BUILD=DIR] [REQUESTS=2000] [CLIENTS="8 32"] [RUNS=3] [KEEP=1]
#
# One lighttpd (the shipped deploy/lighttpd directives, as the e2e tests use
# them) serves three things, timed in turn within each run:
#   noop       bench/noop_cgi.cpp: prints "Status: 200 OK" and exits.
#   handshake  calsync-webhook answering Graph's validation handshake (no
#              database: process start, config and the reply).
#   google     calsync-webhook taking Google notifications with distinct
#              message numbers: each one looked up, checked and committed to
#              the queue (synchronous = FULL), and the trigger touched.
# Each request is an empty-bodied POST, as Google sends them; curl --parallel
# keeps CLIENTS of them in flight over keep-alive connections. Figures:
# requests/s (median of RUNS), and google/noop, the share of the floor.
source "$(dirname "$0")/lib.sh"
bench_args "[BUILD=DIR] [REQUESTS=N] [CLIENTS=\"8 32\"] [RUNS=N] [KEEP=1]" "$@"
REQUESTS=${REQUESTS:-2000}
CLIENTS=${CLIENTS:-8 32}
RUNS=${RUNS:-3}

bench_build calsync-webhook calsync-noop-cgi
need_debs lighttpd
WEBHOOK=$BUILD/cmd/calsync-webhook
NOOP=$BUILD/bench/calsync-noop-cgi
[ -x "$WEBHOOK" ] || die "no calsync-webhook in $BUILD"
[ -x "$NOOP" ] || die "no calsync-noop-cgi in $BUILD"
source "$ROOT/scripts/lighttpd-config.sh"

# --- state: a database with one Google channel -------------------------------
TOKEN=bench-token-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf 'db = "%s/calsync.db"\nkey-file = "%s/calsync.key"\n' "$T" "$T" >"$T/calsync.conf"
CALSYNC_CONFIG=$T/calsync.conf "$CALSYNC" init >/dev/null 2>"$T/init.err" || die "calsync init: $(cat "$T/init.err")"
sqlite3 "$T/calsync.db" <<SQL
INSERT INTO organizations (id, created_at) VALUES ('bench', 0);
INSERT INTO integrations (id, org_id, provider, account_id, account_email, status, created_at, updated_at)
  VALUES (1, 'bench', 'google', 'g-1', 'bench@example.com', 'connected', 0, 0);
INSERT INTO webhook_channels (integration_id, provider, channel_id, resource_id, secret_digest, status, expires_at, created_at)
  VALUES (1, 'google', 'chan-1', 'res-1', '$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)', 'active', 4102444800, 0);
SQL

# --- one lighttpd for all three ----------------------------------------------
port=$(( 20000 + RANDOM % 40000 ))
lighttpd_config "$T" "$port" "$WEBHOOK" "$T/calsync.conf" >"$T/lighttpd.conf" || die "cannot build the lighttpd config"
cat >>"$T/lighttpd.conf" <<CONF
\$HTTP["url"] =~ "^/noop(/|\$)" {
    alias.url += ("/noop" => "$NOOP")
    cgi.assign = ("" => "")
}
CONF
lighttpd -D -f "$T/lighttpd.conf" >>"$T/lighttpd.err" 2>&1 &
_pids+=($!)
BASE=http://127.0.0.1:$port
for _ in $(seq 1 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/calsync/healthz" || true)" = 200 ] && break
    sleep 0.05
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/calsync/healthz")" = 200 ] ||
    die "lighttpd did not start: $(tail -5 "$T/lighttpd.err")"

# requests KIND FIRST: a curl config of REQUESTS POSTs; google's carry message
# numbers FIRST.. so that every one is new.
requests() {
    local kind=$1 first=$2 i url
    for ((i = first; i < first + REQUESTS; i++)); do
        case "$kind" in
            noop) url="$BASE/noop/google" ;;
            handshake) url="$BASE/calsync/microsoft?validationToken=Validation%3A%20bench%20$i" ;;
            google) url="$BASE/calsync/google" ;;
        esac
        printf 'url = "%s"\nrequest = "POST"\ndata-binary = ""\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$url"
        printf 'header = "X-Goog-Channel-ID: chan-1"\nheader = "X-Goog-Resource-ID: res-1"\n'
        printf 'header = "X-Goog-Resource-State: exists"\nheader = "X-Goog-Message-Number: %d"\n' "$i"
        printf 'header = "X-Goog-Channel-Token: %s"\nnext\n' "$TOKEN"
    done | sed '$d'
}

# timed_batch KIND CLIENTS FIRST: sets RATE (requests/s) and OK (2xx answers).
timed_batch() {
    local kind=$1 clients=$2 first=$3 t0 t1
    requests "$kind" "$first" >"$T/$kind.curl"
    t0=$(date +%s.%N)
    curl -sS --parallel --parallel-immediate --parallel-max "$clients" -K "$T/$kind.curl" >"$T/$kind.codes" 2>>"$T/curl.err" || true
    t1=$(date +%s.%N)
    OK=$(grep -c '^2' "$T/$kind.codes" || true)
    RATE=$(calc "$REQUESTS / ($t1 - $t0)" %.0f)
}

echo "== ingress: $REQUESTS empty-bodied POSTs per batch through lighttpd $(lighttpd -v 2>/dev/null | sed -n 's/^lighttpd\/\([^ ]*\).*/\1/p') mod_cgi"
echo "build $BUILD ($BUILD_TYPE); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-10s %s\n' clients kind "requests/s per run"
next=1
for clients in $CLIENTS; do
    declare -A rates=()
    for run in $(seq 1 "$RUNS"); do
        for kind in noop handshake google; do
            timed_batch "$kind" "$clients" "$next"
            [ "$OK" = "$REQUESTS" ] || note "$kind run $run: only $OK of $REQUESTS answered 2xx"
            [ "$kind" = google ] && next=$((next + REQUESTS))
            rates[$kind]="${rates[$kind]:-} $RATE"
        done
    done
    for kind in noop handshake google; do
        # shellcheck disable=SC2086
        printf '%-8s %-10s %s  median %s\n' "$clients" "$kind" "${rates[$kind]# }" "$(median ${rates[$kind]})"
    done
    # shellcheck disable=SC2086
    printf '%-8s google/noop = %s\n' "$clients" "$(calc "$(median ${rates[google]}) / $(median ${rates[noop]})")"
    unset rates
done
rows=$(sqlite3 "$T/calsync.db" "SELECT count(*) FROM webhook_queue")
echo "queued rows: $rows (expected $((next - 1)))"
grep -qi 'database is locked' "$T/webhook.log" && note "'database is locked' appears in $T/webhook.log"
exit 0
