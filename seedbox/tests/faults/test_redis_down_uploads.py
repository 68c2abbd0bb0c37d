"""Redis SIGKILLed while uploads arrive (issue 16, "Proof under faults"): every upload is still
accepted at once, and pushed once Redis is back: by the reconcile for those whose push task
was never published (or died with Redis), by their task for those published after. The broker
is a redis-server of the test's own (seedbox/tests/redis_server.py), the rTorrent is real."""

import time

import pytest

from seedbox import queue
from seedbox.celery import app as celery_app
from seedbox.settings import _celery_url
from torrents.models import Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.tasks.push import reconcile_queued
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import post, push_queued, upload


def _reset_broker_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_on_own_redis(settings, own_redis, monkeypatch):
    """The real Celery app publishing to a redis-server the test may kill."""
    original = celery_app.conf.broker_url
    url = _celery_url(own_redis.url)
    settings.CELERY_BROKER_URL = celery_app.conf.broker_url = url
    _reset_broker_pools()
    queue.broker_backoff_reset()
    monkeypatch.setattr(queue, "BROKER_BACKOFF", 1.0)  # 15 s in production
    yield own_redis
    celery_app.conf.broker_url = original
    _reset_broker_pools()
    queue.broker_backoff_reset()


def _uploads(tmp_path, alice, first: int, count: int) -> tuple[list[str], float]:
    """`count` uploads, one request each; their hashes and the slowest answer's seconds."""
    hashes, slowest = [], 0.0
    for i in range(first, first + count):
        data, info_hash, _ = make_torrent(tmp_path / str(i), f"r{i}.bin", 5000 + i)
        started = time.monotonic()
        response = post(alice, {"torrents": [upload(f"r{i}.torrent", data)]})
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code == 201, response.data
        hashes.append(info_hash)
    return hashes, slowest


def test_uploads_while_redis_is_down_are_accepted_and_pushed_once_it_is_back(
    node, alice, tmp_path, broker_on_own_redis
):
    before, _ = _uploads(tmp_path, alice, 0, 2)  # published, then lost with Redis
    broker_on_own_redis.kill()

    during, slowest = _uploads(tmp_path, alice, 2, 5)
    assert slowest < 3, f"an upload waited {slowest:.1f}s on a broker that is gone"
    assert set(Torrent.objects.values_list("status", flat=True)) == {TorrentStatus.QUEUED}

    broker_on_own_redis.start()  # empty: what it held died with it
    time.sleep(1.1)  # the publisher's backoff after a failure
    after, _ = _uploads(tmp_path, alice, 7, 2)
    assert push_queued() == ["loaded", "loaded"]  # published again, to the new Redis
    report = reconcile_queued.run()["test"]  # beat's reconcile, once the worker runs again

    assert (report["queued"], report["pushed"], report["failed"]) == (7, 7, 0), report
    assert sorted(node_client(node).hashes()) == sorted(before + during + after)
    assert set(Torrent.objects.values_list("status", flat=True)) == {TorrentStatus.CHECKING}
    assert set(Torrent.objects.values_list("push_attempts", flat=True)) == {1}
