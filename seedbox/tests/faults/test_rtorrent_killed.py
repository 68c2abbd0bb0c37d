"""rTorrent SIGKILLed during a burst of pushes and during a sync (issue 16, "Proof under
faults"): nothing accepted is lost, and everything catches up once it is started again on the
same session dir. Real rTorrent, real broker; the kills are timed by a wrapper around the real
client (as in torrents/tests/test_push_races.py), so the moment is exact, not a race."""

from torrents.models import IN_RTORRENT, Torrent, TorrentStatus
from torrents.rtorrent import RTorrentUnavailable
from torrents.services import push as push_module
from torrents.services import sync as sync_module
from torrents.services.nodes import node_client
from torrents.services.push import torrent_push, torrents_reconcile
from torrents.services.sync import node_sync
from torrents.tests.factories import make_torrent
from torrents.tests.helpers_sync import rtorrent_crash
from torrents.tests.intake_support import _broker_messages, post, upload, wait_until

BURST = 12
KILLED_AT = 4  # the push whose load is the last rTorrent answers


class _KillsAfter:
    """The real client; after the real `method` returns, rTorrent is SIGKILLed."""

    def __init__(self, client, method, kill):
        self._client, self._method, self._kill = client, method, kill

    def __getattr__(self, name):
        real = getattr(self._client, name)
        if name != self._method:
            return real

        def then_kill(*args, **kwargs):
            answer = real(*args, **kwargs)
            self._kill()
            return answer

        return then_kill


def test_a_burst_of_pushes_and_a_sync_killed_lose_nothing(
    node, rtorrent, alice, tmp_path, monkeypatch
):
    hashes, sizes = [], 0
    for i in range(BURST):
        data, info_hash, _ = make_torrent(tmp_path / str(i), f"burst{i}.bin", 4096 + i)
        assert post(alice, {"torrents": [upload(f"b{i}.torrent", data)]}).status_code == 201
        hashes.append(info_hash)
        sizes += 4096 + i
    pushes = [args for task, args, _ in _broker_messages() if task.endswith("push_torrent")]
    assert len(pushes) == BURST

    # The burst, as the worker runs it: the KILLED_AT-th push loads, then rTorrent dies.
    real_client = push_module.node_client
    outcomes = []
    for n, (torrent_id,) in enumerate(pushes, 1):
        if n == KILLED_AT:
            monkeypatch.setattr(
                push_module,
                "node_client",
                lambda node, **kw: _KillsAfter(
                    real_client(node, **kw), "load", lambda: rtorrent_crash(rtorrent)
                ),
            )
        try:
            outcomes.append(torrent_push(torrent_id=torrent_id))
        except RTorrentUnavailable:  # the task retries it later; the reconcile too
            outcomes.append("unavailable")
        monkeypatch.setattr(push_module, "node_client", real_client)
    assert outcomes == ["loaded"] * KILLED_AT + ["unavailable"] * (BURST - KILLED_AT)
    assert not node_sync(node=node).ok  # a sync while it is down: the node is down, no harm

    # Started again, then killed during a sync: right after its multicall answered.
    rtorrent.start()
    assert node_sync(node=node).ok
    node.refresh_from_db()  # up again, its version known: the next run reads only the multicall
    real_sync_client = sync_module.node_client
    monkeypatch.setattr(
        sync_module,
        "node_client",
        lambda node, **kw: _KillsAfter(
            real_sync_client(node, **kw), "torrents", lambda: rtorrent_crash(rtorrent)
        ),
    )
    report = node_sync(node=node)  # its saves of sessions after the commit fail: logged
    monkeypatch.setattr(sync_module, "node_client", real_sync_client)
    assert report.ok
    assert report.remote == KILLED_AT
    assert report.missing == []

    rtorrent.start()
    client = node_client(node)
    wait_until(lambda: len(client.hashes()) >= KILLED_AT, what="the session reload")
    node_sync(node=node)
    report = torrents_reconcile()["test"]
    assert (report["queued"], report["pushed"], report["failed"]) == (BURST - KILLED_AT,) * 2 + (0,)
    assert sorted(client.hashes()) == sorted(hashes)
    report = node_sync(node=node)
    assert report.ok
    assert report.missing == []
    rows = Torrent.objects.filter(info_hash__in=hashes)
    assert {t.status for t in rows} <= set(IN_RTORRENT), [(t.name, t.status) for t in rows]
    assert not rows.filter(status=TorrentStatus.MISSING).exists()
    assert not rows.filter(stale=True).exists()
    alice.refresh_from_db()
    assert alice.used_bytes == sizes  # charged once each, whatever was retried
