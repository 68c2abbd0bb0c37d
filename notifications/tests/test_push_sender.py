"""Web push on real components: an event's delivery task (taken from the real broker, run as a
worker would) POSTs to a push service on loopback; the test decrypts the body with the
browser's private key, checks the VAPID signature with the site's public key, and sees what the
service's answers do to the subscription (410 removes it, 500 is retried, failures disable it).

The subscriptions here are made in the database: the API refuses an http:// endpoint, and the
loopback push service speaks plain http (fetch.py checks certificates against the system's CAs).
"""

import base64
import json

import pytest
from django.core import mail
from django.utils import timezone
from py_vapid import Vapid

from accounts.models import User
from events.kinds import EventKind
from events.services import event_dispatch
from notifications.models import Delivery, PushSubscription
from notifications.services.deliveries import MAX_ATTEMPTS, delivery_send
from notifications.services.preferences import preference_set
from notifications.services.push_subscriptions import push_test_send
from notifications.tasks import deliver
from notifications.tests.push_service import Browser, push_service
from notifications.tests.support import completed
from notifications.vapid import vapid_keys
from seedbox.testing import committed
from torrents.tests.intake_support import _broker_messages, clear_broker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _push_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the VAPID key made for this test, not the checkout's
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True  # the push service listens on loopback
    settings.SEEDBOX_VAPID_SUBJECT = "mailto:admin@seedbox.example"
    settings.SEEDBOX_PUSH_TIMEOUT = 2.0


@pytest.fixture
def ann(db) -> User:
    clear_broker()
    ann = User.objects.create_user("ann.push@example.com", "pw")
    # Mail is another channel's business: keep these tests to pushes.
    preference_set(user=ann, kind=EventKind.TORRENT_COMPLETED, channel="email", wanted=False)
    yield ann
    clear_broker()


@pytest.fixture
def service():
    with push_service() as server:
        yield server


def subscribe(user, server, browser: Browser, name: str = "phone") -> PushSubscription:
    return PushSubscription.objects.create(
        user=user,
        endpoint=f"{server.url}/wpush/{name}",
        p256dh=browser.p256dh,
        auth=browser.auth,
        user_agent=f"Test {name}",
    )


def run_deliveries() -> list[str]:
    return [deliver.run(*args) for task, args, _ in _broker_messages() if task == deliver.name]


def jwt_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_completed_download_is_pushed_encrypted_and_signed(ann, service):
    browser = Browser()
    subscription = subscribe(ann, service, browser)
    completed(ann)

    assert run_deliveries() == ["sent"]
    (got,) = service.received
    assert got.path == "/wpush/phone"
    assert got.headers["Content-Encoding"] == "aes128gcm"
    assert int(got.headers["TTL"]) > 0
    delivery = Delivery.objects.get(channel="push")
    assert browser.decrypt(got.body) == {
        "title": "Downloaded: Big.Buck.Bunny",
        "body": "The download is complete.",
        "url": "http://127.0.0.1:8000/torrents/7/",
        "kind": "torrent.completed",
        "id": delivery.pk,
    }
    # Another browser's keys cannot read it.
    with pytest.raises(Exception):  # noqa: B017, PT011  (http_ece raises a bare InvalidTag)
        Browser().decrypt(got.body)

    authorization = got.headers["Authorization"]
    assert authorization.startswith("vapid t=")
    assert Vapid.verify(authorization)
    parts = dict(p.split("=", 1) for p in authorization.removeprefix("vapid ").split(","))
    assert parts["k"] == vapid_keys().public_key
    claims = jwt_claims(parts["t"])
    assert claims["aud"] == service.url
    assert claims["sub"] == "mailto:admin@seedbox.example"
    assert claims["exp"] > timezone.now().timestamp()

    assert (delivery.target_id, Delivery.objects.get(pk=delivery.pk).status) == (
        subscription.pk,
        "sent",
    )
    assert PushSubscription.objects.get(pk=subscription.pk).last_used_at is not None


