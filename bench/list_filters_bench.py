"""A filtered 50-row page of the torrent list WITH its counts (status and tracker facets), at
10,000 torrents, for one user and for an admin: in-process and over HTTP through gunicorn.

    ../.venv/bin/python list_filters_bench.py [--torrents 10000] [--repeat 60]

Writes N torrent rows in a throwaway SQLite file (or the empty database DATABASE_URL names): the
user owns all of them (the worst case for one user), a second user co-owns every 10th with a
tracker of their own, each ownership on one of 8 tracker hosts; 1 in 7 is named "linux". The
baseline, measured in the same run, is what the list cost before filters had counts: the
unfiltered first page of `GET /api/torrents`. Each filtered page is measured three times: nothing
changed since the last request; a sync moved a row's rates before each request (the sync's own
raw UPDATE: the counts are kept, the table rendered anew); a row's status changed before each
request (every count taken anew). The user has 22 labels on their torrents (bench_rows.py).
Over HTTP: `gunicorn seedbox.wsgi` with 2 workers x 8 threads as `runseedbox` starts it, one
client on a kept-alive connection, a throwaway Redis.
Prints p50 / p95 and the ratio of each p50 to the baseline's.
"""

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from common import django_setup, median_ms, percentile_ms

HERE = Path(__file__).resolve().parent
_scratch = django_setup("seedbox-filters-bench-", redis=True)

from bench_rows import analyze, write_labels, write_torrents  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services.tokens import api_token_create  # noqa: E402
from torrents.models import Ownership, Torrent, TorrentStatus  # noqa: E402
from torrents.services.bulk import BIGINT, TIMESTAMP, bulk_update  # noqa: E402
from torrents.services.rate_totals import node_rate_totals_refresh  # noqa: E402

STATUSES = (
    [TorrentStatus.SEEDING] * 5
    + [TorrentStatus.DOWNLOADING] * 3
    + [
        TorrentStatus.PAUSED,
        TorrentStatus.ERROR,
    ]
)
HOSTS = [f"tracker-{n}.example" for n in range(8)]
# What is measured, per persona: (label, path). The first is the baseline.
MEASURES = [
    ("baseline: API first page, unfiltered", "/api/torrents", "api"),
    ("page, status + tracker, with counts", "/?status=seeding&tracker=tracker-3.example", "page"),
    ("page, search + tracker, with counts", "/?q=linux&tracker=tracker-3.example", "page"),
    ("live search answer (htmx), with counts", "/?q=linux", "hx"),
    ("page, label + status, with counts", "/?label=linux&status=seeding", "page"),
    (
        "API page + /counts, status + tracker",
        "/api/torrents?status=seeding&tracker=tracker-3.example",
        "api+counts",
    ),
]
# Before each request: nothing; what the sync writes most (rates, in its one raw UPDATE); or a
# status change (a torrent paused, completed: every count is taken anew).
CHANGES = ("kept", "after a sync moved rates", "after a status change")


def _row(n: int) -> dict:
    return {
        "name": f"bench torrent {n:05d} {'linux' if n % 7 == 0 else 'media'}",
        "size_bytes": 1_000_000_000 + n,
        "completed_bytes": (n * 7919) % 1_000_000_000,
        "uploaded_bytes": n * 13,
        "down_rate": n % 1000,
        "up_rate": n % 500,
        "peers": n % 17,
        "status": STATUSES[n % len(STATUSES)],
        "stale": True,
    }


def write_rows(count: int, user: User, other: User) -> None:
    ids = write_torrents(count, scratch=_scratch, row=_row, enabled=False)
    Torrent.objects.update(added_by=user)
    ownerships = [
        Ownership(torrent_id=pk, user=user, tracker_host=HOSTS[n % len(HOSTS)])
        for n, pk in enumerate(ids)
    ]
    ownerships += [
        Ownership(torrent_id=pk, user=other, tracker_host=HOSTS[(n + 1) % len(HOSTS)])
        for n, pk in enumerate(ids)
        if n % 10 == 0
    ]
    Ownership.objects.bulk_create(ownerships, batch_size=1000)
    write_labels(user, ids)
    for node_id in set(Torrent.objects.values_list("node_id", flat=True)):
        node_rate_totals_refresh(node_id=node_id)  # the totals bar's sums, as a sync leaves them
    analyze()


def change(kind: str, pk: int, n: int) -> None:
    if kind == "after a sync moved rates":
        now = timezone.now()
        bulk_update(
            table=Torrent._meta.db_table,
            key="id",
            columns=[("id", BIGINT), ("down_rate", BIGINT), ("completed_bytes", BIGINT)],
            rows=[[pk, 1000 + n, n]],
            constants={"synced_at": (TIMESTAMP, now), "updated_at": (TIMESTAMP, now)},
        )
    elif kind == "after a status change":
        status = TorrentStatus.PAUSED if n % 2 else TorrentStatus.SEEDING
        Torrent.objects.filter(pk=pk).update(status=status, updated_at=timezone.now())


