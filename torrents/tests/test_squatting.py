"""Info-hash squatting: a magnet whose metadata never arrives (a dead tracker) must not decide
what another user's torrent announces to, nor lock them out, nor hold the hash for ever. The
real rTorrent says what it announces to (`client.trackers`)."""

import datetime as dt
import hashlib
from urllib.parse import quote

import bencodepy
import torf
from django.test import Client
from django.utils import timezone

from torrents.metainfo import parse_metainfo
from torrents.models import Ownership, Torrent, TorrentStatus
from torrents.services.magnets import magnet_resolve, torrent_metadata_resolved
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import api, post, push_queued, upload, wait_until

DEAD = "http://127.0.0.1:9/announce"  # nothing answers there: the metadata never comes
BOB_URL = "http://127.0.0.1:6969/BOB-PASSKEY/announce"


def _squat(user, info_hash: str) -> Torrent:
    """`user` adds a magnet announcing only to a dead tracker; rTorrent takes it."""
    assert post(user, {"magnets": f"magnet:?xt=urn:btih:{info_hash}&tr={DEAD}"}).status_code == 201
    assert push_queued() == ["magnet loaded"]
    return Torrent.objects.get(info_hash=info_hash)


def _urls(node, info_hash: str) -> list[str]:
    return [row["url"] for row in node_client(node).trackers(info_hash)]


def test_a_public_torrent_file_announces_to_its_own_trackers_too(node, alice, bob, tmp_path):
    metainfo, info_hash, _ = make_torrent(tmp_path, trackers=[BOB_URL])
    _squat(alice, info_hash)
    assert node_client(node).is_meta(info_hash)

    assert post(bob, {"torrents": upload("b.torrent", metainfo)}).status_code == 201
    assert push_queued() == ["loaded"]  # the .torrent replaced the metadata download

    client = node_client(node)
    assert not client.is_meta(info_hash)
    assert BOB_URL in _urls(node, info_hash)
    torrent = Torrent.objects.get()
    assert set(torrent.owners.all()) == {alice, bob}


def test_a_later_magnet_adds_its_trackers_to_the_loaded_one(node, alice, bob):
    info_hash = "ab" * 20
    _squat(alice, info_hash)
    assert _urls(node, info_hash) == [DEAD]
    magnet = f"magnet:?xt=urn:btih:{info_hash}&tr={BOB_URL}"
    assert post(bob, {"magnets": magnet}).status_code == 201
    assert set(_urls(node, info_hash)) == {DEAD, BOB_URL}
    # Each reads the other's URL as its host only, on the page (rTorrent's list) and the API.
    torrent = Torrent.objects.get()
    for user, own, other in ((alice, DEAD, "BOB-PASSKEY"), (bob, BOB_URL, ":9/announce")):
        page = Client()
        page.force_login(user)
        html = page.get(f"/torrents/{torrent.pk}/").content.decode()
        assert other not in html
        assert own in html
        assert other not in str(api(user).get(f"/api/torrents/{torrent.pk}").data["trackers"])


def _private_torrent(tmp_path, announce: str) -> tuple[bytes, str]:
    path = tmp_path / "payload.bin"
    path.write_bytes(b"p" * 40_000)
    torrent = torf.Torrent(path=path, trackers=[announce], private=True, piece_size=16 * 1024)
    torrent.generate()
    return torrent.dump(), torrent.infohash


def test_a_private_torrent_file_takes_a_hash_only_a_magnet_holds(node, alice, bob, tmp_path):
    bobs, info_hash = _private_torrent(tmp_path, BOB_URL)
    _squat(alice, info_hash)

    response = post(bob, {"torrents": upload("b.torrent", bobs)})

    assert response.status_code == 201, response.data
    assert push_queued() == ["loaded"]
    torrent = Torrent.objects.get()
    assert list(torrent.owners.all()) == [bob]
    assert torrent.added_by == bob
    assert torrent.private
    assert _urls(node, info_hash) == [BOB_URL]  # nothing of Alice's claim is announced
    bob.refresh_from_db()
    assert bob.used_bytes == 40_000


