"""One real transfer: a user uploads a torrent with its data; a second rTorrent (its own
127.0.0.x) downloads it from ours through a real tracker on loopback; the bytes match."""

import time

import pytest

from seedbox.testing import Announcer, announce_seeder
from torrents.models import Torrent
from torrents.services.nodes import node_client
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import post, push_queued, upload, wait_until


@pytest.mark.slow
def test_an_uploaded_torrent_is_downloaded_by_another_client(
    node, alice, tracker, rtorrent_factory, tmp_path
):
    files = {"disc/one.bin": 3 * 1024 * 1024 + 17, "two.bin": 512 * 1024}
    data, info_hash, source = make_torrent(
        tmp_path / "src", "payload", files=files, trackers=[tracker.announce_url],
        piece_size=256 * 1024,
    )  # fmt: skip
    tracker.allow(info_hash)
    response = post(
        alice,
        {
            "torrent": upload("payload.torrent", data),
            "files": [upload(p.rsplit("/", 1)[-1], (source / p).read_bytes()) for p in files],
            "paths": list(files),
        },
    )
    assert response.status_code == 201, response.data
    assert push_queued() == ["loaded with data"]
    torrent = Torrent.objects.get()
    seeder = node_client(node)
    h = info_hash.upper()
    wait_until(lambda: seeder.call("d.complete", h) == 1, what="the seeder's hash check")
    announce_seeder(seeder, info_hash)

    leecher_daemon = rtorrent_factory()
    leecher = node_client(type(node)(rpc_url=leecher_daemon.config.url))
    target = leecher_daemon.config.data_dir / "download"
    target.mkdir()  # rTorrent creates the torrent's folder, not missing parents
    leecher.load(data, info_hash, commands=[f"d.directory.set={target}"])

    announce = Announcer(info_hash, leecher, seeder=seeder)

    def leecher_done() -> bool:
        announce()
        return leecher.call("d.complete", h) == 1

    started = time.monotonic()
    wait_until(
        leecher_done, timeout=60, what="the second rTorrent to download", explain=announce.report
    )
    print(f"transfer of {torrent.size_bytes:,} bytes took {time.monotonic() - started:.2f}s")
    for rel in files:
        assert (target / "payload" / rel).read_bytes() == (source / rel).read_bytes()
    assert seeder.call("d.up.total", h) >= torrent.size_bytes