def test_each_enabled_device_gets_its_own_push(ann, service):
    phone, laptop = Browser(), Browser()
    subscribe(ann, service, phone, "phone")
    subscribe(ann, service, laptop, "laptop")
    PushSubscription.objects.create(
        user=ann,
        endpoint=f"{service.url}/wpush/old",
        p256dh=Browser().p256dh,
        auth=Browser().auth,
        disabled_reason="Disabled after 5 pushes failed in a row",
    )
    completed(ann)
    assert sorted(run_deliveries()) == ["sent", "sent"]
    bodies = {r.path: r.body for r in service.received}
    assert set(bodies) == {"/wpush/phone", "/wpush/laptop"}
    assert phone.decrypt(bodies["/wpush/phone"])["title"] == "Downloaded: Big.Buck.Bunny"
    assert laptop.decrypt(bodies["/wpush/laptop"])["title"] == "Downloaded: Big.Buck.Bunny"


def test_a_gone_subscription_is_removed_and_not_retried(ann, service):
    subscription = subscribe(ann, service, Browser())
    service.answers = [410]
    completed(ann)
    assert run_deliveries() == ["failed"]
    delivery = Delivery.objects.get(channel="push")
    assert (delivery.attempts, delivery.status) == (1, "failed")
    assert "410" in delivery.last_error
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    assert len(service.received) == 1
    assert mail.outbox == []


def test_a_server_error_is_retried_then_sent(ann, service):
    browser = Browser()
    subscription = subscribe(ann, service, browser)
    service.answers = [500]
    completed(ann)
    assert run_deliveries() == ["will retry"]
    delivery = Delivery.objects.get(channel="push")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "HTTP 500" in delivery.last_error
    assert delivery_send(delivery_id=delivery.pk) == "not due"

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(service.received) == 2
    assert browser.decrypt(service.received[1].body)["id"] == delivery.pk
    assert PushSubscription.objects.get(pk=subscription.pk).failures == 0


def test_a_private_endpoint_is_refused_when_the_setting_is_off(ann, service, settings):
    subscription = subscribe(ann, service, Browser())
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
    completed(ann)
    assert run_deliveries() == ["failed"]  # the address will not change: not retried
    delivery = Delivery.objects.get(channel="push")
    assert "loopback, private" in delivery.last_error
    assert service.received == []  # refused before connecting
    assert PushSubscription.objects.get(pk=subscription.pk).failures == 1


def test_failures_in_a_row_disable_the_device_with_a_reason_and_a_mail(ann, service, settings):
    settings.SEEDBOX_PUSH_MAX_FAILURES = 2
    subscription = subscribe(ann, service, Browser())
    for number in (1, 2):
        service.answers = [500]
        completed(ann, name=f"t{number}", torrent_id=number)
        (delivery_id,) = [args[0] for task, args, _ in _broker_messages() if task == deliver.name]
        # The last of its attempts: this failure gives the delivery up.
        Delivery.objects.filter(pk=delivery_id).update(attempts=MAX_ATTEMPTS - 1)
        assert delivery_send(delivery_id=delivery_id) == "failed"
        subscription.refresh_from_db()
        assert subscription.failures == number

    assert subscription.disabled_reason.startswith("Disabled after 2 pushes failed in a row")
    assert "HTTP 500" in subscription.disabled_reason
    (message,) = mail.outbox
    assert message.to == [ann.email]
    assert "turned off" in message.subject
    assert "http://127.0.0.1:8000/accounts/" in message.body

    completed(ann, name="t3", torrent_id=3)  # a disabled device is no longer a target
    assert not Delivery.objects.filter(channel="push", title__contains="t3").exists()


def test_the_test_push_goes_to_that_device_only(ann, service):
    phone, laptop = Browser(), Browser()
    subscribe(ann, service, phone, "phone")
    chosen = subscribe(ann, service, laptop, "laptop")
    committed(lambda: push_test_send(subscription=chosen))
    (event_id,) = [
        args[0] for task, args, _ in _broker_messages() if task == "events.tasks.dispatch_event"
    ]
    assert event_dispatch(event_id=event_id) == "dispatched"
    assert run_deliveries() == ["sent"]
    (got,) = service.received
    assert got.path == "/wpush/laptop"
    message = laptop.decrypt(got.body)
    assert (message["title"], message["body"], message["kind"]) == (
        "Test notification",
        "Pushes reach this device.",
        "test",
    )
