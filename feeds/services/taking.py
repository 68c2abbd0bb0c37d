"""A matched feed item becomes a torrent through the same intake as every other way in: a
magnet through `torrent_add_magnet`, a `.torrent` URL through the add-by-URL request (a worker
fetches it with the safe fetcher, then intake checks it: tracker rules, quota, moderation,
private torrents). Labels through the label service.

Taken once: the poll that takes an item first claims it with one conditional UPDATE (pending, and
unclaimed or its claim expired), and the intake, the smart filter's episode row and the item's
new state are one transaction. Two polls never both add it; a worker that dies after the claim
leaves the item pending, and a poll after SEEDBOX_FEED_CLAIM_SECONDS takes it. An episode whose
release's .torrent could not be fetched is left to its next release.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from feeds.models import Feed, FeedEpisode, FeedItem
from feeds.services.matching import Episode, episode_of
from torrents.models import TorrentFetch
from torrents.services.fetch_requests import torrent_fetch_request
from torrents.services.intake import ITEM_ERRORS, torrent_add_magnet, torrent_url_check
from torrents.services.labels import LabelError, torrents_label_add
from torrents.services.rollback import rollback_scope


class _EpisodeTaken(Exception):
    pass


def _takeable(now) -> Q:
    return Q(state=FeedItem.State.PENDING) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _finish(item_id: int, state: str, reason: str, **fields) -> None:
    FeedItem.objects.filter(pk=item_id).update(
        state=state, reason=reason, claimed_until=None, **fields
    )


def _episode_claim(item: FeedItem, episode: Episode) -> None:
    """The smart filter's "this episode is taken", for `item`; raise _EpisodeTaken when another
    release has it. A release whose .torrent could not be fetched leaves its episode to the next
    one (a conditional UPDATE, so two polls never both take it over)."""
    key = {
        "feed_id": item.feed_id,
        "show": episode.show[:300],
        "season": episode.season,
        "episode": episode.episode,
    }
    try:
        with transaction.atomic():
            FeedEpisode.objects.create(item=item, **key)
        return
    except IntegrityError:
        pass
    held = FeedEpisode.objects.filter(**key).select_related("item__fetch").first()
    fetch = held.item.fetch if held else None
    if fetch is None or fetch.state != TorrentFetch.State.FAILED:
        raise _EpisodeTaken
    if not FeedEpisode.objects.filter(pk=held.pk, item_id=held.item_id).update(item=item):
        raise _EpisodeTaken  # another poll took it over a moment ago


def item_take(*, item_id: int) -> str:
    """Claim and add one pending item; its new state ("claimed elsewhere" when another poll has
    it). Safe to call twice."""
    now = timezone.now()
    until = now + timedelta(seconds=settings.SEEDBOX_FEED_CLAIM_SECONDS)
    if not FeedItem.objects.filter(_takeable(now), pk=item_id).update(claimed_until=until):
        return "claimed elsewhere"
    item = FeedItem.objects.select_related("feed__user", "rule").get(pk=item_id)
    rule, user = item.rule, item.feed.user
    if rule is None:
        _finish(item_id, FeedItem.State.SKIPPED, "its rule was changed before it could be added")
        return FeedItem.State.SKIPPED
    episode = episode_of(item.title) if rule.smart_filter else None
    try:
        with transaction.atomic(), rollback_scope():
            if episode is not None:
                _episode_claim(item, episode)
            labels = [rule.label] if rule.label else []
            if item.link.startswith("magnet:"):
                torrent = torrent_add_magnet(user=user, uri=item.link, paused=rule.paused)
                if labels:
                    torrents_label_add(user=user, torrents=[torrent], names=labels)
                _finish(
                    item_id,
                    FeedItem.State.TAKEN,
                    f"added as torrent #{torrent.pk}",
                    torrent=torrent,
                )
            else:
                fetch = torrent_fetch_request(
                    user=user, url=torrent_url_check(item.link), paused=rule.paused, labels=labels
                )
                _finish(item_id, FeedItem.State.TAKEN, "the .torrent is being fetched", fetch=fetch)
    except _EpisodeTaken:
        _finish(
            item_id, FeedItem.State.SKIPPED, f"{episode} was taken already (smart episode filter)"
        )
        return FeedItem.State.SKIPPED
    except (*ITEM_ERRORS, LabelError) as exc:
        _finish(item_id, FeedItem.State.FAILED, f"refused: {exc}")
        return FeedItem.State.FAILED
    return FeedItem.State.TAKEN


def items_take_pending(*, feed: Feed) -> int:
    """Take every pending item of the feed no live poll holds (oldest first); how many were
    added."""
    ids = (
        FeedItem.objects.filter(_takeable(timezone.now()), feed=feed)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return sum(item_take(item_id=pk) == FeedItem.State.TAKEN for pk in list(ids))
