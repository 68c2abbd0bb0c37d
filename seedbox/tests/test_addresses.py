"""Hosts read the way libcurl and glibc read them, and the public-address check."""

import ipaddress
import socket

import pytest

from seedbox.addresses import (
    AddressError,
    is_public,
    parse_ip,
    parse_network,
    public_host_check,
)

LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "2130706433",
    "0x7f000001",
    "127.1",
    "0177.0.0.1",
    "[::ffff:127.0.0.1]",
    "127.000.000.001",
    "0x7f.0.0.1",
    "0x7F.1",
    "127.0.0.1.",
]


@pytest.mark.parametrize("spelling", LOOPBACK_SPELLINGS)
def test_every_spelling_of_an_ipv4_address_is_that_address(spelling):
    assert parse_ip(spelling) == ipaddress.IPv4Address("127.0.0.1")


@pytest.mark.parametrize("spelling", [s for s in LOOPBACK_SPELLINGS if "[" not in s])
def test_the_parser_agrees_with_glibc_inet_aton(spelling):
    assert parse_ip(spelling).packed == socket.inet_aton(spelling.rstrip("."))


@pytest.mark.parametrize(
    "name", ["tracker.example.org", "0x", "08.0.0.1", "1.2.3.4.5", "256.1.1.1", "1.16777216"]
)
def test_names_and_out_of_range_numbers_are_not_addresses(name):
    assert parse_ip(name) is None


def test_networks_are_parsed_with_host_bits_cleared():
    assert str(parse_network("10.1.2.3/8")) == "10.0.0.0/8"
    assert str(parse_network("::1/128")) == "::1/128"
    assert str(parse_network("0x0a.0.0.0/8")) == "10.0.0.0/8"
    assert parse_network("10.0.0.0/33") is None
    assert parse_network("example.org/8") is None


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),  # multicast: Python's is_global says True
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
    ],
)
def test_is_public(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


def test_public_host_check_resolves_names_and_refuses_forbidden_addresses():
    with pytest.raises(AddressError, match="loopback, private or reserved"):
        public_host_check("localhost")
    with pytest.raises(AddressError, match="loopback"):
        public_host_check("0x7f000001")
    public = ipaddress.ip_address("93.184.216.34")
    assert public_host_check("93.184.216.34") == [public]
    with pytest.raises(AddressError, match="own address"):
        public_host_check("93.184.216.34", forbidden={public})
    with pytest.raises(AddressError, match="not a host name"):
        public_host_check("%31%32%37.0.0.1")
