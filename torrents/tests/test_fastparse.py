"""The fast multicall reader gives exactly what xmlrpc.client gives, or steps aside."""

import xmlrpc.client

import pytest

from torrents.rtorrent import TORRENT_FIELDS, RTorrentClient, RTorrentFault
from torrents.rtorrent.fastparse import parse_scalar_rows
from torrents.tests.factories import make_torrent

TRICKY_NAMES = ["a & b <c> \"d\" 'e'.bin", "日本語 ファイル.mkv", "plain.bin", "&amp;.bin"]


def test_fast_rows_equal_the_generic_parse_on_a_real_daemon(rtorrent, tmp_path):
    client = RTorrentClient(rtorrent.config.url, timeout=5)
    for i, name in enumerate(TRICKY_NAMES):
        raw, info_hash, _ = make_torrent(tmp_path / str(i), name, 1000 + i)
        client.load(raw, info_hash, start=False, commands=["d.custom1.set=x&y<z>"])

    fast = client.torrents()
    generic = client.call(client.multicall_method(), "", "main", *[f"{f}=" for f in TORRENT_FIELDS])

    assert len(fast) == len(TRICKY_NAMES)
    assert [list(row.values()) for row in fast] == generic
    assert sorted(row["name"] for row in fast) == sorted(TRICKY_NAMES)
    assert {row["custom1"] for row in fast} == {"x&y<z>"}


def test_empty_list(rtorrent):
    assert RTorrentClient(rtorrent.config.url).torrents() == []


def test_a_fault_goes_through_the_generic_path_and_is_raised(rtorrent):
    client = RTorrentClient(rtorrent.config.url)
    with pytest.raises(RTorrentFault):
        client.call_rows("d.multicall2", "", "no-such-view", "d.hash=", width=1)


def test_the_shape_it_reads():
    body = xmlrpc.client.dumps(([["a", 1], ["b", 2]],), methodresponse=True).encode()
    assert parse_scalar_rows(body, width=2) == [["a", 1], ["b", 2]]


@pytest.mark.parametrize(
    "rows",
    [
        [[1.5, "x"]],  # a double
        [[["nested"], 1]],  # an array cell
        [["a", 1], ["b"]],  # a short row
    ],
)
def test_shapes_it_does_not_know_are_left_to_the_generic_parser(rows):
    body = xmlrpc.client.dumps((rows,), methodresponse=True).encode()
    assert parse_scalar_rows(body, width=2) is None
