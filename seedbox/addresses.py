"""Host names and IP addresses the way the daemons that fetch them read them: the one check
every outgoing fetch the site makes someone else do (trackers, feeds, webhooks) goes through.

An IPv4 address has many spellings (`2130706433`, `0x7f000001`, `127.1`, `0177.0.0.1`,
`127.000.000.001`): libcurl and glibc's resolver (rTorrent's HTTP and UDP trackers) read them all
inet_aton-style, so a check that compares strings is bypassed. Here a host is parsed into an
`ipaddress` object first, then compared as an address; a name is resolved and every address it
has must pass.
"""

import ipaddress
import re
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# One part of an inet_aton-style IPv4 address: hex (0x..), octal (leading 0) or decimal.
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")
# What a host name may hold once IDNA-encoded; anything else is not a name a resolver looks up.
_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


class AddressError(ValueError):
    """A host that must not be fetched, or cannot be checked; the message says why."""


class Unresolvable(AddressError):
    """The name has no address now (it may later: a typo, or DNS that is down)."""


def _ipv4_inet_aton(text: str) -> ipaddress.IPv4Address | None:
    """1 to 4 parts, each hex, octal or decimal, the last one filling the remaining bytes
    (libcurl's ipv4_normalize and glibc's inet_aton agree on this)."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.fullmatch(p) for p in parts):
        return None
    values = [int(p, 16 if p[:2].lower() == "0x" else 8 if p[0] == "0" else 10) for p in parts]
    *head, last = values
    if any(v > 0xFF for v in head) or last >= 1 << (8 * (5 - len(values))):
        return None
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def parse_ip(host: str) -> IPAddress | None:
    """The address `host` denotes (brackets, a trailing dot and an IPv6 zone aside), or None
    for a name. An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is returned as the IPv4 one."""
    text = host.strip().rstrip(".")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            address = ipaddress.IPv6Address(text.split("%", 1)[0])
        except ValueError:
            return None
        return address.ipv4_mapped or address
    return _ipv4_inet_aton(text)


def parse_network(text: str) -> IPNetwork | None:
    """`10.0.0.0/8`, `::1/128` (host bits set are cleared: `10.1.2.3/8` is `10.0.0.0/8`), or
    None when `text` is not a network."""
    if "/" not in text:
        return None
    address, _, prefix = text.strip().partition("/")
    ip = parse_ip(address)
    if ip is None or not prefix.isdigit():
        return None
    try:
        return ipaddress.ip_network(f"{ip}/{int(prefix)}", strict=False)
    except ValueError:
        return None


def embedded_addresses(address: IPAddress) -> list[IPAddress]:
    """The address and the IPv4 ones it carries (IPv4-mapped, 6to4, Teredo, NAT64 64:ff9b::/96),
    which a gateway may turn into a connection to that IPv4 address."""
    found: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            found.append(address.ipv4_mapped)
        if address.sixtofour:
            found.append(address.sixtofour)
        if address.teredo:
            found.extend(address.teredo)
        if address in _NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not loopback, private, link-local, shared (100.64/10),
    multicast, reserved or unspecified, nor an IPv6 address carrying such an IPv4 one."""
    return all(
        a.is_global and not (a.is_multicast or a.is_reserved or a.is_unspecified)
        for a in embedded_addresses(address)
    )


def is_hostname(host: str) -> bool:
    """A plain DNS name (ASCII, IDNA-encoded already): letters, digits, `-`, `_` and dots."""
    return len(host) <= 253 and bool(_NAME.fullmatch(host.lower()))


def resolve(host: str) -> list[IPAddress]:
    """Every address `host` stands for: itself when it is an address, else what the resolver
    answers (IPv4 and IPv6). Raises AddressError when it does not resolve."""
    address = parse_ip(host)
    if address is not None:
        return [address]
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"{host} does not resolve ({exc})") from None
    result: list[IPAddress] = []
    for info in infos:
        parsed = parse_ip(str(info[4][0]))
        if parsed is not None and parsed not in result:
            result.append(parsed)
    if not result:
        raise Unresolvable(f"{host} does not resolve")
    return result


def public_host_check(host: str, *, forbidden: Iterable[IPAddress] = ()) -> list[IPAddress]:
    """Resolve `host` and raise AddressError unless every address is public and none is in
    `forbidden` (e.g. the site's own addresses). Returns the addresses."""
    if parse_ip(host) is None and not is_hostname(host):
        raise AddressError(f"{host!r} is not a host name or an IP address")
    addresses = resolve(host)
    forbidden = set(forbidden)
    for address in addresses:
        if not is_public(address):
            raise AddressError(f"{host} is a loopback, private or reserved address ({address})")
        if address in forbidden:
            raise AddressError(f"{host} is this site's own address ({address})")
    return addresses


def own_addresses(names: Iterable[str]) -> set[IPAddress]:
    """The addresses of this machine's host name and of `names` (e.g. ALLOWED_HOSTS; wildcards
    skipped), as far as they resolve."""
    result: set[IPAddress] = set()
    for name in [socket.gethostname(), *names]:
        name = name.strip().lstrip(".")
        if not name or "*" in name:
            continue
        try:
            result.update(resolve(name))
        except AddressError:
            continue
    return result
