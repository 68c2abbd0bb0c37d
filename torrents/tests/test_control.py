"""Pause, resume, recheck, re-push, PATCH and DELETE against a real rTorrent, with the personas
owner / another user (404) / admin / anonymous (401)."""

import pytest

from torrents.models import Torrent, TorrentHistory, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.helpers_sync import (
    add_torrent,
    api,
    committed,
    wait_until,
)


@pytest.fixture
def seeding(node, owner, tmp_path) -> Torrent:
    torrent = add_torrent(node, [owner], tmp_path, name="ctl.bin", with_data=True, start=True)
    client = node_client(node)
    wait_until(lambda: client.call("d.complete", torrent.info_hash.upper()) == 1, what="check")
    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.SEEDING
    return torrent


def _state(node, torrent) -> tuple[int, int]:
    h = torrent.info_hash.upper()
    client = node_client(node)
    return client.call("d.state", h), client.call("d.is_active", h)


@pytest.mark.parametrize("action", ["pause", "resume", "recheck", "repush"])
def test_others_get_404_and_anonymous_401(seeding, other, action):
    url = f"/api/torrents/{seeding.pk}/{action}"
    assert api(other).post(url).status_code == 404
    assert api(None).post(url).status_code == 401
    assert (
        api(other).patch(f"/api/torrents/{seeding.pk}", {"paused": True}, format="json").status_code
        == 404
    )
    assert api(other).delete(f"/api/torrents/{seeding.pk}").status_code == 404
    assert api(None).delete(f"/api/torrents/{seeding.pk}").status_code == 401
    assert Torrent.objects.get(pk=seeding.pk).status == TorrentStatus.SEEDING


