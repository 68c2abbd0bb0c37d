"""A user's feeds and their rules: adding, changing, removing. The API, the page and the admin
call these; every input is checked here (a FeedError says what is wrong, for a 400 or a form)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from feeds.models import Feed, FeedRule
from feeds.services.matching import PatternError, after_label, after_parse, pattern_compile
from seedbox.env import parse_size
from seedbox.fetch import FetchError, url_check
from seedbox.queue import enqueue_after_commit
from torrents.services.labels import LabelError, label_name_clean

POLL_TASK = "feeds.tasks.poll_feed"
MAX_RULES = 20
RULE_FIELDS = (
    "include",
    "exclude",
    "regex",
    "min_size",
    "max_size",
    "after_episode",
    "smart_filter",
    "label",
    "paused",
)


class FeedError(ValueError):
    """Bad input; the message is for the person who sent it."""


def feed_url_clean(url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise FeedError("url: the feed's address is needed")
    url = url.strip()
    if len(url) > 2000:
        raise FeedError("url: at most 2000 characters")
    try:
        url_check(url)
    except FetchError as exc:
        raise FeedError(f"url: {exc}") from None
    return url


def feed_interval_clean(interval: object) -> int:
    floor = settings.SEEDBOX_FEED_MIN_INTERVAL
    if isinstance(interval, bool) or not isinstance(interval, int):
        raise FeedError("interval: a whole number of minutes")
    if interval < floor:
        raise FeedError(f"interval: at least {floor} minutes on this site")
    if interval > 7 * 24 * 60:
        raise FeedError("interval: at most a week (10080 minutes)")
    return interval


def _size(name: str, value: object) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise FeedError(f"{name}: a size such as 700MiB or a byte count")
    try:
        size = value if isinstance(value, int) else parse_size(str(value))
    except ValueError as exc:
        raise FeedError(f"{name}: {exc}") from None
    if size < 0:
        raise FeedError(f"{name}: a size is not negative")
    return size


def _text(name: str, value: object, limit: int = 500) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FeedError(f"{name}: text")
    if len(value) > limit:
        raise FeedError(f"{name}: at most {limit} characters")
    return value.strip()


def _cookie(value: object) -> str:
    """A Cookie header's value: one line (a line break would end the header and start another,
    which the HTTP library refuses mid-fetch)."""
    cookie = _text("cookie", value, 4000)
    if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in cookie):
        raise FeedError("cookie: one line of text, as the browser's Cookie header shows it")
    return cookie


def rule_build(data: dict, *, feed: Feed | None = None, position: int = 0) -> FeedRule:
    """An unsaved, checked rule from `data` (the API's and the form's fields)."""
    if not isinstance(data, dict):
        raise FeedError("rules: each rule is an object")
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise FeedError(f"rules: unknown fields {sorted(unknown)}; a rule has {list(RULE_FIELDS)}")
    rule = FeedRule(feed=feed, position=position)
    rule.include = _text("include", data.get("include"))
    rule.exclude = _text("exclude", data.get("exclude"))
    for flag in ("regex", "smart_filter", "paused"):
        value = data.get(flag, False)
        if not isinstance(value, bool):
            raise FeedError(f"{flag}: true or false")
        setattr(rule, flag, value)
    if rule.regex:
        for name in ("include", "exclude"):
            if getattr(rule, name):
                try:
                    pattern_compile(getattr(rule, name))
                except PatternError as exc:
                    raise FeedError(f"{name}: {exc}") from None
    rule.min_size = _size("min_size", data.get("min_size"))
    rule.max_size = _size("max_size", data.get("max_size"))
    if rule.min_size is not None and rule.max_size is not None and rule.min_size > rule.max_size:
        raise FeedError("min_size: larger than max_size")
    try:
        rule.after_season, rule.after_episode = after_parse(
            _text("after_episode", data.get("after_episode"), 20)
        )
    except ValueError as exc:
        raise FeedError(f"after_episode: {exc}") from None
    label = _text("label", data.get("label"), 200)
    if label:
        try:
            label = label_name_clean(label)
        except LabelError as exc:
            raise FeedError(f"label: {exc}") from None
    rule.label = label
    return rule


def _rules_replace(feed: Feed, rules: object) -> None:
    if not isinstance(rules, list):
        raise FeedError("rules: a list of rules")
    if len(rules) > MAX_RULES:
        raise FeedError(f"rules: at most {MAX_RULES} per feed")
    built = [rule_build(data, feed=feed, position=i) for i, data in enumerate(rules)]
    feed.rules.all().delete()
    FeedRule.objects.bulk_create(built)


def feed_create(
    *, user, url: object, interval: object = None, cookie: object = "", enabled: bool = True,
    rules: object = None,
) -> Feed:  # fmt: skip
    """A new feed, polled soon after the commit (its rules apply to the first poll; a feed
    without rules is read but records nothing until it has one)."""
    if Feed.objects.filter(user=user).count() >= settings.SEEDBOX_FEEDS_PER_USER:
        raise FeedError(f"at most {settings.SEEDBOX_FEEDS_PER_USER} feeds per user")
    url = feed_url_clean(url)
    if interval is None:
        interval = max(30, settings.SEEDBOX_FEED_MIN_INTERVAL)
    interval = feed_interval_clean(interval)
    if not isinstance(enabled, bool):
        raise FeedError("enabled: true or false")
    with transaction.atomic():
        feed = Feed.objects.create(
            user=user,
            url=url,
            cookie=_cookie(cookie),
            interval=interval,
            enabled=enabled,
            next_poll_at=timezone.now(),
        )
        _rules_replace(feed, [] if rules is None else rules)
        if feed.enabled:
            enqueue_after_commit(POLL_TASK, feed.pk)
    return feed


def feed_update(*, feed: Feed, **fields) -> Feed:
    """Change any of url, interval, cookie ("" removes it), enabled, rules (the whole list)."""
    with transaction.atomic():
        if "url" in fields:
            url = feed_url_clean(fields["url"])
            if url != feed.url:
                feed.url, feed.etag, feed.last_modified = url, "", ""
        if "interval" in fields:
            feed.interval = feed_interval_clean(fields["interval"])
            feed.next_poll_at = min(
                feed.next_poll_at,
                (feed.last_polled_at or timezone.now()) + timedelta(minutes=feed.interval),
            )
        if "cookie" in fields:
            feed.cookie = _cookie(fields["cookie"])
            feed.etag, feed.last_modified = "", ""
        if "enabled" in fields:
            if not isinstance(fields["enabled"], bool):
                raise FeedError("enabled: true or false")
            if fields["enabled"] and not feed.enabled:
                feed.failures, feed.next_poll_at = 0, timezone.now()  # on again: poll now
            feed.enabled = fields["enabled"]
        feed.save()
        if "rules" in fields:
            _rules_replace(feed, fields["rules"])
            # New rules judge the feed's items soon, from the whole body.
            Feed.objects.filter(pk=feed.pk).update(
                next_poll_at=timezone.now(), etag="", last_modified=""
            )
    return feed


def rule_data(rule: FeedRule) -> dict:
    """A saved rule as the fields rule_build takes (to change one rule of a list)."""
    data = {name: getattr(rule, name) for name in RULE_FIELDS if name != "after_episode"}
    data["after_episode"] = after_label(rule)
    return data


def feed_rule_set(*, feed: Feed, index: int | None, data: dict | None) -> Feed:
    """Change rule `index` (None: add one) to `data`, or remove it (`data` None)."""
    rules = [rule_data(rule) for rule in feed.rules.all()]
    if index is None:
        rules.append(data)
    elif not 0 <= index < len(rules):
        raise FeedError("no such rule")
    elif data is None:
        del rules[index]
    else:
        rules[index] = data
    return feed_update(feed=feed, rules=rules)


def feed_delete(*, feed: Feed) -> None:
    """The feed, its rules and history go; the torrents it added stay."""
    feed.delete()


def feed_poll_soon(*, feed: Feed) -> None:
    """ "Check now": due at once, and a poll queued after the commit."""
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    enqueue_after_commit(POLL_TASK, feed.pk)
