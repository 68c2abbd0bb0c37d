"""The feed poller on this machine: how many feeds and items it handles per minute, against a
baseline measured in the same run (the same bodies fetched with urllib and parsed by feedparser,
and parsed alone).

    .venv/bin/python bench/feeds_bench.py [--feeds 200] [--items 50] [--match 0.2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<an empty database> .venv/bin/python ...

A real HTTP server on loopback serves `--feeds` RSS feeds (20 per user) of `--items` magnet
items each (ETag
and Last-Modified); one rule per feed matches `--match` of the items, which go through the real
intake (torrent rows on an offline node; the pushes are published to a throwaway Redis, no
worker runs them). One process polls the feeds one after another, as one Celery worker process
does: the first poll (every item new), a second poll (304 Not Modified), and a poll without the
validators (a 200 whose items are all known).
"""

import argparse
import os
import time
import urllib.request

os.environ.setdefault("SEEDBOX_ALLOW_PRIVATE_URLS", "true")
os.environ.setdefault("SEEDBOX_ALLOW_PRIVATE_TRACKERS", "true")  # the items' tracker: loopback

from common import django_setup

_scratch = django_setup("seedbox-feeds-bench-", redis=True)  # the pushes are published

import feedparser  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.models import User  # noqa: E402
from feeds.models import Feed, FeedItem  # noqa: E402
from feeds.services.feeds import feed_create  # noqa: E402
from feeds.services.polling import feed_poll  # noqa: E402
from feeds.tests.feed_server import RSS, feed_server, rss  # noqa: E402
from torrents.models import Node, Torrent  # noqa: E402


def bodies(feeds: int, items: int, match: float) -> list[bytes]:
    every = max(1, round(1 / match)) if match else 0
    out = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            n = f * items + i
            wanted = every and i % every == 0
            title = f"Bench.Show.{f}.S01E{i:02d}.1080p.{'WANTED' if wanted else 'other'}-GRP"
            link = f"magnet:?xt=urn:btih:{n + 1:040x}&dn=b{n}&tr=http://127.0.0.1:6969/announce"
            entries.append({"title": title, "guid": f"bench-{n}", "link": link, "size": 1 << 20})
        out.append(rss(entries, title=f"Bench feed {f}"))
    return out


def per_minute(count: int, seconds: float) -> str:
    return f"{count / seconds * 60:,.0f}/min"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--match", type=float, default=0.2)
    args = parser.parse_args()
    call_command("migrate", "--no-input", verbosity=0)
    Node.objects.create(name="bench", rpc_url="scgi:///nonexistent", data_root=_scratch)
    users = [
        User.objects.create_user(f"feeds.bench{u}@example.com", "pw", quota_bytes=1 << 50)
        for u in range(max(1, -(-args.feeds // 20)))  # 20 feeds each, the default per-user limit
    ]
    feed_bodies = bodies(args.feeds, args.items, args.match)
    total_items = args.feeds * args.items
    with feed_server() as server:
        ids = []
        for f, body in enumerate(feed_bodies):
            server.routes[f"/feed/{f}"] = (body, RSS)
            ids.append(
                feed_create(user=users[f // 20], url=f"{server.url}/feed/{f}", interval=30,
                            rules=[{"include": "wanted"}]).pk
            )  # fmt: skip
        urls = [f"{server.url}/feed/{f}" for f in range(args.feeds)]

        started = time.perf_counter()
        for body in feed_bodies:
            feedparser.parse(body)
        parse_only = time.perf_counter() - started
        started = time.perf_counter()
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as response:
                feedparser.parse(response.read())
        baseline = time.perf_counter() - started

        results = {}
        for phase in ("first poll", "304 poll", "known-items poll"):
            if phase == "known-items poll":
                Feed.objects.update(etag="", last_modified="")
            started = time.perf_counter()
            taken = sum(feed_poll(feed_id=pk).taken for pk in ids)
            results[phase] = (time.perf_counter() - started, taken)

    assert FeedItem.objects.count() == total_items
    database = os.environ["DATABASE_URL"].split(":")[0]
    print(f"{args.feeds} feeds x {args.items} items ({total_items:,} items), "
          f"rule matches {args.match:.0%}; database {database}")  # fmt: skip
    print(f"baseline urllib GET + feedparser.parse: {baseline:.2f} s "
          f"({per_minute(args.feeds, baseline)} feeds, "
          f"{per_minute(total_items, baseline)} items)")  # fmt: skip
    print(f"baseline feedparser.parse alone:        {parse_only:.2f} s")
    for phase, (seconds, taken) in results.items():
        print(f"{phase:17s}: {seconds:6.2f} s, {taken:5d} torrents added; "
              f"{per_minute(args.feeds, seconds)} feeds, {per_minute(total_items, seconds)} "
              f"items; {seconds / baseline:.2f}x the baseline")  # fmt: skip
    print(f"torrents: {Torrent.objects.count():,}")


if __name__ == "__main__":
    main()
