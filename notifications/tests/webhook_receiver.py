"""A real webhook receiver on loopback for the tests (http.server in threads): it records every
POST (headers and body), answers with the statuses it is told to in turn (200 once they run
out), and can stall the first request until the client goes away."""

import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from seedbox.tests.fetch_servers import serving


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def delivery(self) -> str:
        return self.headers.get("X-Seedbox-Delivery", "")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        got = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
        with server.lock:
            server.received.append(got)
            stall = server.stall_first and len(server.received) == 1
            status = server.answers.pop(0) if server.answers else 200
        if stall:
            self._wait_for_the_client_to_leave()
            server.abandoned.append(got.delivery)
            return
        body = b"thanks" if status < 300 else b"no thanks"
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "http://elsewhere.example/hook")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(OSError):
            self.wfile.write(body)
            self.wfile.flush()
            if 200 <= status < 300:
                server.completed.append(got.delivery)

    def _wait_for_the_client_to_leave(self, limit: float = 120.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.2)
            if readable:
                try:
                    if not self.connection.recv(1):
                        return
                except OSError:
                    return


@contextmanager
def webhook_receiver(
    address: str = "127.0.0.1",
    *,
    port: int = 0,
    answers: list[int] | None = None,
    stall_first: bool = False,
) -> Iterator[ThreadingHTTPServer]:
    """`server.url` its base URL; `server.received` every request, `server.completed` the
    delivery ids answered 2xx, `server.abandoned` those whose client left while it stalled."""
    with serving(
        _Handler,
        address,
        port=port,
        lock=threading.Lock(),
        answers=list(answers or []),
        stall_first=stall_first,
        received=[],
        completed=[],
        abandoned=[],
    ) as server:
        yield server
