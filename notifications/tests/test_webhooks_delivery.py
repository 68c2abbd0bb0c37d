"""Webhooks delivered to a real HTTP server on loopback: the body signed (checked here with the
secret), a 500 retried until it succeeds, a 4xx given up at once, private addresses refused at
save and at send (a name resolving to loopback, a DNS answer that changes, too), a webhook
disabled after failing SEEDBOX_WEBHOOK_MAX_FAILURES times in a row, with a mail."""

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import time

import pytest
from django.core import mail
from django.utils import timezone

from events.services import event_dispatch
from notifications.models import Delivery, Webhook
from notifications.senders.registry import SENDERS
from notifications.services.deliveries import delivery_send
from notifications.services.webhooks import WebhookError, webhook_create, webhook_test_send
from notifications.tasks import deliver
from notifications.tests.support import completed
from notifications.tests.webhook_receiver import webhook_receiver
from seedbox import addresses
from seedbox.testing import committed
from torrents.tests.intake_support import _broker_messages, clear_broker

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = "127.0.0.252"  # a loopback address the tests call public (as seedbox/tests/test_fetch)


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True  # the receivers listen on loopback
    settings.SEEDBOX_WEBHOOK_TIMEOUT = 2.0
    clear_broker()
    yield
    clear_broker()


@pytest.fixture
def public_loopback(monkeypatch):
    real = addresses.is_public
    stand_in = ipaddress.IPv4Address(PUBLIC)
    monkeypatch.setattr(addresses, "is_public", lambda a: a == stand_in or real(a))


def run_deliveries() -> list[str]:
    """Run the delivery tasks queued, as a worker would: the webhook ones' outcomes (the mails
    the same events make are sent too, and left out)."""
    ids = [args[0] for task, args, _ in _broker_messages() if task == deliver.name]
    webhooks = set(
        Delivery.objects.filter(pk__in=ids, channel="webhook").values_list("pk", flat=True)
    )
    return [outcome for pk in ids if (outcome := deliver.run(pk)) and pk in webhooks]


def again(delivery: Delivery) -> str:
    """Its retry time has come: send it as the sweep would."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    return delivery_send(delivery_id=delivery.pk)


def disabled_mails() -> list:
    return [m for m in mail.outbox if "webhook was disabled" in m.subject]


def verified(secret: str, request) -> dict:
    """What a receiver does (the README's example): check the signature, then the age."""
    timestamp = request.headers["X-Seedbox-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(request.headers["X-Seedbox-Signature"], f"sha256={expected}")
    assert abs(time.time() - int(timestamp)) < 300
    return json.loads(request.body)


def test_a_completed_download_is_posted_signed(user):
    with webhook_receiver() as receiver:
        hook, secret = webhook_create(user=user, url=f"{receiver.url}/hook?x=1")
        event = completed(user)
        assert run_deliveries() == ["sent"]
    (request,) = receiver.received
    body = verified(secret, request)
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts, delivery.target_id) == ("sent", 1, hook.pk)
    assert body == {
        "id": delivery.pk,
        "event": event.pk,
        "kind": "torrent.completed",
        "created_at": delivery.created_at.isoformat(),
        "title": "Downloaded: Big.Buck.Bunny",
        "body": "The download is complete.",
        "url": "http://127.0.0.1:8000/torrents/7/",
        "payload": {"name": "Big.Buck.Bunny", "torrent_id": 7},
    }
    assert request.path == "/hook?x=1"
    assert request.headers["X-Seedbox-Delivery"] == str(delivery.pk)
    assert request.headers["User-Agent"].startswith("Seedbox-Webhooks")
    assert request.headers["Content-Type"] == "application/json"
    # A signature with another secret, or of another body, does not verify.
    request.body = request.body.replace(b"Bunny", b"Bunnx")
    with pytest.raises(AssertionError):
        verified(secret, request)
    assert Webhook.objects.get(pk=hook.pk).last_delivery_at is not None


def test_a_500_is_retried_and_the_second_attempt_is_delivered(user):
    with webhook_receiver(answers=[500]) as receiver:
        _, secret = webhook_create(user=user, url=receiver.url)
        completed(user)
        assert run_deliveries() == ["will retry"]
        delivery = Delivery.objects.get(channel="webhook")
        assert delivery.status == "pending"
        assert delivery.last_error == "HTTP 500: no thanks"
        assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)
        assert delivery_send(delivery_id=delivery.pk) == "not due"
        assert again(delivery) == "sent"
    first, second = receiver.received
    assert first.delivery == second.delivery == str(delivery.pk)  # receivers drop the duplicate
    assert verified(secret, second)["id"] == delivery.pk
    assert receiver.completed == [str(delivery.pk)]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")


