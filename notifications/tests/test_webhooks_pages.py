"""The webhooks page: the owner's webhooks only, adding one (its secret shown in that answer
only, a private address refused with the reason), the buttons, and the delivery log."""

import pytest
from django.test import Client

from events.models import Event
from notifications.models import Delivery, Webhook
from notifications.services.webhooks import webhook_create

pytestmark = pytest.mark.django_db

PAGE = "/notifications/webhooks/"


@pytest.fixture
def logged_in():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def test_add_one_and_see_its_secret_once(logged_in, user, settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    client = logged_in(user)
    assert "No webhooks yet" in client.get(PAGE).content.decode()
    added = client.post(PAGE, {"url": "http://127.0.0.1:9/hook"})
    assert added.status_code == 201
    hook = Webhook.objects.get(user=user)
    page = added.content.decode()
    assert hook.secret in page
    assert "will not be shown again" in page
    again = client.get(PAGE).content.decode()
    assert "http://127.0.0.1:9/hook" in again
    assert hook.secret not in again

    renewed = client.post(f"{PAGE}{hook.pk}/secret/")
    hook.refresh_from_db()
    assert hook.secret in renewed.content.decode()


def test_a_private_address_is_refused_with_the_reason(logged_in, user, settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
    answer = logged_in(user).post(PAGE, {"url": "http://localhost:8000/hook"})
    assert answer.status_code == 400
    assert "loopback, private" in answer.content.decode()
    assert not Webhook.objects.exists()


def test_the_delivery_log_and_the_buttons(logged_in, user, settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    hook, _ = webhook_create(user=user, url="http://127.0.0.1:9/hook")
    Delivery.objects.create(
        user=user, kind="torrent.completed", channel="webhook", target_id=hook.pk,
        title="Downloaded: Sintel", status="pending", attempts=3, last_error="HTTP 503: busy",
    )  # fmt: skip
    client = logged_in(user)
    page = client.get(PAGE).content.decode()
    assert "Downloaded: Sintel" in page
    assert "HTTP 503: busy" in page

    assert client.post(f"{PAGE}{hook.pk}/test/").status_code == 302
    event = Event.objects.get(kind="test")
    assert event.payload == {
        "channel": "webhook",
        "target_id": hook.pk,
        "message": "A test event from Seedbox: your webhook works.",
    }

    Webhook.objects.filter(pk=hook.pk).update(
        enabled=False, failures=5, disabled_reason="disabled after 5 failed deliveries"
    )
    page = client.get(PAGE).content.decode()
    assert "disabled after 5 failed deliveries" in page
    assert "Enable again" in page
    client.post(f"{PAGE}{hook.pk}/enable/")
    hook.refresh_from_db()
    assert (hook.enabled, hook.failures, hook.disabled_reason) == (True, 0, "")

    client.post(f"{PAGE}{hook.pk}/remove/")
    assert not Webhook.objects.exists()


def test_another_users_webhook_is_not_shown_and_is_a_404(
    logged_in, user, other_user, admin_user, settings
):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    hook, _ = webhook_create(user=user, url="http://127.0.0.1:9/alices-hook")
    for persona in (other_user, admin_user):
        client = logged_in(persona)
        assert "alices-hook" not in client.get(PAGE).content.decode()
        for action in ("remove", "enable", "disable", "secret", "test"):
            assert client.post(f"{PAGE}{hook.pk}/{action}/").status_code == 404
    assert Webhook.objects.filter(pk=hook.pk, enabled=True).exists()
    assert not Event.objects.exists()
    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
