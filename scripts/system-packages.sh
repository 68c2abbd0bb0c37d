#!/usr/bin/env bash
# Install the Debian packages Seedbox needs when they are missing: with apt when we are root,
# otherwise stop with the one apt line to run. Usage: system-packages.sh run|test
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have rtorrent || need+=(rtorrent)
have redis-server || need+=(redis-server)
have ffmpeg || need+=(ffmpeg)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ "${1:-run}" = "test" ]; then
  have mktorrent || need+=(mktorrent)
  have opentracker || need+=(opentracker)
  have chromium || need+=(chromium)  # the browser tests (seedbox/tests/browser)
fi

[ ${#need[@]} -eq 0 ] && exit 0

line="apt-get update && apt-get install -y ${need[*]}"
if [ "$(id -u)" -eq 0 ] && have apt-get; then
  echo "Installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Seedbox needs these system packages: ${need[*]}" >&2
  echo "Run as root:  $line" >&2
  exit 1
fi
