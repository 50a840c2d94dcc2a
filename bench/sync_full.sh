#!/usr/bin/env bash
# The full sync of 100,000 events from one Google calendar: `calsync poll ID
# --full` (which stores every event in SQLite) against the users' alternative,
# Google's official Node client listing every page into memory
# (bench/node/fetch_all.js), and curl downloading the same pages and throwing
# them away (the floor the server sets for any client). All three ask the same
# query, maxResults=2500&showDeleted=true&singleEvents=false, 40 pages, of one
# server:
#   SOURCE=static (default, as the issue measures): the 40 pages are fetched
#     once from the emulator into files (page tokens rewritten to p2, p3, …, a
#     fixed sync token on the last page) and lighttpd serves those same bytes
#     to every client;
#   SOURCE=emulator: the emulator renders every page on every request.
# The OAuth token always comes from the emulator (the static server checks none).
#
#   bench/sync_full.sh [BUILD=DIR] [RUNS=3] [EVENTS=100000] [SOURCE=static|emulator] [ORDER=id|random] [BASE=DIR] [KEEP=1]
#
# ORDER=random (static only) reorders the events across the 40 pages by their
# reversed id, a fixed order unrelated to the id's: the emulator lists events
# by id, Google promises no order, and the order ids arrive in decides how
# much of the (calendar, event id) index every page rewrites.
#
# BASE=DIR also times DIR/cmd/calsync (another build, e.g. before a change) in
# every run, on the same pages and a copy of the same database, as "base".
#
# Prints each run, then medians: wall s, events/s, peak RSS MB (from
# /usr/bin/time -v), CPU s, the emulator's own time for the 40 requests, and
# calsync against Node. Timings on a shared machine drift: compare within a run.
source "$(dirname "$0")/lib.sh"
bench_args "[BUILD=DIR] [RUNS=N] [EVENTS=N] [SOURCE=static|emulator] [ORDER=id|random] [BASE=DIR] [KEEP=1]" "$@"
RUNS=${RUNS:-3}
EVENTS=${EVENTS:-100000}
SOURCE=${SOURCE:-static}
case "$SOURCE" in static | emulator) ;; *) die "SOURCE must be static or emulator" ;; esac
ORDER=${ORDER:-id}
case "$ORDER" in id) ;; random) [ "$SOURCE" = static ] || die "ORDER=random needs SOURCE=static" ;; *) die "ORDER must be id or random" ;; esac
EMAIL=bench@example.com
NODE_REF=1.6  # Node's figure in the issue, seconds
PAGE_SIZE=2500

