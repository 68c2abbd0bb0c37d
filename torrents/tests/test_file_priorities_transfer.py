"""A real transfer of a multi-file torrent with one file skipped at add: the site's rTorrent never
writes a byte of it (the files are piece-aligned, so no piece is shared with a wanted file), the
other files complete, and the site calls the torrent done (seeding) and offers no download of the
skipped file."""

import shutil

import pytest

from accounts.models import User
from seedbox.testing import Announcer, announce_seeder, wait_until
from torrents.metainfo import parse_metainfo
from torrents.models import TorrentStatus
from torrents.rtorrent import RTorrentClient
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


@pytest.mark.slow
def test_a_skipped_file_is_never_downloaded(node, rtorrent_factory, tracker, owner, tmp_path):
    metainfo, info_hash, data = make_torrent(
        tmp_path / "made", "multi", files=FILES, trackers=[tracker.announce_url], piece_size=PIECE
    )
    # The seeder: another rTorrent with the data in place.
    seeder_daemon = rtorrent_factory()
    seeder = RTorrentClient(seeder_daemon.config.url)
    seed_dir = seeder_daemon.config.data_dir
    seed_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(data, seed_dir / "multi")
    seeder.load(metainfo, info_hash, commands=[f"d.directory.set={seed_dir}"])
    tracker.allow(info_hash)
    wait_until(lambda: seeder.call("d.complete", info_hash.upper()) == 1, what="the seed check")
    announce_seeder(seeder, info_hash)

    # The site's user adds it with b.bin skipped; the push loads it into the site's node.
    meta = parse_metainfo(metainfo, max_size=1 << 20, max_files=100)
    torrent = torrent_add_metainfo(user=owner, meta=meta, skip_files=[SKIPPED])
    assert torrent.ownerships.get().charged_bytes == 16 * PIECE
    assert User.objects.get(pk=owner.pk).used_bytes == 16 * PIECE
    assert torrent_push(torrent_id=torrent.pk) == "loaded"
    leecher = node_client(node)
    h = info_hash.upper()
    assert leecher.file_priorities(info_hash) == [1, 0, 1]

    announce = Announcer(info_hash, leecher, seeder=seeder)

    def wanted_done() -> bool:
        announce()
        return leecher.call("d.wanted_chunks", h) == 0 and leecher.call("d.state", h) == 1

    wait_until(wanted_done, timeout=60, what="the wanted files", explain=announce.report)

    base = torrent_directory(torrent) / "multi"
    for name in ("a.bin", "c.bin"):
        assert (base / name).read_bytes() == (data / name).read_bytes(), name
    skipped = base / "b.bin"
    assert not skipped.exists() or skipped.stat().st_size == 0  # not one byte of it
    # rTorrent received exactly the wanted pieces, no more.
    assert leecher.call("d.down.total", h) == 16 * PIECE
    assert leecher.call("d.complete", h) == 0  # what rTorrent says with a file skipped

    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.SEEDING  # all it was asked for is there
    assert torrent.completed_at is not None
    assert torrent.completed_bytes == 16 * PIECE

    files = {f.index: f.pk for f in torrent.files.all()}
    client = api(owner)
    url = f"/api/torrents/{torrent.pk}/files"
    assert client.get(f"{url}/{files[0]}/download").status_code == 200
    assert client.get(f"{url}/{files[SKIPPED]}/download").status_code == 404
    rows = client.get(f"/api/torrents/{torrent.pk}/files").json()
    assert [r["priority"] for r in rows] == ["normal", "skip", "normal"]
    assert [r["progress"] for r in rows][0::2] == [1.0, 1.0]
