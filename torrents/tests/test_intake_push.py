"""The push and the reconcile: nothing accepted is lost, whatever is down."""

import time

import pytest

from events.kinds import EventKind
from events.models import Event
from seedbox.celery import app as celery_app
from seedbox.queue import broker_backoff_reset
from torrents.models import Torrent, TorrentStatus
from torrents.rtorrent import RTorrentUnavailable
from torrents.services.nodes import node_client
from torrents.services.push import torrent_push, torrents_reconcile
from torrents.tasks.push import push_torrent, reconcile_queued
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import post, push_queued, upload

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def _reset_broker_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings):
    """The real Celery app pointed at a broker that is not there."""
    original = celery_app.conf.broker_url
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    celery_app.conf.broker_url = UNREACHABLE_BROKER
    _reset_broker_pools()
    broker_backoff_reset()
    yield
    celery_app.conf.broker_url = original
    _reset_broker_pools()
    broker_backoff_reset()


def test_broker_down_upload_still_succeeds_and_the_reconcile_pushes_it(
    node, alice, tmp_path, broker_down
):
    uploads, hashes = [], []
    for i in range(5):
        data, info_hash, _ = make_torrent(tmp_path / str(i), f"kept{i}.bin", 5000)
        uploads.append(upload(f"k{i}.torrent", data))
        hashes.append(info_hash)
    started = time.monotonic()
    response = post(alice, {"torrents": uploads})
    elapsed = time.monotonic() - started
    assert response.status_code == 201
    assert len(response.data["added"]) == 5
    # One failed publish (about 2 s against a refused port), not one per torrent.
    assert elapsed < 5, f"publishing must fail fast, took {elapsed:.1f}s"
    assert set(Torrent.objects.values_list("status", flat=True)) == {TorrentStatus.QUEUED}
    assert not node_client(node).hashes()

    report = reconcile_queued.run()
    assert report == {"test": {"queued": 5, "pushed": 5, "present": 0, "failed": 0}}
    assert sorted(node_client(node).hashes()) == sorted(hashes)
    for torrent in Torrent.objects.all():
        assert (torrent.status, torrent.push_attempts) == (TorrentStatus.CHECKING, 1)
    assert torrents_reconcile() == {"test": {"queued": 0, "pushed": 0, "present": 0, "failed": 0}}


def test_reconcile_marks_a_queued_torrent_rtorrent_already_has(node, alice, tmp_path):
    data, info_hash, _ = make_torrent(tmp_path, "there.bin", 5000)
    post(alice, {"torrents": [upload("t.torrent", data)]})
    node_client(node).load(data, info_hash, commands=[])
    assert torrents_reconcile()["test"]["present"] == 1
    assert Torrent.objects.get().status == TorrentStatus.CHECKING


def test_push_is_safe_to_run_twice(node, alice, tmp_path):
    data, info_hash, _ = make_torrent(tmp_path, "twice.bin", 5000)
    post(alice, {"torrents": [upload("t.torrent", data)]})
    torrent = Torrent.objects.get()
    assert push_queued() == ["loaded"]
    assert push_torrent.run(torrent.pk) == "skipped"  # no longer queued
    Torrent.objects.filter(pk=torrent.pk).update(status=TorrentStatus.QUEUED)
    assert torrent_push(torrent_id=torrent.pk) == "already loaded"
    assert node_client(node).hashes() == [info_hash]


def test_rtorrent_down_is_transient_and_recorded(node, alice, tmp_path, rtorrent):
    data, _, _ = make_torrent(tmp_path, "later.bin", 5000)
    post(alice, {"torrents": [upload("l.torrent", data)]})
    torrent = Torrent.objects.get()
    rtorrent.stop()
    with pytest.raises(RTorrentUnavailable):
        torrent_push(torrent_id=torrent.pk)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.QUEUED
    assert torrent.push_attempts == 1
    assert "unreachable" in torrent.last_error
    assert torrents_reconcile()["test"]["error"].startswith("rTorrent at")
    assert push_torrent.autoretry_for == (RTorrentUnavailable,)
    assert push_torrent.max_retries


def test_a_torrent_rtorrent_refuses_is_a_permanent_error(node, alice, tmp_path):
    data, _, _ = make_torrent(tmp_path, "bad.bin", 5000)
    post(alice, {"torrents": [upload("b.torrent", data)]})
    # Metainfo rTorrent will not take (bypassing the checks, as a corrupt row would).
    Torrent.objects.update(metainfo=b"d4:infod4:name1:xee")
    assert push_queued() == ["error"]
    torrent = Torrent.objects.get()
    assert torrent.status == TorrentStatus.ERROR
    assert "did not take torrent" in torrent.status_message
    assert torrent.last_error == torrent.status_message
    [failed] = Event.objects.filter(kind=EventKind.TORRENT_FAILED)
    assert failed.user_ids == [alice.pk]
    assert failed.payload == {
        "name": torrent.name,
        "torrent_id": torrent.pk,
        "message": torrent.status_message,
    }


def test_the_reconcile_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["torrents-reconcile-queued"]
    assert entry["task"] == reconcile_queued.name
    assert entry["schedule"] == settings.SEEDBOX_RECONCILE_INTERVAL
