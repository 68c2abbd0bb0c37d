"""Recording events (in the caller's transaction) and dispatching them (after its commit).

    event_record(EventKind.TORRENT_COMPLETED, torrent=t, users=[owner.pk], payload={...})

writes the row and, once the transaction commits, queues `events.tasks.dispatch_event` for it.
A broker that is down loses nothing: the sweep (beat, every SEEDBOX_EVENTS_SWEEP_INTERVAL)
dispatches what was not. Delivery is at least once; each handler's database work once.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from events.kinds import EventKind
from events.models import Event, EventHandled
from events.registry import handlers_for
from seedbox.queue import enqueue

log = logging.getLogger(__name__)

DISPATCH_TASK = "events.tasks.dispatch_event"
# A failed handler is tried again after 30 s, 1 min, 2 min... up to an hour, MAX_ATTEMPTS times.
RETRY_FIRST = 30.0
RETRY_MAX = 3600.0
MAX_ATTEMPTS = 12
# The sweep leaves young events to their own dispatch task (queued at commit).
SWEEP_GRACE = dt.timedelta(seconds=10)


def event_record(
    kind: EventKind,
    *,
    torrent=None,
    users: Iterable[int] = (),
    payload: dict | None = None,
) -> Event:
    """Record that `kind` happened, in the current transaction; dispatched after its commit."""
    event = Event.objects.create(
        kind=kind,
        torrent=torrent,
        user_ids=sorted({int(u) for u in users}),
        payload=payload or {},
    )
    event_id = event.pk
    transaction.on_commit(lambda: enqueue(DISPATCH_TASK, event_id))
    return event


@dataclass(frozen=True)
class NewEvent:
    """One event for `events_record_many` (the torrent by id: the sync has no instances)."""

    kind: EventKind
    torrent_id: int | None = None
    users: Iterable[int] = ()
    payload: dict = field(default_factory=dict)


def events_record_many(events: Iterable[NewEvent], *, queue: bool = True) -> list[Event]:
    """Record many events in one INSERT, in the current transaction (the sync's, whatever the
    number of torrents). Each is queued for dispatch after the commit, unless `queue` is False:
    then the caller dispatches them itself with `event_dispatch` (the sweep takes any it
    does not)."""
    rows = [
        Event(
            kind=e.kind,
            torrent_id=e.torrent_id,
            user_ids=sorted({int(u) for u in e.users}),
            payload=e.payload,
        )
        for e in events
    ]
    if not rows:
        return []
    created = Event.objects.bulk_create(rows)
    if queue:
        events_queue_after_commit(created)
    return created


def events_queue_after_commit(events: Iterable[Event]) -> None:
    """Queue the dispatch of each event once the current transaction commits."""
    ids = [event.pk for event in events]
    if ids:
        transaction.on_commit(lambda: [enqueue(DISPATCH_TASK, event_id) for event_id in ids])


def _retry_delay(attempts: int) -> float:
    return min(RETRY_MAX, RETRY_FIRST * 2 ** max(0, attempts - 1))


def _handle_once(event: Event, name: str, handler) -> bool:
    """Run one handler with the row that marks it done; False when another run already did."""
    try:
        with transaction.atomic():
            EventHandled.objects.create(event=event, handler=name)
            handler(event)
    except IntegrityError:
        if EventHandled.objects.filter(event=event, handler=name).exists():
            return False
        raise
    return True


def event_dispatch(*, event_id: int) -> str:
    """Hand the event to every handler not yet done with it. A handler that fails is logged and
    tried again later (with backoff) without holding back the others. Safe to run twice."""
    event = Event.objects.filter(pk=event_id, dispatched_at__isnull=True).first()
    if event is None:
        return "already dispatched or gone"
    done = set(event.handled.values_list("handler", flat=True))
    errors = []
    for name, handler in handlers_for(event.kind).items():
        if name in done:
            continue
        try:
            _handle_once(event, name, handler)
        except Exception as exc:  # one handler's fault must not stop the others
            log.exception("event %s: handler %s failed", event, name)
            errors.append(f"{name}: {exc}")
    now = timezone.now()
    if not errors:
        Event.objects.filter(pk=event.pk).update(dispatched_at=now, last_error="")
        return "dispatched"
    attempts = event.attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    Event.objects.filter(pk=event.pk).update(
        attempts=attempts,
        last_error="\n".join(errors)[:2000],
        next_attempt_at=now + dt.timedelta(seconds=_retry_delay(attempts)),
        dispatched_at=now if gave_up else None,
    )
    if gave_up:
        log.error("event %s: given up after %d attempts", event, attempts)
    return "gave up" if gave_up else "will retry"


def events_due(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Events to dispatch again: not dispatched, past their retry time (or, never tried, older
    than SWEEP_GRACE: their own task was lost with a broker that was down)."""
    now = now or timezone.now()
    due = Q(next_attempt_at__lte=now) | Q(
        next_attempt_at__isnull=True, created_at__lt=now - SWEEP_GRACE
    )
    return list(
        Event.objects.filter(due, dispatched_at__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


def events_prune(*, now: dt.datetime | None = None) -> int:
    """Forget dispatched events older than SEEDBOX_EVENTS_KEEP_DAYS (what they caused stays)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SEEDBOX_EVENTS_KEEP_DAYS)
    deleted, _ = Event.objects.filter(dispatched_at__lt=cutoff).delete()
    return deleted
