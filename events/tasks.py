"""Thin tasks around events/services.py: one dispatch per event (queued at commit), and the
sweep beat runs for what was not dispatched (a broker that was down, a handler to retry)."""

from celery import shared_task

from events.services import event_dispatch, events_due, events_prune
from seedbox.periodic import periodic_run_record


@shared_task(acks_late=True, ignore_result=True)
def dispatch_event(event_id: int) -> str:
    return event_dispatch(event_id=event_id)


@shared_task(ignore_result=True)
def sweep_events() -> int:
    periodic_run_record(name="events")
    due = events_due()
    for event_id in due:
        event_dispatch(event_id=event_id)
    events_prune()
    return len(due)