def test_an_unresolved_magnet_expires_and_releases_the_hash(node, alice, bob, settings):
    settings.SEEDBOX_MAGNET_METADATA_TIMEOUT = 3600
    info_hash = "cd" * 20
    torrent = _squat(alice, info_hash)
    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status != TorrentStatus.EXPIRED  # not yet

    Torrent.objects.filter(pk=torrent.pk).update(
        last_push_at=timezone.now() - dt.timedelta(hours=1, seconds=5)
    )
    report = node_sync(node=node)

    assert report.expired == [info_hash]
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.EXPIRED
    assert "did not arrive within 1 hours" in torrent.status_message
    wait_until(lambda: not node_client(node).has(info_hash), what="the expired magnet erased")

    magnet = f"magnet:?xt=urn:btih:{info_hash}&tr={BOB_URL}"
    assert post(bob, {"magnets": magnet}).status_code == 201
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.QUEUED
    assert torrent.added_by == bob
    assert list(Ownership.objects.values_list("user", flat=True)) == [bob.pk]
    assert push_queued() == ["magnet loaded"]
    assert _urls(node, info_hash) == [BOB_URL]


def test_a_quota_refusal_does_not_tell_the_size_another_user_brought(node, alice, bob, tmp_path):
    metainfo, info_hash, _ = make_torrent(tmp_path, size=70_000)
    assert post(alice, {"torrents": upload("a.torrent", metainfo)}).status_code == 201
    bob.quota_bytes = 1000
    bob.save()

    response = post(bob, {"magnets": f"magnet:?xt=urn:btih:{info_hash}&tr={BOB_URL}"})

    reason = response.data["rejected"][0]["reason"]
    assert reason == "not enough free quota for this torrent"
    assert "70,000" not in reason
    assert "70000" not in reason


def test_a_private_magnet_stays_with_the_owner_whose_tracker_answered(node, alice, bob, tracker):
    """Both add a magnet (private or not is unknown yet): the squatter's dead tracker first,
    then Bob's working one. Once the metadata says private, Bob keeps it and rTorrent stops
    announcing to the squatter's URL."""
    info = bencodepy.encode(
        {b"name": b"p.bin", b"length": 10, b"piece length": 16384, b"pieces": b"x" * 20,
         b"private": 1}
    )  # fmt: skip
    info_hash = hashlib.sha1(info).hexdigest()
    tracker.allow(info_hash)
    _squat(alice, info_hash)
    bobs = f"magnet:?xt=urn:btih:{info_hash}&tr={quote(tracker.announce_url, safe='')}"
    assert post(bob, {"magnets": bobs}).status_code == 201
    client = node_client(node)

    def bob_answered() -> bool:
        client.announce(info_hash)
        rows = {r["url"]: r for r in client.trackers(info_hash)}
        return rows.get(tracker.announce_url, {}).get("success_counter", 0) > 0

    wait_until(bob_answered, timeout=30, what="an answer from Bob's tracker")
    torrent = Torrent.objects.get()
    directory = torrent_directory(torrent)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{info_hash.upper()}.meta").write_bytes(info)

    assert magnet_resolve(torrent=torrent, client=client) is True

    torrent.refresh_from_db()
    assert torrent.private
    assert list(torrent.owners.all()) == [bob]
    assert torrent.added_by == bob
    assert parse_metainfo(bytes(torrent.metainfo), max_size=1 << 20, max_files=9).trackers == [
        tracker.announce_url
    ]
    enabled = {r["url"]: r["is_enabled"] for r in client.trackers(info_hash)}
    assert enabled[DEAD] == 0
    assert enabled[tracker.announce_url] == 1


def test_an_owner_without_quota_does_not_stop_the_others_magnet(node, alice, bob):
    info_hash = "ef" * 20
    _squat(alice, info_hash)
    alice.quota_bytes = 0
    alice.save()
    magnet = f"magnet:?xt=urn:btih:{info_hash}&tr={BOB_URL}"
    assert post(bob, {"magnets": magnet}).status_code == 201
    torrent = Torrent.objects.get()

    assert torrent_metadata_resolved(
        torrent=torrent, name="x", size_bytes=1000, files=[("x.bin", 1000)]
    )

    torrent.refresh_from_db()
    assert torrent.status != TorrentStatus.ERROR
    assert list(torrent.owners.all()) == [bob]
    bob.refresh_from_db()
    assert bob.used_bytes == 1000
