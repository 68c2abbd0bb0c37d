"""The sync against a real rTorrent: statuses, completion once, missing, a node that is down,
counters that went down, flat query counts, the per-node lock."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from torrents.models import Node, RateTotal, Torrent, TorrentHistory, TorrentStatus
from torrents.services.history import split_evenly
from torrents.services.nodes import node_client
from torrents.services.sync import counter_delta, node_sync, torrent_status
from torrents.tasks.sync import node_lock, sync_node, sync_nodes
from torrents.tests.factories import make_torrent
from torrents.tests.helpers_sync import (
    add_torrent,
    wait_until,
)


def test_status_mapping_covers_rtorrents_flags():
    base = {"hashing": 0, "state": 1, "is_active": 1, "complete": 0}
    assert torrent_status(base) == TorrentStatus.DOWNLOADING
    assert torrent_status({**base, "complete": 1}) == TorrentStatus.SEEDING
    assert torrent_status({**base, "is_active": 0}) == TorrentStatus.PAUSED
    assert torrent_status({**base, "state": 0, "is_active": 0}) == TorrentStatus.STOPPED
    assert torrent_status({**base, "hashing": 1, "state": 0}) == TorrentStatus.CHECKING


def test_counter_delta_is_never_negative():
    assert counter_delta(150, 100) == 50
    assert counter_delta(30, 100) == 0  # restarted: 30 is the new baseline, nothing credited
    assert counter_delta(0, 0) == 0


def test_split_gives_the_remainder_to_the_first_owners_and_sums_exactly():
    assert split_evenly(10, [7, 8, 9]) == {7: 4, 8: 3, 9: 3}
    assert sum(split_evenly(1_000_003, [1, 2, 3, 4]).values()) == 1_000_003
    assert split_evenly(5, []) == {}


def test_sync_reads_state_and_records_completion_once(node, owner, tmp_path):
    stopped = add_torrent(node, [owner], tmp_path / "a", name="stopped.bin")
    seeded = add_torrent(node, [owner], tmp_path / "b", name="seed.bin", with_data=True, start=True)
    client = node_client(node)
    wait_until(lambda: client.call("d.complete", seeded.info_hash.upper()) == 1, what="check")

    report = node_sync(node=node)

    # The stopped row already said "stopped" with zero counters: only the seeded one is written.
    assert report.ok
    assert report.followed == 2
    assert report.updated == 1
    stopped.refresh_from_db()
    seeded.refresh_from_db()
    assert stopped.status == TorrentStatus.STOPPED
    assert stopped.completed_at is None
    assert seeded.status == TorrentStatus.SEEDING
    assert seeded.completed_bytes == seeded.size_bytes
    assert seeded.progress == 1.0
    assert seeded.completed_at is not None
    assert report.completed == [seeded.pk]
    first_completion = seeded.completed_at
    node.refresh_from_db()
    assert node.is_up is True
    assert node.version
    assert node.last_seen_at
    assert not node.last_error
    history = TorrentHistory.objects.get(user=owner, info_hash=seeded.info_hash)
    assert history.completed_at == first_completion

    again = node_sync(node=node)
    seeded.refresh_from_db()
    assert again.completed == []
    assert seeded.completed_at == first_completion


def test_an_unchanged_node_writes_nothing(node, owner, tmp_path):
    for i in range(3):
        add_torrent(node, [owner], tmp_path / str(i), name=f"still-{i}.bin", status="queued")
    assert node_sync(node=node).updated == 3
    with CaptureQueriesContext(connection) as queries:
        assert node_sync(node=node).updated == 0
    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert writes  # the node's last_seen_at
    assert not [sql for sql in writes if "torrents_torrent" in sql]


def _queries_of_one_sync(node) -> int:
    with CaptureQueriesContext(connection) as queries:
        node_sync(node=node)
    return len(queries)


def _add_seeded(node, owners, scratch, count: int, prefix: str) -> None:
    for i in range(count):
        add_torrent(
            node,
            owners,
            scratch / f"{prefix}{i}",
            name=f"{prefix}-{i}.bin",
            size=1024,
            with_data=True,
            start=True,
        )
    client = node_client(node)
    wait_until(lambda: all(r["complete"] for r in client.torrents(["d.complete"])), what="checks")


def test_query_count_does_not_grow_with_the_number_of_torrents(node, owner, other, tmp_path):
    """Every row changes and completes (history written for two owners each) at 5 and at 50."""
    _add_seeded(node, [owner, other], tmp_path, 5, "small")
    with_5 = _queries_of_one_sync(node)
    _add_seeded(node, [owner, other], tmp_path, 45, "more")
    Torrent.objects.filter(node=node).update(status=TorrentStatus.QUEUED, completed_at=None)
    TorrentHistory.objects.all().delete()
    RateTotal.objects.all().delete()  # written again too, as at 5

    with_50 = _queries_of_one_sync(node)

    assert Torrent.objects.filter(node=node, status=TorrentStatus.SEEDING).count() == 50
    assert TorrentHistory.objects.filter(completed_at__isnull=False).count() == 100
    assert with_5 == with_50, (with_5, with_50)
    # 12: the run's events (50 completions, their trackers' messages) are one INSERT; the
    # totals bar's sums one read and, when they moved, two writes (services/rate_totals.py).
    assert with_50 <= 12


def test_a_torrent_gone_from_rtorrent_is_missing_and_can_be_repushed(node, owner, tmp_path):
    from torrents.services.control import torrent_repush
    from torrents.tests.helpers_sync import committed

    torrent = add_torrent(node, [owner], tmp_path, name="lost.bin")
    node_sync(node=node)
    Torrent.objects.filter(pk=torrent.pk).update(uploaded_bytes=123, rtorrent_up_total=123)
    node_client(node).erase(torrent.info_hash)  # behind the site's back

    report = node_sync(node=node)

    torrent.refresh_from_db()
    assert report.missing == [torrent.pk]
    assert torrent.status == TorrentStatus.MISSING
    assert "gone from rTorrent" in torrent.status_message
    assert torrent.rtorrent_up_total == 0  # the baseline restarts with the re-pushed torrent
    assert torrent.uploaded_bytes == 123  # what it uploaded while here stays

    committed(lambda: torrent_repush(torrent=torrent))
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.QUEUED
    from torrents.services.push import torrent_push

    assert torrent_push(torrent_id=torrent.pk) == "loaded"
    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.DOWNLOADING
    assert torrent.status_message == ""


def test_a_node_that_does_not_answer_keeps_state_marked_stale(node, rtorrent, owner, tmp_path):
    torrent = add_torrent(node, [owner], tmp_path, name="kept.bin")
    node_sync(node=node)
    rtorrent.stop()

    report = node_sync(node=node)

    assert not report.ok
    assert "unreachable" in report.error
    node.refresh_from_db()
    torrent.refresh_from_db()
    assert node.is_up is False
    assert "unreachable" in node.last_error
    assert torrent.status == TorrentStatus.STOPPED
    assert torrent.stale is True

    rtorrent.start()
    assert node_sync(node=node).ok
    torrent.refresh_from_db()
    node.refresh_from_db()
    assert torrent.stale is False
    assert node.is_up is True
    assert node.last_error == ""


def test_a_torrent_that_must_not_run_is_stopped(node, owner, tmp_path):
    # e.g. a magnet over quota whose stop failed: the row says error, rTorrent still runs it.
    refused = add_torrent(node, [owner], tmp_path / "r", name="r.bin", start=True)
    Torrent.objects.filter(pk=refused.pk).update(
        status=TorrentStatus.ERROR, status_message="too big once its metadata arrived"
    )
    client = node_client(node)
    # Someone else's torrent, loaded in rTorrent by hand: not the site's to stop.
    metainfo, foreign, _ = make_torrent(tmp_path / "u", "foreign.bin")
    client.load(metainfo, foreign, commands=[f"d.directory.set={tmp_path / 'u'}"])
    assert client.call("d.state", refused.info_hash.upper()) == 1

    report = node_sync(node=node)

    assert report.halted == [refused.info_hash]
    assert report.unknown == 1
    assert client.call("d.state", refused.info_hash.upper()) == 0
    assert client.call("d.state", foreign.upper()) == 1
    refused.refresh_from_db()
    assert refused.status == TorrentStatus.ERROR  # the site's word stands


def test_counters_that_went_down_start_a_new_baseline_without_credit(node, owner, tmp_path):
    torrent = add_torrent(node, [owner], tmp_path, name="restarted.bin")
    # As if rTorrent had counted 5 MB before a restart that set its counters back to 0.
    Torrent.objects.filter(pk=torrent.pk).update(rtorrent_up_total=5_000_000, rtorrent_down_total=7)
    node_sync(node=node)
    torrent.refresh_from_db()
    assert (torrent.rtorrent_up_total, torrent.rtorrent_down_total) == (0, 0)
    assert (torrent.uploaded_bytes, torrent.downloaded_bytes) == (0, 0)
    assert not TorrentHistory.objects.filter(info_hash=torrent.info_hash).exists()


def test_two_runs_for_one_node_never_overlap(node):
    lock = node_lock(node.pk)
    assert lock.acquire()
    try:
        assert sync_node(node.pk)["skipped"].startswith("a sync of this node")
    finally:
        lock.release()
    assert sync_node(node.pk)["ok"] is True


@pytest.mark.django_db
def test_a_disabled_or_unknown_node_is_skipped():
    node = Node.objects.create(
        name="off", rpc_url="scgi:///nowhere.sock", data_root="/tmp", enabled=False
    )
    assert sync_node(node.pk)["skipped"] == "no such enabled node"


def test_the_dispatcher_queues_one_sync_per_enabled_node(node):
    Node.objects.create(
        name="off2", rpc_url="scgi:///nowhere.sock", data_root="/tmp", enabled=False
    )
    assert sync_nodes() == 1
