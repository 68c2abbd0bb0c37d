"""What feeds added to the safe fetcher (seedbox/fetch.py), on real loopback servers: a caller's
headers (a feed's cookie) go to the first URL's origin only (scheme, host and port), not to where
a redirect leads, nor back to the first origin after a hop elsewhere, a 304 is
an answer only to a conditional request, and a feed's redirect is checked again."""

import ipaddress

import pytest

from conftest import loopback_address
from feeds.services.feeds import feed_create
from feeds.services.polling import feed_poll
from feeds.tests.feed_server import RSS, feed_server
from seedbox import addresses
from seedbox.fetch import fetch, same_origin
from seedbox.tests.fetch_servers import http_server
from seedbox.tests.test_fetch import PUBLIC


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


def test_a_cookie_does_not_follow_a_redirect_to_another_port_of_the_same_host(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with feed_server() as other, feed_server() as first:
        assert first.url.split(":")[:2] == other.url.split(":")[:2]  # one host, two ports
        other.routes["/rss"] = (b"<rss/>", RSS)
        fetched = fetch(
            f"{first.url}/redirect?to={other.url}/rss", max_bytes=1000, headers={"Cookie": "p=1"}
        )
    assert fetched.body == b"<rss/>"
    assert "Cookie" in first.requests[0][1]
    assert "Cookie" not in other.requests[0][1]


def test_a_cookie_is_not_sent_again_after_a_redirect_elsewhere_leads_back(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with feed_server(loopback_address()) as other, feed_server() as first:
        first.routes["/rss"] = (b"<rss/>", RSS)
        back = f"{first.url}/rss"
        fetched = fetch(
            f"{first.url}/redirect?to={other.url}/redirect?to={back}",
            max_bytes=1000,
            headers={"Cookie": "p=1"},
        )
    assert fetched.body == b"<rss/>"
    assert [(path, "Cookie" in headers) for path, headers in first.requests] == [
        (f"/redirect?to={other.url}/redirect?to={back}", True),
        ("/rss", False),
    ]
    assert "Cookie" not in other.requests[0][1]


def test_same_origin_is_scheme_host_and_port():
    assert same_origin("https://t.example.org/rss?x=1", "https://T.example.org:443/dl/1.torrent")
    assert same_origin("http://t.example.org/rss", "http://t.example.org:80/a")
    assert not same_origin("https://t.example.org/rss", "http://t.example.org/a")
    assert not same_origin("https://t.example.org/rss", "https://t.example.org:8443/a")
    assert not same_origin("https://t.example.org/rss", "https://cdn.t.example.org/a")
    assert not same_origin("https://t.example.org/rss", "magnet:?xt=urn:btih:00")


def test_a_conditional_request_gets_its_304(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with feed_server() as server:
        server.routes["/rss"] = (b"<rss/>", RSS)
        fetched = fetch(f"{server.url}/rss", max_bytes=1000)
        assert fetched.etag.startswith('"')
        assert fetched.last_modified.endswith("GMT")
        again = fetch(f"{server.url}/rss", max_bytes=1000, headers={"If-None-Match": fetched.etag})
        assert (again.status, again.body) == (304, b"")


@pytest.mark.django_db
def test_a_feed_redirected_to_a_private_address_fails_and_says_so(settings, monkeypatch, owner):
    """The feed's own address is public (a loopback address the test classifies as public); its
    redirect to a private one is checked again and refused, and the feed's page says why."""
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
    real = addresses.is_public
    public = ipaddress.IPv4Address(PUBLIC)
    monkeypatch.setattr(addresses, "is_public", lambda a: a == public or real(a))
    with feed_server() as inside, http_server(PUBLIC) as outside:
        inside.routes["/rss"] = (b"<rss/>", RSS)
        feed = feed_create(
            user=owner, url=f"{outside.url}/redirect?to={inside.url}/rss", interval=30,
            rules=[{"include": "x"}],
        )  # fmt: skip
        result = feed_poll(feed_id=feed.pk)
    assert "this address is not fetched" in result.error
    assert inside.requests == []
    feed.refresh_from_db()
    assert feed.failures == 1
    assert "not fetched" in feed.last_error
