"""The list's search (torrents/search) on Postgres at 100,000 torrents and 1,000,000 files, and
what its index costs a sync of 10,000 rows.

    .venv/bin/python bench/search_bench.py [--torrents 100000] [--files-each 10] [--requests 300]

In a throwaway database (seedbox_searchbench, created, then dropped at the end; `--keep` keeps
it). Measured in the same run:
1. The sync (sync_bench.py's, with a real rTorrent) of 10,000 rows against its raw multicall,
   with the search's generated columns in place, then with them dropped.
2. Generated rows (COPY): torrents with release-like names, each with `--files-each` files,
   owned by 50 users (2,000 each at 100,000), a bench user's labels on 200 of theirs. Then
   `GET /api/torrents?q=` (ranked, 50 rows, its count and the matched files) for that user and
   for an admin, p50/p95 over a mix of rare and common words, two-word queries, prefixes,
   `-word` and quoted phrases; the ranked query alone; and in the same run the baselines: the
   old `name icontains` query (50 rows and a count) and the list without a search.
3. The list page's search box (`GET /?q=`, the whole page: its 50 rows, count, facets and
   matched files), its filter counts made anew for each request (dropped from the per-process
   cache, as for a search not seen before; the rendered rows and the totals bar stay kept), for
   the same user and admin; `--page-only` measures that alone (with the API's answer and the
   page without a search beside it), e.g. against another tree's code with `--reuse --keep`.
"""

import argparse
import os
import random
import sys
import time

import psycopg2

# SEARCHBENCH_DB: another name, for two runs side by side on one server.
DB = os.environ.get("SEARCHBENCH_DB", "seedbox_searchbench")
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"

import sync_bench  # noqa: E402 (creates the database, sets Django up)
from common import median_ms, percentile_ms, running_rtorrent, timed  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from search_data import Names, copy_rows, vocabulary  # noqa: E402

from accounts.models import User  # noqa: E402
from torrents.models import (  # noqa: E402
    Label,
    Node,
    Ownership,
    OwnershipLabel,
    Torrent,
    TorrentFile,
)
from torrents.rtorrent import RTorrentClient  # noqa: E402
from torrents.search import torrents_search  # noqa: E402
from torrents.search.ranked import ranked_page  # noqa: E402
from torrents.selectors import torrents_visible_to  # noqa: E402
from torrents.services.sync import SYNC_FIELDS  # noqa: E402

_migration = __import__("torrents.migrations.0019_search", fromlist=["FORWARD"])
USERS = 50


def execute(*statements: str) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def sync_cost(torrents: int, repeat: int) -> None:
    """The sync with the search columns, then without them, against the raw multicall."""
    with running_rtorrent(address="127.0.0.248", port=51948) as daemon:
        client = RTorrentClient(daemon.config.url, timeout=120)
        made = sync_bench.load_torrents(client, torrents)
        assert sync_bench.wait_loaded(client, torrents, timeout=120) == torrents
        node, _ = Node.objects.update_or_create(
            name="bench",
            defaults={"rpc_url": daemon.config.url, "data_root": str(daemon.config.data_dir)},
        )
        sync_bench.write_rows(node, made, 100)
        raw = timed(lambda: client.torrents(SYNC_FIELDS), repeat)
        results = {}
        for label in ("with the search columns", "without them"):
            changed, steady = [], []
            for _ in range(repeat):
                Torrent.objects.filter(node=node).update(status="queued")
                sync_bench.vacuum()
                changed.append(sync_bench.measured_sync(node)[0])
                steady.append(sync_bench.measured_sync(node)[0])
            results[label] = (median_ms(changed), median_ms(steady))
            if label == "with the search columns":
                execute(*_migration.BACKWARD)  # the second round runs without them
        execute(*_migration.FORWARD)
    raw_ms = median_ms(raw)
    print(f"sync of {torrents:,} rows; raw multicall {raw_ms:.1f} ms (median of {repeat})")
    for label, (changed_ms, steady_ms) in results.items():
        print(
            f"  {label:24} every row changed {changed_ms:7.1f} ms ({changed_ms / raw_ms:.2f}x), "
            f"nothing changed {steady_ms:7.1f} ms ({steady_ms / raw_ms:.2f}x)"
        )


