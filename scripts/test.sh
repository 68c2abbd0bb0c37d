#!/usr/bin/env bash
# Run the test suite. With REDIS_URL unset, a throwaway redis-server on a socket is started for
# the run (the tests talk to a real Redis, never a mock) and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${REDIS_URL:-}" ]; then
  tmp=$(mktemp -d)
  redis-server --port 0 --unixsocket "$tmp/redis.sock" --unixsocketperm 700 \
    --save "" --appendonly no --dir "$tmp" --daemonize no >"$tmp/redis.log" 2>&1 &
  redis_pid=$!
  trap 'kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null; rm -rf "$tmp"' EXIT
  for _ in $(seq 50); do [ -S "$tmp/redis.sock" ] && break; sleep 0.1; done
  export REDIS_URL="unix://$tmp/redis.sock?db=0"
fi

# Two processes (pytest-xdist), a test file each at a time: most tests wait on rTorrent, ffmpeg or
# chromium rather than compute. Each worker has its own test database (pytest-django) and its own
# Redis database (the plugin seedbox/tests/xdist_redis.py, given here so that the workers load it
# before the settings). SEEDBOX_TEST_PROCESSES=0 runs the suite in this process.
.venv/bin/python -m pytest -p seedbox.tests.xdist_redis -n "${SEEDBOX_TEST_PROCESSES:-2}" \
  --dist loadfile "$@"
