"""The poller against a real HTTP server on loopback serving RSS and Atom: the rules pick the
right items, exclusions hold, the smart filter takes one release per episode, a second poll takes
nothing new (and a 304 is honoured), private addresses need the setting, a huge or slow feed is
cut off and backs off, and a worker that died mid-poll leaves its item to the next poll."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from feeds.models import Feed, FeedEpisode, FeedItem
from feeds.services.feeds import FeedError, feed_create, feed_update
from feeds.services.polling import feed_poll, feeds_due_claim
from feeds.tests.feed_server import RSS, atom, magnet, rss
from torrents.models import Torrent, TorrentFetch

pytestmark = pytest.mark.django_db

ITEMS = [
    {
        "title": "Show.Name.S01E01.1080p.WEB.x264-GRP",
        "guid": "a1",
        "link": magnet(1, "a"),
        "size": 900 << 20,
    },
    {
        "title": "Show.Name.S01E01.720p.HDTV.x264-OTH",
        "guid": "a2",
        "link": magnet(2, "b"),
        "size": 400 << 20,
    },
    {
        "title": "Show.Name.S01E02.1080p.WEB.x264-GRP",
        "guid": "a3",
        "link": magnet(3, "c"),
        "size": 950 << 20,
    },
    {
        "title": "Other.Show.S03E07.1080p.WEB.x264-GRP",
        "guid": "a4",
        "link": magnet(4, "d"),
        "size": 1 << 30,
    },
    {
        "title": "Show.Name.S01E03.1080p.WEB.x264-GRP.CAM",
        "guid": "a5",
        "link": magnet(5, "e"),
        "size": 800 << 20,
    },
]


def _feed(owner, server, path="/rss", body=None, rules=(), kind=RSS) -> Feed:
    server.routes[path] = (body if body is not None else rss(ITEMS), kind)
    return feed_create(user=owner, url=server.url + path, interval=30, rules=list(rules))


def _states(feed) -> dict[str, str]:
    return dict(FeedItem.objects.filter(feed=feed).values_list("guid", "state"))


def test_a_rule_takes_the_matching_items_and_records_why_not_for_the_others(
    owner, server, offline_node
):
    feed = _feed(
        owner,
        server,
        rules=[{"include": "show name 1080p", "exclude": "cam", "label": "tv", "paused": True}],
    )

    result = feed_poll(feed_id=feed.pk)

    assert (result.status, result.items, result.new, result.taken) == (200, 5, 5, 2)
    assert _states(feed) == {
        "a1": "taken",
        "a2": "skipped",
        "a3": "taken",
        "a4": "skipped",
        "a5": "skipped",
    }
    reasons = dict(FeedItem.objects.filter(feed=feed).values_list("guid", "reason"))
    assert reasons["a2"] == "does not contain '1080p'"
    assert reasons["a4"] == "does not contain 'name'"
    assert reasons["a5"] == "contains the excluded 'cam'"
    # Through intake: torrents of the owner, paused, with the rule's label.
    taken = Torrent.objects.filter(ownerships__user=owner).order_by("info_hash")
    assert [t.info_hash for t in taken] == [f"{1:040x}", f"{3:040x}"]
    assert all(t.start_paused for t in taken)
    assert {label.name for t in taken for label in t.ownerships.get(user=owner).labels.all()} == {
        "tv"
    }
    item = FeedItem.objects.get(feed=feed, guid="a1")
    assert item.torrent == Torrent.objects.get(info_hash=f"{1:040x}")
    feed.refresh_from_db()
    assert (feed.title, feed.last_status, feed.last_error, feed.failures) == (
        "Test feed",
        200,
        "",
        0,
    )


def test_words_are_whole_words_not_parts_of_one(owner, server, offline_node):
    items = [
        {"title": "Camelot.S01E01.1080p", "guid": "w1", "link": magnet(21, "w1")},
        {"title": "Showtime.Special.1080p", "guid": "w2", "link": magnet(22, "w2")},
        {"title": "Show.S01E02.1080p.CAM", "guid": "w3", "link": magnet(23, "w3")},
    ]
    feed = _feed(owner, server, body=rss(items), rules=[{"include": "1080p", "exclude": "cam"}])
    feed_poll(feed_id=feed.pk)
    assert _states(feed) == {"w1": "taken", "w2": "taken", "w3": "skipped"}
    feed_update(feed=feed, rules=[{"include": "show"}])
    server.routes["/rss"] = (rss([{**items[1], "guid": "w4", "link": magnet(24, "w4")}]), RSS)
    feed_poll(feed_id=feed.pk)
    assert FeedItem.objects.get(guid="w4").reason == "does not contain 'show'"


def test_the_smart_filter_takes_one_release_per_episode(owner, server, offline_node):
    feed = _feed(owner, server, rules=[{"include": "show name", "smart_filter": True}])

    feed_poll(feed_id=feed.pk)

    # Oldest first: the feed lists newest first, so S01E03 (a5) is taken before... each once.
    states = _states(feed)
    assert [states[g] for g in ("a1", "a2")].count("taken") == 1
    assert states["a3"] == states["a5"] == "taken"
    assert FeedEpisode.objects.filter(feed=feed).count() == 3
    skipped = FeedItem.objects.get(feed=feed, state="skipped", guid__in=["a1", "a2"])
    assert skipped.reason == "S01E01 was taken already (smart episode filter)"
    # A later release of a taken episode, in a later poll, is skipped too.
    server.routes["/rss"] = (
        rss(
            [
                *ITEMS,
                {
                    **ITEMS[0],
                    "guid": "a6",
                    "link": magnet(6, "f"),
                    "title": "Show.Name.S01E02.REPACK.720p",
                },
            ]
        ),
        RSS,
    )
    feed_poll(feed_id=feed.pk)
    assert _states(feed)["a6"] == "skipped"


def test_after_episode_size_range_and_regex(owner, server, offline_node):
    feed = _feed(
        owner,
        server,
        rules=[
            {
                "include": r"^show\.name\.s01e0[1-3]",
                "regex": True,
                "after_episode": "S01E01",
                "max_size": "900MiB",
            }
        ],
    )
    feed_poll(feed_id=feed.pk)
    states = _states(feed)
    assert states == {
        "a1": "skipped",
        "a2": "skipped",
        "a3": "skipped",
        "a4": "skipped",
        "a5": "taken",
    }
    reasons = dict(FeedItem.objects.filter(feed=feed).values_list("guid", "reason"))
    assert reasons["a1"] == "S01E01 is not after S01E01"
    assert reasons["a3"] == "950.0 MB is above 900.0 MB"
    assert reasons["a4"].startswith("does not match /")


def test_a_catastrophic_regex_is_cut_at_its_time_limit_once_per_poll(
    owner, server, offline_node, settings
):
    settings.SEEDBOX_FEED_REGEX_TIMEOUT = 0.2
    items = [
        {"title": "a" * 40 + f"! item {n}", "guid": f"x{n}", "link": magnet(900 + n, f"x{n}")}
        for n in range(40)
    ]
    rules = [{"include": "(a|aa)+$", "regex": True}, {"include": "item"}]
    feed = _feed(owner, server, body=rss(items), rules=rules)
    started = time.process_time()
    assert feed_poll(feed_id=feed.pk).taken == 40  # the second rule still judges every item
    # 40 items at 0.2 s each would be 8 s of CPU; the pattern runs out of time once.
    assert time.process_time() - started < 3
    assert FeedItem.objects.filter(feed=feed, state="taken").count() == 40
    # The history's why, for the first rule, had none matched: the poll's first item says so.
    feed_update(feed=feed, rules=rules[:1])
    later = [
        {**items[0], "guid": "y1", "link": magnet(999, "y1")},
        {**items[1], "guid": "y2", "link": magnet(998, "y2")},
    ]
    server.routes["/rss"] = (rss(later), RSS)
    feed_poll(feed_id=feed.pk)
    reasons = dict(FeedItem.objects.filter(guid__in=["y1", "y2"]).values_list("guid", "reason"))
    assert reasons["y2"].startswith("the pattern took too long on this title")
    assert reasons["y1"].startswith("the pattern took too long on an earlier item of this poll")


def test_an_atom_feed_is_read_the_same(owner, server, offline_node):
    feed = _feed(
        owner,
        server,
        path="/atom",
        body=atom(ITEMS[:2]),
        kind="application/atom+xml",
        rules=[{"include": "720p"}],
    )
    assert feed_poll(feed_id=feed.pk).taken == 1
    assert _states(feed) == {"a1": "skipped", "a2": "taken"}


def test_a_second_poll_takes_nothing_new_and_sends_the_validators(owner, server, offline_node):
    feed = _feed(owner, server, rules=[{"include": "show"}])
    first = feed_poll(feed_id=feed.pk)
    again = feed_poll(feed_id=feed.pk)

    assert first.taken == 5
    assert (again.status, again.new, again.taken) == (304, 0, 0)
    _, headers = server.requests[-1]
    assert headers["If-None-Match"].startswith('"')
    assert "If-Modified-Since" in headers
    # The body changes (one new item): a 200, and only the new item is new.
    server.routes["/rss"] = (
        rss([*ITEMS, {"title": "Show.Name.S01E04", "guid": "a7", "link": magnet(7, "g")}]),
        RSS,
    )
    third = feed_poll(feed_id=feed.pk)
    assert (third.status, third.new, third.taken) == (200, 1, 1)
    assert Torrent.objects.count() == 6
    assert FeedItem.objects.filter(feed=feed).count() == 6


def test_the_same_link_or_info_hash_under_another_guid_is_not_taken_twice(
    owner, server, offline_node
):
    twice = [
        ITEMS[0],
        {**ITEMS[0], "guid": "other-guid"},
        {**ITEMS[0], "guid": "third", "link": ITEMS[0]["link"].replace("dn=a", "dn=renamed")},
    ]
    feed = _feed(owner, server, body=rss(twice), rules=[{"include": "show"}])
    assert feed_poll(feed_id=feed.pk).taken == 1, list(FeedItem.objects.values_list("reason"))
    assert FeedItem.objects.filter(feed=feed).count() == 1


def test_a_private_address_is_refused_unless_the_setting_allows_it(
    owner, server, offline_node, settings
):
    feed = _feed(owner, server, rules=[{"include": "show"}])
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False

    result = feed_poll(feed_id=feed.pk)

    assert result.status is None
    assert "not fetched" in result.error
    assert "loopback" in result.error
    assert server.requests == []
    assert FeedItem.objects.count() == 0
    with pytest.raises(FeedError, match="url: this address is not fetched"):
        feed_create(user=owner, url=server.url + "/rss", interval=30)


@pytest.mark.parametrize(
    ("path", "message"),
    [("/endless", "larger than 64.0 KB"), ("/slow", "took longer than")],
)
def test_a_huge_or_slow_feed_is_cut_off_and_backs_off(owner, server, settings, path, message):
    settings.SEEDBOX_FEED_MAX_SIZE = 64 << 10
    settings.SEEDBOX_FETCH_TOTAL_TIMEOUT = 1.0
    feed = feed_create(user=owner, url=server.url + path, interval=30)
    started = time.monotonic()

    result = feed_poll(feed_id=feed.pk)

    assert time.monotonic() - started < 4
    assert message in result.error
    feed.refresh_from_db()
    assert feed.failures == 1
    assert "failed 1 time in a row; next try in 60 minutes" in feed.last_error
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=59)
    feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    assert feed.failures == 2
    assert "next try in 120 minutes" in feed.last_error


def test_a_floor_raised_by_an_admin_applies_to_existing_feeds(
    owner, server, offline_node, settings
):
    feed = _feed(owner, server, rules=[{"include": "show"}])
    settings.SEEDBOX_FEED_MIN_INTERVAL = 120  # raised after the feed was added at 30
    before = timezone.now()
    feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    assert feed.next_poll_at >= before + timedelta(minutes=120)
    server.routes.pop("/rss")
    feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    assert "next try in 240 minutes" in feed.last_error


def test_a_body_that_is_no_feed_says_so(owner, server):
    feed = _feed(owner, server, body=b"<html><body>log in first</body></html>", kind="text/html")
    assert "not an RSS or Atom feed" in feed_poll(feed_id=feed.pk).error


def test_an_item_claimed_by_a_worker_that_died_is_taken_after_the_claim(
    owner, server, offline_node
):
    feed = _feed(owner, server, body=rss(ITEMS[:1]), rules=[{"include": "show"}])
    rule = feed.rules.get()
    item = FeedItem.objects.create(
        feed=feed, guid="a1", link=ITEMS[0]["link"], title=ITEMS[0]["title"], state="pending",
        rule=rule, reason="matched", claimed_until=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    assert feed_poll(feed_id=feed.pk).taken == 0  # a live claim: another poll has it
    FeedItem.objects.filter(pk=item.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert feed_poll(feed_id=feed.pk).taken == 1
    item.refresh_from_db()
    assert item.state == "taken"
    assert item.torrent is not None


def test_a_torrent_link_becomes_a_fetch_through_the_add_by_url_path(
    owner, server, offline_node, tmp_path
):
    items = [{"title": "Linux.ISO", "guid": "iso", "link": server.url + "/files/linux.torrent"}]
    feed = _feed(owner, server, body=rss(items), rules=[{"include": "linux", "label": "iso"}])
    feed_poll(feed_id=feed.pk)
    item = FeedItem.objects.get(feed=feed)
    assert item.state == "taken"
    assert item.fetch.url == server.url + "/files/linux.torrent"
    assert (item.fetch.state, item.fetch.labels, item.fetch.user) == (
        TorrentFetch.State.FETCHING,
        ["iso"],
        owner,
    )


def test_beat_claims_each_due_feed_once(owner, server, settings):
    settings.SEEDBOX_FEED_CLAIM_SECONDS = 0.3
    feed = _feed(owner, server)
    assert feeds_due_claim() == [feed.pk]
    assert feeds_due_claim() == []  # claimed: not due again until the claim runs out
    time.sleep(0.4)  # the poll it queued never ran (a worker died): due again
    assert feeds_due_claim() == [feed.pk]
    Feed.objects.filter(pk=feed.pk).update(enabled=False, next_poll_at=timezone.now())
    assert feeds_due_claim() == []


def test_a_disabled_feed_is_not_polled_until_enabled_again(owner, server, offline_node):
    feed = _feed(owner, server, rules=[{"include": "show"}])
    feed_update(feed=feed, enabled=False)
    assert feed_poll(feed_id=feed.pk) is None
    assert feeds_due_claim() == []
    assert server.requests == []
    feed_update(feed=Feed.objects.get(pk=feed.pk), enabled=True)
    assert feeds_due_claim() == [feed.pk]
    assert feed_poll(feed_id=feed.pk).taken == 5


def test_the_feeds_of_a_deactivated_user_are_not_polled(owner, server, offline_node):
    feed = _feed(owner, server, rules=[{"include": "show"}])
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert feeds_due_claim() == []
    assert feed_poll(feed_id=feed.pk) is None
    assert server.requests == []
    assert Torrent.objects.count() == 0


def test_a_feed_without_rules_records_nothing_until_it_has_one(owner, server, offline_node):
    feed = _feed(owner, server)
    assert feed_poll(feed_id=feed.pk).new == 0
    assert FeedItem.objects.count() == 0
    feed.refresh_from_db()
    assert (feed.last_items, feed.etag) == (5, "")
    feed_update(feed=feed, rules=[{"include": "show name"}])
    assert feed_poll(feed_id=feed.pk).new == 5
