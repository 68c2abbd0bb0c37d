"""Moving in from ruTorrent or Flood: a real daemon loaded with torrents the site did not add,
kept where their data already is (a `downloads/` folder, as ruTorrent keeps it), adopted by
`manage.py node_adopt`: rows, files, the owner, quota, the ruTorrent label, downloads from where
the data is; run twice it adopts nothing twice; a deletion removes only the torrent's own data."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from seedbox.testing import committed, wait_until
from torrents.models import Torrent, TorrentStatus
from torrents.services.control import torrent_remove
from torrents.services.nodes import node_client
from torrents.services.purge import torrent_purge
from torrents.services.sync import node_sync
from torrents.tests.factories import make_torrent
from torrents.tests.helpers_sync import api

MiB = 1 << 20


def load_as_rutorrent(node, scratch, name, *, files=None, size=64 * 1024, into, label=""):
    """Make a torrent, put its data in `into` and load it started there, as ruTorrent does."""
    metainfo, info_hash, data = make_torrent(scratch, name, size, files=files)
    into.mkdir(parents=True, exist_ok=True)
    target = into / name
    (shutil.copytree if data.is_dir() else shutil.copy)(data, target)
    commands = [f"d.directory.set={into}"]
    if label:
        commands.append(f"d.custom1.set={label}")
    node_client(node).load(metainfo, info_hash, start=True, commands=commands)
    return info_hash


def adopt(node, owner) -> str:
    out = io.StringIO()
    call_command("node_adopt", node.name, "--owner", owner.email, stdout=out)
    return out.getvalue()


@pytest.fixture
def moved_in(node, owner, tmp_path):
    """The daemon's torrents: two in the data root's downloads/, one outside it, one too big."""
    downloads = Path(node.data_root) / "downloads"
    owner.quota_bytes = 2 * MiB
    owner.save(update_fields=["quota_bytes"])
    hashes = {
        "Album": load_as_rutorrent(
            node, tmp_path / "a", "Album", files={"cd1/one.bin": 40_000, "two.bin": 30_000},
            into=downloads, label="Music%20Box",
        ),
        "film.bin": load_as_rutorrent(node, tmp_path / "b", "film.bin", into=downloads),
        "away.bin": load_as_rutorrent(node, tmp_path / "c", "away.bin", into=tmp_path / "away"),
        "huge.bin": load_as_rutorrent(
            node, tmp_path / "d", "huge.bin", size=3 * MiB, into=downloads
        ),
    }  # fmt: skip
    client = node_client(node)
    wait_until(lambda: all(client.call("d.complete", h.upper()) for h in hashes.values()))
    return downloads, hashes


def test_a_daemons_torrents_are_adopted_once_where_their_data_is(node, owner, moved_in):
    downloads, hashes = moved_in
    output = adopt(node, owner)

    assert "2 adopted, 0 already here, 2 refused" in output, output
    assert "away.bin: its data is in" in output
    assert "huge.bin: not enough quota" in output
    album = Torrent.objects.get(info_hash=hashes["Album"])
    film = Torrent.objects.get(info_hash=hashes["film.bin"])
    assert album.data_directory == str(downloads)
    assert sorted(album.files.values_list("path", "size_bytes")) == [
        ("cd1/one.bin", 40_000),
        ("two.bin", 30_000),
    ]
    assert album.status == TorrentStatus.SEEDING
    assert album.metainfo is not None  # read from the daemon's session
    assert [label.name for label in album.ownerships.get(user=owner).labels.all()] == ["Music Box"]
    owner.refresh_from_db()
    assert owner.used_bytes == album.size_bytes + film.size_bytes
    assert not Torrent.objects.filter(info_hash__in=[hashes["away.bin"], hashes["huge.bin"]])

    # The sync takes them as its own, and counts nothing of what rTorrent did before.
    report = node_sync(node=node)
    assert report.unknown == 2  # the two it refused stay the daemon's alone
    album.refresh_from_db()
    assert album.status == TorrentStatus.SEEDING
    assert album.uploaded_bytes == 0
    assert album.downloaded_bytes == 0
    file = album.files.get(path="two.bin")
    body = api(owner).get(f"/api/torrents/{album.pk}/files/{file.pk}/download")
    assert body.status_code == 200
    assert b"".join(body.streaming_content) == (downloads / "Album" / "two.bin").read_bytes()

    again = adopt(node, owner)
    assert "0 adopted, 2 already here, 2 refused" in again
    assert Torrent.objects.count() == 2


def test_deleting_an_adopted_torrent_leaves_its_neighbours(node, owner, moved_in):
    downloads, hashes = moved_in
    adopt(node, owner)
    film = Torrent.objects.get(info_hash=hashes["film.bin"])
    committed(lambda: torrent_remove(torrent=film, by=owner, purge=False))
    assert torrent_purge(torrent_id=film.pk) == "purged"
    assert not (downloads / "film.bin").exists()
    # The folder ruTorrent shared between torrents, and the other torrents in it, are kept.
    assert (downloads / "Album" / "two.bin").exists()
    assert (downloads / "huge.bin").exists()
    assert not node_client(node).has(hashes["film.bin"])
