"""From an event to what each user is told: the bell, and deliveries sent by the real broker's
tasks, by the preferences, with retries."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from accounts.testing import make_user
from events.kinds import EventKind
from events.services import event_dispatch, event_record
from notifications.models import Delivery, Notification
from notifications.services.deliveries import deliveries_due, delivery_send
from notifications.services.preferences import preference_set
from notifications.tasks import deliver
from seedbox.testing import committed
from torrents.tests.intake_support import _broker_messages, clear_broker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ann(db) -> User:
    clear_broker()
    yield make_user("ann.notify@example.com")
    clear_broker()


def dispatched(kind, users, **payload):
    event = committed(lambda: event_record(kind, users=[u.pk for u in users], payload=payload))
    assert event_dispatch(event_id=event.pk) == "dispatched"
    return event


def run_deliveries() -> list[str]:
    return [deliver.run(*args) for task, args, _ in _broker_messages() if task == deliver.name]


def test_a_completed_download_is_under_the_bell_and_in_the_mailbox(ann):
    dispatched(EventKind.TORRENT_COMPLETED, [ann], name="Big.Buck.Bunny", torrent_id=7)

    note = Notification.objects.get(user=ann)
    assert (note.title, note.url, note.read_at) == (
        "Downloaded: Big.Buck.Bunny",
        "/torrents/7/",
        None,
    )
    assert run_deliveries() == ["sent"]
    (message,) = mail.outbox
    assert message.to == [ann.email]
    assert "Downloaded: Big.Buck.Bunny" in message.subject
    assert "http://127.0.0.1:8000/torrents/7/" in message.body
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_preferences_decide_the_channels(ann):
    dispatched(EventKind.TORRENT_ADDED, [ann], name="x", torrent_id=1)  # mail off by default
    assert Notification.objects.count() == 1
    assert not Delivery.objects.exists()

    preference_set(user=ann, kind=EventKind.TORRENT_COMPLETED, channel="site", wanted=False)
    preference_set(user=ann, kind=EventKind.TORRENT_COMPLETED, channel="email", wanted=False)
    dispatched(EventKind.TORRENT_COMPLETED, [ann], name="y", torrent_id=2)
    assert Notification.objects.count() == 1
    assert not Delivery.objects.exists()


def test_a_failed_mail_is_retried_then_sent(ann, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    dispatched(EventKind.TORRENT_COMPLETED, [ann], name="z", torrent_id=3)
    assert run_deliveries() == ["will retry"]
    delivery = Delivery.objects.get()
    assert delivery.attempts == 1
    assert "mail not sent" in delivery.last_error
    assert delivery_send(delivery_id=delivery.pk) == "not due"  # not before its retry time

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = delivery.next_attempt_at + dt.timedelta(seconds=1)
    assert deliveries_due(now=later) == [delivery.pk]
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_is_taken_by_the_sweep(ann):
    dispatched(EventKind.TORRENT_COMPLETED, [ann], name="w", torrent_id=4)
    delivery = Delivery.objects.get()
    ended = timezone.now() - dt.timedelta(seconds=1)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", attempts=1, next_attempt_at=ended
    )
    assert deliveries_due() == [delivery.pk]
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert delivery_send(delivery_id=delivery.pk) == "not due"
    assert len(mail.outbox) == 1
