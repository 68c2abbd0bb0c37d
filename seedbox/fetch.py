"""The one way the site fetches a URL a person gave it: a `.torrent` by URL, webhooks (`post`),
RSS feeds later. A URL someone else chose must not reach what only the server can reach.

- http and https only; the host is resolved once and every address checked with
  `seedbox/addresses.py` (public only, unless SEEDBOX_ALLOW_PRIVATE_URLS, and never the site's
  own), then the connection goes to the checked address itself (Host and TLS SNI/certificate
  checks keep the name), so a second DNS answer cannot swap the target (no rebinding window);
- redirects are followed here, not by the library: each hop's URL is checked again, at most
  SEEDBOX_FETCH_MAX_REDIRECTS of them (`post` follows none: a 3xx is the answer);
- the body is streamed and cut at `max_bytes` (a declared Content-Length above it is refused
  before reading); connect, read and total times are bounded;
- a caller's own headers (a feed's cookie, conditional headers) go to the URL's origin only
  (scheme, host and port: `same_origin`): a redirect to another host, another port or from
  https to http drops them, for the rest of the fetch. A 304 is an answer when the caller
  asked conditionally.

urllib3 does the HTTP: it lets the connection go to an address while TLS checks the name
(`server_hostname`/`assert_hostname`), streams bodies, and has no redirect or proxy magic of its
own once `redirect=False, retries=False`; requests and httpx sit on top of such a layer.
"""

import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from seedbox.addresses import (
    AddressError,
    IPAddress,
    Unresolvable,
    own_addresses,
    parse_ip,
    public_host_check,
    resolve,
)
from seedbox.sizes import human_size, human_sizes

REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024
USER_AGENT = "Seedbox fetcher"


class FetchError(Exception):
    """The URL could not be fetched; the message says what failed, for the person who gave it.
    `transient` when trying again later may help (a timeout, a 5xx)."""

    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Fetched:
    url: str  # the last URL, after redirects
    status: int
    content_type: str
    body: bytes
    location: str = ""  # a redirect's Location (from `post`, which does not follow it)
    etag: str = ""  # the validators, for the next conditional request
    last_modified: str = ""


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # as sent in Host and SNI (IDNA-encoded)
    port: int
    path: str  # path and query


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"not a usable URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"only http:// and https:// URLs can be fetched, not {url[:100]!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise FetchError("URLs with a user name or password are not fetched")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise FetchError(f"{host!r} is not a valid host name") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(scheme, host.lower(), port or (443 if scheme == "https" else 80), path)


def same_origin(url: str, other: str) -> bool:
    """Whether both URLs have one scheme, host and port (default ports filled in): where a
    caller's headers, a feed's cookie, may go. False when either is not a fetchable URL."""
    try:
        a, b = _target(url), _target(other)
    except FetchError:
        return False
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _addresses(host: str, *, allow_private: bool) -> list[IPAddress]:
    try:
        if allow_private:
            return resolve(host)
        return public_host_check(host, forbidden=own_addresses(settings.ALLOWED_HOSTS))
    except Unresolvable as exc:  # DNS may answer later: a task may try again
        raise FetchError(f"this address is not fetched: {exc}", transient=True) from None
    except AddressError as exc:
        raise FetchError(f"this address is not fetched: {exc}") from None


def _pool(target: _Target, address: IPAddress, timeout: urllib3.Timeout):
    ip = str(address)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            ip,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.HTTPConnectionPool(ip, target.port, timeout=timeout, retries=False, maxsize=1)


def _host_header(target: _Target) -> str:
    host = target.host
    if isinstance(parse_ip(host), ipaddress.IPv6Address):
        host = f"[{host}]"
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _open(
    target: _Target,
    addresses: list[IPAddress],
    *,
    deadline: float,
    headers: dict[str, str],
    method: str = "GET",
    body: bytes | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
):
    """The response headers from the first checked address that answers (body unread)."""
    connect_timeout = connect_timeout or settings.SEEDBOX_FETCH_CONNECT_TIMEOUT
    read_timeout = read_timeout or settings.SEEDBOX_FETCH_READ_TIMEOUT
    last: Exception | None = None
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        timeout = urllib3.Timeout(
            connect=min(connect_timeout, remaining), read=min(read_timeout, remaining)
        )
        pool = _pool(target, address, timeout)
        try:
            return pool.urlopen(
                method,
                target.path,
                body=body,
                headers={
                    "Host": _host_header(target),
                    "User-Agent": USER_AGENT,
                    "Accept-Encoding": "identity",
                    **headers,
                },
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except NewConnectionError as exc:  # refused, unreachable (a ConnectTimeoutError too)
            last = FetchError(f"cannot connect to {target.host}: {exc}", transient=True)
        except ConnectTimeoutError as exc:
            last = FetchError(f"{target.host} did not accept a connection in time", transient=True)
            last.__cause__ = exc
        except ReadTimeoutError:
            raise FetchError(f"{target.host} did not answer in time", transient=True) from None
        except SSLError as exc:
            raise FetchError(f"TLS with {target.host} failed: {exc}") from None
        except HTTPError as exc:
            last = FetchError(f"cannot connect to {target.host}: {exc}", transient=True)
            if body is not None:
                break  # the body may have reached this address: never send it to a second one
    if isinstance(last, FetchError):
        raise last
    raise FetchError(f"{target.host} did not answer in time", transient=True)


def _read_body(response, *, max_bytes: int, deadline: float, host: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            "the file is {}; at most {} are fetched".format(*human_sizes(int(declared), max_bytes))
        )
    body = bytearray()
    try:
        while True:
            if time.monotonic() > deadline:
                raise FetchError(
                    f"{host} took longer than {settings.SEEDBOX_FETCH_TOTAL_TIMEOUT:g}s to send "
                    "the file",
                    transient=True,
                )
            chunk = response.read1(CHUNK)
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"the file is larger than {human_size(max_bytes)}, the limit")
    except ReadTimeoutError:
        raise FetchError(f"{host} stopped sending the file", transient=True) from None
    except HTTPError as exc:
        raise FetchError(f"the download from {host} broke off: {exc}", transient=True) from None


