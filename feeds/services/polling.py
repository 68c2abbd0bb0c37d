"""Polling a feed: fetch it with the safe fetcher (seedbox/fetch.py: public addresses only unless
SEEDBOX_ALLOW_PRIVATE_URLS, size and time limits, redirects checked), conditionally
(If-None-Match/If-Modified-Since), record each new item with the rules' verdict, take the
matched ones (taking.py) and write the result on the feed. A feed that keeps failing is polled
less and less often (doubling, up to SEEDBOX_FEED_MAX_BACKOFF minutes), and says so."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from feeds.models import Feed, FeedItem
from feeds.services.matching import feed_rules_match
from feeds.services.parsing import FeedEntry, FeedParseError, feed_parse
from feeds.services.taking import items_take_pending
from seedbox.fetch import Fetched, FetchError, fetch

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


@dataclass(frozen=True)
class PollResult:
    status: int | None  # HTTP status; None when nothing answered
    items: int = 0  # in the feed
    new: int = 0  # not seen before
    taken: int = 0  # became torrents (or their fetch was queued)
    error: str = ""


def feed_fetch(feed: Feed, *, conditional: bool = True, timeout: float | None = None) -> Fetched:
    """The feed's body (or a 304), with its cookie; raises FetchError."""
    headers = {"Cookie": feed.cookie} if feed.cookie else {}
    if conditional and feed.etag:
        headers["If-None-Match"] = feed.etag
    if conditional and feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return fetch(
        feed.url,
        max_bytes=settings.SEEDBOX_FEED_MAX_SIZE,
        accept=ACCEPT,
        headers=headers,
        timeout=timeout,
    )


def interval_minutes(feed: Feed) -> int:
    """The feed's interval, at least the site's floor (an admin may have raised it since)."""
    return max(feed.interval, settings.SEEDBOX_FEED_MIN_INTERVAL)


def backoff_minutes(feed: Feed, failures: int) -> int:
    """The wait after `failures` failed polls in a row: the interval, doubled per failure."""
    interval = interval_minutes(feed)
    return min(interval * 2 ** min(failures, 16), max(settings.SEEDBOX_FEED_MAX_BACKOFF, interval))


def items_record(*, feed: Feed, entries: list[FeedEntry]) -> int:
    """Record the entries not seen before, each with the rules' verdict, in one INSERT that
    leaves out what the feed's unique guid, link and info-hash already hold (another poll's
    row, or an earlier entry of this one: the oldest first). Returns how many rows are new
    (counting a concurrent poll's, which is as new)."""
    guids = [e.guid for e in entries]
    known = set(FeedItem.objects.filter(feed=feed, guid__in=guids).values_list("guid", flat=True))
    rules = list(feed.rules.all())
    slow: set[int] = set()  # rules whose pattern ran out of time in this poll
    rows = []
    for entry in reversed(entries):
        if entry.guid in known:
            continue
        known.add(entry.guid)
        rule, verdict = feed_rules_match(rules, entry, slow=slow)
        rows.append(
            FeedItem(
                feed=feed,
                guid=entry.guid,
                link=entry.link,
                info_hash=entry.info_hash,
                title=entry.title,
                size=entry.size,
                state=FeedItem.State.PENDING if verdict.matched else FeedItem.State.SKIPPED,
                rule=rule,
                reason=verdict.reason,
            )
        )
    if not rows:
        return 0
    before = FeedItem.objects.filter(feed=feed, guid__in=[r.guid for r in rows]).count()
    FeedItem.objects.bulk_create(rows, ignore_conflicts=True)
    return FeedItem.objects.filter(feed=feed, guid__in=[r.guid for r in rows]).count() - before


def _failed(feed: Feed, now, message: str, status: int | None) -> PollResult:
    failures = feed.failures + 1
    wait = backoff_minutes(feed, failures)
    Feed.objects.filter(pk=feed.pk).update(
        last_polled_at=now,
        last_status=status,
        last_error=f"{message} (failed {failures} time{'s' if failures > 1 else ''} in a row; "
        f"next try in {wait} minutes)",
        failures=failures,
        next_poll_at=now + timedelta(minutes=wait),
    )
    return PollResult(status=status, error=message)


def feed_poll(*, feed_id: int) -> PollResult | None:
    """Poll one feed now (None when it is gone, disabled, or its owner's account is: a user who
    cannot log in adds nothing). Safe to run twice at once."""
    feed = (
        Feed.objects.filter(pk=feed_id, enabled=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if feed is None:
        return None
    now = timezone.now()
    try:
        fetched = feed_fetch(feed)
        parsed = None if fetched.status == 304 else feed_parse(fetched.body)
    except FetchError as exc:
        return _failed(feed, now, f"fetching the feed failed: {exc}", None)
    except FeedParseError as exc:
        return _failed(feed, now, str(exc), fetched.status)
    # A feed without rules records nothing (its items stay new for the rule added later), and
    # keeps no validators: the first poll with a rule must read the body.
    ruled = feed.rules.exists()
    new = items_record(feed=feed, entries=parsed.entries) if parsed and ruled else 0
    taken = items_take_pending(feed=feed)
    changes = {
        "last_polled_at": now,
        "last_status": fetched.status,
        "last_error": "",
        "failures": 0,
        "last_new": new,
        "next_poll_at": now + timedelta(minutes=interval_minutes(feed)),
    }
    if parsed is not None:
        changes.update(
            last_items=len(parsed.entries),
            etag=fetched.etag[:500] if ruled else "",
            last_modified=fetched.last_modified[:100] if ruled else "",
        )
        if parsed.title and not feed.title:
            changes["title"] = parsed.title
    Feed.objects.filter(pk=feed.pk).update(**changes)
    items = len(parsed.entries) if parsed else feed.last_items
    return PollResult(status=fetched.status, items=items, new=new, taken=taken)


def feeds_due_claim(*, limit: int = 1000) -> list[int]:
    """The enabled feeds of active users due now, each claimed for SEEDBOX_FEED_CLAIM_SECONDS by
    a conditional UPDATE of its due time (two beats never both queue it; a poll that dies leaves
    it due again after the claim). The poll sets the real next time."""
    now = timezone.now()
    until = now + timedelta(seconds=settings.SEEDBOX_FEED_CLAIM_SECONDS)
    due = Feed.objects.filter(enabled=True, user__is_active=True, next_poll_at__lte=now).order_by(
        "next_poll_at"
    )
    claimed = []
    for pk, when in due.values_list("pk", "next_poll_at")[:limit]:
        if Feed.objects.filter(pk=pk, next_poll_at=when).update(next_poll_at=until):
            claimed.append(pk)
    return claimed