@pytest.mark.parametrize("status", [408, 429, 503])
def test_408_429_and_5xx_are_retried(user, status):
    with webhook_receiver(answers=[status]) as receiver:
        webhook_create(user=user, url=receiver.url)
        completed(user)
        assert run_deliveries() == ["will retry"]
    assert Delivery.objects.get(channel="webhook").last_error.startswith(f"HTTP {status}")


@pytest.mark.parametrize("status", [400, 404, 410, 302])
def test_other_answers_fail_for_good_without_a_retry(user, status):
    with webhook_receiver(answers=[status]) as receiver:
        hook, _ = webhook_create(user=user, url=receiver.url)
        completed(user)
        assert run_deliveries() == ["failed"]
        delivery = Delivery.objects.get(channel="webhook")
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 1, None)
        assert again(delivery) == "not due"  # failed is final
    assert len(receiver.received) == 1
    if status == 302:
        assert "redirects are not followed" in delivery.last_error
        assert "elsewhere.example" in delivery.last_error
    assert Webhook.objects.get(pk=hook.pk).failures == 1


def test_a_server_that_does_not_answer_is_retried(user, settings):
    settings.SEEDBOX_WEBHOOK_TIMEOUT = 1.0
    with webhook_receiver(stall_first=True) as receiver:
        webhook_create(user=user, url=receiver.url)
        completed(user)
        started = time.monotonic()
        assert run_deliveries() == ["will retry"]
        assert time.monotonic() - started < 2.5
    assert "did not answer in time" in Delivery.objects.get(channel="webhook").last_error