def url_check(url: str, *, allow_private: bool | None = None) -> None:
    """Raise FetchError unless `url` is one the fetcher would ask for (scheme, host, address):
    the check a form makes before it queues the fetch. Redirects are checked when fetching."""
    if allow_private is None:
        allow_private = settings.SEEDBOX_ALLOW_PRIVATE_URLS
    _addresses(_target(url).host, allow_private=allow_private)


CONDITIONAL = ("If-None-Match", "If-Modified-Since")


def fetch(
    url: str,
    *,
    max_bytes: int,
    accept: str = "*/*",
    allow_private: bool | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Fetched:
    """GET `url` under the rules of the module docstring; raise FetchError saying what failed.
    `allow_private` defaults to SEEDBOX_ALLOW_PRIVATE_URLS; `headers` are sent to the first
    URL's origin only (`same_origin`); `timeout` (at most SEEDBOX_FETCH_TOTAL_TIMEOUT) bounds
    the whole fetch."""
    if allow_private is None:
        allow_private = settings.SEEDBOX_ALLOW_PRIVATE_URLS
    total = settings.SEEDBOX_FETCH_TOTAL_TIMEOUT
    deadline = time.monotonic() + (min(timeout, total) if timeout else total)
    own = dict(headers or {})  # the caller's headers, for the first URL's origin
    first = url
    hops = 0
    while True:
        target = _target(url)
        addresses = _addresses(target.host, allow_private=allow_private)
        if not same_origin(url, first):
            own = {}  # and for good: a hop back to the first origin was chosen elsewhere
        response = _open(target, addresses, deadline=deadline, headers={**own, "Accept": accept})
        try:
            if response.status in REDIRECTS:
                location = response.headers.get("Location", "")
                if not location:
                    raise FetchError(f"{target.host} redirected without saying where")
                hops += 1
                if hops > settings.SEEDBOX_FETCH_MAX_REDIRECTS:
                    raise FetchError(
                        f"too many redirects (more than {settings.SEEDBOX_FETCH_MAX_REDIRECTS})"
                    )
                url = urljoin(url, location)
                continue
            if response.status == 304 and any(name in own for name in CONDITIONAL):
                return Fetched(url=url, status=304, content_type="", body=b"")
            if not 200 <= response.status < 300:
                raise FetchError(
                    f"{target.host} answered HTTP {response.status}",
                    transient=response.status >= 500 or response.status == 429,
                )
            body = _read_body(response, max_bytes=max_bytes, deadline=deadline, host=target.host)
            return Fetched(
                url=url,
                status=response.status,
                content_type=response.headers.get("Content-Type", ""),
                body=body,
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )
        finally:
            response.release_conn()
            response.close()


def _read_upto(response, *, max_bytes: int, deadline: float) -> bytes:
    """At most `max_bytes` of the body (the rest left unread), within the deadline."""
    body = bytearray()
    try:
        while len(body) < max_bytes and time.monotonic() < deadline:
            chunk = response.read1(max_bytes - len(body))
            if not chunk:
                break
            body += chunk
    except HTTPError:
        pass  # what came is enough to say what the far end answered
    return bytes(body[:max_bytes])


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int = 4096,
    allow_private: bool | None = None,
) -> Fetched:
    """POST `body` to `url` under the same address rules, without following redirects; any
    answer is returned (its status says how it went), with at most `max_bytes` of its body.
    Connecting and answering are bounded by `timeout` seconds in all. Raises FetchError when no
    answer came (transient) or the URL may not be asked (not)."""
    if allow_private is None:
        allow_private = settings.SEEDBOX_ALLOW_PRIVATE_URLS
    deadline = time.monotonic() + timeout
    target = _target(url)
    addresses = _addresses(target.host, allow_private=allow_private)
    response = _open(
        target,
        addresses,
        deadline=deadline,
        headers=headers,
        method="POST",
        body=body,
        connect_timeout=min(timeout, settings.SEEDBOX_FETCH_CONNECT_TIMEOUT),
        read_timeout=timeout,
    )
    try:
        return Fetched(
            url=url,
            status=response.status,
            content_type=response.headers.get("Content-Type", ""),
            body=_read_upto(response, max_bytes=max_bytes, deadline=deadline),
            location=response.headers.get("Location", ""),
        )
    finally:
        response.release_conn()
        response.close()
