"""The disk of a node is checked (issue 10, item 8): the site refuses what the node cannot
hold, counting what its torrents still need; rTorrent's own low-disk stop is told to the owner;
staff are warned when more quota is handed out than there is disk.

The small disk is real: a 50 MB tmpfs mounted as the node's data root."""

import hashlib
import os
import time

import bencodepy
import pytest
from django.test import Client

from accounts.models import User
from conftest import free_port, loopback_address
from seedbox.tests.tmpfs import tmpfs
from torrents.models import Node, Ownership, Torrent, TorrentStatus
from torrents.rtorrent import RTorrentClient
from torrents.rtorrent.daemon import DaemonConfig, ManagedRTorrent
from torrents.services.magnets import torrent_metadata_resolved
from torrents.services.sync import LOW_DISK_MESSAGE, node_sync
from torrents.tests.intake_support import post, upload

MB = 1024 * 1024
PIECE = 16 * 1024


def metainfo(name: str, size: int) -> tuple[bytes, str]:
    """A valid .torrent for `size` bytes of data that nobody has (only its hashes are made)."""
    pieces = -(-size // PIECE)
    info = {
        b"name": name.encode(),
        b"piece length": PIECE,
        b"length": size,
        b"pieces": os.urandom(20 * pieces),
    }
    data = bencodepy.encode({b"announce": b"http://127.0.0.1:6969/announce", b"info": info})
    return data, hashlib.sha1(bencodepy.encode(info)).hexdigest()


@pytest.fixture
def small_disk(tmp_path):
    with tmpfs(tmp_path / "small-disk", 50) as path:
        yield path


@pytest.fixture
def small_node(db, rtorrent, small_disk) -> Node:
    """A node whose data root is the 50 MB disk (its rTorrent is real; nothing is pushed)."""
    return Node.objects.create(name="small", rpc_url=rtorrent.config.url, data_root=str(small_disk))


@pytest.fixture
def dana(db) -> User:
    return User.objects.create_user("dana.disk@example.com", "pw", quota_bytes=1 << 40)


def test_a_torrent_larger_than_the_disk_is_refused(small_node, dana):
    data, info_hash = metainfo("huge.iso", 100 * MB)

    response = post(dana, {"torrents": [upload("huge.torrent", data)]})

    assert response.status_code == 400
    assert "no room" in response.data["rejected"][0]["reason"]
    assert not Torrent.objects.filter(info_hash=info_hash).exists()
    dana.refresh_from_db()
    assert dana.used_bytes == 0  # nothing charged


def test_what_the_torrents_there_still_need_is_counted(small_node, dana):
    first, _ = metainfo("first.iso", 30 * MB)
    second, second_hash = metainfo("second.iso", 30 * MB)

    assert post(dana, {"torrents": [upload("1.torrent", first)]}).status_code == 201
    response = post(dana, {"torrents": [upload("2.torrent", second)]})

    assert response.status_code == 400, response.data  # 30 + 30 MB do not fit in 50
    assert "no room" in response.data["rejected"][0]["reason"]
    assert not Torrent.objects.filter(info_hash=second_hash).exists()


def test_a_magnet_whose_metadata_is_larger_than_the_disk_stops_uncharged(small_node, dana):
    torrent = Torrent.objects.create(
        info_hash="ab" * 20,
        name="magnet",
        magnet_uri="magnet:?xt=urn:btih:" + "ab" * 20,
        node=small_node,
        status=TorrentStatus.DOWNLOADING,
    )
    Ownership.objects.create(torrent=torrent, user=dana)

    charged = torrent_metadata_resolved(
        torrent=torrent, name="big.iso", size_bytes=100 * MB, files=[("big.iso", 100 * MB)]
    )

    assert charged is False
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.ERROR
    assert "no room" in torrent.status_message
    dana.refresh_from_db()
    assert dana.used_bytes == 0


@pytest.fixture
def daemon_on_small_disk(small_disk, tmp_path):
    address = loopback_address()
    port = free_port(address)
    config = DaemonConfig(
        base_dir=tmp_path / "rt-small",
        data_dir=small_disk,
        bind_address=address,
        port_range=f"{port}-{port}",
    )
    config.base_dir.mkdir()
    daemon = ManagedRTorrent(config)
    daemon.start()
    yield daemon
    daemon.stop()


def test_rtorrents_low_disk_stop_is_told_to_the_owner(daemon_on_small_disk, small_disk, dana):
    # rTorrent closes torrents on a disk with less than 500 MB free, by itself, within seconds.
    node = Node.objects.create(
        name="lowdisk", rpc_url=daemon_on_small_disk.config.url, data_root=str(small_disk)
    )
    data, info_hash = metainfo("low.bin", 10 * MB)
    torrent = Torrent.objects.create(
        info_hash=info_hash,
        name="low.bin",
        size_bytes=10 * MB,
        metainfo=data,
        node=node,
        status=TorrentStatus.CHECKING,
    )
    Ownership.objects.create(torrent=torrent, user=dana)
    client = RTorrentClient(node.rpc_url)
    client.load(data, info_hash, commands=[f"d.directory.set={small_disk / 'low'}"])
    deadline = time.monotonic() + 30
    while client.torrents(["d.hash", "d.message"])[0]["message"] != "Low diskspace.":
        assert time.monotonic() < deadline, "rTorrent never stopped it for low disk space"
        time.sleep(0.5)

    node_sync(node=node)

    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.PAUSED
    assert torrent.status_message == LOW_DISK_MESSAGE
    page = Client()
    page.force_login(dana)
    assert "disk is almost full" in page.get(f"/torrents/{torrent.pk}/").content.decode()


def test_staff_are_warned_when_quotas_exceed_the_disk(small_node, admin_user, api_client_for):
    User.objects.create_user("greedy.disk@example.com", "pw", quota_bytes=1 << 60)
    page = Client()
    page.force_login(admin_user)

    assert 'id="quota-exceeds-disk"' in page.get("/staff/server/").content.decode()
    assert api_client_for(admin_user).get("/api/server").data["quota_exceeds_disk"] is True
