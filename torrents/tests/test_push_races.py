"""A push racing a removal or a rejection: whatever wins, nothing is left running in rTorrent
that no one owns. The race is forced by acting between the push's read of the row and its load
(a wrapper around the real client; rTorrent itself is real)."""

from torrents.models import Torrent, TorrentStatus
from torrents.services import push as push_module
from torrents.services.control import torrent_purge, torrent_remove
from torrents.services.moderation import torrent_reject
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
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
