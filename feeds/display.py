"""How a feed's URL is shown (API, pages, admin): its query's values, any user info and any path
segment that looks like a key hidden, since trackers put the passkey there
(`/rss?passkey=…`, `/rss/<key>/feed.xml`). The full URL stays with the poller."""

import re
from urllib.parse import urlsplit, urlunsplit

# A path segment (its name without the extension) of 16 or more letters, digits, dashes or
# underscores, with a letter and a digit: a key rather than a name. Hiding a long name by
# mistake costs less than showing a key.
KEYLIKE = re.compile(r"(?=[^.]*\d)(?=[^.]*[a-z])[a-z0-9_\-]{16,}", re.IGNORECASE)


def _segment_shown(segment: str) -> str:
    stem, dot, extension = segment.partition(".")
    return f"…{dot}{extension}" if KEYLIKE.fullmatch(stem) else segment


def url_shown(url: str) -> str:
    """`https://tracker.example/rss/…/feed.xml?passkey=…`: what may be a key blanked out."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a URL that does not parse)"
    query = "&".join(
        f"{pair.split('=', 1)[0]}=…" if "=" in pair else "…"
        for pair in parts.query.split("&")
        if pair
    )
    netloc = parts.netloc.rsplit("@", 1)[-1]
    path = "/".join(_segment_shown(segment) for segment in parts.path.split("/"))
    return urlunsplit((parts.scheme, netloc, path, query, ""))
