"""A magnet end to end: rTorrent fetches its metadata from a real peer (a second rTorrent
seeding through opentracker), the sync sees the size, the owners' quota is charged then, and the
site keeps a .torrent made from the metadata; a torrent too big for the quota is stopped with a
message that names no one; metadata that breaks the upload rules is refused."""

import hashlib
from urllib.parse import quote

import bencodepy
import pytest

from events.kinds import EventKind
from events.models import Event
from seedbox.testing import Announcer, announce_seeder
from torrents.metainfo import parse_metainfo
from torrents.models import Torrent, TorrentStatus
from torrents.services.magnets import magnet_resolve
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import api, post, push_queued, wait_until

FILES = {"cd/one.bin": 700_000, "two.bin": 300_000}
SIZE = sum(FILES.values())


def _seed_and_ask_by_magnet(
    node, user, tracker, rtorrent_factory, tmp_path, *, paused: bool = False
) -> Torrent:
    metainfo, info_hash, source = make_torrent(
        tmp_path / "src", "album", files=FILES, trackers=[tracker.announce_url],
        piece_size=64 * 1024,
    )  # fmt: skip
    tracker.allow(info_hash)
    seeder_daemon = rtorrent_factory()
    seeder = node_client(type(node)(rpc_url=seeder_daemon.config.url))
    seeder.load(metainfo, info_hash, commands=[f"d.directory.set={source.parent}"])
    wait_until(lambda: seeder.call("d.complete", info_hash.upper()) == 1, what="seeder check")
    announce_seeder(seeder, info_hash)

    magnet = f"magnet:?xt=urn:btih:{info_hash}&dn=album&tr={quote(tracker.announce_url, safe='')}"
    response = post(user, {"magnets": magnet, **({"paused": "true"} if paused else {})})
    assert response.status_code == 201, response.data
    push_queued()
    torrent = Torrent.objects.get(info_hash=info_hash)
    assert torrent.size_bytes is None
    ours = node_client(node)
    announce = Announcer(info_hash, ours, seeder=seeder)

    def metadata_known() -> bool:
        announce()
        node_sync(node=node)
        torrent.refresh_from_db()
        return torrent.size_bytes is not None

    wait_until(
        metadata_known,
        timeout=60,
        what="the magnet's metadata from the seeder",
        explain=announce.report,
    )
    return torrent


@pytest.mark.slow
def test_a_magnet_is_charged_once_its_metadata_arrives(
    node, alice, tracker, rtorrent_factory, tmp_path
):
    torrent = _seed_and_ask_by_magnet(node, alice, tracker, rtorrent_factory, tmp_path)

    assert torrent.name == "album"
    assert torrent.size_bytes == SIZE
    assert sorted((f.path, f.size_bytes) for f in torrent.files.all()) == sorted(FILES.items())
    alice.refresh_from_db()
    assert alice.used_bytes == SIZE
    assert torrent.ownerships.get().charged_bytes == SIZE
    # The .torrent, made from rTorrent's copy of the metadata: same info-hash, the magnet's tracker.
    kept = parse_metainfo(bytes(torrent.metainfo), max_size=1 << 20, max_files=10)
    assert kept.info_hash == torrent.info_hash
    assert kept.piece_length == torrent.piece_length == 64 * 1024
    assert kept.trackers == [tracker.announce_url]
    response = api(alice).get(f"/api/torrents/{torrent.pk}/torrent")
    assert response.status_code == 200
    assert response.content == bytes(torrent.metainfo)


@pytest.mark.slow
def test_a_magnet_added_paused_gets_its_metadata_then_stops(
    node, alice, tracker, rtorrent_factory, tmp_path
):
    torrent = _seed_and_ask_by_magnet(node, alice, tracker, rtorrent_factory, tmp_path, paused=True)
    assert torrent.size_bytes == SIZE
    client = node_client(node)
    h = torrent.info_hash.upper()
    # Started for its metadata (a stopped magnet never gets it), stopped once it came.
    wait_until(lambda: client.call("d.state", h) == 0, what="the paused magnet stopped")
    assert client.call("d.is_meta", h) == 0
    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.STOPPED


def test_a_magnet_too_big_for_the_quota_is_stopped_with_a_clear_message(
    node, alice, tracker, rtorrent_factory, tmp_path
):
    alice.quota_bytes = SIZE - 1
    alice.save()

    torrent = _seed_and_ask_by_magnet(node, alice, tracker, rtorrent_factory, tmp_path)

    assert torrent.status == TorrentStatus.ERROR
    assert "do not fit the free quota of any owner" in torrent.status_message
    assert alice.email not in torrent.status_message
    alice.refresh_from_db()
    assert alice.used_bytes == 0
    assert node_client(node).call("d.state", torrent.info_hash.upper()) == 0
    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.ERROR, "the sync must not hide the refusal"
    # Its owner is told once (the metadata handler, from the sync's internal event).
    [failed] = Event.objects.filter(kind=EventKind.TORRENT_FAILED)
    assert failed.user_ids == [alice.pk]
    assert failed.payload["message"] == torrent.status_message
    assert Event.objects.get(kind=EventKind.TORRENT_METADATA_ARRIVED).dispatched_at


def test_metadata_that_breaks_the_upload_rules_is_refused(node, alice, tracker):
    # What rTorrent writes to <HASH>.meta: the info dictionary, here with a path that climbs out.
    info = bencodepy.encode(
        {
            b"name": b"trick",
            b"piece length": 16384,
            b"pieces": b"x" * 20,
            b"files": [{b"length": 10, b"path": [b"..", b"escape.txt"]}],
        }
    )
    info_hash = hashlib.sha1(info).hexdigest()
    post(alice, {"magnets": f"magnet:?xt=urn:btih:{info_hash}&tr={tracker.announce_url}"})
    push_queued()
    torrent = Torrent.objects.get()
    directory = torrent_directory(torrent)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{info_hash.upper()}.meta").write_bytes(info)

    assert magnet_resolve(torrent=torrent, client=node_client(node)) is False

    torrent.refresh_from_db()
    alice.refresh_from_db()
    assert torrent.status == TorrentStatus.ERROR
    assert torrent.status_message.startswith("its metadata was refused:")
    assert "'..'" in torrent.status_message
    assert torrent.size_bytes is None
    assert torrent.metainfo is None
    assert alice.used_bytes == 0
    assert node_client(node).call("d.state", info_hash.upper()) == 0


def test_a_private_magnet_stays_with_its_first_owner(node, alice, bob, tracker):
    info = bencodepy.encode(
        {
            b"name": b"private.bin",
            b"length": 10,
            b"piece length": 16384,
            b"pieces": b"x" * 20,
            b"private": 1,
        }
    )
    info_hash = hashlib.sha1(info).hexdigest()
    magnet = f"magnet:?xt=urn:btih:{info_hash}&tr={tracker.announce_url}"
    for user in (alice, bob):  # the private flag is not known yet: both become owners
        assert post(user, {"magnets": magnet}).status_code == 201
    torrent = Torrent.objects.get()
    assert torrent.ownerships.count() == 2
    directory = torrent_directory(torrent)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{info_hash.upper()}.meta").write_bytes(info)

    assert magnet_resolve(torrent=torrent, client=node_client(node)) is True

    torrent.refresh_from_db()
    assert torrent.private is True
    assert list(torrent.ownerships.values_list("user", flat=True)) == [alice.pk]
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.used_bytes, bob.used_bytes) == (10, 0)