def test_a_private_address_is_refused_at_save_and_at_send(user, settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
    with webhook_receiver() as receiver:
        port = receiver.server_address[1]
        for url in (receiver.url, f"http://localhost:{port}/", f"http://0x7f000001:{port}/"):
            with pytest.raises(WebhookError, match="loopback, private"):
                webhook_create(user=user, url=url)
        for url in ("ftp://example.com/", "file:///etc/passwd", "nonsense"):
            with pytest.raises(WebhookError, match="only http"):
                webhook_create(user=user, url=url)
        assert not Webhook.objects.exists()

        # Saved while the setting allowed it (or a name that resolved elsewhere then): checked
        # again when sending.
        settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
        hook, _ = webhook_create(user=user, url=f"http://localhost:{port}/")
        settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
        completed(user)
        assert run_deliveries() == ["failed"]
    assert receiver.received == []
    delivery = Delivery.objects.get(channel="webhook")
    assert "loopback, private" in delivery.last_error
    assert delivery.attempts == 1  # not retried: the address will not become public by waiting
    assert Webhook.objects.get(pk=hook.pk).failures == 1


def test_a_name_whose_answer_changes_to_loopback_is_refused_and_never_reached(
    user, settings, monkeypatch, public_loopback
):
    """DNS rebinding: a name that resolves to a public address when checked and to loopback
    afterwards. The send checks the address it connects to (one lookup, then the connection goes
    to that address), so the loopback server is never reached."""
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
    real = socket.getaddrinfo
    answers = [PUBLIC, PUBLIC]  # the save's check, the first send's; then loopback

    def rebinding(host, *args, **kwargs):
        if host != "rebind.example":
            return real(host, *args, **kwargs)
        address = answers.pop(0) if answers else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with webhook_receiver("127.0.0.1") as inside:
        port = inside.server_address[1]  # the same port on both: a second lookup would hit it
        with webhook_receiver(PUBLIC, port=port) as outside:
            hook, _ = webhook_create(user=user, url=f"http://rebind.example:{port}/hook")
            completed(user)
            assert run_deliveries() == ["sent"]
            assert len(outside.received) == 1
            assert outside.received[0].headers["Host"] == f"rebind.example:{port}"
            completed(user, name="second", torrent_id=8)
            assert run_deliveries() == ["failed"]  # this time the lookup said loopback
        assert inside.received == []
    assert "loopback, private" in Delivery.objects.get(status="failed").last_error
    assert Webhook.objects.get(pk=hook.pk).failures == 1


def test_failing_in_a_row_disables_the_webhook_with_a_reason_and_a_mail(user, settings):
    settings.SEEDBOX_WEBHOOK_MAX_FAILURES = 2
    with webhook_receiver(answers=[400, 200, 400, 410]) as receiver:
        hook, _ = webhook_create(user=user, url=receiver.url)
        for number in range(3):
            completed(user, name=f"t{number}", torrent_id=number + 1)
            run_deliveries()
            hook.refresh_from_db()
            # 400: one failure; 200: the count starts again; 400: one failure, still enabled.
            assert (hook.failures, hook.enabled) == ([1, 0, 1][number], True)
        assert disabled_mails() == []
        completed(user, name="t3", torrent_id=4)
        assert run_deliveries() == ["failed"]
        hook.refresh_from_db()
        assert (hook.enabled, hook.failures) == (False, 2)
        assert "disabled after 2 failed deliveries in a row" in hook.disabled_reason
        assert "HTTP 410" in hook.disabled_reason
        (message,) = disabled_mails()
        assert message.to == [user.email]
        assert receiver.url in message.body
        assert "http://127.0.0.1:8000/notifications/webhooks/" in message.body

        # Disabled: no more deliveries to it, not even a test.
        completed(user, name="t4", torrent_id=5)
        assert run_deliveries() == []
        assert SENDERS["webhook"].targets(user) == []
        with pytest.raises(WebhookError, match="disabled"):
            webhook_test_send(webhook=hook)
    assert len(receiver.received) == 4


def test_the_test_button_sends_to_that_webhook_only(user, other_user):
    with webhook_receiver() as first, webhook_receiver() as second:
        hook, secret = webhook_create(user=user, url=first.url)
        webhook_create(user=user, url=second.url)
        webhook_create(user=other_user, url=second.url)
        event = committed(lambda: webhook_test_send(webhook=hook))
        assert event.kind == "test"
        assert event.payload["target_id"] == hook.pk
        assert event.user_ids == [user.pk]
        assert event_dispatch(event_id=event.pk) == "dispatched"
        assert run_deliveries() == ["sent"]
    (request,) = first.received
    assert second.received == []
    body = verified(secret, request)
    assert (body["kind"], body["title"]) == ("test", "Test notification")
    assert body["payload"]["channel"] == "webhook"
    assert "your webhook works" in body["body"]


def test_a_delivery_to_a_removed_webhook_stops(user):
    with webhook_receiver() as receiver:
        hook, _ = webhook_create(user=user, url=receiver.url)
        completed(user)
        hook.delete()
        assert run_deliveries() == ["failed"]
    assert receiver.received == []
    assert Delivery.objects.get(channel="webhook").last_error == "the webhook was removed"


def test_a_name_that_does_not_resolve_is_tried_again(user):
    hook = Webhook.objects.create(user=user, url="http://hook.invalid/", secret="whsec_x")
    completed(user)
    assert run_deliveries() == ["will retry"]
    assert "does not resolve" in Delivery.objects.get(channel="webhook").last_error
    assert Webhook.objects.get(pk=hook.pk).failures == 0
