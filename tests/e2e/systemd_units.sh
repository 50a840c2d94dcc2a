#!/usr/bin/env bash
# The systemd units (SPEC 7): `systemd-analyze verify` passes without a word
# about them; every service is a oneshot running a calsync subcommand that
# exists; the timers fire as often as SPEC 1 says; the path unit watches the
# queue trigger calsync-webhook touches; the three services share one sandbox
# whose exposure is only what calsync's job needs; sysusers.d and tmpfiles.d
# create the user and directory the services expect.
source "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (scripts/deps.sh installs the systemd package)"
src=$(cd "$(dirname "$0")/../../systemd" && pwd)
repo=$(cd "$src/.." && pwd)
services=(calsync-poll calsync-renew calsync-process-queue)
timers=(calsync-poll calsync-renew calsync-process-queue)

# The units as CMake installs them, with ExecStart= on the calsync under test.
mkdir "$T/units"
for f in "$src"/calsync-*.service.in "$src"/calsync-*.timer "$src"/calsync-*.path; do
    name=$(basename "$f" .in)
    sed "s|@CMAKE_INSTALL_FULL_BINDIR@/calsync|$CALSYNC|g" "$f" >"$T/units/$name"
    ! grep -n '@[A-Za-z_]*@' "$T/units/$name" || fail "$name: a template variable CMake would leave unexpanded here"
done
for u in "${services[@]/%/.service}" "${timers[@]/%/.timer}" calsync-process-queue.path; do
    [ -f "$T/units/$u" ] || fail "systemd/ has no $u"
done

# get UNIT KEY: the values of KEY= in the unit, one per line.
get() { sed -n "s/^$2=//p" "$T/units/$1"; }
# seconds SPAN: a systemd time span in seconds.
seconds() { systemd-analyze timespan "$1" | sed -n 's/^ *μs: //p' | awk '{ print int($1 / 1000000) }'; }

# What calsync itself says: its subcommands, the default database, the trigger
# file next to it, the credential name it reads the key from.
help=$("$CALSYNC" --help)
subcommands=$(awk 'tolower($0) ~ /^subcommands:/ { on = 1; next } on && !/^  / { on = 0 } on { print $1 }' <<<"$help")
[ -n "$subcommands" ] || fail "no subcommands found in calsync --help"
default_db=$(grep -oE -- '--db .*\(default /[^ ,)]+' <<<"$help" | grep -oE '/[^ ,)]+$' || true)
[ -n "$default_db" ] || fail "calsync --help does not give the default database"
trigger_name=$(grep -oE 'default [^ ]+ next to the database' <<<"$help" | awk '{ print $2 }' || true)
[ -n "$trigger_name" ] || fail "calsync --help does not give the default queue trigger"
default_trigger="$(dirname "$default_db")/$trigger_name"
credential=$(grep -oE '\$CREDENTIALS_DIRECTORY/[^ )]+' <<<"$help" | head -1 | cut -d/ -f2 || true)
[ -n "$credential" ] || fail "calsync --help does not say which credential holds the key"