def test_pause_and_resume_show_on_the_next_read(node, seeding, owner):
    answer = api(owner).post(f"/api/torrents/{seeding.pk}/pause")
    assert answer.status_code == 200
    assert answer.json()["status"] == "paused"
    assert _state(node, seeding) == (1, 0)
    assert api(owner).get(f"/api/torrents/{seeding.pk}").json()["status"] == "paused"

    answer = api(owner).patch(f"/api/torrents/{seeding.pk}", {"paused": False}, format="json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "seeding"
    assert _state(node, seeding) == (1, 1)
    assert api(owner).get(f"/api/torrents/{seeding.pk}").json()["status"] == "seeding"


def test_admin_controls_any_torrent_and_a_stopped_one_resumes(node, owner, admin, tmp_path):
    torrent = add_torrent(node, [owner], tmp_path, name="stopped.bin")
    answer = api(admin).patch(f"/api/torrents/{torrent.pk}", {"paused": True}, format="json")
    assert answer.json()["status"] == "stopped"  # pausing a stopped torrent leaves it stopped
    answer = api(admin).post(f"/api/torrents/{torrent.pk}/resume")
    assert answer.status_code == 200
    assert answer.json()["status"] in {"downloading", "checking"}
    assert _state(node, torrent)[0] == 1


def test_recheck_asks_rtorrent_for_a_hash_check(node, seeding, owner):
    answer = api(owner).post(f"/api/torrents/{seeding.pk}/recheck")
    assert answer.status_code == 200
    assert answer.json()["status"] in {"checking", "seeding"}
    h = seeding.info_hash.upper()
    wait_until(lambda: node_client(node).call("d.complete", h) == 1, what="the re-check")


def test_bad_patch_and_actions_on_torrents_not_in_rtorrent_are_refused(seeding, owner):
    for body in ({"paused": "yes"}, {"paused": True, "status": "seeding"}, {}):
        answer = api(owner).patch(f"/api/torrents/{seeding.pk}", body, format="json")
        assert answer.status_code == 400, body
    Torrent.objects.filter(pk=seeding.pk).update(status=TorrentStatus.QUEUED)
    answer = api(owner).post(f"/api/torrents/{seeding.pk}/pause")
    assert answer.status_code == 409
    assert "not in rTorrent" in answer.json()["detail"]
    answer = api(owner).post(f"/api/torrents/{seeding.pk}/repush")
    assert answer.status_code == 409


def test_a_node_that_is_down_gives_503_and_changes_nothing(rtorrent, seeding, owner):
    rtorrent.stop()
    answer = api(owner).post(f"/api/torrents/{seeding.pk}/pause")
    assert answer.status_code == 503
    assert "unreachable" in answer.json()["detail"]
    assert Torrent.objects.get(pk=seeding.pk).status == TorrentStatus.SEEDING


def _delete(user, torrent, query: str = ""):
    return committed(lambda: api(user).delete(f"/api/torrents/{torrent.pk}{query}"))


def test_delete_frees_quota_keeps_history_and_the_last_owner_purges(node, owner, other, tmp_path):
    torrent = add_torrent(
        node,
        [owner, other],
        tmp_path,
        name="shared",
        files={"a.bin": 1000, "d/b.bin": 2000},
        with_data=True,
        start=True,
    )
    wait_until(lambda: node_client(node).call("d.complete", torrent.info_hash.upper()) == 1)
    node_sync(node=node)  # completion: both owners get a history row
    directory = torrent_directory(torrent)
    assert (directory / "shared" / "d" / "b.bin").exists()
    owner.refresh_from_db()
    assert owner.used_bytes == 3000

    assert _delete(owner, torrent).status_code == 204
    owner.refresh_from_db()
    assert owner.used_bytes == 0
    assert api(owner).get(f"/api/torrents/{torrent.pk}").status_code == 404
    assert node_client(node).has(torrent.info_hash)
    assert directory.exists()

    assert _delete(other, torrent).status_code == 204
    torrent.refresh_from_db()
    other.refresh_from_db()
    assert torrent.status == TorrentStatus.REMOVED
    assert not torrent.purge_pending
    assert other.used_bytes == 0
    assert not node_client(node).has(torrent.info_hash)
    assert not directory.exists()
    assert directory.parent.exists()
    assert TorrentHistory.objects.filter(info_hash=torrent.info_hash).count() == 2
    # The sync leaves a removed torrent alone (it is not "missing").
    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.REMOVED


def test_admin_deletes_for_everyone(node, owner, other, admin, tmp_path):
    torrent = add_torrent(node, [owner, other], tmp_path, name="both.bin", with_data=True)
    assert _delete(admin, torrent).status_code == 204
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.REMOVED
    assert not torrent.ownerships.exists()
    owner.refresh_from_db()
    other.refresh_from_db()
    assert owner.used_bytes == other.used_bytes == 0
    assert not torrent_directory(torrent).exists()


def test_delete_while_rtorrent_is_down_finishes_when_it_is_back(node, rtorrent, owner, tmp_path):
    torrent = add_torrent(node, [owner], tmp_path, name="later.bin", with_data=True)
    rtorrent.stop()
    answer = _delete(owner, torrent)
    assert answer.status_code == 202
    assert "pending" in answer.json()["detail"]
    torrent.refresh_from_db()
    owner.refresh_from_db()
    assert torrent.status == TorrentStatus.REMOVED
    assert torrent.purge_pending
    assert "unreachable" in torrent.last_error
    assert owner.used_bytes == 0  # the quota is free at once
    assert torrent_directory(torrent).exists()  # nothing deleted under a torrent rTorrent holds

    rtorrent.start()
    node_sync(node=node)  # the sync finishes pending removals
    torrent.refresh_from_db()
    assert not torrent.purge_pending
    assert torrent.last_error == ""
    assert not node_client(node).has(torrent.info_hash)
    assert not torrent_directory(torrent).exists()


def test_purge_never_deletes_outside_the_data_root(node, owner, tmp_path):
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    torrent = add_torrent(node, [owner], tmp_path / "t", name="x.bin", load=False)
    directory = torrent_directory(torrent)
    directory.rmdir()
    directory.symlink_to(outside)
    assert _delete(owner, torrent).status_code == 204
    assert (outside / "keep.txt").read_text() == "mine"
    assert not directory.is_symlink()
