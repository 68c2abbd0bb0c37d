"""XML-RPC transports for rTorrent: SCGI (unix socket or TCP) and HTTP(S) with timeouts.

Written over the standard library's `xmlrpc.client` instead of the `rtorrent-rpc` package: the
SCGI framing is a few lines, and owning it gives every call a timeout and lets the client map every
failure to one error type (see `errors.py`).

URLs: `scgi:///abs/path/rpc.sock`, `scgi://host:port`, `http(s)://[user:pass@]host[:port]/RPC2`.
"""

import socket
import xmlrpc.client
from urllib.parse import urlsplit

_READ_CHUNK = 256 * 1024


class SCGITransport(xmlrpc.client.Transport):
    """Sends one XML-RPC request per connection, framed as SCGI (rTorrent closes after replying)."""

    def __init__(self, address: str | tuple[str, int], timeout: float):
        super().__init__(use_builtin_types=True)
        self._address = address
        self._timeout = timeout

    def _connect(self) -> socket.socket:
        if isinstance(self._address, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self._timeout)
            try:
                sock.connect(self._address)
            except OSError:
                sock.close()
                raise
            return sock
        return socket.create_connection(self._address, timeout=self._timeout)

    def request(self, host, handler, request_body, verbose=False):
        body = self.send(request_body)
        parser, unmarshaller = self.getparser()
        parser.feed(body)
        parser.close()
        return unmarshaller.close()

    def send(self, request_body: bytes) -> bytes:
        """Send one request, return the XML body of the answer (unparsed)."""
        headers = b"".join(
            [
                b"CONTENT_LENGTH\x00%d\x00" % len(request_body),
                b"SCGI\x001\x00",
                b"REQUEST_METHOD\x00POST\x00",
                b"REQUEST_URI\x00/RPC2\x00",
            ]
        )
        with self._connect() as sock:
            sock.sendall(b"%d:%s," % (len(headers), headers) + request_body)
            chunks = []
            while chunk := sock.recv(_READ_CHUNK):
                chunks.append(chunk)
        response = b"".join(chunks)
        head, sep, body = response.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = response.partition(b"\n\n")
        if not sep:
            raise xmlrpc.client.ProtocolError("scgi", 502, "empty or truncated answer", {})
        status = _scgi_status(head)
        if status != 200:
            raise xmlrpc.client.ProtocolError("scgi", status, head.decode(errors="replace"), {})
        return body


def _scgi_status(head: bytes) -> int:
    for line in head.splitlines():
        if line.lower().startswith(b"status:"):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return 502
    return 200


class _TimeoutMixin:
    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self._timeout
        return connection


class HTTPTransport(_TimeoutMixin, xmlrpc.client.Transport):
    def __init__(self, timeout: float):
        super().__init__(use_builtin_types=True)
        self._timeout = timeout


class HTTPSTransport(_TimeoutMixin, xmlrpc.client.SafeTransport):
    def __init__(self, timeout: float):
        super().__init__(use_builtin_types=True)
        self._timeout = timeout


def make_proxy(url: str, timeout: float) -> xmlrpc.client.ServerProxy:
    """A ServerProxy for an rTorrent URL; raises ValueError for a URL it cannot use."""
    parts = urlsplit(url)
    if parts.scheme == "scgi":
        if parts.netloc:
            if not parts.port:
                raise ValueError(f"{url}: scgi://host:port needs a port")
            transport = SCGITransport((parts.hostname, parts.port), timeout)
        elif parts.path.startswith("/"):
            transport = SCGITransport(parts.path, timeout)
        else:
            raise ValueError(f"{url}: expected scgi:///absolute/path.sock or scgi://host:port")
        return xmlrpc.client.ServerProxy("http://scgi/RPC2", transport=transport)
    if parts.scheme == "http":
        return xmlrpc.client.ServerProxy(url, transport=HTTPTransport(timeout))
    if parts.scheme == "https":
        return xmlrpc.client.ServerProxy(url, transport=HTTPSTransport(timeout))
    raise ValueError(f"{url}: expected an scgi://, http:// or https:// URL")
