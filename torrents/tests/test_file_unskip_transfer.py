"""A real transfer: a multi-file torrent completes with a file skipped, then its owner sets that
file back to normal. rTorrent 0.9.8 does not ask the peers it stays connected to for the newly
wanted pieces (measured: a connection to the seeder sat idle for 200 s with 8 chunks wanted), so
the site makes the download reconnect (`torrent_priorities_apply` -> `client.reconnect`). A peer
it reconnects to gets asked; rTorrent re-dials a peer only 600 s after their last handshake
(measured: the same single seeder resumed the transfer 603 s after the restart), so a new peer
is what makes this test quick. The leecher has one connection slot, so the idle connection to
the first seeder is all it has: only once it is dropped can a second seeder connect, and the
file's bytes arrive (without the reconnect: none, the 60 s wait times out)."""

import shutil

import pytest

from seedbox.testing import Announcer, announce_seeder, committed, wait_until
from torrents.metainfo import parse_metainfo
from torrents.models import Torrent, TorrentStatus
from torrents.rtorrent import RTorrentClient
from torrents.services.file_priorities import torrent_priorities_apply
from torrents.services.intake import torrent_add_metainfo
from torrents.services.nodes import node_client
from torrents.services.push import torrent_push
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.factories import make_torrent
from torrents.tests.helpers_sync import api

PIECE = 16 * 1024
# Each file a whole number of pieces: the skipped one shares no piece with its neighbours.
FILES = {"a.bin": 8 * PIECE, "b.bin": 8 * PIECE, "c.bin": 8 * PIECE}
SKIPPED = 1  # b.bin


def start_seeder(rtorrent_factory, metainfo: bytes, info_hash: str, data) -> RTorrentClient:
    """Another rTorrent with the data in place, checked and seeding, announced."""
    daemon = rtorrent_factory()
    seeder = RTorrentClient(daemon.config.url)
    seed_dir = daemon.config.data_dir
    seed_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(data, seed_dir / "multi")
    seeder.load(metainfo, info_hash, commands=[f"d.directory.set={seed_dir}"])
    wait_until(lambda: seeder.call("d.complete", info_hash.upper()) == 1, what="the seed check")
    announce_seeder(seeder, info_hash)
    return seeder


@pytest.mark.slow
def test_a_file_unskipped_after_completion_is_downloaded(
    node, rtorrent_factory, tracker, owner, tmp_path
):
    metainfo, info_hash, data = make_torrent(
        tmp_path / "made", "multi", files=FILES, trackers=[tracker.announce_url], piece_size=PIECE
    )
    tracker.allow(info_hash)
    first = start_seeder(rtorrent_factory, metainfo, info_hash, data)
    meta = parse_metainfo(metainfo, max_size=1 << 20, max_files=100)
    torrent = torrent_add_metainfo(user=owner, meta=meta, skip_files=[SKIPPED])
    assert torrent_push(torrent_id=torrent.pk) == "loaded"
    leecher = node_client(node)
    h = info_hash.upper()
    leecher.call("d.peers_max.set", h, 1)  # one connection: the first seeder's
    announce = Announcer(info_hash, leecher, seeder=first)

    def wanted_done() -> bool:
        announce()
        return leecher.call("d.wanted_chunks", h) == 0 and leecher.call("d.state", h) == 1

    wait_until(wanted_done, timeout=60, what="the wanted files", explain=announce.report)
    node_sync(node=node)
    assert Torrent.objects.get(pk=torrent.pk).status == TorrentStatus.SEEDING
    skipped = torrent_directory(torrent) / "multi" / "b.bin"
    assert not skipped.exists() or skipped.stat().st_size == 0
    assert leecher.call("d.peers_connected", h) == 1  # still connected to the first seeder

    # The owner wants b.bin after all; the task applies it (as the worker would, after commit).
    b_file = torrent.files.get(index=SKIPPED)
    url = f"/api/torrents/{torrent.pk}/files/{b_file.pk}"
    answer = committed(lambda: api(owner).patch(url, {"priority": "normal"}, format="json"))
    assert answer.status_code == 200, answer.content
    assert torrent_priorities_apply(torrent_id=torrent.pk) == "applied"
    assert leecher.file_priorities(info_hash) == [1, 1, 1]
    assert Torrent.objects.get(pk=torrent.pk).status == TorrentStatus.DOWNLOADING  # at once
    # A second seeder, one the leecher never met, dials in: there is a free slot only because
    # the idle connection to the first one was dropped.
    second = start_seeder(rtorrent_factory, metainfo, info_hash, data)
    report = Announcer(info_hash, leecher, seeder=second).report
    wait_until(
        lambda: leecher.call("d.wanted_chunks", h) == 0 and leecher.call("d.complete", h) == 1,
        timeout=60,
        what="the un-skipped file",
        explain=report,
    )
    assert skipped.read_bytes() == (data / "b.bin").read_bytes()
    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.SEEDING
    assert torrent.completed_bytes == 24 * PIECE
    files = api(owner).get(f"/api/torrents/{torrent.pk}/files").json()
    assert [f["priority"] for f in files] == ["normal", "normal", "normal"]
    assert api(owner).get(f"{url}/download").status_code == 200
