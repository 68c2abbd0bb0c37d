"""Pairing (one info-hash, several owners), revival, and the quota under concurrency."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import User
from torrents.models import Node, Ownership, Torrent, TorrentStatus
from torrents.services.intake import torrent_add_metainfo
from torrents.services.nodes import node_client
from torrents.services.quota import QuotaExceeded
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import post, push_queued, upload


def test_same_hash_by_another_user_is_paired_and_charged(node, alice, bob, tmp_path):
    data, info_hash, _ = make_torrent(tmp_path, "shared.bin", 50_000)
    assert post(alice, {"torrents": [upload("s.torrent", data)]}).status_code == 201
    assert push_queued() == ["loaded"]
    response = post(bob, {"torrents": [upload("s.torrent", data)]})
    assert response.status_code == 201
    assert push_queued() == []  # already in rTorrent: nothing pushed again
    torrent = Torrent.objects.get()
    assert torrent.push_attempts == 1
    assert set(torrent.owners.values_list("email", flat=True)) == {alice.email, bob.email}
    for user in (alice, bob):
        user.refresh_from_db()
        assert user.used_bytes == 50_000
    assert node_client(node).hashes() == [info_hash]


def test_same_user_again_gets_a_clear_answer(node, alice, tmp_path):
    data, _, _ = make_torrent(tmp_path, "mine.bin", 1000)
    post(alice, {"torrents": [upload("m.torrent", data)]})
    response = post(alice, {"torrents": [upload("m.torrent", data)]})
    assert response.status_code == 400
    torrent = Torrent.objects.get()
    assert response.data["rejected"][0]["reason"] == (
        f"you already have this torrent: mine.bin (#{torrent.pk})"
    )
    alice.refresh_from_db()
    assert alice.used_bytes == 1000


def test_removed_torrent_added_again_is_revived_and_pushed(node, alice, bob, tmp_path):
    data, info_hash, _ = make_torrent(tmp_path, "back.bin", 2000)
    post(alice, {"torrents": [upload("b.torrent", data)]})
    push_queued()
    torrent = Torrent.objects.get()
    node_client(node).erase(info_hash)  # what a removal does, in short
    Torrent.objects.filter(pk=torrent.pk).update(status=TorrentStatus.REMOVED)
    Ownership.objects.filter(torrent=torrent).update(charged_bytes=0)
    User.objects.filter(pk=alice.pk).update(used_bytes=0)

    response = post(bob, {"torrents": [upload("b.torrent", data)]})
    assert response.status_code == 201
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.QUEUED
    assert list(torrent.owners.all()) == [bob]
    assert push_queued() == ["loaded"]
    assert node_client(node).has(info_hash)


def test_quota_exceeded_writes_nothing(node, alice, tmp_path):
    User.objects.filter(pk=alice.pk).update(quota_bytes=10_000, used_bytes=9_000)
    data, _, _ = make_torrent(tmp_path, "big.bin", 5_000)
    response = post(alice, {"torrents": [upload("big.torrent", data)]})
    assert response.status_code == 400
    assert response.data["rejected"][0]["reason"] == (
        "not enough quota: this needs 4.9 KB and 1000 bytes are free"
    )
    assert not Torrent.objects.exists()
    alice.refresh_from_db()
    assert alice.used_bytes == 9_000


def test_node_choice_is_the_enabled_node_with_fewest_torrents(db, alice, tmp_path):
    from torrents.metainfo import parse_metainfo

    # Two data roots on one disk (this test's own directories): the same room, so the count
    # of torrents decides.
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    busy = Node.objects.create(
        name="a-busy", rpc_url="scgi:///nowhere.sock", data_root=str(tmp_path / "x")
    )
    idle = Node.objects.create(
        name="b-idle", rpc_url="scgi:///nowhere.sock", data_root=str(tmp_path / "y")
    )
    Node.objects.create(name="c-off", rpc_url="scgi:///n.sock", data_root="/z", enabled=False)
    Torrent.objects.create(info_hash="f" * 40, name="x", node=busy)
    data, _, _ = make_torrent(tmp_path, "n.bin", 100)
    meta = parse_metainfo(data, max_size=1 << 20, max_files=10)
    assert torrent_add_metainfo(user=alice, meta=meta).node == idle


@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_cannot_both_squeeze_past_the_quota(tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises all writers; the race is only meaningful on Postgres")
    from torrents.metainfo import parse_metainfo

    node = Node.objects.create(name="race", rpc_url="scgi:///nowhere.sock", data_root="/tmp/race")
    user = User.objects.create_user("racer@example.com", "pw", quota_bytes=15_000)
    metas = []
    for i in range(2):
        data, _, _ = make_torrent(tmp_path / str(i), f"r{i}.bin", 10_000)
        metas.append(parse_metainfo(data, max_size=1 << 20, max_files=10))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(meta) -> None:
        barrier.wait()
        try:
            torrent_add_metainfo(user=user, meta=meta)
            outcomes.append("added")
        except QuotaExceeded:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(m,)) for m in metas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added", "refused"]
    user.refresh_from_db()
    assert user.used_bytes == 10_000
    assert Torrent.objects.filter(node=node).count() == 1
