#!/usr/bin/env bash
# Run the test suite. With REDIS_URL unset, a throwaway redis-server on loopback is started for
# the run (the tests talk to a real Redis, never a mock) and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${REDIS_URL:-}" ]; then
  # On a loopback port, not a socket: kombu ignores the database number of a socket URL, and
  # each test process takes its own database (seedbox/tests/xdist_redis.py).
  tmp=$(mktemp -d)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" \
    --daemonize no >"$tmp/redis.log" 2>&1 &
  redis_pid=$!
  trap 'kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null; rm -rf "$tmp"' EXIT
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:$port/0"
fi

# Two processes (pytest-xdist), a test file each at a time: most tests wait on rTorrent, ffmpeg or
# chromium rather than compute. Each worker has its own test database (pytest-django) and its own
# Redis database (the plugin seedbox/tests/xdist_redis.py, given here so that the workers load it
# before the settings). SEEDBOX_TEST_PROCESSES=0 runs the suite in this process.
.venv/bin/python -m pytest -p seedbox.tests.xdist_redis -n "${SEEDBOX_TEST_PROCESSES:-2}" \
  --dist loadfile "$@"
