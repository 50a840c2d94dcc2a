#!/usr/bin/env bash
# Every option and subcommand in --help appears in the man page and in the
# bash, zsh and fish completions; the man pages lint clean.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
man="$root/man/calsync.1"
bash_c="$root/completions/calsync.bash"
zsh_c="$root/completions/_calsync"
fish_c="$root/completions/calsync.fish"

options_of() {  # prints the options of `calsync ARGS --help`, one per line
    "$CALSYNC" "$@" --help | grep -E '^ +-' | awk '{print $1}' | tr ',' '\n' | grep -E '^-'
}
subcommands_of() {
    "$CALSYNC" "$@" --help | awk '/^Subcommands:/{on=1; next} on && /^ +[a-z]/{print $1} on && /^$/{on=0}'
}

check_option() {  # OPTION CONTEXT
    local o=$1 name=${1#-}
    name=${name#-}
    grep -qE "Fl -?${name}( |$)" "$man" || fail "$o ($2) missing from man/calsync.1"
    grep -qE -- "(^|[ \"'{,])${o}([ \"'}\[,]|$)" "$bash_c" || fail "$o ($2) missing from the bash completion"
    grep -qE -- "${o}[\['}, ]" "$zsh_c" || fail "$o ($2) missing from the zsh completion"
    if [[ $o == --* ]]; then
        grep -qE -- "-l ${name}( |$)" "$fish_c" || fail "$o ($2) missing from the fish completion"
    else
        grep -qE -- "-s ${name}( |$)" "$fish_c" || fail "$o ($2) missing from the fish completion"
    fi
}

count=0
for o in $(options_of); do check_option "$o" "global"; count=$((count + 1)); done
for sub in $(subcommands_of); do
    grep -qE "^\.It Cm ${sub}( |$)" "$man" || fail "subcommand $sub missing from the man page"
    for c in "$bash_c" "$zsh_c" "$fish_c"; do grep -qw "$sub" "$c" || fail "subcommand $sub missing from $c"; done
    for o in $(options_of "$sub"); do check_option "$o" "$sub"; count=$((count + 1)); done
    for nested in $(subcommands_of "$sub"); do
        grep -qE "Cm ${sub} .*${nested}|Cm ${nested}" "$man" || fail "$sub $nested missing from the man page"
        for c in "$bash_c" "$zsh_c" "$fish_c"; do grep -qw "$nested" "$c" || fail "$sub $nested missing from $c"; done
        for o in $(options_of "$sub" "$nested"); do check_option "$o" "$sub $nested"; count=$((count + 1)); done
    done
done
[ "$count" -gt 30 ] || fail "found only $count options in --help; the parser is broken"

if command -v mandoc >/dev/null; then
    lint=$(mandoc -Tlint -Wwarning "$root"/man/*.[1-8] 2>&1 || true)
    [ -z "$lint" ] || fail "mandoc -Tlint: $lint"
fi
pass
