"""One sync of 10,000 torrents against the raw multicall alone, and the torrent list's latency.

    .venv/bin/python bench/sync_bench.py [--torrents 10000] [--users 100] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seedbox_bench \
        .venv/bin/python bench/sync_bench.py

Loads N stopped torrents made on the fly (hand-bencoded, each with a tracker) into a real
rTorrent, writes their rows (owned by U users, every 10th shared by two), then measures in the
same run: the raw `d.multicall2` the sync makes, one sync where every row changes, one where
nothing does, the queries each issued, and p50/p95 of `GET /api/torrents` (50-row pages) for a
user and an admin. Without DATABASE_URL it uses a throwaway SQLite file. Postgres: the database
is created when missing and emptied first.
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
import xmlrpc.client

from common import median_ms, percentile_ms, running_rtorrent, timed, tiny_torrent, wait_loaded

_scratch = tempfile.mkdtemp(prefix="seedbox-sync-bench-")
atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
os.environ.setdefault("SEEDBOX_VAR_DIR", _scratch)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_scratch}/bench.sqlite3")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")  # never reached by what runs here
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seedbox.settings")


def _ensure_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"],
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
    conn.close()


if os.environ["DATABASE_URL"].startswith("postgres"):
    _ensure_postgres_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import User  # noqa: E402
from torrents.models import Node, Ownership, Torrent, TorrentFile, TorrentStatus  # noqa: E402
from torrents.rtorrent import RTorrentClient  # noqa: E402
from torrents.services.sync import SYNC_FIELDS, node_sync  # noqa: E402


def load_torrents(client: RTorrentClient, count: int) -> list[tuple[str, str, int]]:
    """Load `count` tiny torrents, 500 per request; (info-hash, name, size) of each."""
    made, batch = [], []
    for number in range(count):
        metainfo, info_hash = tiny_torrent(number)
        made.append((info_hash, f"bench-{number:05d}.bin", 16384 * 2 + number % 1000))
        batch.append(("load.raw", ("", xmlrpc.client.Binary(metainfo))))
        if len(batch) == 500 or number == count - 1:
            client.system_multicall(batch)
            batch = []
    return made


def write_rows(node: Node, made, users: int) -> list[User]:
    Ownership.objects.all().delete()
    TorrentFile.objects.all().delete()
    Torrent.objects.all().delete()
    User.objects.filter(email__endswith="@bench.invalid").delete()
    people = User.objects.bulk_create(
        User(email=f"user{i:03d}@bench.invalid", password="!") for i in range(users)
    )
    admin = User.objects.create(email="admin@bench.invalid", password="!", is_staff=True)
    torrents = Torrent.objects.bulk_create(
        (
            Torrent(info_hash=h, name=name, size_bytes=size, node=node, status=TorrentStatus.QUEUED)
            for h, name, size in made
        ),
        batch_size=2000,
    )
    TorrentFile.objects.bulk_create(
        (TorrentFile(torrent=t, index=0, path=t.name, size_bytes=t.size_bytes) for t in torrents),
        batch_size=2000,
    )
    owned = []
    for i, torrent in enumerate(torrents):
        owned.append(Ownership(torrent=torrent, user=people[i % users], charged_bytes=1))
        if i % 10 == 0:
            owned.append(Ownership(torrent=torrent, user=people[(i + 1) % users], charged_bytes=1))
    Ownership.objects.bulk_create(owned, batch_size=2000)
    return [people[0], admin]


def vacuum() -> None:
    """Postgres: what autovacuum does between syncs in a live site, done now so that repeated
    runs measure the sync, not the dead rows the previous repetitions left."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The ownerships too: the database keeps their copies of each torrent's status
            # (migration 0021), so a status change writes them as well.
            for table in ("torrents_torrent", "torrents_ownership"):
                cursor.execute(f"VACUUM ANALYZE {table}")


def measured_sync(node: Node) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = node_sync(node=node)
        elapsed = time.perf_counter() - started
    assert report.ok, report.error
    return elapsed, len(queries), report.updated


def list_latency(user: User, pages: int, requests: int) -> tuple[list[float], int]:
    client = APIClient()
    client.force_authenticate(user)
    times, queries = [], 0
    for i in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get("/api/torrents/", {"page": 1 + i % pages})
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:200]
        assert response.json()["results"]
        queries = max(queries, len(captured))
    return times, queries


def measure(torrents: int, users: int, repeat: int, requests: int) -> dict:
    """The whole bench on this process's database; its figures (seconds, counts) in a dict."""
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    with running_rtorrent(address="127.0.0.249", port=51949) as daemon:
        client = RTorrentClient(daemon.config.url, timeout=120)
        started = time.perf_counter()
        made = load_torrents(client, torrents)
        loaded = wait_loaded(client, torrents, timeout=120)
        load_s = time.perf_counter() - started
        assert loaded == torrents, f"only {loaded} of {torrents} loaded"
        node, _ = Node.objects.update_or_create(
            name="bench",
            defaults={"rpc_url": daemon.config.url, "data_root": str(daemon.config.data_dir)},
        )
        Node.objects.filter(pk=node.pk).update(is_up=None, version="", last_seen_at=None)
        user, admin = write_rows(node, made, users)
        vacuum()

        raw = timed(lambda: client.torrents(SYNC_FIELDS), repeat)
        all_changed, steady = [], []
        for _ in range(repeat):
            Torrent.objects.filter(node=node).update(status=TorrentStatus.QUEUED)
            vacuum()
            all_changed.append(measured_sync(node))
            steady.append(measured_sync(node))
        assert Torrent.objects.filter(node=node, status=TorrentStatus.STOPPED).count() == len(made)
        user_pages = max(1, Ownership.objects.filter(user=user).count() // 50)
        user_times, user_queries = list_latency(user, user_pages, requests)
        admin_times, admin_queries = list_latency(admin, len(made) // 50, requests)
    return {
        "vendor": connection.vendor,
        "load_s": load_s,
        "raw_ms": median_ms(raw),
        "changed_ms": median_ms([t for t, _, _ in all_changed]),
        "changed_queries": sorted({q for _, q, _ in all_changed}),
        "rows_written": all_changed[0][2],
        "steady_ms": median_ms([t for t, _, _ in steady]),
        "steady_queries": sorted({q for _, q, _ in steady}),
        "user": (median_ms(user_times), percentile_ms(user_times, 95), user_queries),
        "admin": (median_ms(admin_times), percentile_ms(admin_times, 95), admin_queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--torrents", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    r = measure(args.torrents, args.users, args.repeat, args.requests)
    raw_ms, changed_ms, steady_ms = r["raw_ms"], r["changed_ms"], r["steady_ms"]
    print(
        f"database {r['vendor']}; {args.torrents:,} stopped torrents in rTorrent "
        f"(loaded in {r['load_s']:.1f} s), {args.users} users, medians of {args.repeat}"
    )
    print(f"raw multicall ({len(SYNC_FIELDS)} fields):        {raw_ms:8.1f} ms")
    print(
        f"sync, every row changed:           {changed_ms:8.1f} ms  "
        f"ratio {changed_ms / raw_ms:4.2f}x  queries {r['changed_queries']}"
        f"  rows written {r['rows_written']:,}"
    )
    print(
        f"sync, nothing changed:             {steady_ms:8.1f} ms  "
        f"ratio {steady_ms / raw_ms:4.2f}x  queries {r['steady_queries']}"
    )
    for who in ("user", "admin"):
        p50, p95, queries = r[who]
        print(
            f"GET /api/torrents (50 rows), {who}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"queries {queries}"
        )


if __name__ == "__main__":
    sys.exit(main())
