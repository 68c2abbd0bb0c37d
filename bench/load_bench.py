"""The torrent list under load, over HTTP, against the stack started as `make run` starts it.

    ../.venv/bin/python load_bench.py [--torrents 2000,10000] [--code ../] [--duration 10]
                                      [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each library size: a throwaway SEEDBOX_VAR_DIR and database (an SQLite file there, or a
fresh Postgres database on the server `--postgres` names, dropped after), N torrent rows owned
by one user (on a node of their own that the sync leaves alone), then `manage.py runseedbox`
(Redis, the managed rTorrent, a Celery worker with beat, gunicorn 2 workers x 8 threads) from
`--code`, a checkout of the site (`git worktree add` another commit to compare), and Debian's
`wrk` (apt-get install -y wrk) drives it:

- the list API's first page (50 rows) and the list page, 10 connections;
- the whole list in one request (`?page_size=10000`; where the code has no such thing, paging
  through it 50 at a time, as a client had to) and a `?changed_since=` refresh after 100
  torrents changed, one client after the other (what one live client waits).

Prints req/s, p50 and p95 per measure, as a Markdown table.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
WRK_SCRIPT = """
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
-- BENCH_TOKENS (comma-separated API keys): each request as the next user in turn.
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do
  table.insert(tokens, token)
