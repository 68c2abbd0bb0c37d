"""A worker killed in the middle of a webhook delivery: the delivery is sent once after a new
worker's sweep (once the claim of the dead one ends), and the receiver answered it once.

Real processes: two Celery workers (`celery -A seedbox worker -P solo`) on the test's Redis and
database, a receiver on loopback that stalls the first request until its client goes away.
The database must be a server the workers reach (Postgres): an SQLite test database is in the
test process's memory."""

import os
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from events.services import event_record
from notifications.models import Delivery
from notifications.services.webhooks import webhook_create
from notifications.tests.webhook_receiver import webhook_receiver
from seedbox.queue import enqueue
from seedbox.testing import wait_until
from seedbox.tests.faults.support import Worker, database_url
from torrents.tests.intake_support import clear_broker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CLAIM_SECONDS = 3


def _solo_worker(env: dict[str, str]) -> Worker:
    celery = Path(sys.executable).parent / "celery"  # .venv/bin/celery
    argv = [str(celery), "-A", "seedbox", "worker", "-P", "solo", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    return Worker(env, argv)


def test_a_worker_killed_mid_delivery_delivers_once_after_a_restart(user, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the workers need the test database on a server: set DATABASE_URL=postgres")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "SEEDBOX_VAR_DIR": str(tmp_path / "var"),
        "SEEDBOX_ALLOW_PRIVATE_URLS": "true",  # the receiver is on loopback
        "SEEDBOX_DELIVERY_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "SEEDBOX_WEBHOOK_TIMEOUT": "60",  # the first POST waits until the worker is killed
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    clear_broker()
    workers: list[Worker] = []
    with webhook_receiver(stall_first=True) as receiver:
        hook, _ = webhook_create(user=user, url=f"{receiver.url}/hook")
        try:
            workers.append(_solo_worker(env))
            # The first worker dispatches the event, then POSTs its delivery: the receiver holds it.
            event_record(
                "test",
                users=[user.pk],
                payload={"channel": "webhook", "target_id": hook.pk, "message": "once"},
            )
            wait_until(
                lambda: receiver.received,
                timeout=60,
                what="the first worker's POST",
                explain=workers[0].output,
            )
            delivery = Delivery.objects.get(channel="webhook", target_id=hook.pk)
            assert (delivery.status, delivery.attempts) == ("sending", 1)

            workers[0].kill()
            wait_until(lambda: receiver.abandoned, timeout=10, what="the POST to be cut off")
            assert receiver.completed == []

            workers.append(_solo_worker(env))

            def sent_after_a_sweep() -> bool:
                enqueue("notifications.tasks.sweep_deliveries")
                time.sleep(1)
                return Delivery.objects.get(pk=delivery.pk).status == "sent"

            wait_until(
                sent_after_a_sweep,
                timeout=60,
                what="the new worker's sweep to send the delivery",
                explain=workers[1].output,
            )
        finally:
            for worker in workers:
                worker.kill()
            clear_broker()  # the sweeps asked for after the one that sent it
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert receiver.completed == [str(delivery.pk)]
    assert [r.delivery for r in receiver.received] == [str(delivery.pk)] * 2
    assert receiver.abandoned == [str(delivery.pk)]
