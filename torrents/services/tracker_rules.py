"""Tracker rules: deny rules always apply; once any allow rule exists, every announce URL must
match one. A rule matches a URL's host exactly or its registrable domain (`example.org` covers
`tracker.example.org`, `tracker.example.org` covers only itself).

The registrable domain comes from the Public Suffix List bundled in `publicsuffixlist` (no network
at run time), so `example.co.uk` is a domain and `co.uk` is not.
"""

import ipaddress
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from publicsuffixlist import PublicSuffixList

from torrents.metainfo import tracker_host
from torrents.models import TrackerRule


class TrackerRefused(Exception):
    """An announce URL breaks a tracker rule; the message names it and the rule."""


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def normalize_host(host: str) -> str:
    """Lowercase, no trailing dot, IDNA (punycode) for non-ASCII names."""
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host


def registrable_domain(host: str) -> str:
    """`tracker.example.co.uk` -> `example.co.uk`; an IP address or a bare suffix -> itself."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    return _psl().privatesuffix(host) or host


def tracker_rule_clean_pattern(pattern: str) -> str:
    """The stored form of a pattern typed by an admin (a host, a domain or a whole URL)."""
    text = pattern.strip()
    # A rule must read as it acts: no control characters, no invisible or bidi format ones.
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise ValidationError(f"{pattern!r}: control or invisible characters are not allowed")
    host = tracker_host(text) if "://" in text else normalize_host(text)
    if not host or any(c in host for c in "/ :@?#"):
        raise ValidationError(f"{pattern!r}: expected a host or domain such as tracker.example.org")
    return normalize_host(host)


def rule_matches(pattern: str, host: str) -> bool:
    return pattern in (host, registrable_domain(host))


def tracker_rules_check(*, urls: list[str], user) -> None:
    """Raise TrackerRefused for the first URL a rule refuses. Admins pass when the setting lets
    them (SEEDBOX_TRACKER_RULES_ADMIN_BYPASS)."""
    if user.is_staff and settings.SEEDBOX_TRACKER_RULES_ADMIN_BYPASS:
        return
    rules = list(TrackerRule.objects.values_list("pattern", "action"))
    if not rules:
        return
    deny = [p for p, action in rules if action == TrackerRule.Action.DENY]
    allow = [p for p, action in rules if action == TrackerRule.Action.ALLOW]
    for url in urls:
        host = normalize_host(tracker_host(url))
        refused_by = next((p for p in deny if host and rule_matches(p, host)), None)
        if refused_by:
            raise TrackerRefused(f"the tracker {url} is not allowed here (rule: deny {refused_by})")
        if allow and not any(host and rule_matches(p, host) for p in allow):
            raise TrackerRefused(
                f"the tracker {url} is not on this site's list of allowed trackers"
            )
