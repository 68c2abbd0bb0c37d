"""Helpers of the notifications tests: an event recorded, committed and dispatched as the
worker would, and the deliveries it queued run from the real broker's messages."""

import pytest

from events.kinds import EventKind
from events.services import event_dispatch, event_record
from notifications.tasks import deliver
from seedbox.testing import committed
from torrents.tests.intake_support import _broker_messages, clear_broker


def dispatched(kind, users, **payload):
    event = committed(lambda: event_record(kind, users=[u.pk for u in users], payload=payload))
    # Committed as the worker's would be: the deliveries it queues leave at that commit.
    assert committed(lambda: event_dispatch(event_id=event.pk)) == "dispatched"
    return event


def completed(user, name: str = "Big.Buck.Bunny", torrent_id: int = 7):
    """A download of `user`'s completed: its event recorded and dispatched."""
    return dispatched(EventKind.TORRENT_COMPLETED, [user], name=name, torrent_id=torrent_id)


def run_deliveries() -> list[str]:
    return [deliver.run(*args) for task, args, _ in _broker_messages() if task == deliver.name]


@pytest.fixture
def broker():
    """The real broker's queue, empty before and after the test."""
    clear_broker()
    yield
    clear_broker()
