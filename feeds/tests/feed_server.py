"""A real HTTP server on loopback serving RSS and Atom feeds and their .torrent files, with ETag
and Last-Modified (answering 304 to a matching conditional request), plus endless and slow feeds
and `/redirect?to=URL`. `server.routes[path] = (body, content type)`; `server.locked[path] =
cookie`: that path answers 403 unless the request has this Cookie (a private tracker's login);
`server.requests` the (path, headers) asked."""

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from xml.sax.saxutils import escape

from seedbox.tests.fetch_servers import serving

RSS = "application/rss+xml"
ATOM = "application/atom+xml"
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


class FeedHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        server = self.server
        server.requests.append((self.path, dict(self.headers)))
        path = self.path.split("?", 1)[0]
        if path == "/redirect":
            self.send_response(302)
            self.send_header("Location", self.path.split("?to=", 1)[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/endless":
            self.send_response(200)
            self.end_headers()
            with suppress(OSError):
                while True:
                    self.wfile.write(b"<rss>" * 10000)
            return
        if path == "/slow":
            self.send_response(200)
            self.end_headers()
            with suppress(OSError):
                for _ in range(100):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(0.1)
            return
        if path not in server.routes:
            self._send(404, b"no such thing", "text/plain", {})
            return
        if path in server.locked and self.headers.get("Cookie") != server.locked[path]:
            self._send(403, b"log in first", "text/plain", {})
            return
        body, kind = server.routes[path]
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self._send(200, body, kind, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

    def _send(self, status: int, body: bytes, kind: str, headers: dict) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        with suppress(OSError):
            self.wfile.write(body)


@contextmanager
def feed_server(address: str = "127.0.0.1") -> Iterator:
    with serving(FeedHandler, address, routes={}, locked={}, requests=[]) as server:
        yield server


def rss(items: list[dict], title: str = "Test feed") -> bytes:
    """RSS 2.0: each item {title, guid, link (a .torrent URL or magnet), size}."""
    parts = []
    for item in items:
        enclosure = escape(item["link"], {'"': "&quot;"})
        kind = "" if item["link"].startswith("magnet:") else ' type="application/x-bittorrent"'
        parts.append(
            f"<item><title>{escape(item['title'])}</title><guid>{escape(item['guid'])}</guid>"
            f'<enclosure url="{enclosure}" length="{item.get("size", 0)}"{kind}/></item>'
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://example.org/</link><description>t</description>{''.join(parts)}"
        "</channel></rss>"
    ).encode()


def atom(items: list[dict], title: str = "Test Atom feed") -> bytes:
    parts = []
    for item in items:
        href = escape(item["link"], {'"': "&quot;"})
        parts.append(
            f"<entry><id>{escape(item['guid'])}</id><title>{escape(item['title'])}</title>"
            f"<updated>2026-01-01T00:00:00Z</updated>"
            f'<link rel="enclosure" href="{href}" length="{item.get("size", 0)}" '
            'type="application/x-bittorrent"/></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:test</id><updated>2026-01-01T00:00:00Z</updated>"
        f"{''.join(parts)}</feed>"
    ).encode()


def magnet(n: int, name: str) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn={name}&tr=http://tracker.example.org/announce"
