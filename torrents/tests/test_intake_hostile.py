"""Hostile input at intake: names that would break a header, requests that fail half-way."""

from urllib.parse import quote

import pytest

from torrents.models import Node, Ownership, Torrent
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import api, post, upload

EVIL_DN = "Evil\r\nSet-Cookie: sessionid=x\x00\x1b[31m"


@pytest.fixture
def node_row(db) -> Node:
    return Node.objects.create(name="n", rpc_url="scgi:///nowhere.sock", data_root="/tmp/n")


def test_control_characters_in_a_magnets_dn_never_reach_the_torrent_download(
    node_row, alice, bob, tmp_path
):
    data, info_hash, _ = make_torrent(tmp_path, "real.bin", 1000)
    magnet = (
        f"magnet:?xt=urn:btih:{info_hash}&dn={quote(EVIL_DN)}&tr=http://127.0.0.1:6969/announce"
    )
    added = post(alice, {"magnets": [magnet]})
    assert added.status_code == 201, added.data
    torrent = Torrent.objects.get(info_hash=info_hash)
    assert torrent.name == "Evil Set-Cookie: sessionid=x [31m"  # cleaned at intake
    # Bob's .torrent gives the magnet its metainfo; alice, the adder, downloads it.
    assert post(bob, {"torrents": [upload("real.torrent", data)]}).status_code == 201
    response = api(alice).get(f"/api/torrents/{torrent.pk}/torrent")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="Evil Set-Cookie: sessionid=x [31m.torrent"'
    )


def test_a_stored_name_with_cr_lf_is_percent_encoded_in_the_header(node_row, alice, tmp_path):
    data, info_hash, _ = make_torrent(tmp_path, "real.bin", 1000)
    torrent = Torrent.objects.create(
        info_hash=info_hash, name=EVIL_DN, node=node_row, added_by=alice, metainfo=data
    )
    Ownership.objects.create(torrent=torrent, user=alice)
    response = api(alice).get(f"/api/torrents/{torrent.pk}/torrent")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Evil%0D%0ASet-Cookie%3A%20sessionid%3Dx%00%1B%5B31m.torrent"
    )
    assert response.content == data
