"""What a rule would match in the feed right now, before it is saved: the feed fetched again
(unconditionally, within SEEDBOX_FEED_PREVIEW_TIMEOUT seconds: the only time a request waits on a
feed's server) and each item judged by the unsaved rule. Nothing is recorded or added."""

from dataclasses import dataclass

from django.conf import settings

from feeds.models import Feed, FeedEpisode, FeedItem
from feeds.services.feeds import FeedError, rule_build
from feeds.services.matching import rule_match
from feeds.services.parsing import FeedParseError, feed_parse
from feeds.services.polling import feed_fetch
from seedbox.fetch import FetchError
from torrents.models import TorrentFetch

PREVIEW_ITEMS = 200


@dataclass(frozen=True)
class PreviewItem:
    title: str
    size: int | None
    matched: bool
    reason: str
    seen: bool  # in the feed's history already (a poll would not take it again)


def feed_preview(*, feed: Feed, rule: dict) -> list[PreviewItem]:
    """The feed's items (newest first, as the feed lists them) with the rule's verdict on each.
    Raises FeedError for a bad rule or a feed that cannot be read now."""
    checked = rule_build(rule, feed=feed)
    try:
        fetched = feed_fetch(feed, conditional=False, timeout=settings.SEEDBOX_FEED_PREVIEW_TIMEOUT)
        parsed = feed_parse(fetched.body)
    except (FetchError, FeedParseError) as exc:
        raise FeedError(f"the feed cannot be read now: {exc}") from None
    entries = parsed.entries[:PREVIEW_ITEMS]
    seen = set(
        FeedItem.objects.filter(feed=feed, guid__in=[e.guid for e in entries]).values_list(
            "guid", flat=True
        )
    )
    taken = {
        (show, season, episode)
        for show, season, episode in FeedEpisode.objects.filter(feed=feed)
        .exclude(item__fetch__state=TorrentFetch.State.FAILED)
        .values_list("show", "season", "episode")
    }
    items = []
    slow: set[int] = set()  # a pattern that ran out of time is not tried on the next items
    for entry in reversed(entries):  # oldest first, as a poll takes them
        verdict = rule_match(checked, entry, slow=slow)
        matched, reason = verdict.matched, verdict.reason
        key = verdict.episode and (
            verdict.episode.show,
            verdict.episode.season,
            verdict.episode.episode,
        )
        if matched and key and entry.guid not in seen:  # a poll takes only unseen items
            if key in taken:
                matched, reason = (
                    False,
                    f"{verdict.episode} is taken by another release (smart episode filter)",
                )
            taken.add(key)
        items.append(
            PreviewItem(
                title=entry.title,
                size=entry.size,
                matched=matched,
                reason=reason,
                seen=entry.guid in seen,
            )
        )
    return items[::-1]
