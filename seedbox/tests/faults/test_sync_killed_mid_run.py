"""A worker's pool process SIGKILLed in the middle of a sync that has traffic to credit (issue
16, "Proof under faults"): the sync runs again at once, and the traffic is credited once.

Real processes: the worker as `runseedbox` starts it, real rTorrent seeder and leecher through a
real tracker, Postgres. The sync is caught inside its transaction: the test holds the node's
row lock (the sync's `select_for_update`), sees the sync wait for it, and kills the pool.

Before the sync's Redis lock knew its task, the delivery run again found the lock of the dead
run and skipped, as every sync of the node did until the lock expired (60 s)."""

import os
import signal

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from seedbox.queue import enqueue
from seedbox.testing import wait_until
from seedbox.tests.faults.support import Worker, database_url
from torrents.models import Node, Torrent, TorrentHistory
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.tasks.sync import node_lock, node_lock_take
from torrents.tests.helpers_sync import seed_announced
from torrents.tests.intake_support import clear_broker
from torrents.tests.test_sync_crash import _download

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SIZE = 1024 * 1024 + 77


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction sees one snapshot
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE '%%torrents_node%%'"
        )
        return cursor.fetchone()[0] > 0


def test_a_sync_killed_mid_run_runs_again_and_credits_once(
    node, rtorrent, rtorrent_factory, tracker, owner, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs the test database on a server: set DATABASE_URL=postgres")
    seed = seed_announced(
        node, [owner], tmp_path / "seed", tracker=tracker, name="k.bin", size=SIZE
    )
    seeder = node_client(node)
    h = seed.info_hash.upper()
    received = _download(rtorrent_factory, seed, seeder)
    wait_until(lambda: seeder.call("d.up.total", h) >= received, what="the seeder's counter")
    sent = seeder.call("d.up.total", h)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "SEEDBOX_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    clear_broker()
    worker = Worker(env)
    try:
        with transaction.atomic():
            Node.objects.select_for_update().get(pk=node.pk)
            assert enqueue("torrents.tasks.sync.sync_node", node.pk)
            wait_until(
                _waiting_on_a_lock, timeout=30, what="the sync to wait", explain=worker.output
            )
            for pid in worker.pool():
                os.kill(pid, signal.SIGKILL)
        # The killed run's transaction went with its connection: nothing of it was kept.

        def credited() -> bool:
            history = TorrentHistory.objects.filter(user=owner, info_hash=seed.info_hash)
            return history.filter(uploaded_bytes__gt=0).exists()

        wait_until(credited, timeout=20, what="the sync to run again", explain=worker.output)
    finally:
        worker.kill()
        clear_broker()

    history = TorrentHistory.objects.get(user=owner, info_hash=seed.info_hash)
    assert history.uploaded_bytes == sent
    node_sync(node=node)  # and the next run credits nothing more
    history.refresh_from_db()
    assert history.uploaded_bytes == sent
    assert Torrent.objects.get(pk=seed.pk).uploaded_bytes == sent


def test_only_a_delivery_of_the_same_task_takes_a_held_lock_over(node):
    held = node_lock(node.pk)
    assert node_lock_take(held, run_id="run-1")
    try:
        assert not node_lock_take(node_lock(node.pk), run_id="run-2")  # another run: skipped
        assert not node_lock_take(node_lock(node.pk), run_id=None)
        assert node_lock_take(node_lock(node.pk), run_id="run-1")  # its own message again
    finally:
        held.release()
