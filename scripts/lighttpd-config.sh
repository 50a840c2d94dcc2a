# Sourced by tests/e2e/lib.sh and bench/ingress.sh: prints a complete,
# unprivileged lighttpd configuration that serves calsync-webhook under
# /calsync with the very directives shipped in deploy/lighttpd/calsync.conf,
# only the installed paths replaced by the caller's.
# Usage: lighttpd_config DIR PORT WEBHOOK CALSYNC_CONF > lighttpd.conf
#   DIR holds the document root (DIR/www), lighttpd's error log
#   (DIR/lighttpd.err) and the receiver's log (DIR/webhook.log).
# Returns 1 (printing nothing) if the snippet no longer names those paths.
lighttpd_config() {
    local dir=$1 port=$2 webhook=$3 conf=$4 p
    local snippet
    snippet="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/deploy/lighttpd/calsync.conf"
    for p in /usr/libexec/calsync/calsync-webhook /etc/calsync/calsync.conf /var/log/lighttpd/breakage.log; do
        grep -qF "\"$p\"" "$snippet" || { echo "lighttpd_config: $snippet no longer names \"$p\"" >&2; return 1; }
    done
    mkdir -p "$dir/www"
    cat <<CONF
# test server: loopback only, in $dir, run as the calling user (lighttpd -D -f)
server.document-root = "$dir/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$dir/lighttpd.err"

# ---- deploy/lighttpd/calsync.conf, paths replaced
CONF
    sed -e "s|\"/usr/libexec/calsync/calsync-webhook\"|\"$webhook\"|" \
        -e "s|\"/etc/calsync/calsync.conf\"|\"$conf\"|" \
        -e "s|\"/var/log/lighttpd/breakage.log\"|\"$dir/webhook.log\"|" "$snippet"
}
