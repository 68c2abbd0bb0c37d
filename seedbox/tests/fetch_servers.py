"""Real HTTP servers on loopback addresses for the fetcher's tests (http.server in a thread):
redirects, endless and slow bodies, a .torrent."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    """Routes by path: /file (the server's `payload`), /redirect?to=URL, /loop, /endless,
    /huge-declared, /trickle, /silent."""

    def log_message(self, *args) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:
        server = self.server
        server.hits.append(self.path)
        path, _, query = self.path.partition("?")
        if path == "/file":
            self._send(200, server.payload, "application/x-bittorrent")
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query.removeprefix("to="))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/endless":
            self.send_response(200)
            self.end_headers()  # no length: the body runs until the client stops reading
            try:
                while True:
                    self.wfile.write(b"x" * 65536)
            except OSError:
                return
        elif path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(10 << 30))
            self.end_headers()
        elif path == "/trickle":
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"d")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                return
        elif path == "/silent":
            time.sleep(3)
            self._send(200, b"late", "text/plain")
        else:
            self._send(404, b"no such thing", "text/plain")

    def do_POST(self) -> None:
        """The same routes; the body is kept in `server.posted`."""
        self.server.posted.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.do_GET()

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(OSError):
            self.wfile.write(body)


@contextmanager
def serving(
    handler, address: str = "127.0.0.1", *, port: int = 0, **state
) -> Iterator[ThreadingHTTPServer]:
    """A real HTTP server of `handler` on `address` (a free port unless `port`), in threads;
    `server.url` its base URL and `state` set on it for the handler; stopped after the block."""
    server = ThreadingHTTPServer((address, port), handler)
    server.daemon_threads = True
    for name, value in state.items():
        setattr(server, name, value)
    server.url = f"http://{address}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        with suppress(OSError):
            server.server_close()


@contextmanager
def http_server(address: str = "127.0.0.1", payload: bytes = b"") -> Iterator[ThreadingHTTPServer]:
    """A server on `address` (a free port), `server.url` its base URL, `server.hits` the paths
    asked for; stopped after the block."""
    with serving(_Handler, address, payload=payload, hits=[], posted=[]) as server:
        yield server
