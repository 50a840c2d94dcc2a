#!/usr/bin/env bash
# The key file: created 0600 by init and never overwritten; a group/world
# readable key is refused; a different key is refused before any write.
source "$(dirname "$0")/lib.sh"
start_emulator
setup_calsync
assert_eq "$(stat -c %a "$T/calsync.key")" "600" "key file mode"
assert_eq "$(stat -c %a "$T/calsync.db")" "600" "database mode"
[ "$(base64 -d "$T/calsync.key" | wc -c)" -eq 32 ] || fail "key is not 32 bytes"
authorize_account google acme alice@example.com

# init again: the key is kept byte for byte.
before=$(sha256sum <"$T/calsync.key")
"$CALSYNC" init >/dev/null 2>&1
assert_eq "$(sha256sum <"$T/calsync.key")" "$before" "key after second init"

# mode 0644: refused, exit 3, clear message.
chmod 0644 "$T/calsync.key"
rc=0; "$CALSYNC" integrations check >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" "3" "exit status with a 0644 key"
assert_contains "$(cat "$T/err")" "has mode 0644"
chmod 0600 "$T/calsync.key"

# A different (valid) key: refused with a clear message; the database is untouched.
head -c 32 /dev/urandom >"$T/other.key"; chmod 600 "$T/other.key"
dump_before=$(sql .dump)
for cmd in "integrations check" "disconnect 1" "authorize google --org acme --timeout 1s"; do
    rc=0; "$CALSYNC" --key-file "$T/other.key" $cmd >/dev/null 2>"$T/err" || rc=$?
    assert_eq "$rc" "3" "exit status of '$cmd' with the wrong key"
    assert_contains "$(cat "$T/err")" "is not the key database"
done
assert_eq "$(sql .dump)" "$dump_before" "database after wrong-key commands"

# Missing key file: exit 3 and a hint.
rc=0; "$CALSYNC" --key-file "$T/nope.key" integrations check >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" "3" "missing key"
assert_contains "$(cat "$T/err")" "calsync init"
# A key of the wrong size.
printf 'short' >"$T/short.key"; chmod 600 "$T/short.key"
rc=0; "$CALSYNC" --key-file "$T/short.key" integrations check >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" "3" "short key"
assert_contains "$(cat "$T/err")" "32 random bytes"

# The right key still works after all that.
"$CALSYNC" integrations check 1 >/dev/null 2>&1 || fail "check with the right key failed"
pass
