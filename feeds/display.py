"""How a feed's URL is shown (API, pages, admin): its query and any user info hidden, since
trackers put the passkey there. The full URL stays with the poller."""

from urllib.parse import urlsplit, urlunsplit


def url_shown(url: str) -> str:
    """`https://tracker.example/rss?passkey=…`: the query's values blanked out."""
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
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
