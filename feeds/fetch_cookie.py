"""A feed item's `.torrent` is fetched with its feed's cookie (torrents/fetch_headers.py): a
private tracker often wants its login for the download too. Only when the link is on the feed's
own origin (scheme, host and port), and the cookie is read from the feed at fetch time (the
current one; never copied onto the fetch's row); a redirect elsewhere drops it (seedbox/fetch.py).
A fetch someone asked for by hand gets no cookie, whatever its URL."""

from feeds.models import Feed
from seedbox.fetch import same_origin
from torrents.fetch_headers import fetch_headers


@fetch_headers
def feed_cookie_for_item(fetch) -> dict[str, str]:
    feed = (
        Feed.objects.filter(items__fetch_id=fetch.pk, user_id=fetch.user_id)
        .only("url", "cookie")
        .first()
    )
    if feed is None or not feed.cookie or not same_origin(fetch.url, feed.url):
        return {}
    return {"Cookie": feed.cookie}
