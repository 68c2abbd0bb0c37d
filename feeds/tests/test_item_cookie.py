"""A feed's cookie goes with its items' `.torrent` fetches on the feed's own origin (a private
tracker wants its login for the download too), through the real add-by-URL worker task and a
real rTorrent: read from the feed at fetch time (never written on the fetch's row, never shown),
and never sent to another host, another port of the same host, where a redirect leads, or with
a fetch someone asked for by hand."""

import pytest

from conftest import loopback_address
from feeds.models import FeedItem
from feeds.services.feeds import FeedError, feed_create, feed_update
from feeds.services.polling import feed_poll
from feeds.tests.feed_server import RSS, feed_server, rss
from torrents.models import Torrent, TorrentFetch
from torrents.services.fetch_requests import torrent_fetch_request
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import committed, fetch_and_push_queued

pytestmark = pytest.mark.django_db

TRACKER = "http://tracker.example.org/announce"
COOKIE = "uid=7; pass=FEEDCOOKIESECRET"
TORRENT = "application/x-bittorrent"


def _cookies_sent(server, path: str) -> list[str | None]:
    return [headers.get("Cookie") for asked, headers in server.requests if asked == path]


def test_an_items_torrent_on_the_feeds_origin_is_fetched_with_the_feeds_current_cookie(
    node, owner, server, tmp_path, api_client_for
):
    metainfo, info_hash, _ = make_torrent(tmp_path, "Locked.Show.S01E01.bin", 40_000,
                                          trackers=[TRACKER])  # fmt: skip
    server.routes["/dl/1.torrent"] = (metainfo, TORRENT)
    items = [{"title": "Locked.Show.S01E01", "guid": "l1", "link": server.url + "/dl/1.torrent"}]
    server.routes["/rss"] = (rss(items), RSS)
    server.locked["/rss"] = "uid=7; pass=OLD"
    feed = feed_create(user=owner, url=server.url + "/rss", interval=30, cookie="uid=7; pass=OLD",
                       rules=[{"include": "locked"}])  # fmt: skip
    assert committed(lambda: feed_poll(feed_id=feed.pk)).taken == 1
    # The user logs in again before the worker runs: the fetch takes the feed's cookie then.
    feed_update(feed=feed, cookie=COOKIE)
    server.locked["/dl/1.torrent"] = COOKIE

    fetched, pushed = fetch_and_push_queued()

    assert fetched == ["added"], list(TorrentFetch.objects.values_list("error"))
    assert pushed == ["loaded"]
    assert _cookies_sent(server, "/dl/1.torrent") == [COOKIE]
    item = FeedItem.objects.select_related("fetch__torrent").get(feed=feed)
    assert item.fetch.torrent == Torrent.objects.get(info_hash=info_hash)
    stored = TorrentFetch.objects.values()
    assert "FEEDCOOKIESECRET" not in repr(list(stored))
    shown = [
        api_client_for(owner).get(f"/api/feeds/{feed.pk}/history").content.decode(),
        api_client_for(owner).get(f"/api/feeds/{feed.pk}").content.decode(),
    ]
    assert "FEEDCOOKIESECRET" not in "".join(shown)


def test_the_cookie_goes_nowhere_else(node, owner, server, tmp_path):
    """Not to another host, another port of the feed's host, where a redirect from the feed's
    origin leads, nor with a fetch by hand of a URL on the feed's origin."""
    files = {
        name: make_torrent(tmp_path, f"Open.Show.{name}.bin", 20_000, trackers=[TRACKER])
        for name in ("S01E01", "S01E02", "S01E03", "S01E04")
    }
    with feed_server(loopback_address()) as other_host, feed_server() as other_port:
        other_host.routes["/a.torrent"] = (files["S01E01"][0], TORRENT)
        other_host.routes["/b.torrent"] = (files["S01E02"][0], TORRENT)
        other_port.routes["/c.torrent"] = (files["S01E03"][0], TORRENT)
        server.routes["/d.torrent"] = (files["S01E04"][0], TORRENT)
        server.locked["/d.torrent"] = COOKIE
        assert other_port.url.rsplit(":", 1)[0] == server.url.rsplit(":", 1)[0]
        items = [
            {"title": "Open.Show.S01E01", "guid": "o1", "link": other_host.url + "/a.torrent"},
            {"title": "Open.Show.S01E02", "guid": "o2",
             "link": f"{server.url}/redirect?to={other_host.url}/b.torrent"},
            {"title": "Open.Show.S01E03", "guid": "o3", "link": other_port.url + "/c.torrent"},
        ]  # fmt: skip
        server.routes["/rss"] = (rss(items), RSS)
        feed = feed_create(user=owner, url=server.url + "/rss", interval=30, cookie=COOKIE,
                           rules=[{"include": "open show"}])  # fmt: skip
        assert committed(lambda: feed_poll(feed_id=feed.pk)).taken == 3
        by_hand = committed(
            lambda: torrent_fetch_request(user=owner, url=server.url + "/d.torrent")
        )

        fetched, _ = fetch_and_push_queued()

    assert sorted(fetched) == ["added", "added", "added", "failed"]
    assert _cookies_sent(other_host, "/a.torrent") == [None]
    assert _cookies_sent(server, f"/redirect?to={other_host.url}/b.torrent") == [COOKIE]
    assert _cookies_sent(other_host, "/b.torrent") == [None]
    assert _cookies_sent(other_port, "/c.torrent") == [None]
    assert _cookies_sent(server, "/d.torrent") == [None]
    by_hand.refresh_from_db()
    assert by_hand.error == "fetching the .torrent failed: 127.0.0.1 answered HTTP 403"


def test_a_cookie_with_a_line_break_is_refused(owner, server):
    """It would end the Cookie header and start another (the HTTP library refuses it mid-fetch)."""
    with pytest.raises(FeedError, match="cookie: one line"):
        feed_create(user=owner, url=server.url + "/rss", cookie="a=1\r\nX-Evil: 1")
