"""The outbox: an event exists only if its transaction committed, is dispatched after the
commit (through the real broker), and each handler's database work happens once."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from events import registry
from events.kinds import EventKind
from events.models import Event, EventHandled
from events.services import event_dispatch, event_record, events_due
from events.tasks import dispatch_event, sweep_events
from seedbox.testing import committed
from torrents.tests.intake_support import _broker_messages, clear_broker

pytestmark = pytest.mark.django_db(transaction=True)

calls: list[tuple[str, int]] = []


@pytest.fixture(autouse=True)
def flaky_state(monkeypatch):
    """Two handlers of the test kind: one that writes a row (to see it is done once), one that
    fails while `failing` says so."""
    monkeypatch.setattr(registry, "_HANDLERS", {})
    calls.clear()
    state = {"failing": False}

    @registry.handles(EventKind.TEST)
    def remember(event):
        calls.append(("remember", event.pk))

    @registry.handles(EventKind.TEST)
    def flaky(event):
        if state["failing"]:
            raise RuntimeError("the far end is down")
        calls.append(("flaky", event.pk))

    clear_broker()
    yield state
    clear_broker()


def queued_dispatches() -> list[int]:
    return [args[0] for task, args, _ in _broker_messages() if task == dispatch_event.name]


def test_a_committed_event_is_queued_and_each_handler_runs_once():
    with transaction.atomic():
        event = event_record(EventKind.TEST, users=[3, 1, 3], payload={"name": "x"})
        assert queued_dispatches() == []  # nothing leaves before the commit
    assert Event.objects.get(pk=event.pk).user_ids == [1, 3]
    assert queued_dispatches() == [event.pk]

    assert dispatch_event.run(event.pk) == "dispatched"
    assert dispatch_event.run(event.pk) == "already dispatched or gone"
    assert sorted(calls) == [("flaky", event.pk), ("remember", event.pk)]
    assert EventHandled.objects.filter(event=event).count() == 2


def test_an_event_in_a_transaction_that_rolls_back_is_never_dispatched():
    def change_that_fails():
        with transaction.atomic():
            event_record(EventKind.TEST, users=[1])
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not Event.objects.exists()
    assert queued_dispatches() == []
    assert sweep_events.run() == 0
    assert calls == []


def test_a_failing_handler_is_retried_later_without_running_the_others_again(flaky_state):
    flaky_state["failing"] = True
    event = committed(lambda: event_record(EventKind.TEST, users=[1]))
    assert event_dispatch(event_id=event.pk) == "will retry"
    row = Event.objects.get(pk=event.pk)
    assert row.attempts == 1
    assert "the far end is down" in row.last_error
    assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)
    assert events_due() == []  # not before its retry time

    flaky_state["failing"] = False
    later = row.next_attempt_at + dt.timedelta(seconds=1)
    assert events_due(now=later) == [event.pk]
    assert event_dispatch(event_id=event.pk) == "dispatched"
    assert calls == [("remember", event.pk), ("flaky", event.pk)]  # remember ran once


def test_the_sweep_dispatches_an_event_whose_task_was_lost():
    event = committed(lambda: event_record(EventKind.TEST, users=[1]))
    clear_broker()  # the broker lost the message (or was down at commit)
    assert events_due() == []  # young events are left to their own task
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - dt.timedelta(minutes=1))
    assert sweep_events.run() == 1
    assert Event.objects.get(pk=event.pk).dispatched_at is not None
    assert len(calls) == 2


def test_a_handler_already_done_by_another_run_is_skipped():
    """Two dispatchers at once (the task and the sweep): the second finds the first's mark."""
    event = committed(lambda: event_record(EventKind.TEST, users=[1]))
    EventHandled.objects.create(event=event, handler=registry.handler_name(remember_of()))
    event_dispatch(event_id=event.pk)
    assert calls == [("flaky", event.pk)]


def remember_of():
    return next(
        f for name, f in registry.handlers_for(EventKind.TEST).items() if name.endswith("remember")
    )
