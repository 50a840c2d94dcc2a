#!/usr/bin/env bash
# Two polls started together never sync the same integration at once (the
# lease makes one skip it) and both exit cleanly; the result is still the truth.
# Each full sync takes ~30 pages x 60 ms, so the two polls overlap; if one
# still finished an integration before the other reached it, the second's
# round must be incremental (it found the first one's cursor) — two full
# rounds would mean they ran at once.
source "$(dirname "$0")/lib.sh"
start_emulator --latency-ms 60
setup_calsync
sed -i 's/^\[google\]/[google]\npage-size = 50/' "$T/calsync.conf"
for u in alice bob carol dave; do
    ctl /seed "{\"provider\":\"google\",\"email\":\"$u@example.com\",\"count\":1500,\"seed\":3}" >/dev/null
    authorize_account google acme $u@example.com --no-sync
done
"$CALSYNC" poll --json >"$T/a.json" 2>"$T/a.err" & a=$!
"$CALSYNC" poll --json >"$T/b.json" 2>"$T/b.err" & b=$!
wait $a || fail "first poll failed: $(cat "$T/a.err")"
wait $b || fail "second poll failed: $(cat "$T/b.err")"
skips=0
for id in 1 2 3 4; do
    sa=$(jq -r ".integrations[] | select(.id == $id) | [.status, .full] | join(\":\")" "$T/a.json")
    sb=$(jq -r ".integrations[] | select(.id == $id) | [.status, .full] | join(\":\")" "$T/b.json")
    case "$sa/$sb" in
        ok:true/skipped:false | skipped:false/ok:true) skips=$((skips + 1)) ;;
        ok:true/ok:false | ok:false/ok:true) ;;  # one after the other
        *) fail "integration $id: $sa and $sb" ;;
    esac
done
[ "$skips" -gt 0 ] || fail "the polls never overlapped, so the lease was not exercised"
for u in alice:1 bob:2 carol:3 dave:4; do assert_synced "${u#*:}" google "${u%%:*}@example.com"; done
assert_eq "$(sql "SELECT count(*) FROM sync_leases")" "0" "leases released"
! grep -qi "locked" "$T/a.err" "$T/b.err" || fail "database is locked"
pass
