#!/usr/bin/env bash
# Builds the package (and its tests) and fails on any compiler warning in our own code: a clean build has none.
# Usage: scripts/build-checked.sh [swift build arguments...]
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || exit "$status"
root=$(pwd)
warnings=$(grep -E "^($root/)?(Sources|Tests|Examples)/[^:]+:[0-9]+:[0-9]+: warning:" "$log" | sort -u)
if [ -n "$warnings" ]; then
    echo "error: the build has $(echo "$warnings" | wc -l) warning(s) in Hindsight's code; fix them (CI treats warnings as errors):" >&2
    echo "$warnings" >&2
    exit 1
fi
