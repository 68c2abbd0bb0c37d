"""A .torrent too large for one rTorrent call (issue 10, item 1) loads, and never holds back
the pushes of other torrents. rTorrent 0.9.8's SCGI server hangs up on a request over 2 MiB,
which used to look like a daemon that is down: retried for ever, and the reconcile stopped there.
"""

import hashlib
import os

import bencodepy
import pytest

from accounts.models import User
from torrents.models import Torrent, TorrentStatus
from torrents.rtorrent import SCGI_MAX_REQUEST, RequestTooLarge, RTorrentClient
from torrents.services.nodes import node_client
from torrents.tasks.push import reconcile_queued
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import clear_broker, post, push_queued, upload

PIECE = 16 * 1024


def big_metainfo(name: str, size: int = 1_700_000) -> tuple[bytes, str]:
    """A valid single-file .torrent of about `size` bytes (its piece hashes make it large;
    no data is needed to load it)."""
    pieces = size // 20
    info = {
        b"name": name.encode(),
        b"piece length": PIECE,
        b"length": pieces * PIECE,
        b"pieces": os.urandom(20 * pieces),
    }
    data = bencodepy.encode({b"announce": b"http://127.0.0.1:6969/announce", b"info": info})
    return data, hashlib.sha1(bencodepy.encode(info)).hexdigest()


@pytest.fixture
def carol(db) -> User:
    return User.objects.create_user("carol.big@example.com", "pw", quota_bytes=1 << 40)


def test_the_big_torrent_is_too_large_for_one_call():
    data, _ = big_metainfo("probe")
    assert len(data) * 4 / 3 > SCGI_MAX_REQUEST  # base64 in the XML-RPC body


def test_a_torrent_too_large_for_one_call_loads_from_a_file(rtorrent, tmp_path):
    client = RTorrentClient(rtorrent.config.url)
    data, info_hash = big_metainfo("big-from-file")

    client.load(
        data, info_hash, start=False, commands=[f"d.directory.set={tmp_path}"], spill_dir=tmp_path
    )

    assert client.has(info_hash)
    assert not list(tmp_path.glob("*.torrent")), "the file the daemon read is removed"


def test_without_a_shared_directory_it_is_refused_not_taken_for_an_outage(rtorrent):
    client = RTorrentClient(rtorrent.config.url)
    data, info_hash = big_metainfo("big-no-dir")

    with pytest.raises(RequestTooLarge) as refused:
        client.load(data, info_hash, start=False)

    assert not refused.value.transient  # a task does not retry it for ever
    assert client.version()  # and the daemon was never hung up on


def test_a_large_torrent_added_by_the_api_is_pushed(node, carol):
    data, info_hash = big_metainfo("big-api")

    response = post(carol, {"torrents": [upload("big.torrent", data)]})
    assert response.status_code == 201, response.data
    push_queued()

    torrent = Torrent.objects.get(info_hash=info_hash)
    assert torrent.status == TorrentStatus.CHECKING, torrent.last_error
    assert node_client(node).has(info_hash)


def test_one_failing_torrent_never_holds_back_the_reconcile(node, carol, alice, tmp_path):
    # Five small torrents of one user, then (newest, so first in the old order) another user's
    # large one: the reconcile pushes them all.
    small = []
    for i in range(5):
        data, info_hash, _ = make_torrent(tmp_path / str(i), f"small{i}.bin", 4096)
        assert post(alice, {"torrents": [upload(f"s{i}.torrent", data)]}).status_code == 201
        small.append(info_hash)
    big, big_hash = big_metainfo("big-reconcile")
    assert post(carol, {"torrents": [upload("big.torrent", big)]}).status_code == 201
    clear_broker()  # as if the broker had lost the pushes: only the reconcile is left

    report = reconcile_queued.run()

    assert report["test"]["pushed"] == 6, report
    assert set(node_client(node).hashes()) == {*small, big_hash}
