#!/usr/bin/env bash
# The test command: build (normal and ASan+UBSan) and run every test in both.
# Usage: scripts/test.sh [--fast]   (--fast: skip the sanitizer build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)

build() {  # DIR CMAKE_ARGS...
    local dir=$1
    shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALSYNC_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
}

build build
(cd build && ctest --output-on-failure -j "$jobs")

if [ "${1:-}" != "--fast" ]; then
    build build-asan -DCALSYNC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug  # -O0: quick to build; the tests are I/O-bound
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    (cd build-asan && ctest --output-on-failure -j "$jobs")
fi