bench_build
command -v node >/dev/null || die "node is not installed"
if [ ! -d "$BENCH_DIR/node/node_modules/googleapis" ]; then
    note "installing googleapis into bench/node (npm ci)"
    (cd "$BENCH_DIR/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
GOOGLEAPIS_VERSION=$(cd "$BENCH_DIR/node" && node -p "require('googleapis/package.json').version")

# shellcheck disable=SC2119  # no extra emulator options
start_emulator
seeded=$(ctl /seed "{\"provider\":\"google\",\"email\":\"$EMAIL\",\"count\":$EVENTS,\"seed\":1}")
setup_calsync
ID=$(authorize_account "$EMAIL" bench)
[ -f "$T/calsync.db-wal" ] && sqlite3 "$T/calsync.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp "$T/calsync.db" "$T/pristine.db"  # connected, calendars known, no events
TOKEN=$(mint_google_token "$EMAIL")
CAL=$(curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" "$EMU/google/calendar/v3/users/me/calendarList" |
    jq -r '.items[] | select(.primary) | .id')
EVENTS_PATH="/google/calendar/v3/calendars/$(uri "$CAL")/events?maxResults=$PAGE_SIZE&showDeleted=true&singleEvents=false"

# snapshot_pages DIR: every page once from the emulator into DIR/pN.json, its
# nextPageToken rewritten to p(N+1) and the last page's nextSyncToken to a
# fixed one, so the static server can map a request to its file.
snapshot_pages() {
    local dir=$1 url=$EMU$EVENTS_PATH n=1 token
    mkdir -p "$dir"
    while :; do
        curl -sS --fail-with-body -o "$dir/raw" -H "Authorization: Bearer $TOKEN" "$url"
        token=$(head -c 4096 "$dir/raw" | grep -Eo '"nextPageToken": *"[^"]*"' | sed -E 's/.*"([^"]*)"$/\1/' || true)
        sed -E "s/(\"nextPageToken\": *)\"[^\"]*\"/\1\"p$((n + 1))\"/; s/(\"nextSyncToken\": *)\"[^\"]*\"/\1\"bench-sync-token\"/" \
            "$dir/raw" >"$dir/p$n.json"
        [ -z "$token" ] && break
        url="$EMU$EVENTS_PATH&pageToken=$(uri "$token")"
        n=$((n + 1))
    done
    rm -f "$dir/raw"
    [ "$ORDER" = random ] && reorder_pages "$dir" "$n"
    return 0
}

# reorder_pages DIR N: the items of pages 1..N of DIR sorted by their reversed
# id, then dealt back into pages of the same sizes (tokens unchanged).
reorder_pages() {
    local dir=$1 n=$2 i sizes
    for i in $(seq 1 "$n"); do jq -c '.items[]' "$dir/p$i.json"; done |
        jq -sc 'sort_by(.id | explode | reverse) | .[]' >"$dir/items.jsonl"
    sizes=$(for i in $(seq 1 "$n"); do jq '.items | length' "$dir/p$i.json"; done)
    local from=1 size
    i=1
    for size in $sizes; do
        sed -n "${from},$((from + size - 1))p" "$dir/items.jsonl" | jq -sc --slurpfile page "$dir/p$i.json" \
            '$page[0] + {items: .}' >"$dir/p$i.new"
        mv "$dir/p$i.new" "$dir/p$i.json"
        from=$((from + size))
        i=$((i + 1))
    done
    rm -f "$dir/items.jsonl"
}

# SRC: the server every timed client talks to. CALSYNC_RUN_CONFIG: calsync's
# config for the timed runs (api-url on SRC; OAuth endpoints on the emulator).
CALSYNC_RUN_CONFIG=$CALSYNC_CONFIG
if [ "$SOURCE" = static ]; then
    t0=$(date +%s.%N)
    snapshot_pages "$T/static"
    SNAPSHOT_S=$(calc "$(date +%s.%N) - $t0")
    start_static_server "$T/static"
    SRC=$STATIC
    sed "s|^api-url = .*|api-url = \"$STATIC/google/calendar/v3\"|" "$CALSYNC_CONFIG" >"$T/calsync-static.conf"
    CALSYNC_RUN_CONFIG=$T/calsync-static.conf
else
    SRC=$EMU
fi
EVENTS_URL=$SRC$EVENTS_PATH

# src_time FROM: "COUNT SECONDS" the emulator spent on events.list requests
# logged after line FROM; "- 0" for the static server (it renders nothing).
src_time() {
    if [ "$SOURCE" = static ]; then echo "- 0"; else server_time "$1" /google/calendar/v3/calendars/; fi
}

# curl_pages FILE: downloads every page once, keeping nothing but one line per
# page in FILE: bytes and a digest of the body without its page or sync token
# (both are random: each request gets fresh ones).
# Sets CURL_WALL (s, for the loop) and CURL_HTTP (sum of curl's time_total).
curl_pages() {
    local file=$1 url=$EVENTS_URL token t0 t1 line http=0
    : >"$file"
    t0=$(date +%s.%N)
    while :; do
        line=$(curl -sS --fail-with-body -o "$T/page" -w '%{size_download} %{time_total}' -H "Authorization: Bearer $TOKEN" "$url")
        http=$(calc "$http + ${line#* }" %.4f)
        echo "${line% *} $(sed -E 's/"next(Page|Sync)Token": *"[^"]*"//' "$T/page" | sha256sum | cut -c1-16)" >>"$file"
        token=$(head -c 4096 "$T/page" | grep -Eo '"nextPageToken": *"[^"]*"' | sed -E 's/.*"([^"]*)"$/\1/' || true)
        [ -z "$token" ] && break
        url="$EVENTS_URL&pageToken=$(uri "$token")"
    done
    t1=$(date +%s.%N)
    rm -f "$T/page"
    CURL_WALL=$(calc "$t1 - $t0")
    CURL_HTTP=$(calc "$http")
}

curl_pages "$T/pages.before"
PAGES=$(wc -l <"$T/pages.before")
BYTES=$(awk '{ s += $1 } END { print s }' "$T/pages.before")

echo "== sync_full: $EVENTS events, one Google calendar, $PAGES pages of maxResults=$PAGE_SIZE, served by the $SOURCE server"
echo "build $BUILD ($BUILD_TYPE); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); node $(node --version), googleapis $GOOGLEAPIS_VERSION"
echo "emulator seed: $seeded"
[ "$ORDER" = random ] && echo "order: events reordered across the pages by their reversed id (ORDER=random)"
echo "pages: $PAGES, $BYTES bytes in all ($(calc "$BYTES / 1048576" %.1f) MiB, $(calc "$BYTES / $PAGES / 1024" %.0f) KiB a page), fetched once with curl in $CURL_WALL s"
[ "$SOURCE" = static ] && echo "static: the pages were fetched from the emulator into files in $SNAPSHOT_S s; lighttpd serves them, identical bytes to every client (server s = 0)"
echo
printf '%-4s %-8s %8s %10s %8s %7s %9s %9s  %s\n' run tool "wall s" "events/s" "RSS MB" "CPU s" "server s" "client s" "check"

declare -a C_OUT C_HTTP C_WALL C_RSS C_CPU C_SRV N_WALL N_RSS N_CPU N_SRV K_WALL K_SRV L_WALL L_RSS
row() {  # run tool wall rss cpu server check
    printf '%-4s %-8s %8.2f %10.0f %8s %7s %9.2f %9.2f  %s\n' "$1" "$2" "$3" "$(calc "$EVENTS / $3" %.0f)" "$4" "$5" "$6" \
        "$(calc "$3 - $6")" "$7"
}
declare -a B_WALL B_RSS
for run in $(seq 1 "$RUNS"); do
    if [ -n "${BASE:-}" ]; then
        rm -f "$T/calsync.db" "$T/calsync.db-wal" "$T/calsync.db-shm"
        cp "$T/pristine.db" "$T/calsync.db"
        timed base env CALSYNC_CONFIG="$CALSYNC_RUN_CONFIG" "$BASE/cmd/calsync" -vv --json poll "$ID" --full
        check=$(jq -r '"rc='"$RC"' events=\(.events) upserts=\(.upserts) pages=\(.pages)"' "$T/base.out" 2>/dev/null || echo "rc=$RC")
        B_WALL+=("$WALL"); B_RSS+=("$RSS_MB")
        row "$run" base "$WALL" "$RSS_MB" "$CPU_S" 0 "$check written=${OUT_MB}MB ($BASE)"
    fi
    # calsync: a fresh copy of the database as authorize left it, then the full sync.
    rm -f "$T/calsync.db" "$T/calsync.db-wal" "$T/calsync.db-shm"
    cp "$T/pristine.db" "$T/calsync.db"
    from=$(log_lines)
    timed calsync env CALSYNC_CONFIG="$CALSYNC_RUN_CONFIG" "$CALSYNC" -vv --json poll "$ID" --full
    read -r n srv < <(src_time "$from")
    # -vv logs each request with its duration: the rest of the wall time is
    # process start, parsing and storing (requests and storing never overlap).
    http=$(grep -Eo -- '-> [0-9]+ \([0-9]+ ms' "$T/calsync.err" | awk '{ gsub(/\(/, "", $3); s += $3 } END { printf "%.2f", s / 1000 }')
    C_HTTP+=("$http")
    [ "$n" = - ] && n=$(grep -Ec -- '/events\?.* -> [0-9]+ \(' "$T/calsync.err" || true)
    check=$(jq -r '"rc='"$RC"' events=\(.events) upserts=\(.upserts) pages=\(.pages)"' "$T/calsync.out" 2>/dev/null || echo "rc=$RC")
    check="$check db=$(calc "$(stat -c %s "$T/calsync.db") / 1048576" %.0f)MB written=${OUT_MB}MB"
    C_OUT+=("$OUT_MB")
    C_WALL+=("$WALL"); C_RSS+=("$RSS_MB"); C_CPU+=("$CPU_S"); C_SRV+=("$srv")
    row "$run" calsync "$WALL" "$RSS_MB" "$CPU_S" "$srv" "$check requests=$n http=${http}s"

    from=$(log_lines)
    timed node env EMU="$SRC" ACCESS_TOKEN="$TOKEN" CALENDAR_ID="$CAL" node "$BENCH_DIR/node/fetch_all.js"
    read -r n srv < <(src_time "$from")
    check=$(jq -r '"rc='"$RC"' events=\(.events) pages=\(.pages)"' "$T/node.out" 2>/dev/null || echo "rc=$RC $(tail -2 "$T/node.err")")
    N_WALL+=("$WALL"); N_RSS+=("$RSS_MB"); N_CPU+=("$CPU_S"); N_SRV+=("$srv")
    row "$run" node "$WALL" "$RSS_MB" "$CPU_S" "$srv" "$check requests=$n"

    # Node's fixed cost: start and load googleapis, no request.
    timed node_load node -e "require('$BENCH_DIR/node/node_modules/googleapis')"
    L_WALL+=("$WALL"); L_RSS+=("$RSS_MB")
    printf '%-4s %-8s %8.2f %10s %8s %7s %9s %9s  %s\n' "$run" node-load "$WALL" - "$RSS_MB" "$CPU_S" - - "node -e \"require('googleapis')\" (no request)"

    from=$(log_lines)
    curl_pages "$T/pages.run$run"
    read -r n srv < <(src_time "$from")
    same=$(cmp -s <(cut -d' ' -f2 "$T/pages.before") <(cut -d' ' -f2 "$T/pages.run$run") && echo "pages identical to the first fetch" || echo "PAGES DIFFER from the first fetch")
    K_WALL+=("$CURL_HTTP"); K_SRV+=("$srv")
    printf '%-4s %-8s %8.2f %10.0f %8s %7s %9.2f %9.2f  %s\n' "$run" curl "$CURL_HTTP" "$(calc "$EVENTS / $CURL_HTTP" %.0f)" - - \
        "$srv" "$(calc "$CURL_HTTP - $srv")" "$same requests=$n (sum of time_total)"
done

cw=$(median "${C_WALL[@]}"); nw=$(median "${N_WALL[@]}"); kw=$(median "${K_WALL[@]}")
cr=$(median "${C_RSS[@]}"); nr=$(median "${N_RSS[@]}")
cs=$(median "${C_SRV[@]}"); ns=$(median "${N_SRV[@]}"); ks=$(median "${K_SRV[@]}")
echo
echo "== medians of $RUNS runs (server s: the emulator's own time for the requests; client s = wall - server)"
printf '%-8s %8s %10s %8s %7s %9s %9s\n' tool "wall s" "events/s" "RSS MB" "CPU s" "server s" "client s"
printf '%-8s %8.2f %10.0f %8s %7s %9.2f %9.2f\n' calsync "$cw" "$(calc "$EVENTS / $cw" %.0f)" "$cr" "$(median "${C_CPU[@]}")" "$cs" "$(calc "$cw - $cs")"
printf '%-8s %8.2f %10.0f %8s %7s %9.2f %9.2f\n' node "$nw" "$(calc "$EVENTS / $nw" %.0f)" "$nr" "$(median "${N_CPU[@]}")" "$ns" "$(calc "$nw - $ns")"
printf '%-8s %8.2f %10s %8s %7s %9s %9s\n' node-load "$(median "${L_WALL[@]}")" - "$(median "${L_RSS[@]}")" - - -
printf '%-8s %8.2f %10.0f %8s %7s %9.2f %9.2f\n' curl "$kw" "$(calc "$EVENTS / $kw" %.0f)" - - "$ks" "$(calc "$kw - $ks")"
echo
ch=$(median "${C_HTTP[@]}")
echo "calsync's own log (-vv): requests $ch s (server $cs s, transfer+curl $(calc "$ch - $cs") s);" \
    "start, parse and store $(calc "$cw - $ch") s = $(calc "($cw - $ch) * 1000000 / $EVENTS" %.0f) us an event"
echo "calsync wrote $(median "${C_OUT[@]}") MB to storage (getrusage) for a $(calc "$(stat -c %s "$T/calsync.db") / 1048576" %.0f) MB database" \
    "and $(calc "$BYTES / 1048576" %.0f) MB of pages"
echo "calsync vs node: $(calc "$nw / $cw") x the speed (wall), $(calc "$cr / $nr") x the memory (peak RSS)"
if [ -n "${BASE:-}" ]; then
    bw=$(median "${B_WALL[@]}")
    echo "base ($BASE) vs node: $(calc "$nw / $bw") x the speed, peak RSS $(median "${B_RSS[@]}") MB; calsync vs base: $(calc "$bw / $cw") x the speed"
fi
echo "calsync vs node, client side only (wall - server): $(calc "($nw - $ns) / ($cw - $cs)") x the speed"
echo "target (issue): <= $(calc "$NODE_REF / 3") s (3 x faster than Node's $NODE_REF s) and < 64 MB:" \
    "wall $cw s ($(calc "$cw <= $NODE_REF / 3 ? 1 : 0" %d | sed 's/1/met/;s/0/not met/')), RSS $cr MB ($(calc "$cr < 64 ? 1 : 0" %d | sed 's/1/met/;s/0/not met/'))"
echo "3 x faster than the Node measured here would be <= $(calc "$nw / 3") s"
