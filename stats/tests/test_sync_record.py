"""The sync and the push record their own runs on the node's row (runs, failures, time taken),
which the staff page and /metrics read; and each node's hourly traffic, added up per hour."""

import datetime as dt

import pytest
from django.utils import timezone

from torrents.models import Node, NodeTrafficBucket, TorrentStatus
from torrents.rtorrent import RTorrentUnavailable
from torrents.services.history import Credit, node_traffic_credit
from torrents.services.push import torrent_push
from torrents.services.sync import node_sync
from torrents.tests.helpers_sync import add_torrent


def test_a_run_on_a_live_node_and_one_on_a_dead_node(node, owner, tmp_path):
    add_torrent(node, [owner], tmp_path, name="x.bin")
    assert node_sync(node=node).ok
    assert node_sync(node=node).ok
    node.refresh_from_db()
    assert (node.sync_runs, node.sync_failures) == (2, 0)
    assert 0 < node.last_sync_seconds < 10
    assert node.sync_seconds_total >= node.last_sync_seconds

    dead = Node.objects.create(name="dead", rpc_url="scgi:///nonexistent/rpc.sock", data_root="/")
    report = node_sync(node=dead)
    assert not report.ok
    dead.refresh_from_db()
    assert (dead.sync_runs, dead.sync_failures, dead.is_up) == (1, 1, False)
    assert dead.last_sync_seconds is not None
    assert dead.last_error


def test_pushes_are_counted_and_timed_failed_ones_too(node, owner, tmp_path):
    queued = add_torrent(node, [owner], tmp_path, name="q.bin", load=False, status="queued")
    assert torrent_push(torrent_id=queued.pk) == "loaded"
    assert torrent_push(torrent_id=queued.pk) == "skipped"  # not queued any more: not a push
    node.refresh_from_db()
    assert (node.push_runs, node.push_failures) == (1, 0)
    assert node.push_seconds_total > 0

    dead = Node.objects.create(name="dead", rpc_url="scgi:///nonexistent/rpc.sock", data_root="/")
    stuck = add_torrent(dead, [owner], tmp_path / "d", name="d.bin", load=False, status="queued")
    with pytest.raises(RTorrentUnavailable):
        torrent_push(torrent_id=stuck.pk)
    dead.refresh_from_db()
    assert (dead.push_runs, dead.push_failures) == (1, 1)
    stuck.refresh_from_db()
    assert stuck.status == TorrentStatus.QUEUED  # retried by the task, as before


@pytest.mark.django_db
def test_node_traffic_adds_up_per_hour_and_skips_runs_that_moved_nothing():
    n = Node.objects.create(name="n", rpc_url="scgi:///x.sock", data_root="/")
    now = timezone.now()
    credit = Credit(torrent_id=1, info_hash="a" * 40, name="a", uploaded=10, downloaded=4)
    node_traffic_credit(node_id=n.pk, credits=[credit, credit], now=now)
    node_traffic_credit(node_id=n.pk, credits=[credit], now=now)
    node_traffic_credit(
        node_id=n.pk, credits=[Credit(torrent_id=1, info_hash="a" * 40, name="a")], now=now
    )
    node_traffic_credit(node_id=n.pk, credits=[credit], now=now + dt.timedelta(hours=1))
    rows = list(
        NodeTrafficBucket.objects.order_by("hour").values_list("uploaded_bytes", "downloaded_bytes")
    )
    assert rows == [(30, 12), (10, 4)]
