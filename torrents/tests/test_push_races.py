"""A push racing a removal or a rejection: whatever wins, nothing is left running in rTorrent
that no one owns. The race is forced by acting between the push's read of the row and its load
(a wrapper around the real client; rTorrent itself is real). A purge racing the same torrent
added again: the newcomer waits for the purge and keeps their data."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import User
from torrents.metainfo import parse_metainfo
from torrents.models import IN_RTORRENT, Torrent, TorrentStatus
from torrents.rtorrent import RTorrentClient
from torrents.services import push as push_module
from torrents.services import sync as sync_module
from torrents.services.control import torrent_remove
from torrents.services.moderation import torrent_reject
from torrents.services.nodes import node_client
from torrents.services.purge import torrent_purge
from torrents.services.sync import node_sync
from torrents.services.uploads import torrent_add_with_data
from torrents.storage import torrent_directory
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import committed, post, upload


class _ActsBeforeLoading:
    """The real client, with `act()` run just before the push asks whether rTorrent has it."""

    def __init__(self, client, act):
        self._client, self._act = client, act

    def __getattr__(self, name):
        return getattr(self._client, name)

    def has(self, info_hash):
        self._act()
        return self._client.has(info_hash)


def _race(monkeypatch, act) -> str:
    real = push_module.node_client
    monkeypatch.setattr(
        push_module, "node_client", lambda node, **kw: _ActsBeforeLoading(real(node, **kw), act)
    )
    torrent = Torrent.objects.get()
    outcome = committed(lambda: push_module.torrent_push(torrent_id=torrent.pk))
    monkeypatch.setattr(push_module, "node_client", real)
    return outcome


def test_removed_while_being_pushed_is_erased_again(node, alice, tmp_path, monkeypatch):
    metainfo, info_hash, _ = make_torrent(tmp_path)
    assert post(alice, {"torrents": upload("a.torrent", metainfo)}).status_code == 201
    torrent = Torrent.objects.get()

    def remove():
        torrent_remove(torrent=torrent, by=alice, purge=False)
        assert torrent_purge(torrent_id=torrent.pk) == "purged"

    assert _race(monkeypatch, remove) == "removed meanwhile"
    node_sync(node=node)  # runs the pending purge should no worker have taken it

    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.REMOVED
    assert not torrent.purge_pending
    assert not node_client(node).has(info_hash)
    assert not torrent_directory(torrent).exists()


def test_rejected_while_being_pushed_is_erased(node, alice, boss, tmp_path, monkeypatch, settings):
    metainfo, info_hash, _ = make_torrent(tmp_path)
    assert post(alice, {"torrents": upload("a.torrent", metainfo)}).status_code == 201
    torrent = Torrent.objects.get()

    def reject():
        # A moderator's rejection lands on a row that is already queued (approval raced).
        Torrent.objects.filter(pk=torrent.pk).update(status=TorrentStatus.PENDING_APPROVAL)
        torrent_reject(torrent=Torrent.objects.get(pk=torrent.pk), by=boss, reason="no")

    assert _race(monkeypatch, reject) == "rejected meanwhile"
    assert not node_client(node).has(info_hash)


@pytest.mark.django_db(transaction=True)
def test_added_again_while_being_purged_waits_and_keeps_its_data(node, tmp_path, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no row locks; the race is only meaningful on Postgres")
    alice = User.objects.create_user("alice.purge@example.com", "pw")
    bob = User.objects.create_user("bob.purge@example.com", "pw")
    metainfo, _, source = make_torrent(tmp_path, "keep.bin", 50_000)
    meta = parse_metainfo(metainfo, max_size=1 << 20, max_files=10)
    data = source.read_bytes()
    torrent = torrent_add_with_data(
        user=alice, meta=meta, files=[upload("keep.bin", data)], paths=[]
    )
    torrent_remove(torrent=torrent, by=alice, purge=False)

    # The purge stops inside its erase call until told to go on (then calls the real one).
    in_erase, go = threading.Event(), threading.Event()
    real_erase = RTorrentClient.erase

    def held_erase(self, info_hash):
        in_erase.set()
        go.wait(10)
        return real_erase(self, info_hash)

    monkeypatch.setattr(RTorrentClient, "erase", held_erase)
    outcomes: dict[str, str] = {}

    def in_thread(key, action):
        def run():
            try:
                outcomes[key] = action()
            finally:
                connections.close_all()

        return threading.Thread(target=run)

    purge = in_thread("purge", lambda: torrent_purge(torrent_id=torrent.pk))
    again = in_thread(
        "bob",
        lambda: (
            torrent_add_with_data(
                user=bob, meta=meta, files=[upload("keep.bin", data)], paths=[]
            ).status
        ),
    )
    purge.start()
    assert in_erase.wait(10)
    again.start()
    again.join(0.5)
    assert again.is_alive()  # waiting for the purge's lock on the row
    go.set()
    purge.join(10)
    again.join(10)

    assert outcomes == {"purge": "purged", "bob": TorrentStatus.QUEUED}
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.QUEUED
    assert not torrent.purge_pending
    assert list(torrent.ownerships.values_list("user__email", flat=True)) == [bob.email]
    assert (torrent_directory(torrent) / "keep.bin").read_bytes() == data


class _PushesAfterTheMulticall:
    """The real client; right after the sync's multicall answered, `push()` runs (a worker's
    push landing between the sync's read of rTorrent and its read of the rows)."""

    def __init__(self, client, push):
        self._client, self._push = client, push

    def __getattr__(self, name):
        return getattr(self._client, name)

    def torrents(self, *args, **kwargs):
        answer = self._client.torrents(*args, **kwargs)
        self._push()
        return answer


def test_a_push_landing_during_a_sync_is_not_taken_for_missing(node, alice, tmp_path, monkeypatch):
    metainfo, _, _ = make_torrent(tmp_path)
    assert post(alice, {"torrents": upload("a.torrent", metainfo)}).status_code == 201
    torrent = Torrent.objects.get()
    real = sync_module.node_client
    monkeypatch.setattr(
        sync_module,
        "node_client",
        lambda node, **kw: _PushesAfterTheMulticall(
            real(node, **kw), lambda: push_module.torrent_push(torrent_id=torrent.pk)
        ),
    )

    report = node_sync(node=node)

    assert report.missing == []
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.CHECKING, torrent.status_message
    monkeypatch.setattr(sync_module, "node_client", real)
    node_sync(node=node)  # the next run sees it in rTorrent
    torrent.refresh_from_db()
    assert torrent.status in IN_RTORRENT
