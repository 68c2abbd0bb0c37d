"""What feeds added to the safe fetcher (seedbox/fetch.py), on real loopback servers: a caller's
headers (a feed's cookie) go to the first host only, not to where a redirect leads, and a 304 is
an answer only to a conditional request."""

from conftest import loopback_address
from feeds.tests.feed_server import RSS, feed_server
from seedbox.fetch import fetch
from seedbox.tests.fetch_servers import http_server


def test_a_cookie_does_not_follow_a_redirect_to_another_host(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with feed_server(loopback_address()) as other, http_server() as first:
        other.routes["/rss"] = (b"<rss/>", RSS)
        fetched = fetch(
            f"{first.url}/redirect?to={other.url}/rss", max_bytes=1000, headers={"Cookie": "pass=1"}
        )
        direct = fetch(f"{other.url}/rss", max_bytes=1000, headers={"Cookie": "pass=2"})
    assert fetched.body == direct.body == b"<rss/>"
    assert "Cookie" not in other.requests[0][1]
    assert other.requests[1][1]["Cookie"] == "pass=2"


def test_a_conditional_request_gets_its_304(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with feed_server() as server:
        server.routes["/rss"] = (b"<rss/>", RSS)
        fetched = fetch(f"{server.url}/rss", max_bytes=1000)
        assert fetched.etag.startswith('"')
        assert fetched.last_modified.endswith("GMT")
        again = fetch(f"{server.url}/rss", max_bytes=1000, headers={"If-None-Match": fetched.etag})
        assert (again.status, again.body) == (304, b"")
