"""The label filter at 10,000 torrents, in-process: a label-filtered 50-row page of the list API
and of the list page (with its status counts and label counts), for a user and an admin.

    .venv/bin/python bench/labels_bench.py [--torrents 10000] [--repeat 100]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<an empty database> .venv/bin/python ...

Writes N torrent rows (one user owns them all, an admin owns 500 of them too), 20 labels of
the user's spread over them (each torrent 1 or 2: "l0".."l19" on every 20th, "linux" on every
7th, "rare" on 30), the admin's "linux" on their 500; then measures with Django's test
client (templates rendered, no HTTP). Targets (issue 11): p95 within 30 ms in-process.
"""

import argparse
import datetime as dt
import os

from common import django_setup, median_ms, percentile_ms, timed

_scratch = django_setup("seedbox-labels-bench-")

from bench_rows import analyze, write_labels, write_torrents  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from torrents.models import Label, Ownership, OwnershipLabel, Torrent  # noqa: E402


def _row(n: int) -> dict:
    return {
        "name": f"bench torrent {n:05d}",
        "size_bytes": 1_000_000 + n,
        "completed_bytes": (n * 7919) % 1_000_000,
        "status": "seeding" if n % 3 else "downloading",
    }


def write_rows(count: int, owner: User, admin: User) -> None:
    ids = write_torrents(count, scratch=_scratch, row=_row, owners=[owner])
    Torrent.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))
    Ownership.objects.bulk_create((Ownership(torrent_id=i, user=admin) for i in ids[:500]), 1000)
    write_labels(owner, ids)
    admins = Label.objects.create(user=admin, name="linux", colour="#2ca02c")
    OwnershipLabel.objects.bulk_create(
        [OwnershipLabel(ownership=o, label=admins) for o in Ownership.objects.filter(user=admin)],
        batch_size=2000,
    )
    analyze()


def measure(client: Client, url: str, repeat: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, queries) of GET url."""
    client.get(url)  # warm: caches, the first plan
    times = timed(lambda: client.get(url), repeat)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return median_ms(times), percentile_ms(times, 95), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--torrents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    owner = User.objects.create_user("owner@bench.example", "pw")
    admin = User.objects.create_user("admin@bench.example", "pw", is_staff=True)
    write_rows(args.torrents, owner, admin)
    results = {}
    for who, user in (("user", owner), ("admin", admin)):
        client = Client()
        client.force_login(user)
        for what, url in (
            ("API, no filter (for comparison)", "/api/torrents"),
            ("API, ?label=linux", "/api/torrents?label=linux"),
            ("API, ?label=rare", "/api/torrents?label=rare"),
            ("API, ?label=linux&status=seeding", "/api/torrents?label=linux&status=seeding"),
            ("page, no filter (for comparison)", "/"),
            ("page, ?label=linux (with counts)", "/?label=linux"),
            ("page, ?label=rare (with counts)", "/?label=rare"),
        ):
            results[f"{who}: {what}"] = measure(client, url, args.repeat)
    load = os.getloadavg()[0]
    print(
        f"{args.torrents} torrents, {connection.vendor}, {args.repeat} runs each, load {load:.1f}"
    )
    print("| what | p50 | p95 | queries |")
    print("| --- | --- | --- | --- |")
    for name, (p50, p95, queries) in results.items():
        print(f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {queries} |")


if __name__ == "__main__":
    main()
