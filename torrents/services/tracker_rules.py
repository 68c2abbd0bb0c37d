"""Tracker rules and the announce-URL safety check, run on every way a torrent comes in.

Safety first (for everyone, admins included): an announce URL is something rTorrent will fetch,
so only http(s) and udp are taken, a torrent has at most SEEDBOX_MAX_TRACKERS_PER_TORRENT of
them, and unless SEEDBOX_ALLOW_PRIVATE_TRACKERS is on, the host must resolve (at add time) to
public addresses only, none of them the site's own: no loopback, private, link-local, multicast
or reserved address, whatever its spelling (`seedbox/addresses.py`).

Then the rules: deny rules always apply; once any allow rule exists, every announce URL must
match one. A name rule matches a URL's host exactly or its registrable domain (`example.org`
covers `tracker.example.org`, `tracker.example.org` covers only itself); an address rule
(`127.0.0.1`, `::1`) or a network rule (`10.0.0.0/8`, `::1/128`) matches by address, after the
host is parsed the way the daemon's HTTP client parses it (a name is resolved for these rules).

The registrable domain comes from the Public Suffix List bundled in `publicsuffixlist` (no network
at run time), so `example.co.uk` is a domain and `co.uk` is not.
"""

import ipaddress
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from publicsuffixlist import PublicSuffixList

from seedbox.addresses import (
    AddressError,
    IPAddress,
    embedded_addresses,
    is_hostname,
    own_addresses,
    parse_ip,
    parse_network,
    public_host_check,
    resolve,
)
from torrents.metainfo import tracker_host
from torrents.models import TrackerRule

ANNOUNCE_SCHEMES = ("http", "https", "udp")


class TrackerRefused(Exception):
    """An announce URL breaks a tracker rule or the safety check; the message says which."""


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def normalize_host(host: str) -> str:
    """Lowercase, no trailing dot, IDNA (punycode) for non-ASCII names, one form per address
    (`0x7f000001` -> `127.0.0.1`, `[::ffff:127.0.0.1]` -> `127.0.0.1`)."""
    host = host.strip().rstrip(".").lower()
    address = parse_ip(host)
    if address is not None:
        return str(address)
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host


def registrable_domain(host: str) -> str:
    """`tracker.example.co.uk` -> `example.co.uk`; an IP address or a bare suffix -> itself."""
    if parse_ip(host) is not None:
        return host
    return _psl().privatesuffix(host) or host


def _has_control_or_space(text: str) -> bool:
    # Control (Cc), format (Cf: zero-width, bidi overrides) and the other C* categories, and
    # every kind of whitespace.
    return any(c.isspace() or unicodedata.category(c).startswith("C") for c in text)


def tracker_rule_clean_pattern(pattern: str) -> str:
    """The stored form of a pattern typed by an admin: a host, a domain, a whole URL, an IP
    address in any spelling (stored canonical) or a network in CIDR form (`10.0.0.0/8`)."""
    text = pattern.strip()
    if _has_control_or_space(text):
        raise ValidationError(
            f"{pattern!r}: control characters and spaces are not allowed in a pattern"
        )
    if "://" not in text and "/" in text:
        network = parse_network(text)
        if network is None:
            raise ValidationError(f"{pattern!r}: expected a network such as 10.0.0.0/8 or ::1/128")
        return str(network)
    host = tracker_host(text) if "://" in text else text
    if host and parse_ip(host) is not None:
        return normalize_host(host)
    host = normalize_host(host)
    if not host or not is_hostname(host):
        raise ValidationError(f"{pattern!r}: expected a host or domain such as tracker.example.org")
    return host


def _address_rule(pattern: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network an address or network rule stands for (an address is a /32 or /128)."""
    network = parse_network(pattern)
    if network is not None:
        return network
    address = parse_ip(pattern)
    return ipaddress.ip_network(address) if address is not None else None


def rule_matches(pattern: str, host: str, addresses: list[IPAddress]) -> bool:
    """Whether the rule covers the host (normalized) whose addresses are `addresses`."""
    network = _address_rule(pattern)
    if network is None:
        return parse_ip(host) is None and pattern in (host, registrable_domain(host))
    return any(a in network for address in addresses for a in embedded_addresses(address))


def _addresses_for_rules(host: str, needed: bool) -> list[IPAddress]:
    """The host's addresses, resolved only when an address rule needs them ([] when it does not
    resolve: no address rule can match it, and rTorrent cannot reach it either)."""
    address = parse_ip(host)
    if address is not None:
        return [address]
    if not needed:
        return []
    try:
        return resolve(host)
    except AddressError:
        return []


def announce_urls_check(*, urls: list[str]) -> None:
    """The safety check (module docstring): raise TrackerRefused for the first URL that fails."""
    limit = settings.SEEDBOX_MAX_TRACKERS_PER_TORRENT
    if len(set(urls)) > limit:
        raise TrackerRefused(f"{len(set(urls)):,} trackers; at most {limit:,} per torrent allowed")
    private_ok = settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS
    forbidden = None
    for url in urls:
        if _has_control_or_space(url):
            raise TrackerRefused(f"the tracker {url!r} holds spaces or control characters")
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            scheme = ""
        host = tracker_host(url)
        if scheme not in ANNOUNCE_SCHEMES or not host:
            raise TrackerRefused(
                f"the tracker {url!r} is not an announce URL (http://, https:// or udp://)"
            )
        if parse_ip(host) is None and not is_hostname(normalize_host(host)):
            raise TrackerRefused(f"the tracker {url!r} does not name a usable host")
        if private_ok:
            continue
        if forbidden is None:
            forbidden = own_addresses(settings.ALLOWED_HOSTS)
        try:
            public_host_check(normalize_host(host), forbidden=forbidden)
        except AddressError as exc:
            raise TrackerRefused(f"the tracker {url} is not allowed here: {exc}") from None


def tracker_rules_check(*, urls: list[str], user) -> None:
    """The safety check, then the rules: raise TrackerRefused for the first URL refused. Admins
    skip the rules (not the safety check) when SEEDBOX_TRACKER_RULES_ADMIN_BYPASS lets them."""
    announce_urls_check(urls=urls)
    if user.is_staff and settings.SEEDBOX_TRACKER_RULES_ADMIN_BYPASS:
        return
    rules = list(TrackerRule.objects.values_list("pattern", "action"))
    if not rules:
        return
    deny = [p for p, action in rules if action == TrackerRule.Action.DENY]
    allow = [p for p, action in rules if action == TrackerRule.Action.ALLOW]
    address_rules = any(_address_rule(p) is not None for p in deny + allow)
    for url in urls:
        host = normalize_host(tracker_host(url))
        addresses = _addresses_for_rules(host, address_rules) if host else []
        refused_by = next((p for p in deny if host and rule_matches(p, host, addresses)), None)
        if refused_by:
            raise TrackerRefused(f"the tracker {url} is not allowed here (rule: deny {refused_by})")
        if allow and not any(host and rule_matches(p, host, addresses) for p in allow):
            raise TrackerRefused(
                f"the tracker {url} is not on this site's list of allowed trackers"
            )
