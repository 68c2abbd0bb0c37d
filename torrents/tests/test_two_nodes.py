"""Two real rTorrent nodes, each on a disk of its own size (tmpfs mounts): new torrents spread
by free space; one daemon killed, the other keeps syncing while only the dead one's torrents go
stale; the killed one, restarted, catches up without counting its traffic twice; a torrent moved
from one node to the other keeps its history, seeds on the target and is gone from the source,
its counters credited on from the target's 0; a move whose copy fails the target's check is
rolled back, the torrent seeding on its source as before; a move of data the operator copied
over (a node on another host) copies and deletes nothing, and switches the same way."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from seedbox.testing import Announcer, announce_seeder
from seedbox.tests.tmpfs import tmpfs
from torrents.models import Node, Torrent, TorrentHistory, TorrentStatus
from torrents.rtorrent import RTorrentClient
from torrents.services.move import MoveError, torrent_move
from torrents.services.nodes import node_client
from torrents.services.placement import node_for_new_torrent
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.helpers_sync import add_torrent, rtorrent_crash, wait_until

MiB = 1 << 20
PIECE = 16 * 1024


@pytest.fixture
def disks(tmp_path):
    """Two data roots: 48 MiB and 32 MiB of tmpfs."""
    with tmpfs(tmp_path / "disk-a", 48) as a, tmpfs(tmp_path / "disk-b", 32) as b:
        yield {"a": a, "b": b}


@pytest.fixture
def two(db, rtorrent_factory, disks):
    """{name: (Node, daemon)} for nodes a and b, each on its own disk."""
    found = {}
    for name in ("a", "b"):
        daemon = rtorrent_factory()
        node = Node.objects.create(name=name, rpc_url=daemon.config.url, data_root=str(disks[name]))
        found[name] = (node, daemon)
    return found


def _seeding(node: Node, torrent: Torrent) -> bool:
    return node_client(node).call("d.complete", torrent.info_hash.upper()) == 1


def _add_where_placed(owner, scratch, tracker, name: str, size: int, files=None) -> Torrent:
    """Placed by free space, its data put there, checked, seeding and synced."""
    node = node_for_new_torrent(user=owner, size=sum(files.values()) if files else size)
    torrent = add_torrent(
        node, [owner], scratch / name, name=name, size=size, files=files,
        trackers=[tracker.announce_url], with_data=True, start=True,
    )  # fmt: skip
    tracker.allow(torrent.info_hash)
    wait_until(lambda: _seeding(node, torrent), what=f"{name}'s hash check")
    node_sync(node=node)
    return torrent


def _download(rtorrent_factory, torrent: Torrent, seeder) -> int:
    """A new rTorrent downloads the whole torrent from `seeder` and stops; what it received."""
    announce_seeder(seeder, torrent.info_hash)
    daemon = rtorrent_factory()
    leecher = RTorrentClient(daemon.config.url)
    daemon.config.data_dir.mkdir(parents=True, exist_ok=True)
    leecher.load(
        bytes(torrent.metainfo),
        torrent.info_hash,
        commands=[f"d.directory.set={daemon.config.data_dir}"],
    )
    announce = Announcer(torrent.info_hash, leecher, seeder=seeder)
    h = torrent.info_hash.upper()

    def done() -> bool:
        announce()
        return leecher.call("d.complete", h) == 1

    wait_until(done, timeout=30, what="the download", explain=announce.report)
    received = leecher.call("d.down.total", h)
    daemon.stop()
    wait_until(lambda: seeder.call("d.up.total", h) >= received - PIECE, what="the upload")
    return received


def _uploaded(owner, torrent: Torrent) -> int:
    return TorrentHistory.objects.get(user=owner, info_hash=torrent.info_hash).uploaded_bytes


@pytest.mark.slow
def test_two_nodes_spread_fail_apart_catch_up_and_move(
    two, rtorrent_factory, tracker, owner, tmp_path
):
    (a, daemon_a), (b, _) = two["a"], two["b"]
    # 1. Spread by free space: 48 MiB beats 32; then 32 beats what 20 MiB left of 48; then a.
    big = _add_where_placed(owner, tmp_path, tracker, "big.bin", 20 * MiB)
    mid = _add_where_placed(owner, tmp_path, tracker, "mid.bin", 8 * MiB)
    album = {"cd1/one.bin": 600 * 1024, "two.bin": 424 * 1024}  # a folder: 1 MiB in all
    small = _add_where_placed(owner, tmp_path, tracker, "small", 0, files=album)
    assert [t.node.name for t in (big, mid, small)] == ["a", "b", "a"]

    # Real traffic on a: a leecher takes the small one; the sync credits it.
    received = _download(rtorrent_factory, small, node_client(a))
    node_sync(node=a)
    credited = _uploaded(owner, small)
    assert abs(credited - received) <= PIECE, (credited, received)

    # 2. a killed: b keeps syncing (its rows follow it), a is down, only a's torrents stale.
    rtorrent_crash(daemon_a)
    node_client(b).stop(mid.info_hash)
    assert node_sync(node=b).ok
    assert not node_sync(node=a).ok
    a.refresh_from_db()
    assert a.is_up is False
    assert a.last_error
    rows = {t.name: t for t in Torrent.objects.all()}
    assert rows["mid.bin"].status == TorrentStatus.STOPPED
    assert not rows["mid.bin"].stale
    assert rows["big.bin"].stale
    assert rows["small"].stale
    node_client(b).start(mid.info_hash)

    # 3. a restarted catches up: fresh rows, and its counters (back from the session the sync
    # saved) are not credited again.
    daemon_a.start()
    wait_until(lambda: node_client(a).has(small.info_hash), what="a's session reload")
    assert node_sync(node=a).ok
    rows = {t.name: t for t in Torrent.objects.all()}
    assert not rows["big.bin"].stale
    assert not rows["small"].stale
    assert rows["small"].status == TorrentStatus.SEEDING
    assert _uploaded(owner, small) == credited == rows["small"].uploaded_bytes

    # 4. The small one moves to b: history kept, seeding on b, gone from a's daemon and disk.
    # What a uploaded since its last sync is credited by the move itself, once.
    unsynced = _download(rtorrent_factory, small, node_client(a))
    source_dir = torrent_directory(rows["small"])
    call_command("torrent_move", small.pk, "b")
    credited += unsynced
    assert abs(_uploaded(owner, small) - credited) <= PIECE
    credited = _uploaded(owner, small)
    moved = Torrent.objects.select_related("node").get(pk=small.pk)
    assert moved.node == b
    assert moved.moving_to is None
    assert moved.last_error == ""
    assert not node_client(a).has(small.info_hash)
    assert not source_dir.exists()
    assert (torrent_directory(moved) / "small" / "cd1" / "one.bin").stat().st_size == 600 * 1024
    assert (torrent_directory(moved) / "small" / "two.bin").stat().st_size == 424 * 1024
    wait_until(lambda: _seeding(b, moved), what="the moved torrent seeding on b")
    assert node_client(b).call("d.state", moved.info_hash.upper()) == 1
    node_sync(node=a)  # a no longer has it, and does not call it missing
    moved.refresh_from_db()
    assert moved.status == TorrentStatus.SEEDING
    assert _uploaded(owner, small) == credited

    # b's counters start at 0 for it, and the move made that the baseline: the next leecher's
    # bytes, before b's first sync of it, are credited once, on top of what a had credited.
    again = _download(rtorrent_factory, moved, node_client(b))
    node_sync(node=b)
    moved.refresh_from_db()
    assert moved.status == TorrentStatus.SEEDING
    assert not moved.stale
    assert abs(_uploaded(owner, small) - (credited + again)) <= PIECE
    assert moved.uploaded_bytes == _uploaded(owner, small)

    # 5. A copy the target's check finds wrong (the source's data rotted since its check) is
    # rolled back: still on b, seeding there, no copy left on a, the reason on the row.
    mid_file = torrent_directory(mid) / "mid.bin"
    with mid_file.open("r+b") as f:
        f.seek(3 * MiB)
        f.write(b"rot" * 100)
    with pytest.raises(MoveError, match="not complete after the target's check"):
        torrent_move(torrent_id=mid.pk, target_id=a.pk)
    mid.refresh_from_db()
    assert mid.node == b
    assert mid.moving_to is None
    assert mid.last_error.startswith("move to a failed:")
    assert not node_client(a).has(mid.info_hash)
    assert not (Path(a.data_root) / mid.info_hash[:2] / mid.info_hash).exists()
    assert node_client(b).call("d.state", mid.info_hash.upper()) == 1

    # 6. The operator copied the big one's data to b (a node on another host): the move with
    # its data in place refuses until it is there, then checks and switches without copying.
    big_target = Path(b.data_root) / big.info_hash[:2] / big.info_hash
    with pytest.raises(CommandError, match="its data must be at"):
        call_command("torrent_move", big.pk, "b", "--data-in-place")
    big_target.mkdir(parents=True)
    shutil.copy(torrent_directory(big) / "big.bin", big_target / "big.bin")
    out = io.StringIO()
    call_command("torrent_move", big.pk, "b", "--data-in-place", stdout=out)
    assert "0 bytes copied, started" in out.getvalue()
    assert "left for you to delete" in out.getvalue()
    big.refresh_from_db()
    assert big.node == b
    assert big.last_error == ""
    assert not node_client(a).has(big.info_hash)
    assert (torrent_directory(rows["big.bin"]) / "big.bin").exists()  # the operator's to delete
    wait_until(lambda: _seeding(b, big), what="the big one seeding on b")
