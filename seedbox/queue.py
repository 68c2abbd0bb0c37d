"""Publishing Celery tasks from services, by name.

A service never imports a task module (tasks import services: the other way would be a cycle).
It names the task instead: `enqueue("torrents.tasks.push.push_torrent", 7)`. The names are
checked against the registered tasks by a test (seedbox/tests/test_queue.py), so a typo fails
the suite, not production.

A publish never blocks a request on a broker that is down: one attempt without kombu's retry
loop, and after a failure further publishes in this process are skipped for BROKER_BACKOFF
seconds (a request adding 20 torrents must not wait 20 connection timeouts). The caller decides
what a refused publish means; every caller has a periodic task that catches up (the reconcile,
the event sweep, the sync).
"""

import logging
import time

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)

BROKER_BACKOFF = 15.0
_broker_down_until = 0.0


def broker_backoff_reset() -> None:
    """Forget a failed publish (tests that bring the broker back)."""
    global _broker_down_until
    _broker_down_until = 0.0


def enqueue(
    name: str, *args, countdown: float | None = None, queue: str | None = None, **kwargs
) -> bool:
    """Publish task `name` once (to `queue`, else the default one); False when the broker did
    not take it (logged)."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        options = {"queue": queue} if queue else {}
        current_app.send_task(name, args, kwargs, countdown=countdown, retry=False, **options)
    except Exception as exc:  # kombu raises several types for a broker that is down
        _broker_down_until = time.monotonic() + BROKER_BACKOFF
        log.warning("task %s%r not queued: %s", name, args, exc)
        return False
    return True


def enqueue_after_commit(name: str, *args, **kwargs) -> None:
    """Publish task `name` when the current transaction commits (never if it rolls back)."""
    transaction.on_commit(lambda: enqueue(name, *args, **kwargs))
