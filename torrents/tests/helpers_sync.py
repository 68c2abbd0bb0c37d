"""Test set-up for the sync, control and download tests: torrents made on the fly with their
rows (Torrent, TorrentFile, Ownership, quota charged) and, when asked, loaded into the node's
real rTorrent with `d.directory.set=torrent_directory(t)`. Test set-up only: the site's own way
in is the intake service."""

import shutil
import signal
from pathlib import Path

import pytest

from accounts.models import User
from seedbox.testing import announce_seeder, committed, wait_until  # noqa: F401
from seedbox.testing import api_client as api  # noqa: F401  (re-exported to the tests)
from torrents.models import Node, Ownership, Torrent, TorrentFile, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.quota import quota_charge
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.factories import make_torrent

GiB = 1 << 30


@pytest.fixture
def owner(db) -> User:
    return User.objects.create_user("owner.sync@example.com", "pw", quota_bytes=GiB)


@pytest.fixture
def other(db) -> User:
    return User.objects.create_user("other.sync@example.com", "pw", quota_bytes=GiB)


@pytest.fixture
def admin(db) -> User:
    return User.objects.create_user(
        "admin.sync@example.com", "pw", is_staff=True, is_superuser=True
    )


def add_torrent(
    node: Node,
    owners: list[User],
    scratch: Path,
    *,
    name: str = "payload.bin",
    size: int = 64 * 1024,
    files: dict[str, int] | None = None,
    trackers: list[str] | None = None,
    with_data: bool = False,
    load: bool = True,
    start: bool = False,
    status: str = TorrentStatus.STOPPED,
) -> Torrent:
    """A torrent made in `scratch`, its rows, its owners charged; with `with_data` its data put
    in its directory (so rTorrent seeds it); with `load` loaded into the node."""
    metainfo, info_hash, data = make_torrent(scratch, name, size, files=files, trackers=trackers)
    total = sum(files.values()) if files else size
    torrent = Torrent.objects.create(
        info_hash=info_hash,
        name=name,
        size_bytes=total,
        piece_length=16 * 1024,
        metainfo=metainfo,
        node=node,
        status=status,
        added_by=owners[0] if owners else None,
    )
    entries = sorted(files.items()) if files else [(name, size)]
    TorrentFile.objects.bulk_create(
        TorrentFile(torrent=torrent, index=i, path=path, size_bytes=n)
        for i, (path, n) in enumerate(entries)
    )
    for user in owners:
        quota_charge(user_id=user.pk, nbytes=total)
        Ownership.objects.create(torrent=torrent, user=user, charged_bytes=total)
    directory = torrent_directory(torrent)
    directory.mkdir(parents=True, exist_ok=True)
    if with_data:
        shutil.copytree(data, directory / name) if files else shutil.copy(data, directory / name)
    if load:
        node_client(node).load(
            metainfo, info_hash, start=start, commands=[f"d.directory.set={directory}"]
        )
    return torrent


def seed_announced(
    node: Node, owners: list[User], scratch: Path, *, tracker, name: str, size: int
) -> Torrent:
    """A torrent the node seeds from its data, whitelisted on the real `tracker`, hash-checked,
    synced once (the counters' baseline: nothing uploaded yet) and announced: ready for a
    downloader (see seedbox.testing.announce_seeder for why it announces first)."""
    seed = add_torrent(
        node,
        owners,
        scratch,
        name=name,
        size=size,
        trackers=[tracker.announce_url],
        with_data=True,
        start=True,
    )
    tracker.allow(seed.info_hash)
    seeder = node_client(node)
    h = seed.info_hash.upper()
    wait_until(lambda: seeder.call("d.complete", h) == 1, what="the seeder's hash check")
    node_sync(node=node)
    announce_seeder(seeder, seed.info_hash)
    return seed


def rtorrent_crash(daemon) -> None:
    """SIGKILL a managed rTorrent: it saves nothing more, as in a crash; then let go of the
    site's lock on its session dir (start it again on the same dir to see what it kept)."""
    daemon.process.send_signal(signal.SIGKILL)
    daemon.process.wait()
    daemon.stop()
