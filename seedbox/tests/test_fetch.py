"""The safe fetcher against real HTTP servers on loopback: private addresses refused unless
SEEDBOX_ALLOW_PRIVATE_URLS (whatever SEEDBOX_ALLOW_PRIVATE_TRACKERS says), every redirect hop
checked again and counted, bodies cut at the size limit, slow servers cut at the time limits.

To have a "public" server on this machine, one loopback address (PUBLIC) is classified as public
by `seedbox.addresses.is_public` for the test: the connection itself stays real."""

import ipaddress
import re
import time

import pytest

from seedbox import addresses
from seedbox.fetch import FetchError, fetch, post
from seedbox.tests.fetch_servers import http_server

PUBLIC = "127.0.0.251"


@pytest.fixture
def public_loopback(monkeypatch):
    real = addresses.is_public
    stand_in = ipaddress.IPv4Address(PUBLIC)
    monkeypatch.setattr(addresses, "is_public", lambda a: a == stand_in or real(a))


@pytest.fixture(autouse=True)
def _fast_limits(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
    settings.SEEDBOX_FETCH_CONNECT_TIMEOUT = 1.0
    settings.SEEDBOX_FETCH_READ_TIMEOUT = 1.0
    settings.SEEDBOX_FETCH_TOTAL_TIMEOUT = 2.0
    settings.SEEDBOX_FETCH_MAX_REDIRECTS = 3


def test_a_private_address_is_refused_unless_the_setting_allows_it(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS = True  # the trackers' setting does not open it
    with http_server(payload=b"hello") as server:
        with pytest.raises(FetchError, match=r"not fetched.*loopback, private"):
            fetch(f"{server.url}/file", max_bytes=100)
        assert server.hits == []  # refused before connecting
        for spelling in ("2130706433", "0x7f000001", "127.1"):
            port = server.server_address[1]
            with pytest.raises(FetchError, match="not fetched"):
                fetch(f"http://{spelling}:{port}/file", max_bytes=100)
        settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
        settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS = False
        got = fetch(f"{server.url}/file", max_bytes=100)
    assert got.body == b"hello"
    assert got.content_type == "application/x-bittorrent"


def test_only_http_and_https(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/", "nonsense"):
        with pytest.raises(FetchError, match="only http"):
            fetch(url, max_bytes=100)
    with pytest.raises(FetchError, match="user name or password"):
        fetch("http://user:pw@127.0.0.1/", max_bytes=100)


def test_a_redirect_to_a_private_address_is_refused(public_loopback):
    with http_server(payload=b"secret") as inside, http_server(PUBLIC, payload=b"ok") as outside:
        assert fetch(f"{outside.url}/file", max_bytes=100).body == b"ok"
        hop = f"{outside.url}/redirect?to={outside.url}/file"
        assert fetch(hop, max_bytes=100).body == b"ok"  # a public hop is followed
        with pytest.raises(FetchError, match=r"not fetched.*loopback, private"):
            fetch(f"{outside.url}/redirect?to={inside.url}/file", max_bytes=100)
    assert inside.hits == []


def test_too_many_redirects(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with http_server() as server, pytest.raises(FetchError, match="too many redirects"):
        fetch(f"{server.url}/loop", max_bytes=100)
    assert len(server.hits) == 4  # the first request and three redirects followed


def test_a_huge_body_is_cut_off(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with http_server() as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match=re.escape("larger than 976.6 KB")):
            fetch(f"{server.url}/endless", max_bytes=1_000_000)
        assert time.monotonic() - started < 2
        with pytest.raises(FetchError, match=re.escape("10.0 GB; at most 1000 bytes")):
            fetch(f"{server.url}/huge-declared", max_bytes=1000)


def test_a_slow_server_is_cut_off(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with http_server() as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="took longer than 2s") as trickle:
            fetch(f"{server.url}/trickle", max_bytes=1_000_000)
        assert trickle.value.transient
        assert time.monotonic() - started < 3.5
        started = time.monotonic()
        with pytest.raises(FetchError, match="did not answer in time"):
            fetch(f"{server.url}/silent", max_bytes=1000)
        assert time.monotonic() - started < 2.5


def test_an_error_answer_says_so(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with http_server() as server, pytest.raises(FetchError, match="answered HTTP 404"):
        fetch(f"{server.url}/nothing-here", max_bytes=1000)
    with pytest.raises(FetchError, match="cannot connect"):
        fetch(f"{server.url}/file", max_bytes=1000)  # the server is gone


def test_a_post_follows_no_redirect_and_reads_little_of_the_answer(settings, public_loopback):
    with http_server() as inside, http_server(PUBLIC, payload=b"ok") as outside:
        answer = post(
            f"{outside.url}/redirect?to={inside.url}/file", body=b'{"a":1}', headers={}, timeout=2
        )
        assert (answer.status, answer.location) == (302, f"{inside.url}/file")
        assert outside.posted == [b'{"a":1}']
        assert inside.hits == []  # not followed
        started = time.monotonic()
        endless = post(f"{outside.url}/endless", body=b"", headers={}, timeout=2, max_bytes=100)
        assert (endless.status, endless.body) == (200, b"x" * 100)
        assert time.monotonic() - started < 1
        with pytest.raises(FetchError, match=r"not fetched.*loopback, private"):
            post(f"{inside.url}/file", body=b"secret", headers={}, timeout=2)
        assert inside.posted == []
        settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
        assert post(f"{inside.url}/file", body=b"x", headers={}, timeout=2).status == 200


def test_a_post_to_a_server_that_does_not_answer_is_cut_at_its_timeout(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    with http_server() as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="did not answer in time") as late:
            post(f"{server.url}/silent", body=b"x", headers={}, timeout=1)
        assert late.value.transient
        assert time.monotonic() - started < 1.5
