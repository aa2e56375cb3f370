#!/usr/bin/env bash
# Installs the system libraries Hindsight links against, if missing. Uses sudo only when not root.
set -euo pipefail
PACKAGES=(libopenblas-dev liblapacke-dev libsqlite3-dev zlib1g-dev libdeflate-dev)
# The tests also render report charts to PNG (rsvg-convert) to catch broken SVG files.
[ "${1:-}" = "--test" ] && PACKAGES+=(librsvg2-bin)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing system packages (${missing[*]}) and apt-get is not available; install them with your package manager" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