class InProcess:
    def __init__(self, user: User):
        self.client = Client()
        self.client.force_login(user)
        self.api = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='b')[1]}")

    def get(self, path: str, kind: str) -> None:
        if kind == "hx":
            response = self.client.get(path, headers={"HX-Request": "true"})
        elif kind == "page":
            response = self.client.get(path)
        else:
            response = self.api.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if kind == "api+counts":
            query = path.split("?", 1)[1]
            counted = self.api.get(f"/api/torrents/counts?{query}")
            assert counted.status_code == 200
            assert counted.json()["total"] == response.json()["count"]


class OverHttp:
    def __init__(self, port: int, user: User):
        self.port = port
        session = Client()
        session.force_login(user)
        self.cookie = f"sessionid={session.cookies['sessionid'].value}"
        self.token = f"Token {api_token_create(user=user, name='h')[1]}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def _get(self, path: str, headers: dict) -> None:
        self.conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = self.conn.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)

    def get(self, path: str, kind: str) -> None:
        if kind in ("page", "hx"):
            extra = {"HX-Request": "true"} if kind == "hx" else {}
            self._get(path, {"Cookie": self.cookie, **extra})
        else:
            self._get(path, {"Authorization": self.token})
            if kind == "api+counts":
                query = path.split("?", 1)[1]
                self._get(f"/api/torrents/counts?{query}", {"Authorization": self.token})


def measure(target, path: str, kind: str, repeat: int, *, before: str, pk: int) -> tuple:
    """(wall seconds, CPU seconds of this process) of each request. In-process, SQLite runs in
    this process too, so the CPU time is the request's own work, whatever else the machine is
    doing; the wall time includes waiting for a core."""
    target.get(path, kind)  # warm (templates, caches)
    times, cpu = [], []
    for n in range(repeat):
        change(before, pk, n)
        started, started_cpu = time.perf_counter(), time.process_time()
        target.get(path, kind)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return times, cpu


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn() -> tuple[subprocess.Popen, int]:
    port = free_port()
    with open(Path(_scratch) / "gunicorn.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "seedbox.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "2", "--threads", "8"],
            cwd=HERE.parent, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=log,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start; see {_scratch}/gunicorn.log")


def report(title: str, rows: list[tuple[str, tuple]], *, cpu: bool) -> None:
    base = median_ms(rows[0][1][0])
    print(f"\n{title}")
    extra = " CPU p50 / p95 (this process) |" if cpu else ""
    print(f"| what | p50 | p95 | p50 / baseline |{extra}")
    print("| --- | --- | --- | --- |" + (" --- |" if cpu else ""))
    for name, (times, cpu_times) in rows:
        p50, p95 = median_ms(times), percentile_ms(times, 95)
        line = f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {p50 / base:.2f}x |"
        if cpu:
            line += f" {median_ms(cpu_times):.1f} / {percentile_ms(cpu_times, 95):.1f} ms |"
        print(line)


def run(target, repeat: int, pk: int) -> list[tuple[str, tuple]]:
    rows = []
    for name, path, kind in MEASURES:
        if kind == "api" and path == "/api/torrents":
            rows.append((name, measure(target, path, kind, repeat, before="kept", pk=pk)))
            continue
        for before in CHANGES:
            timing = measure(target, path, kind, repeat, before=before, pk=pk)
            rows.append((f"{name}, {before}", timing))
    return rows


def seed(count: int) -> tuple[User, User, int]:
    """The empty database migrated and filled: (the user who owns every torrent, an admin, the
    id of the torrent whose status `change` flips)."""
    call_command("migrate", verbosity=0)
    user = User.objects.create_user("filters@bench.example", "pw", quota_bytes=1 << 50)
    other = User.objects.create_user("other@bench.example", "pw", quota_bytes=1 << 50)
    admin = User.objects.create_user("admin@bench.example", "pw", is_staff=True)
    write_rows(count, user, other)
    return user, admin, Torrent.objects.order_by("id").values_list("id", flat=True).first()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--torrents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    user, admin, pk = seed(args.torrents)
    vendor = connection.vendor
    print(
        f"{args.torrents:,} torrents, {vendor}, {args.repeat} requests each, load {os.getloadavg()}"
    )
    for who, person in (("one user (owns all)", user), ("an admin", admin)):
        rows = run(InProcess(person), args.repeat, pk)
        report(f"In-process (Django test client), {who}", rows, cpu=True)
    gunicorn, port = start_gunicorn()
    try:
        for who, person in (("one user (owns all)", user), ("an admin", admin)):
            rows = run(OverHttp(port, person), args.repeat, pk)
            report(f"Over HTTP (gunicorn 2 x 8, 1 client), {who}", rows, cpu=False)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(30)
    print(f"\nload after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
