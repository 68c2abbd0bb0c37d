"""Feed items through the real intake: a `.torrent` enclosure fetched by the add-by-URL worker
task and loaded into a real rTorrent; and two polls of one feed at once (threads on Postgres)
taking every item once."""

import threading

import pytest
from django.db import connection, connections

from feeds.models import FeedItem
from feeds.services.feeds import feed_create
from feeds.services.polling import feed_poll
from feeds.tests.feed_server import RSS, magnet, rss
from torrents.models import Ownership, Torrent, TorrentFetch
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import committed, fetch_and_push_queued

TRACKER = "http://tracker.example.org/announce"


@pytest.mark.django_db
def test_a_torrent_enclosure_is_fetched_and_loaded_into_rtorrent(node, owner, server, tmp_path):
    metainfo, info_hash, _ = make_torrent(
        tmp_path, "Feed.Show.S01E01.bin", 40_000, trackers=[TRACKER]
    )
    server.routes["/t/1.torrent"] = (metainfo, "application/x-bittorrent")
    # The feed lists newest first: the older release of S01E01 (last here) is the one taken.
    items = [
        {"title": "Feed.Show.S01E01.720p", "guid": "t2", "link": server.url + "/t/2.torrent"},
        {"title": "Feed.Show.S01E01.1080p", "guid": "t1", "link": server.url + "/t/1.torrent"},
    ]
    server.routes["/rss"] = (rss(items), RSS)
    feed = feed_create(
        user=owner, url=server.url + "/rss", interval=30,
        rules=[{"include": "feed show", "smart_filter": True, "paused": True, "label": "tv"}],
    )  # fmt: skip

    result = committed(lambda: feed_poll(feed_id=feed.pk))
    fetched, pushed = fetch_and_push_queued()

    assert result.taken == 1  # the newer release of S01E01 is left by the smart filter
    assert fetched == ["added"], list(TorrentFetch.objects.values_list("error"))
    assert pushed == ["loaded"]
    torrent = Torrent.objects.get(info_hash=info_hash)
    assert torrent.start_paused
    assert [
        label.name for label in Ownership.objects.get(torrent=torrent, user=owner).labels.all()
    ] == ["tv"]
    item = FeedItem.objects.get(guid="t1")
    assert item.fetch.state == TorrentFetch.State.ADDED
    assert item.fetch.torrent == torrent


@pytest.mark.django_db(transaction=True)
def test_two_polls_at_once_take_each_item_once(owner, server, offline_node):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need Postgres (SQLite serialises them anyway)")
    items = [
        {"title": f"Race.Show.S01E{n:02d}.1080p", "guid": f"r{n}", "link": magnet(100 + n, f"r{n}")}
        for n in range(1, 31)
    ]
    # Each episode twice (another release): the smart filter must take one of them, once.
    items += [
        {**item, "guid": item["guid"] + "b", "link": magnet(200 + i, f"b{i}"),
         "title": item["title"].replace("1080p", "720p")}
        for i, item in enumerate(items, start=1)
    ]  # fmt: skip
    server.routes["/rss"] = (rss(items), RSS)
    feed = feed_create(
        user=owner,
        url=server.url + "/rss",
        interval=30,
        rules=[{"include": "race", "smart_filter": True}],
    )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def poll() -> None:
        try:
            barrier.wait()
            results.append(feed_poll(feed_id=feed.pk))
        except Exception as exc:  # shown in the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(r.taken for r in results) == 30
    assert Torrent.objects.count() == 30
    assert Ownership.objects.filter(user=owner).count() == 30
    assert FeedItem.objects.filter(feed=feed).count() == 60
    assert FeedItem.objects.filter(feed=feed, state="taken").count() == 30
    assert FeedItem.objects.filter(feed=feed, state="pending").count() == 0
