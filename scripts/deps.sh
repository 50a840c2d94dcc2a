#!/usr/bin/env bash
# Installs the Debian 12 packages calsync builds and tests with, when missing.
set -euo pipefail
packages=(build-essential cmake pkg-config
    libcli11-dev libcurl4-openssl-dev nlohmann-json3-dev libssl-dev libsqlitecpp-dev libsqlite3-dev
    libspdlog-dev libfmt-dev catch2 libcpp-httplib-dev libical-dev libsimdjson-dev
    curl jq sqlite3 mandoc ca-certificates systemd lighttpd)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
