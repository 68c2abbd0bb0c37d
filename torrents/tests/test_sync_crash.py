"""Credit across a crash of rTorrent (issue 10, item 9), with real transfers through a loopback
tracker: rTorrent comes back with the counters of its last saved session, and neither the owner's
history nor the torrent's own total (the list's ratio) may lose more than the traffic since the
last sync; the two always agree.

Before the sync saved the session of the torrents it credited, rTorrent came back with the
counters of the load (0 here): the next downloader's traffic, counted from there, stayed below
the baseline and was never credited, and the row showed rTorrent's rolled-back counter."""

import pytest

from seedbox.testing import Announcer, announce_seeder
from torrents.models import Torrent, TorrentHistory
from torrents.rtorrent import RTorrentClient
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.tests.helpers_sync import rtorrent_crash, seed_announced, wait_until

SIZE = 2 * 1024 * 1024 + 321
PIECE = 16 * 1024


def _download(rtorrent_factory, seed, seeder) -> int:
    """A new rTorrent downloads the whole torrent from the seeder and stops (so that it never
    serves the next downloader); returns what it received."""
    daemon = rtorrent_factory()
    leecher = RTorrentClient(daemon.config.url)
    daemon.config.data_dir.mkdir(parents=True, exist_ok=True)
    leecher.load(
        bytes(seed.metainfo), seed.info_hash, commands=[f"d.directory.set={daemon.config.data_dir}"]
    )
    announce = Announcer(seed.info_hash, leecher, seeder=seeder)
    h = seed.info_hash.upper()

    def done() -> bool:
        announce()
        return leecher.call("d.complete", h) == 1

    wait_until(done, timeout=60, what="the download", explain=announce.report)
    received = leecher.call("d.down.total", h)
    daemon.stop()
    return received


@pytest.mark.slow
def test_a_crash_loses_no_credit_already_synced_and_row_and_history_agree(
    node, rtorrent, rtorrent_factory, tracker, owner, tmp_path
):
    seed = seed_announced(
        node, [owner], tmp_path / "seed", tracker=tracker, name="crash.bin", size=SIZE
    )
    h = seed.info_hash.upper()
    seeder = node_client(node)

    first = _download(rtorrent_factory, seed, seeder)
    wait_until(lambda: seeder.call("d.up.total", h) >= first, what="the seeder's counter")
    node_sync(node=node)  # credits the first download, and saves the seeder's session
    credited = TorrentHistory.objects.get(user=owner, info_hash=seed.info_hash).uploaded_bytes
    assert credited >= first - PIECE

    rtorrent_crash(rtorrent)
    rtorrent.start()
    seeder = node_client(node)
    wait_until(lambda: seeder.has(seed.info_hash), what="the session reload")
    assert seeder.call("d.up.total", h) >= credited  # its counters came back from the save
    node_sync(node=node)
    announce_seeder(seeder, seed.info_hash)
    second = _download(rtorrent_factory, seed, seeder)
    wait_until(
        lambda: seeder.call("d.up.total", h) >= credited + second - PIECE,
        what="the seeder's counter after the crash",
    )
    node_sync(node=node)

    history = TorrentHistory.objects.get(user=owner, info_hash=seed.info_hash)
    torrent = Torrent.objects.get(pk=seed.pk)
    received = first + second
    assert abs(history.uploaded_bytes - received) <= 2 * PIECE, (history.uploaded_bytes, received)
    assert torrent.uploaded_bytes == history.uploaded_bytes  # the list's ratio agrees
