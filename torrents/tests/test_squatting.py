"""Info-hash squatting: a magnet whose metadata never arrives (a dead tracker) must not decide
what another user's torrent announces to, nor lock them out, nor hold the hash for ever. The
real rTorrent says what it announces to (`client.trackers`)."""

import datetime as dt

import torf
from django.test import Client
from django.utils import timezone

from torrents.models import Ownership, Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
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