# 1. systemd-analyze verify: no output at all about our units. --man=no
# because verify runs man(1) against the installed manual, where calsync's
# pages are not; the pages named in Documentation= are checked against man/
# below instead.
(cd "$T/units" && systemd-analyze verify --man=no ./*.service ./*.timer ./*.path) >"$T/verify.out" 2>&1 && rc=0 || rc=$?
# Noise: verify also loads the system units ours depend on (sysinit.target,
# network-online.target...); lines about those describe this machine, not
# calsync, so only lines that name a calsync unit or file count.
if grep -E 'calsync|units/' "$T/verify.out" >"$T/verify.ours"; then
    cat "$T/verify.out" >&2
    fail "systemd-analyze verify complains about the units: $(head -3 "$T/verify.ours")"
fi
if [ "$rc" -ne 0 ]; then
    cat "$T/verify.out" >&2
    fail "systemd-analyze verify exited $rc"
fi
[ -s "$T/verify.out" ] && { echo "verify noise (not about calsync's units):"; cat "$T/verify.out"; }
for u in "$T"/units/*; do
    for page in $(get "$(basename "$u")" Documentation | tr ' ' '\n' | sed -n 's/^man:\(.*\)(\([0-9]\))$/\1.\2/p'); do
        [ -f "$repo/man/$page" ] || fail "$(basename "$u"): Documentation= names $page, which man/ does not have"
    done
done

# 2. Services: oneshot, a calsync subcommand that exists, no Restart=, and the
# user, state directory, credential and config calsync expects.
for s in "${services[@]}"; do
    u=$s.service
    assert_eq "$(get "$u" Type)" "oneshot" "$u Type="
    read -r bin sub rest <<<"$(get "$u" ExecStart)"
    assert_eq "$bin" "$CALSYNC" "$u ExecStart= binary"
    assert_eq "$sub" "${s#calsync-}" "$u runs the subcommand its name says"
    grep -qx -- "$sub" <<<"$subcommands" ||
        fail "$u runs 'calsync $sub', but calsync --help has no '$sub' subcommand (it lists: $(echo $subcommands))"
    "$CALSYNC" "$sub" --help >/dev/null 2>&1 || fail "$u: calsync $sub --help fails"
    assert_eq "$(get "$u" Restart)" "" "$u: the timer is the retry, not Restart="
    assert_eq "$(get "$u" User)" "calsync" "$u User="
    assert_eq "$(get "$u" Group)" "calsync" "$u Group="
    assert_eq "$(get "$u" UMask)" "0007" "$u UMask="
    assert_eq "/var/lib/$(get "$u" StateDirectory)" "$(dirname "$default_db")" \
        "$u StateDirectory= holds calsync's default database"
    assert_eq "$(get "$u" LoadCredential)" "$credential:/etc/calsync/calsync.key" "$u LoadCredential="
    assert_eq "$(get "$u" Environment)" "CALSYNC_CONFIG=/etc/calsync/calsync.conf" "$u Environment="
    assert_eq "$(get "$u" DynamicUser)" "" "$u: no DynamicUser= (the web server shares the files)"
done
# One sandbox for all three: every [Service] setting but the command, its
# time limit and its exit statuses is the same.
sandbox() {
    sed -n '/^\[Service\]/,/^\[/p' "$T/units/$1" | grep -E '^[A-Za-z]+=' |
        grep -vE '^(ExecStart|TimeoutStartSec|SuccessExitStatus)=' | sort
}
for s in calsync-renew calsync-process-queue; do
    diff <(sandbox calsync-poll.service) <(sandbox "$s.service") >"$T/sandbox.diff" ||
        fail "$s.service and calsync-poll.service differ in their sandbox: $(cat "$T/sandbox.diff")"
done
# Exit statuses: 1 and 4 (failed items, re-authorization) must stay failures.
for s in "${services[@]}"; do
    for code in $(get "$s.service" SuccessExitStatus); do
        case $code in 75) ;; *) fail "$s.service treats exit $code as success" ;; esac
    done
done

# 3. Timers: each starts its service, as often as SPEC 1 says, with a
# randomized delay well inside the interval, Persistent= where a missed run
# matters (poll, renew) and not for the every-minute safety net.
declare -A interval=([calsync-poll]=900 [calsync-renew]=43200 [calsync-process-queue]=60)
declare -A persistent=([calsync-poll]=true [calsync-renew]=true [calsync-process-queue]=false)
for t in "${timers[@]}"; do
    u=$t.timer
    unit=$(get "$u" Unit)
    [ -z "$unit" ] || assert_eq "$unit" "$t.service" "$u Unit="
    assert_eq "$(get "$u" WantedBy)" "timers.target" "$u WantedBy="
    spec=$(get "$u" OnCalendar)
    [ -n "$spec" ] || fail "$u has no OnCalendar="
    mapfile -t elapses < <(TZ=UTC systemd-analyze calendar --iterations=3 "$spec" |
        sed -nE 's/^ *(Next elapse|Iter\. #[0-9]+): //p')
    [ "${#elapses[@]}" -eq 3 ] || fail "$u: systemd-analyze calendar '$spec' gave ${#elapses[@]} elapses"
    for i in 1 2; do
        gap=$(($(date -u -d "${elapses[$i]}" +%s) - $(date -u -d "${elapses[$((i - 1))]}" +%s)))
        assert_eq "$gap" "${interval[$t]}" "$u '$spec': seconds between runs"
    done
    case $(get "$u" Persistent) in yes | true | on | 1) p=true ;; *) p=false ;; esac
    assert_eq "$p" "${persistent[$t]}" "$u Persistent="
    delay=$(get "$u" RandomizedDelaySec)
    accuracy=$(get "$u" AccuracySec)
    [ -n "$delay" ] && [ -n "$accuracy" ] || fail "$u needs RandomizedDelaySec= and AccuracySec="
    [ "$(seconds "$delay")" -le $((interval[$t] / 3)) ] || fail "$u RandomizedDelaySec=$delay is not small against ${interval[$t]}s"
    [ "$(seconds "$accuracy")" -le $((interval[$t] / 6)) ] || fail "$u AccuracySec=$accuracy is coarse against ${interval[$t]}s"
done

# 4. The path unit watches the file calsync-webhook touches by default.
p=calsync-process-queue.path
assert_eq "$(get $p PathModified)" "$default_trigger" "$p PathModified= vs calsync's default queue trigger"
assert_eq "$(get $p Unit)" "calsync-process-queue.service" "$p Unit="
assert_eq "$(get $p WantedBy)" "paths.target" "$p WantedBy="
assert_eq "$(get calsync-process-queue.service StartLimitIntervalSec)" "0" \
    "calsync-process-queue.service must not hit a start limit (it would stop the path unit)"

# 5. Exposure. What remains is what calsync's job needs: network access to
# the providers at addresses nobody can list in advance (PrivateNetwork=,
# AF_INET/AF_INET6, IPAddressDeny=), AF_UNIX for the journal and NSS,
# group-writable files for the web server (UMask=), the host's root, and the
# read access to the RTC that ProtectClock= itself grants. Those cost 1.1 on
# systemd 252; anything else that is not set is a regression.
allowed="DeviceAllow IPAddressDeny PrivateNetwork RestrictAddressFamilies_AF_INET_INET6
RestrictAddressFamilies_AF_UNIX RootDirectoryOrRootImage UMask"
for s in "${services[@]}"; do
    (cd "$T/units" && systemd-analyze security --offline=yes --json=short "$s.service") >"$T/$s.security.json" ||
        fail "systemd-analyze security failed on $s.service"
    unexpected=$(jq -r '.[] | select(.set == false and .exposure != null and .exposure != "0.0") | .json_field' \
        "$T/$s.security.json" | grep -vxF -f <(tr ' ' '\n' <<<"$allowed") || true)
    [ -z "$unexpected" ] || fail "$s.service: exposed beyond what calsync needs: $(echo $unexpected)"
    (cd "$T/units" && systemd-analyze security --offline=yes --threshold=11 "$s.service") >"$T/$s.security.txt" 2>&1 ||
        fail "$s.service: $(tail -1 "$T/$s.security.txt") (threshold 1.1)"
    echo "$(tail -1 "$T/$s.security.txt")"
done

# 6. sysusers.d and tmpfiles.d, applied to an empty root: the user and group
# the services run as, and the state directory they and the web server share.
mkdir -p "$T/root/etc"
systemd-sysusers --root="$T/root" "$src/calsync.sysusers" >/dev/null 2>"$T/sysusers.err" ||
    fail "systemd-sysusers: $(cat "$T/sysusers.err")"
IFS=: read -r _ _ uid gid _ home shell < <(grep '^calsync:' "$T/root/etc/passwd")
[ -n "${uid:-}" ] || fail "calsync.sysusers creates no calsync user"
grep -q "^calsync:x:$gid:" "$T/root/etc/group" || fail "calsync.sysusers: user calsync's group is not calsync"
assert_eq "$home" "$(dirname "$default_db")" "calsync's home"
assert_contains "$shell" "nologin" "calsync's shell"
if [ "$(id -u)" = 0 ]; then
    systemd-tmpfiles --root="$T/root" --create "$src/calsync.tmpfiles" 2>"$T/tmpfiles.err" ||
        fail "systemd-tmpfiles: $(cat "$T/tmpfiles.err")"
    assert_eq "$(stat -c '%a %u %g' "$T/root$(dirname "$default_db")")" "2770 $uid $gid" "state directory mode and owner"
    assert_eq "$(stat -c '%a %u %g' "$T/root$default_trigger")" "660 $uid $gid" "queue trigger mode and owner"
else
    echo "not root: tmpfiles.d not applied (it chowns); checked as text only"
    grep -qE "^d +$(dirname "$default_db") +2770 +calsync +calsync" "$src/calsync.tmpfiles" ||
        fail "calsync.tmpfiles does not create $(dirname "$default_db") 2770 calsync:calsync"
fi

pass
