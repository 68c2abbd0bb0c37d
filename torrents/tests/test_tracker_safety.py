"""Announce URLs as an SSRF tool: only http(s)/udp, no loopback/private/own address unless
SEEDBOX_ALLOW_PRIVATE_TRACKERS, and a cap per torrent, on every way in. The real rTorrent
announces to a canary HTTP server on loopback: a refused torrent makes no request reach it."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from conftest import free_port, loopback_address
from torrents.metainfo import metainfo_with_trackers
from torrents.models import Torrent
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import post, push_queued, upload, wait_until


class Canary:
    """An HTTP server on its own 127.0.0.x that counts the requests it gets."""

    def __init__(self):
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                canary.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"d14:failure reason4:nopee")

            def log_message(self, *args):
                pass

        address = loopback_address()
        self.server = ThreadingHTTPServer((address, free_port(address)), Handler)
        self.url = f"http://{address}:{self.server.server_port}/api/health"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary():
    server = Canary()
    yield server
    server.close()


def _magnet(info_hash: str, *trackers: str) -> str:
    return f"magnet:?xt=urn:btih:{info_hash}&dn=x" + "".join(
        f"&tr={quote(url, safe='')}" for url in trackers
    )


def _no_request_for_a_while(canary, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert canary.requests == []
        time.sleep(0.1)


def test_a_refused_magnet_reaches_no_canary_and_an_allowed_one_does(node, alice, canary, settings):
    settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS = False
    response = post(alice, {"magnets": _magnet("a" * 40, canary.url)})
    assert response.status_code == 400
    reason = response.data["rejected"][0]["reason"]
    assert "loopback, private or reserved address" in reason
    assert not Torrent.objects.exists()
    push_queued()
    _no_request_for_a_while(canary)

    settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS = True  # proves the canary would have seen it
    assert post(alice, {"magnets": _magnet("b" * 40, canary.url)}).status_code == 201
    push_queued()
    wait_until(lambda: canary.requests, what="rTorrent's announce to the canary")
    assert canary.requests[0].startswith("/api/health?info_hash=")


def test_a_refused_torrent_file_reaches_no_canary(node, alice, canary, settings, tmp_path):
    settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS = False
    data, _, _ = make_torrent(tmp_path, "x.bin", 1000, trackers=[canary.url])
    response = post(alice, {"torrents": [upload("x.torrent", data)]})
    assert response.status_code == 400
    assert "loopback" in response.data["rejected"][0]["reason"]
    push_queued()
    _no_request_for_a_while(canary, 2.0)


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f000001", "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]", "127.000.000.001",
     "localhost", "[::1]", "10.0.0.1", "169.254.169.254", "224.0.0.1", "[fe80::1]", "0.0.0.0"],
)  # fmt: skip
def test_every_spelling_of_a_private_address_is_refused(db, alice, settings, host):
    settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS = False
    response = post(alice, {"magnets": _magnet("c" * 40, f"http://{host}:8000/api/health")})
    assert response.status_code == 400
    assert "not allowed here" in response.data["rejected"][0]["reason"]


def test_the_sites_own_public_address_is_refused(db, alice, settings):
    settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS = False
    settings.ALLOWED_HOSTS = ["testserver", "93.184.216.34"]
    response = post(alice, {"magnets": _magnet("c" * 40, "http://93.184.216.34/announce")})
    assert response.status_code == 400
    assert "this site's own address" in response.data["rejected"][0]["reason"]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "file:///etc/passwd", "dht://" + "a" * 40, "gopher://1.2.3.4/",
     "http://exa mple.org/a", "http://t.example.org/a\r\nX: y", "http:///announce"],
)  # fmt: skip
def test_announce_urls_must_be_http_or_udp_on_every_way_in(node, alice, tmp_path, url):
    made, _, _ = make_torrent(tmp_path, "x.bin", 1000)
    data = metainfo_with_trackers(made, trackers=[url])  # torf would not write some of these
    response = post(alice, {"torrents": [upload("x.torrent", data)]})
    assert response.status_code == 400, response.data
    assert response.data["rejected"][0]["reason"].startswith("the tracker ")
    magnet = "magnet:?xt=urn:btih:" + "d" * 40 + "&tr=" + quote(url, safe="")
    assert post(alice, {"magnets": magnet}).status_code == 400
    # torrent + data
    response = post(
        alice, {"torrent": upload("x.torrent", data), "files": [upload("x.bin", b"\0" * 1000)]}
    )
    assert response.status_code == 400
    # data only
    response = post(alice, {"files": [upload("y.bin", b"y" * 10)], "trackers": url})
    assert response.status_code == 400
    assert response.data["rejected"][0]["field"] == "trackers"
    assert not Torrent.objects.exists()


def test_trackers_per_torrent_are_capped(node, alice, canary, settings, tmp_path):
    settings.SEEDBOX_MAX_TRACKERS_PER_TORRENT = 50
    many = [f"{canary.url}?n={n}" for n in range(3000)]
    response = post(alice, {"magnets": _magnet("e" * 40, *many)})
    assert response.status_code == 400
    assert response.data["rejected"][0]["reason"] == (
        "3,000 trackers; at most 50 per torrent allowed"
    )
    data, _, _ = make_torrent(tmp_path, "x.bin", 1000, trackers=many[:51])
    response = post(alice, {"torrents": [upload("x.torrent", data)]})
    assert "51 trackers" in response.data["rejected"][0]["reason"]
    push_queued()
    _no_request_for_a_while(canary, 1.0)
    assert post(alice, {"magnets": _magnet("e" * 40, *many[:50])}).status_code == 201
