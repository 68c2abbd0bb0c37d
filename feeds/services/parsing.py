"""A feed's body read by feedparser (RSS 2.0, Atom and their dialects) into the items Seedbox
cares about: a stable id, the title, the link to download (a `.torrent` URL or a magnet), the
size and the info-hash when the feed gives them."""

import re
from dataclasses import dataclass

import feedparser

HASH = re.compile(r"^[0-9a-fA-F]{40}$")
MAGNET_HASH = re.compile(r"xt=urn:btih:([0-9a-zA-Z]{32,40})", re.I)
TORRENT_TYPES = ("application/x-bittorrent", "application/x-torrent")


class FeedParseError(Exception):
    """The body is no feed at all."""


@dataclass(frozen=True)
class FeedEntry:
    guid: str
    title: str
    link: str  # "" when the item has nothing to download
    size: int | None
    info_hash: str  # lower-case hex, or ""

    @property
    def is_magnet(self) -> bool:
        return self.link.startswith("magnet:")


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    entries: list[FeedEntry]


def _int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _download(entry) -> tuple[str, int | None]:
    """The enclosure that is a torrent (by type, `.torrent` name or magnet), else the item's
    link when it is one; with the size the feed declares for it."""
    candidates = [
        (e.get("href", ""), e.get("type", ""), e.get("length")) for e in entry.get("enclosures", [])
    ]
    candidates += [(entry.get("link", ""), "", None)]
    for href, kind, length in candidates:
        href = (href or "").strip()
        path = href.split("?", 1)[0].lower()
        if href.startswith("magnet:") or kind in TORRENT_TYPES or path.endswith(".torrent"):
            return href, _int(length)
    if entry.get("torrent_magneturi"):  # the ezRSS torrent namespace
        return entry["torrent_magneturi"].strip(), None
    return "", None


def _info_hash(entry, link: str) -> str:
    for key in ("torrent_infohash", "nyaa_infohash", "infohash"):
        value = str(entry.get(key, "")).strip()
        if HASH.match(value):
            return value.lower()
    match = MAGNET_HASH.search(link) if link.startswith("magnet:") else None
    if match and len(match.group(1)) == 40:
        return match.group(1).lower()
    return ""


def feed_parse(body: bytes) -> ParsedFeed:
    """Every item of the feed in `body`, in the feed's order. Raises FeedParseError for a body
    feedparser finds no feed in (a login page, an error page)."""
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise FeedParseError(f"this is not an RSS or Atom feed{f' ({reason})' if reason else ''}")
    entries = []
    for entry in parsed.entries:
        link, size = _download(entry)
        size = size or _int(entry.get("torrent_contentlength")) or _int(entry.get("size"))
        title = (entry.get("title") or "").strip()[:1000]
        guid = (entry.get("id") or link or title).strip()[:1000]
        if not guid:
            continue
        entries.append(
            FeedEntry(guid=guid, title=title or link[:200], link=link, size=size,
                      info_hash=_info_hash(entry, link))
        )  # fmt: skip
    return ParsedFeed(title=(parsed.feed.get("title") or "").strip()[:300], entries=entries)
