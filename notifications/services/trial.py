"""The "send a test" buttons (a push device, a webhook): a test event for one target of one
channel, delivered whatever the user's preferences say (services/notify.test_notify), by a
worker after the commit."""

from django.db import transaction

from events.kinds import EventKind
from events.models import Event
from events.services import event_record


def trial_event_record(*, user_id: int, channel: str, target_id: int, message: str) -> Event:
    with transaction.atomic():
        return event_record(
            EventKind.TEST,
            users=[user_id],
            payload={"channel": channel, "target_id": target_id, "message": message},
        )
