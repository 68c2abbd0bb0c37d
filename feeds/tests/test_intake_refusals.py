"""Feed items go through the same intake as every other way in, and its refusals land in the
feed's history with the reason: a tracker rule refusing a magnet, the quota refusing a `.torrent`
the add-by-URL worker fetched, a private torrent another user holds; moderation holds what an
untrusted user's feed adds; and a release the smart filter chose but whose `.torrent` could not
be fetched leaves its episode to the next release."""

import pytest
import torf

from accounts.testing import make_user
from feeds.models import FeedItem
from feeds.services.feeds import feed_create
from feeds.services.polling import feed_poll
from feeds.services.preview import feed_preview
from feeds.tests.feed_server import RSS, magnet, rss
from torrents.metainfo import parse_metainfo
from torrents.models import Torrent, TorrentFetch, TorrentStatus, TrackerRule
from torrents.services.intake import torrent_add_metainfo
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import (  # noqa: F401  (the fixture empties the broker)
    _empty_broker_queue,
    committed,
    fetch_and_push_queued,
)

pytestmark = pytest.mark.django_db


def _history(api_client_for, user, feed) -> dict[str, dict]:
    answer = api_client_for(user).get(f"/api/feeds/{feed.pk}/history")
    assert answer.status_code == 200
    return {row["title"]: row for row in answer.data["results"]}


def test_a_tracker_rule_refuses_a_magnet_item_and_the_history_says_why(
    owner, server, offline_node, api_client_for
):
    TrackerRule.objects.create(pattern="tracker.example.org", action="deny")
    items = [{"title": "Denied.Show.S01E01", "guid": "d1", "link": magnet(1, "d1")}]
    server.routes["/rss"] = (rss(items), RSS)
    feed = feed_create(
        user=owner, url=server.url + "/rss", interval=30, rules=[{"include": "denied"}]
    )

    result = feed_poll(feed_id=feed.pk)

    assert result.taken == 0
    assert Torrent.objects.count() == 0
    item = FeedItem.objects.get(feed=feed)
    assert item.state == FeedItem.State.FAILED
    assert item.reason == (
        "refused: the tracker http://tracker.example.org/announce is not allowed here "
        "(rule: deny tracker.example.org)"
    )
    row = _history(api_client_for, owner, feed)["Denied.Show.S01E01"]
    assert (row["state"], row["reason"], row["torrent_id"]) == ("failed", item.reason, None)


def test_the_quota_refuses_a_fetched_torrent_and_the_history_says_why(
    server, offline_node, api_client_for, tmp_path
):
    small = make_user("feeds.small@example.com", quota_bytes=10_000)
    metainfo, _, _ = make_torrent(tmp_path, "Big.Show.S01E01.bin", 40_000)
    server.routes["/t/big.torrent"] = (metainfo, "application/x-bittorrent")
    items = [{"title": "Big.Show.S01E01", "guid": "b1", "link": server.url + "/t/big.torrent"}]
    server.routes["/rss"] = (rss(items), RSS)
    feed = feed_create(user=small, url=server.url + "/rss", interval=30, rules=[{"include": "big"}])

    committed(lambda: feed_poll(feed_id=feed.pk))
    fetched, _ = fetch_and_push_queued()

    assert fetched == ["failed"], list(TorrentFetch.objects.values_list("error"))
    assert Torrent.objects.count() == 0
    row = _history(api_client_for, small, feed)["Big.Show.S01E01"]
    assert row["fetch_state"] == "failed"
    assert "quota" in row["fetch_error"]
    assert row["torrent_id"] is None


def test_a_private_torrent_another_user_holds_is_refused(
    owner, other_user, server, offline_node, tmp_path
):
    path = tmp_path / "Private.Show.S01E01.bin"
    path.write_bytes(b"p" * 40_000)
    private = torf.Torrent(
        path=path, trackers=["http://tracker.example.org/announce"], private=True,
        piece_size=16 * 1024,
    )  # fmt: skip
    private.generate()
    torrent_add_metainfo(
        user=other_user, meta=parse_metainfo(private.dump(), max_size=1 << 20, max_files=10)
    )
    link = f"magnet:?xt=urn:btih:{private.infohash}&dn=p&tr=http://tracker.example.org/announce"
    items = [{"title": "Private.Show.S01E01", "guid": "p1", "link": link}]
    server.routes["/rss"] = (rss(items), RSS)
    feed = feed_create(
        user=owner, url=server.url + "/rss", interval=30, rules=[{"include": "private"}]
    )

    feed_poll(feed_id=feed.pk)

    item = FeedItem.objects.get(feed=feed)
    assert item.state == FeedItem.State.FAILED
    assert "this private torrent cannot be added here" in item.reason
    assert not Torrent.objects.filter(ownerships__user=owner).exists()


def test_moderation_holds_what_an_untrusted_users_feed_adds(server, offline_node, settings):
    settings.SEEDBOX_REQUIRE_APPROVAL = True
    untrusted = make_user("feeds.untrusted@example.com", quota_bytes=1 << 40)
    items = [{"title": "Held.Show.S01E01", "guid": "h1", "link": magnet(7, "h1")}]
    server.routes["/rss"] = (rss(items), RSS)
    feed = feed_create(user=untrusted, url=server.url + "/rss", interval=30, rules=[{}])

    assert feed_poll(feed_id=feed.pk).taken == 1

    item = FeedItem.objects.select_related("torrent").get(feed=feed)
    assert item.torrent.status == TorrentStatus.PENDING_APPROVAL


def test_an_episode_whose_torrent_could_not_be_fetched_is_left_to_its_next_release(
    owner, server, offline_node
):
    first = {
        "title": "Gone.Show.S01E01.1080p",
        "guid": "g1",
        "link": server.url + "/t/gone.torrent",
    }
    server.routes["/rss"] = (rss([first]), RSS)
    feed = feed_create(
        user=owner, url=server.url + "/rss", interval=30,
        rules=[{"include": "gone show", "smart_filter": True}],
    )  # fmt: skip
    committed(lambda: feed_poll(feed_id=feed.pk))
    fetched, _ = fetch_and_push_queued()
    assert fetched == ["failed"]  # the server answers 404

    second = {"title": "Gone.Show.S01E01.720p", "guid": "g2", "link": magnet(8, "g2")}
    third = {"title": "Gone.Show.S01E01.480p", "guid": "g3", "link": magnet(9, "g3")}
    server.routes["/rss"] = (rss([third, second, first]), RSS)
    preview = feed_preview(feed=feed, rule={"include": "gone show", "smart_filter": True})
    assert [(i.title, i.matched) for i in preview] == [
        (third["title"], False), (second["title"], True), (first["title"], True),
    ]  # fmt: skip
    assert feed_poll(feed_id=feed.pk).taken == 1

    states = dict(FeedItem.objects.filter(feed=feed).values_list("guid", "state"))
    assert (states["g2"], states["g3"]) == ("taken", "skipped")
    assert FeedItem.objects.get(guid="g3").reason == (
        "S01E01 was taken already (smart episode filter)"
    )
