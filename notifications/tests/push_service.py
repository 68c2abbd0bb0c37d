"""A push service on loopback for the tests (http.server in a thread): it keeps every POST
(path, headers, body) and answers with the statuses it is told, in turn (201 once they run out),
and a browser's side of a subscription: a P-256 key pair and auth secret to decrypt with."""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from notifications.vapid import b64url
from seedbox.tests.fetch_servers import serving


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        server.received.append(Received(self.path, dict(self.headers.items()), body))
        status = server.answers.pop(0) if server.answers else 201
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def push_service(address: str = "127.0.0.1") -> Iterator[ThreadingHTTPServer]:
    """`server.url`, `server.received` (the POSTs), `server.answers` (statuses to give next)."""
    with serving(_Handler, address, received=[], answers=[]) as server:
        yield server


@dataclass
class Browser:
    """The keys a browser keeps for one subscription (it shares p256dh and auth)."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)