end
local turn = 0
if #tokens > 0 then
  request = function()
    turn = turn + 1
    wrk.headers["Authorization"] = "Token " .. tokens[turn % #tokens + 1]
    return wrk.format()
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.1f %.1f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""

# Run inside the site (`manage.py shell -c`): rows, a token and a session; prints them as JSON.
SEED = """
import hashlib, json
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from accounts.services.tokens import api_token_create
from torrents.models import Node, Ownership, Torrent
N = {count}
user = get_user_model().objects.create_user("load@bench.example", "pw", quota_bytes=1 << 50)
# Not the managed node, disabled, rows already stale: the sync has nothing to change in them.
node = Node.objects.create(name="load-bench", rpc_url="scgi:///nonexistent.sock",
                           data_root="/nonexistent", enabled=False)
statuses = ["seeding"] * 6 + ["downloading"] * 3 + ["paused"]
Torrent.objects.bulk_create(
    [Torrent(info_hash=hashlib.sha1(f"load {{n}}".encode()).hexdigest(),
             name=f"load bench torrent {{n:05d}} {{'linux' if n % 7 == 0 else 'media'}}",
             size_bytes=1_000_000_000 + n, completed_bytes=(n * 7919) % 1_000_000_000,
             uploaded_bytes=n * 13, down_rate=n % 1000, up_rate=n % 500, peers=n % 17,
             node=node, status=statuses[n % len(statuses)], stale=True, added_by=user)
     for n in range(N)], batch_size=1000)
ids = list(Torrent.objects.filter(node=node).values_list("id", flat=True))
Ownership.objects.bulk_create([Ownership(torrent_id=i, user=user) for i in ids],
                              batch_size=1000)
_, key = api_token_create(user=user, name="load bench")
if connection.vendor == "postgresql":  # what autovacuum does a minute after a bulk insert
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
client = Client()
client.force_login(user)
print(json.dumps({{"key": key, "session": client.cookies["sessionid"].value, "ids": ids}}))
"""
CHANGE = """
from django.utils import timezone
from torrents.models import Torrent
Torrent.objects.filter(pk__in={ids}).update(up_rate=12345, updated_at=timezone.now())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """One run of `manage.py runseedbox` from `code`, on a throwaway var dir and database."""

    def __init__(
        self, code: Path, postgres: str | None, web: str = "", extra_env: dict | None = None
    ):
        self.code = code
        self.var = Path(tempfile.mkdtemp(prefix="seedbox-load-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = None
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SEEDBOX_", "DJANGO_"))}
        for name in ("DATABASE_URL", "REDIS_URL", "DEBUG", "ALLOWED_HOSTS", "HOST", "PORT"):
            env.pop(name, None)
        env.update(
            PYTHONUNBUFFERED="1",
            SEEDBOX_VAR_DIR=str(self.var),
            SECRET_KEY="load-bench-" + "x" * 40,
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            HOST="127.0.0.1",
            PORT=str(self.port),
            SEEDBOX_RTORRENT_BIND="127.0.0.251",
            SEEDBOX_RTORRENT_PORT_RANGE=f"{51960 + self.port % 30}-{51960 + self.port % 30}",
            DATABASE_URL=f"sqlite:///{self.var}/db.sqlite3",
        )
        if web:  # "3x4": gunicorn workers x threads (SEEDBOX_WEB_WORKERS/THREADS)
            workers, threads = web.split("x")
            env.update(SEEDBOX_WEB_WORKERS=workers, SEEDBOX_WEB_THREADS=threads)
        if postgres:
            parts = urlsplit(postgres)
            self.database = f"seedbox_load_bench_{os.getpid()}"
            self._admin_sql(postgres, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self._admin_sql(postgres, f'CREATE DATABASE "{self.database}"')
            self._postgres = postgres
            env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{self.database}"))
        env.update(extra_env or {})
        self.env = env
        self.process: subprocess.Popen | None = None

    @staticmethod
    def _admin_sql(url: str, sql: str) -> None:
        subprocess.run(["psql", url, "-q", "-c", sql], check=True, capture_output=True)

    def manage(self, *argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *argv],
            cwd=self.code,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode:
            raise SystemExit(f"manage.py {argv[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        log = (self.var / "runseedbox.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runseedbox"],
            cwd=self.code,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while status(self.url + "/api/health") != 200:
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"the stack did not come up; see {self.var}/runseedbox.log")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.database:
            self._admin_sql(
                self._postgres, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'
            )
        shutil.rmtree(self.var, ignore_errors=True)


def status(url: str, headers: dict | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30):
            return 200
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def get_json(url: str, headers: dict) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as r:
        return json.load(r)


def wrk(
    url: str,
    *,
    connections: int,
    duration: int,
    auth: str = "",
    cookie: str = "",
    tokens: tuple[str, ...] = (),
) -> dict:
    """wrk's figures for `url`: req/s, p50 and p95 (ms), errors (status >= 400 and socket
    errors) and requests. With `tokens`, each request authenticates as the next one in turn."""
    script = Path(tempfile.mkdtemp(prefix="seedbox-wrk-")) / "bench.lua"
    script.write_text(WRK_SCRIPT)
    threads = min(2, connections)
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
            "-s", str(script), url]  # fmt: skip
    env = {
        **os.environ,
        "BENCH_AUTH": auth,
        "BENCH_COOKIE": cookie,
        "BENCH_TOKENS": ",".join(tokens),
    }
    for attempt in (1, 2):  # wrk now and then exits 1 on a busy machine: once more, then fail
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        if done.returncode == 0 or attempt == 2:
            break
    if done.returncode:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    shutil.rmtree(script.parent, ignore_errors=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    requests, micros, p50, p95, errors = line.split()[1:]
    return {
        "rps": int(requests) / (int(micros) / 1e6),
        "p50": float(p50) / 1000,
        "p95": float(p95) / 1000,
        "errors": int(errors),
        "requests": int(requests),
    }


def whole_list_by_pages(site: Site, headers: dict, repeat: int) -> dict:
    """What a client without large pages does: GET every page of 50 in turn."""
    times, pages = [], 0
    for _ in range(repeat):
        started, url, pages = time.perf_counter(), site.url + "/api/torrents", 0
        while url:
            url = get_json(url, headers)["next"]
            pages += 1
        times.append(time.perf_counter() - started)
    ordered = sorted(times)
    return {
        "rps": 1 / statistics.median(times),
        "p50": statistics.median(times) * 1000,
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000,
        "errors": 0,
        "requests": repeat * pages,
        "note": f"{pages} requests of 50",
    }


def run(code: Path, count: int, duration: int, postgres: str | None, web: str = "") -> dict:
    site = Site(code, postgres, web)
    try:
        site.manage("migrate", "--no-input", "-v", "0")
        seeded = json.loads(site.manage("shell", "-c", SEED.format(count=count)).splitlines()[-1])
        site.start()
        auth = f"Token {seeded['key']}"
        cookie = f"sessionid={seeded['session']}"
        headers = {"Authorization": auth}
        results = {}
        # Warm both workers (imports, template and connection caches).
        wrk(site.url + "/api/torrents", connections=4, duration=2, auth=auth)
        wrk(site.url + "/", connections=4, duration=2, cookie=cookie)
        results["list API, first page of 50, 10 clients"] = wrk(
            site.url + "/api/torrents", connections=10, duration=duration, auth=auth
        )
        results["list page, 10 clients"] = wrk(
            site.url + "/", connections=10, duration=duration, cookie=cookie
        )
        first = get_json(site.url + "/api/torrents?page_size=10000", headers)
        if len(first["results"]) >= count:
            results["whole list in one request, 1 client"] = wrk(
                site.url + "/api/torrents?page_size=10000",
                connections=1,
                duration=duration,
                auth=auth,
            )
            results["whole list, fields=compact, 1 client"] = wrk(
                site.url + "/api/torrents?page_size=10000&fields=compact",
                connections=1,
                duration=duration,
                auth=auth,
            )
        else:
            results["whole list in one request, 1 client"] = whole_list_by_pages(site, headers, 3)
        cursor = first.get("cursor")
        if cursor:
            time.sleep(6)  # past the cursor's margin: only what changes next is returned
            cursor = get_json(site.url + "/api/torrents", headers)["cursor"]
            site.manage("shell", "-c", CHANGE.format(ids=seeded["ids"][:100]))
            refresh = f"{site.url}/api/torrents?changed_since={cursor}"
            changed = get_json(refresh, headers)
            assert len(changed["results"]) == 100, len(changed["results"])
            results["refresh, 100 changed (changed_since), 1 client"] = wrk(
                refresh, connections=1, duration=duration, auth=auth
            )
        web_log = (site.var / "runseedbox.log").read_text(errors="replace")
        results["_500s"] = web_log.count("Internal Server Error")
        if results["_500s"]:  # kept for reading: the var dir goes with the run
            kept = Path(tempfile.gettempdir()) / f"load-bench-{count}-500s.log"
            kept.write_text(web_log)
            print(f"the site's log with its 500s: {kept}")
        return results
    finally:
        site.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--torrents", default="2000,10000")
    parser.add_argument("--code", type=Path, default=HERE.parent, help="a checkout of the site")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--postgres", help="a Postgres server URL (a database is made there)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--web", default="", help="gunicorn WORKERSxTHREADS (default: what runseedbox starts)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install -y wrk")
    code = args.code.resolve()
    vendor = "Postgres" if args.postgres else "SQLite"
    figures = {}
    for count in (int(n) for n in args.torrents.split(",")):
        figures[count] = run(code, count, args.duration, args.postgres, args.web)
        web = f", web {args.web}" if args.web else ""
        print(f"\n{count:,} torrents, {vendor}{web}, code at {code}, load: {os.getloadavg()}")
        print("| what | req/s | p50 | p95 | errors |")
        print("| --- | --- | --- | --- | --- |")
        for name, r in figures[count].items():
            if name.startswith("_"):
                continue
            note = f" ({r['note']})" if "note" in r else ""
            print(
                f"| {name}{note} | {r['rps']:.1f} | {r['p50']:.1f} ms | {r['p95']:.1f} ms "
                f"| {r['errors']} |"
            )
        print(f"500s in the site's log: {figures[count]['_500s']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
