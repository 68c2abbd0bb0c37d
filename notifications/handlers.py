"""The event handlers of notifications: every kind a person hears about (channels.USER_KINDS),
and the test event."""

from events.kinds import EventKind
from events.registry import handles
from notifications.channels import USER_KINDS
from notifications.services.notify import event_notify, test_notify


@handles(*USER_KINDS)
def notify(event) -> None:
    event_notify(event)


@handles(EventKind.TEST)
def notify_test(event) -> None:
    test_notify(event)
