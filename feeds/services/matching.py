"""Whether a feed item matches a rule, and why not, in words for the history.

Patterns are plain words by default (every `include` word in the title, no `exclude` word;
case-insensitive, dots, dashes and underscores count as spaces). With `regex`, they are regular
expressions searched in the title by the `regex` library, whose `timeout` bounds each match
(SEEDBOX_FEED_REGEX_TIMEOUT): a catastrophic pattern costs that time once per poll or preview
(the rule is not tried again in it), never a worker. Season and episode come from guessit (only
asked when a rule needs them).
"""

import functools
import re
from dataclasses import dataclass

import regex
from django.conf import settings
from guessit import guessit

from feeds.models import FeedRule
from feeds.services.parsing import FeedEntry
from seedbox.sizes import human_size

SEPARATORS = re.compile(r"[._\-\[\]()]+")


class PatternError(ValueError):
    """A regular expression that does not compile."""


@dataclass(frozen=True)
class Episode:
    show: str
    season: int
    episode: int

    def __str__(self) -> str:
        return f"S{self.season:02d}E{self.episode:02d}"


@dataclass(frozen=True)
class Verdict:
    matched: bool
    reason: str
    episode: Episode | None = None  # the item's, when the rule's smart filter needs it


def _words(text: str) -> str:
    return " ".join(SEPARATORS.sub(" ", text.lower()).split())


@functools.lru_cache(maxsize=512)
def pattern_compile(pattern: str):
    try:
        return regex.compile(pattern, regex.IGNORECASE | regex.VERSION1)
    except regex.error as exc:
        raise PatternError(f"{pattern!r} is not a valid regular expression: {exc}") from None


@functools.lru_cache(maxsize=4096)
def episode_of(title: str) -> Episode | None:
    """Season and episode by guessit; None when the title has no episode number."""
    guess = guessit(title, {"type": "episode"})
    episode = guess.get("episode")
    if isinstance(episode, list):
        episode = min(episode)
    if not isinstance(episode, int):
        return None
    season = guess.get("season", 1)
    if isinstance(season, list):
        season = min(season)
    show = _words(str(guess.get("title", "")))
    return Episode(show=show, season=int(season) if isinstance(season, int) else 1, episode=episode)


def _search(pattern: str, title: str) -> bool:
    """Raises TimeoutError when the match takes longer than the limit."""
    return (
        pattern_compile(pattern).search(title, timeout=settings.SEEDBOX_FEED_REGEX_TIMEOUT)
        is not None
    )


def _patterns(rule: FeedRule, title: str, slow: set[int] | None) -> str:
    """ "" when the title passes the include and exclude patterns, else why not. A rule whose
    pattern ran out of time once in this poll or preview (`slow`) is not tried again in it, so
    that one costs the time limit once, not once per item."""
    if rule.regex:
        if slow is not None and id(rule) in slow:
            return (
                "the pattern took too long on an earlier item of this poll (simplify the regular "
                "expression)"
            )
        try:
            if rule.include and not _search(rule.include, title):
                return f"does not match /{rule.include}/"
            if rule.exclude and _search(rule.exclude, title):
                return f"matches the exclusion /{rule.exclude}/"
        except TimeoutError:
            if slow is not None:
                slow.add(id(rule))
            return "the pattern took too long on this title (simplify the regular expression)"
        return ""
    # Whole words: excluding "cam" must not exclude "Camelot".
    words = set(_words(title).split())
    missing = [w for w in _words(rule.include).split() if w not in words]
    if missing:
        return f"does not contain {' '.join(missing)!r}"
    present = [w for w in _words(rule.exclude).split() if w in words]
    if present:
        return f"contains the excluded {' '.join(present)!r}"
    return ""


def _size(rule: FeedRule, size: int | None) -> str:
    if rule.min_size is None and rule.max_size is None:
        return ""
    if size is None:
        return "the feed gives no size for it, and the rule has a size range"
    if rule.min_size is not None and size < rule.min_size:
        return f"{human_size(size)} is below {human_size(rule.min_size)}"
    if rule.max_size is not None and size > rule.max_size:
        return f"{human_size(size)} is above {human_size(rule.max_size)}"
    return ""


def rule_match(rule: FeedRule, entry: FeedEntry, *, slow: set[int] | None = None) -> Verdict:
    """The rule's verdict on one item; the episode is given when the smart filter is on. `slow`:
    the rules whose pattern ran out of time earlier in this poll (filled in here)."""
    if not entry.link:
        return Verdict(False, "no .torrent or magnet link in the item")
    why = _patterns(rule, entry.title, slow) or _size(rule, entry.size)
    if why:
        return Verdict(False, why)
    episode = None
    if rule.after_season is not None or rule.smart_filter:
        episode = episode_of(entry.title)
    if rule.after_season is not None:
        after = (rule.after_season, rule.after_episode or 0)
        if episode is None:
            return Verdict(
                False, f"no episode number, and the rule wants episodes after {after_label(rule)}"
            )
        if (episode.season, episode.episode) <= after:
            return Verdict(False, f"{episode} is not after {after_label(rule)}")
    return Verdict(True, "matched", episode if rule.smart_filter else None)


def after_label(rule: FeedRule) -> str:
    if rule.after_season is None:
        return ""
    return f"S{rule.after_season:02d}E{rule.after_episode or 0:02d}"


AFTER = re.compile(r"^\s*s(\d{1,4})\s*(?:e(\d{1,5}))?\s*$", re.I)


def after_parse(text: str) -> tuple[int | None, int | None]:
    """ "S01E05" -> (1, 5); "S02" -> (2, 0); "" -> (None, None). ValueError otherwise."""
    if not text.strip():
        return None, None
    match = AFTER.match(text)
    if not match:
        raise ValueError(f"{text!r}: write the episode as S01E05 (or S02 for a whole season)")
    return int(match.group(1)), int(match.group(2) or 0)


def feed_rules_match(
    rules: list[FeedRule], entry: FeedEntry, *, slow: set[int] | None = None
) -> tuple[FeedRule | None, Verdict]:
    """The first rule that matches, with its verdict; else (None, why the first rule did not)."""
    first: Verdict | None = None
    for rule in rules:
        verdict = rule_match(rule, entry, slow=slow)
        if verdict.matched:
            return rule, verdict
        first = first or verdict
    if first is None:
        return None, Verdict(False, "the feed has no rule")
    if len(rules) > 1:
        return None, Verdict(False, f"no rule matched (the first: {first.reason})")
    return None, first