def generate(count: int, files_each: int) -> tuple[User, User, list[str]]:
    """The rows; returns (the bench user, an admin, the names of the bench user's torrents)."""
    started = time.perf_counter()
    Torrent.objects.all().delete()
    User.objects.filter(email__endswith="@searchbench.invalid").delete()
    rng = random.Random(14)
    names = Names(vocabulary(50_000, rng), rng)
    node, _ = Node.objects.get_or_create(
        name="bench", defaults={"rpc_url": "scgi:///nonexistent/rpc.sock", "data_root": "/tmp"}
    )
    people = User.objects.bulk_create(
        User(email=f"u{i:02d}@searchbench.invalid", password="!") for i in range(USERS)
    )
    admin = User.objects.create(email="admin@searchbench.invalid", password="!", is_staff=True)
    release = [names.release(n) for n in range(count)]
    execute("DROP INDEX torrent_search")  # made again once the rows are in
    copy_rows(
        Torrent,
        (
            {"info_hash": f"{n:040x}", "name": name, "size_bytes": 1 << 30, "status": "seeding"}
            for n, name in enumerate(release)
        ),
        node_id=node.pk,
    )
    ids = list(Torrent.objects.order_by("id").values_list("id", flat=True))
    copy_rows(
        TorrentFile,
        (
            {"torrent_id": pk, "index": i, "path": path, "size_bytes": 1 << 20}
            for pk, name in zip(ids, release, strict=True)
            for i, path in enumerate(names.files(name, files_each))
        ),
    )
    copy_rows(
        Ownership,
        ({"torrent_id": pk, "user_id": people[n % USERS].pk} for n, pk in enumerate(ids)),
        charged_bytes=1,
    )
    user = people[0]
    labels = Label.objects.bulk_create(
        Label(user=user, name=word.lower(), colour="#1f77b4") for word in names.words[:10]
    )
    owned = list(Ownership.objects.filter(user=user).order_by("?")[:200])
    OwnershipLabel.objects.bulk_create(
        OwnershipLabel(ownership=o, label=labels[i % 10]) for i, o in enumerate(owned)
    )
    execute(
        "CREATE INDEX torrent_search ON torrents_torrent USING gin (search_vector)",
        "VACUUM ANALYZE",
    )
    files = TorrentFile.objects.count()
    print(
        f"{count:,} torrents, {files:,} files, {USERS} users ({count // USERS:,} torrents each) "
        f"written in {time.perf_counter() - started:.0f} s"
    )
    own = [release[n] for n in range(0, count, USERS)]
    return user, admin, own


def queries(own_names: list[str], words: list[str], rng: random.Random) -> list[str]:
    """Rare and common words, two words of a name, prefixes as typed, -word, phrases."""
    found = []
    for rank in (3, 10, 30, 100, 300, 1000, 3000, 10000):
        found.append(words[rank].lower())
    for name in rng.sample(own_names, 8):
        title = name.split(".")
        found.append(f"{title[0]} {title[1]}".lower())
        found.append(title[0][:4].lower())  # typing the first word
        found.append(f"{title[0]} {title[1][:3]}".lower())
    for rank in (5, 50, 500):
        found.append(f"{words[rank]} -{words[rank + 1]}".lower())
        found.append(f'"{words[rank]} {words[rank * 2]}"'.lower())
    return found + COMMON


# Words in most of the library (every torrent has a sample and an episode 3): the worst case.
COMMON = ["1080p bluray", "sample", "s01e03", "hevc or x265"]


def api_times(
    user: User, texts: list[str], requests: int, cpu: list | None = None, **params
) -> list[float]:
    client = APIClient()
    client.force_authenticate(user)
    times = []
    for i in range(requests):
        q = texts[i % len(texts)]
        spent = cpu_ns() if cpu is not None else 0
        started = time.perf_counter()
        response = client.get("/api/torrents", {"q": q, **params} if q else params)
        times.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append((cpu_ns() - spent) / 1e9)
        assert response.status_code == 200, response.content[:300]
    return times


def _backend_pid() -> int:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cpu_ns() -> int:
    """CPU time so far of this process and of its Postgres backend (the same machine): on a
    shared machine, what a request costs rather than how long it waited for a core. The
    connection is kept across requests (CONN_MAX_AGE) so that its backend stays the same."""
    with open(f"/proc/{_backend_pid()}/schedstat") as stat:
        backend = int(stat.read().split()[0])
    return time.process_time_ns() + backend


def _facets_forget() -> None:
    """Drop the list's filter counts and its kept table (torrents/views/list.py `_region`) from
    the per-process cache, as for a search not seen before (kept: each rendered row, totals)."""
    cache = caches["rows"]
    kinds = (":list-facets:", ":list-region:")
    for key in [key for key in cache._cache if any(kind in key for kind in kinds)]:
        cache.delete(key.split(":", 2)[2])  # the key less make_key's ":<version>:" prefix


def page_times(
    user: User, texts: list[str], requests: int, *, anew: bool = True, cpu: list | None = None
) -> list[float]:
    """The list page searched (`/?q=`), its filter counts made anew each time (`anew`); each
    request's CPU time appended to `cpu` (see `cpu_ns`)."""
    client = Client()
    client.force_login(user)
    client.get("/")  # a session's first request records its activity
    for q in texts:  # the rows rendered once, as a page seen before keeps them
        client.get("/", {"q": q} if q else {})
    times = []
    for i in range(requests):
        q = texts[i % len(texts)]
        if anew:
            _facets_forget()
        spent = cpu_ns() if cpu is not None else 0
        started = time.perf_counter()
        response = client.get("/", {"q": q} if q else {})
        times.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append((cpu_ns() - spent) / 1e9)
        assert response.status_code == 200, response.content[:300]
    return times


