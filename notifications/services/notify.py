"""Turning an event into what each user it concerns is told: a line under the bell, and one
delivery per target of every other channel they want it on. Runs in the event handler's
transaction (once per event); deliveries are sent by tasks after its commit."""

from accounts.models import User
from events.kinds import EventKind
from notifications.channels import Channel
from notifications.messages import describe
from notifications.models import Delivery, Notification
from notifications.senders.registry import SENDERS
from notifications.services.deliveries import DELIVER_TASK
from notifications.services.preferences import wanted_by
from seedbox.queue import enqueue_after_commit


def _delivery(*, user, event, channel: str, target_id: int, message) -> Delivery:
    return Delivery(
        user=user,
        event=event,
        kind=event.kind,
        channel=channel,
        target_id=target_id,
        title=message.title,
        body=message.body,
        url=message.url,
        payload=event.payload,
    )


def _deliver(deliveries: list[Delivery]) -> None:
    """Write the event's deliveries in one INSERT; each is sent by its task after the commit."""
    for delivery in Delivery.objects.bulk_create(deliveries):
        enqueue_after_commit(DELIVER_TASK, delivery.pk)


def event_notify(event) -> None:
    """Every user of `event`, on every channel they want its kind on."""
    message = describe(event.kind, event.payload)
    users = list(User.objects.filter(pk__in=event.user_ids, is_active=True))
    wanted = wanted_by([u.pk for u in users], event.kind)
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                event=event,
                kind=event.kind,
                title=message.title,
                body=message.body,
                url=message.url,
            )
            for user in users
            if wanted[(user.pk, Channel.SITE)]
        ]
    )
    _deliver(
        [
            _delivery(user=user, event=event, channel=channel, target_id=target_id, message=message)
            for user in users
            for channel, sender in SENDERS.items()
            if wanted[(user.pk, channel)]
            for target_id in sender.targets(user)
        ]
    )


def test_notify(event) -> None:
    """The "send a test event" buttons: one channel (and target) named in the payload, whatever
    the preferences say; the site channel when none is named."""
    message = describe(EventKind.TEST, event.payload)
    channel = event.payload.get("channel", Channel.SITE)
    deliveries = []
    for user in User.objects.filter(pk__in=event.user_ids, is_active=True):
        if channel == Channel.SITE:
            Notification.objects.create(
                user=user, event=event, kind=event.kind, title=message.title, body=message.body
            )
        elif channel in SENDERS:
            targets = SENDERS[channel].targets(user)
            wanted = event.payload.get("target_id")
            deliveries += [
                _delivery(user=user, event=event, channel=channel, target_id=t, message=message)
                for t in targets
                if wanted is None or t == wanted
            ]
    _deliver(deliveries)
