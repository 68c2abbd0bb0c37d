"""Moderation through the API and the Django admin: the same services either way."""

import pytest

from torrents.metainfo import parse_metainfo
from torrents.models import Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import api, committed, post, push_queued, upload


@pytest.fixture
def pending(node, alice, settings, tmp_path) -> Torrent:
    settings.SEEDBOX_REQUIRE_APPROVAL = True
    data, _, _ = make_torrent(tmp_path, "wait.bin", 3000)
    assert post(alice, {"torrents": [upload("w.torrent", data)]}).status_code == 201
    return Torrent.objects.get()


def test_untrusted_users_torrents_wait_and_are_not_pushed(pending, alice):
    assert pending.status == TorrentStatus.PENDING_APPROVAL
    assert push_queued() == []
    assert not node_client(pending.node).hashes()
    alice.refresh_from_db()
    assert alice.used_bytes == 3000  # reserved while waiting


def test_trusted_users_skip_moderation(node, alice, settings, tmp_path):
    settings.SEEDBOX_REQUIRE_APPROVAL = True
    alice.trusted = True
    alice.save()
    data, _, _ = make_torrent(tmp_path, "ok.bin", 100)
    post(alice, {"torrents": [upload("o.torrent", data)]})
    assert Torrent.objects.get().status == TorrentStatus.QUEUED


def test_a_trusted_co_owner_releases_a_pending_torrent(pending, alice, bob):
    bob.trusted = True
    bob.save()
    metainfo = bytes(pending.metainfo)
    response = post(bob, {"torrents": [upload("w.torrent", metainfo)]})
    assert response.status_code == 201, response.data
    pending.refresh_from_db()
    assert pending.status == TorrentStatus.QUEUED
    assert sorted(pending.ownerships.values_list("user__email", flat=True)) == sorted(
        [alice.email, bob.email]
    )
    assert push_queued() == ["loaded"]
    assert node_client(pending.node).hashes() == [pending.info_hash]


def test_a_pending_magnet_released_by_a_trusted_torrent_file_keeps_the_file(
    node, alice, bob, settings, tmp_path
):
    settings.SEEDBOX_REQUIRE_APPROVAL = True
    data, info_hash, _ = make_torrent(tmp_path, "m.bin", 3000)
    magnet = f"magnet:?xt=urn:btih:{info_hash}&tr=http://127.0.0.1:6969/announce"
    assert post(alice, {"magnets": magnet}).status_code == 201
    bob.trusted = True
    bob.save()
    assert post(bob, {"torrents": [upload("m.torrent", data)]}).status_code == 201
    torrent = Torrent.objects.get()
    assert torrent.status == TorrentStatus.QUEUED
    kept = parse_metainfo(bytes(torrent.metainfo), max_size=1 << 20, max_files=10)
    assert kept.info_hash == info_hash
    assert kept.trackers == ["http://127.0.0.1:6969/announce"]  # the magnet's
    assert push_queued() == ["loaded"]  # from the .torrent, not the bare magnet


def test_an_untrusted_co_owner_leaves_it_waiting(pending, bob):
    response = post(bob, {"torrents": [upload("w.torrent", bytes(pending.metainfo))]})
    assert response.status_code == 201, response.data
    pending.refresh_from_db()
    assert pending.status == TorrentStatus.PENDING_APPROVAL
    assert pending.ownerships.count() == 2
    assert push_queued() == []


def test_admin_approves_then_it_is_pushed(pending, boss):
    response = committed(lambda: api(boss).post(f"/api/torrents/{pending.pk}/approve"))
    assert response.status_code == 200
    assert response.data["status"] == TorrentStatus.QUEUED
    assert push_queued() == ["loaded"]
    pending.refresh_from_db()
    assert pending.reviewed_by == boss
    again = api(boss).post(f"/api/torrents/{pending.pk}/approve")
    assert again.status_code == 409


def test_admin_rejects_with_a_reason_and_the_quota_comes_back(pending, alice, boss):
    assert api(boss).post(f"/api/torrents/{pending.pk}/reject", {}).status_code == 400
    response = api(boss).post(f"/api/torrents/{pending.pk}/reject", {"reason": "not allowed"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.used_bytes == 0
    seen_by_owner = api(alice).get(f"/api/torrents/{pending.pk}").data
    assert seen_by_owner["status"] == TorrentStatus.REJECTED
    assert seen_by_owner["status_message"] == "rejected: not allowed"


def test_moderation_personas(pending, alice, bob):
    url = f"/api/torrents/{pending.pk}/approve"
    assert api(bob).post(url).status_code == 404
    assert api(alice).post(url).status_code == 403
    assert api(None).post(url).status_code in (401, 403)
    pending.refresh_from_db()
    assert pending.status == TorrentStatus.PENDING_APPROVAL


def test_admin_bulk_actions_call_the_same_services(pending, alice, boss, client, tmp_path):
    data, _, _ = make_torrent(tmp_path / "2", "second.bin", 500)
    post(alice, {"torrents": [upload("s.torrent", data)]})
    first, second = Torrent.objects.order_by("pk")
    client.force_login(boss)
    url = "/admin/torrents/torrent/"
    client.post(url, {"action": "reject", "_selected_action": [first.pk], "reason": "spam"})
    committed(lambda: client.post(url, {"action": "approve", "_selected_action": [second.pk]}))
    assert push_queued() == ["loaded"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.status_message) == (TorrentStatus.REJECTED, "rejected: spam")
    assert second.status == TorrentStatus.CHECKING  # approved, then pushed
    assert second.reviewed_by == boss
    alice.refresh_from_db()
    assert alice.used_bytes == 500
    assert client.get(f"/admin/torrents/torrent/{first.pk}/change/").status_code == 200