def split_lines(label: str, texts: list[str], times: list[float], base: list[float]) -> None:
    """`times` without the common-token queries, and those alone."""
    by_query = zip((texts[i % len(texts)] for i in range(len(times))), times, strict=True)
    split = {True: [], False: []}
    for q, t in by_query:
        split[q in COMMON].append(t)
    line(f"  {label}, without the 4 common-token queries", split[False], base)
    line(f"  {label}, the 4 common-token queries alone", split[True], base)


def query_times(user: User, texts: list[str], requests: int, *, old: bool) -> list[float]:
    """The ranked query alone (50 ids and the count, capped: torrents/search/ranked.py), or
    the old icontains query (50 ids and a count)."""
    times = []
    for i in range(requests):
        q = texts[i % len(texts)]
        started = time.perf_counter()
        visible = torrents_visible_to(user)
        if old:
            matching = visible.filter(name__icontains=q)
            list(matching.order_by("-created_at", "-id").values_list("id")[:50])
            matching.count()
        else:
            ranked_page(torrents_search(visible, q, user=user), offset=0, limit=50)
        times.append(time.perf_counter() - started)
    return times


def line(label: str, times: list[float], base: list[float] | None = None) -> None:
    if not times:  # a split with no request in it (a few --requests)
        return
    ratio = f"  p95 {percentile_ms(times, 95) / percentile_ms(base, 95):5.1f}x base" if base else ""
    p50, p95 = median_ms(times), percentile_ms(times, 95)
    print(f"  {label:44} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--torrents", type=int, default=100_000)
    parser.add_argument("--files-each", type=int, default=10)
    parser.add_argument("--sync-torrents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--no-sync", action="store_true", help="leave out the sync's cost")
    parser.add_argument(
        "--reuse", action="store_true", help="search the rows a --keep run left (no sync, no rows)"
    )
    parser.add_argument(
        "--page-only",
        action="store_true",
        help="only the list page's search and the API's, for the user and the admin",
    )
    args = parser.parse_args()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    connection.settings_dict["CONN_MAX_AGE"] = None  # one backend for the run (see cpu_ns)
    call_command("migrate", verbosity=0)
    try:
        if args.reuse:
            user = User.objects.get(email="u00@searchbench.invalid")
            admin = User.objects.get(email="admin@searchbench.invalid")
            own = list(Torrent.objects.filter(ownerships__user=user).values_list("name", flat=True))
            files = TorrentFile.objects.count()
            print(f"reusing {Torrent.objects.count():,} torrents, {files:,} files")
        else:
            if not args.no_sync:
                sync_cost(args.sync_torrents, args.repeat)
            user, admin, own = generate(args.torrents, args.files_each)
        rng = random.Random(3)
        words = Names(vocabulary(50_000, random.Random(14)), rng).words
        texts = queries(own, words, rng)
        n = args.requests
        api_times(user, texts, 20)  # warm up
        print(f"{len(texts)} queries, {n} requests each way")
        for who, person in (("user (2,000 torrents)", user), ("admin (everyone's)", admin)):
            print(who)
            if args.page_only:
                cpu = {"base": [], "api": [], "page": []}
                base = page_times(person, [""], n, anew=False, cpu=cpu["base"])
                line("GET / (the list page, no search, counts kept): baseline", base)
                searched = api_times(person, texts, n, cpu=cpu["api"])
                line("GET /api/torrents?q= (ranked, count, files)", searched, base)
                split_lines("the same", texts, searched, base)
                page = page_times(person, texts, n, cpu=cpu["page"])
                line("GET /?q= (page, counts made anew)", page, base)
                split_lines("the page", texts, page, base)
                print("  CPU time of each request (this process and its Postgres backend):")
                line("GET / (no search): baseline, CPU", cpu["base"])
                line("GET /api/torrents?q=, CPU", cpu["api"], cpu["base"])
                split_lines("the same, CPU", texts, cpu["api"], cpu["base"])
                line("GET /?q= (page, counts made anew), CPU", cpu["page"], cpu["base"])
                split_lines("the page, CPU", texts, cpu["page"], cpu["base"])
                continue
            base = api_times(person, [""], n)
            line("GET /api/torrents (no search): baseline", base)
            old = query_times(person, [t.strip('"-') for t in texts], n, old=True)
            line("old name icontains, 50 rows + count", old, base)
            ranked = query_times(person, texts, n, old=False)
            line("ranked query alone, 50 ids + count", ranked, base)
            searched = api_times(person, texts, n)
            line("GET /api/torrents?q= (ranked, count, files)", searched, base)
            split_lines("the same", texts, searched, base)
            page = page_times(person, texts, n)
            line("GET /?q= (page, counts made anew)", page, base)
            split_lines("the page", texts, page, base)
    finally:
        if not args.keep:
            connections.close_all()
            _drop()


def _drop() -> None:
    conn = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB}")
    conn.close()


if __name__ == "__main__":
    sys.exit(main())
