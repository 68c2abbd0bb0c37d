"""The torrent list page and its live poll with thousands of torrents: what one poll costs
against resending the page, in time and in bytes.

    .venv/bin/python bench/pages_bench.py [--torrents 5000] [--repeat 30]

Writes N torrent rows (one user owns them all; an admin sees them too) in a throwaway SQLite
file, then measures in the same run, for a logged-in browser (Django's test client, templates
rendered): the list page (50 rows), the poll when nothing changed, the poll when 5 of the 50
rows changed, the poll after a row came or went (the whole table), the last page, sorts by
computed columns and a name search. The baseline is the page itself: a naive live list would
resend it every 2 s.
"""

import argparse
import datetime as dt
import re

from common import django_setup, median_ms, percentile_ms, timed

_scratch = django_setup("seedbox-pages-bench-")

from bench_rows import write_torrents  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from torrents.models import Ownership, Torrent, TorrentStatus  # noqa: E402

STATUSES = [TorrentStatus.SEEDING] * 6 + [TorrentStatus.DOWNLOADING] * 3 + [TorrentStatus.PAUSED]


def _row(n: int) -> dict:
    return {
        "name": f"bench torrent {n:05d} {'linux' if n % 7 == 0 else 'media'}",
        "size_bytes": 1_000_000 + n,
        "completed_bytes": (n * 7919) % 1_000_000,
        "uploaded_bytes": n * 13,
        "down_rate": n % 1000,
        "peers": n % 17,
        "status": STATUSES[n % len(STATUSES)],
    }


def write_rows(count: int, owner: User) -> None:
    write_torrents(count, scratch=_scratch, row=_row, owners=[owner])
    Torrent.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))


def poll_url(html: str) -> str:
    tail = html.split('id="torrent-live"', 1)[1]
    return re.search(r'hx-get="([^"]+)"', tail).group(1).replace("&amp;", "&")


def measure(client: Client, url: str, repeat: int) -> tuple[float, float, int, int]:
    """(p50 ms, p95 ms, bytes, queries) of GET url."""
    times = timed(lambda: client.get(url), repeat)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return median_ms(times), percentile_ms(times, 95), len(response.content), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--torrents", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    owner = User.objects.create_user("owner@bench.example", "pw")
    write_rows(args.torrents, owner)
    client = Client()
    client.force_login(owner)

    page_html = client.get("/").content.decode()
    rows: dict[str, tuple[float, float, int, int]] = {}
    rows["list page, 50 rows (the baseline)"] = measure(client, "/", args.repeat)
    rows["poll, nothing changed"] = measure(client, poll_url(page_html), args.repeat)
    first_ids = [int(n) for n in re.findall(r'<tr id="t-(\d+)"', page_html)]
    Torrent.objects.filter(pk__in=first_ids[:5]).update(
        completed_bytes=1, updated_at=timezone.now()
    )
    rows["poll, 5 of the 50 rows changed"] = measure(client, poll_url(page_html), args.repeat)
    gone = Torrent.objects.get(pk=first_ids[0])
    Ownership.objects.filter(torrent=gone).delete()
    rows["poll, a row went (whole table)"] = measure(client, poll_url(page_html), args.repeat)
    last = (args.torrents - 1) // 50 + 1
    rows[f"list page {last} (the last)"] = measure(client, f"/?page={last}", args.repeat)
    rows["list sorted by ratio"] = measure(client, "/?sort=-ratio", args.repeat)
    rows["list sorted by progress"] = measure(client, "/?sort=-progress", args.repeat)
    rows["list, name search"] = measure(client, "/?q=linux", args.repeat)

    base_ms, _, base_bytes, _ = rows["list page, 50 rows (the baseline)"]
    print(f"{args.torrents} torrents, one user, {connection.vendor}, {args.repeat} runs each")
    print("| what | p50 | p95 | bytes | queries | time / page | bytes / page |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, (p50, p95, size, queries) in rows.items():
        print(
            f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {size:,} | {queries} "
            f"| {p50 / base_ms:.2f}x | {size / base_bytes:.3f}x |"
        )


if __name__ == "__main__":
    main()
