"""Webhooks: adding one (its URL checked now, and again at every send), changing, removing,
enabling again, a new secret, and the "send a test event" button."""

import secrets

from django.conf import settings
from django.db import transaction

from accounts.models import User
from notifications.channels import Channel
from notifications.models import Webhook
from notifications.services.trial import trial_event_record
from seedbox.fetch import FetchError, url_check

MAX_URL_LENGTH = 2000


class WebhookError(ValueError):
    """Refused; the message says why, for the person who asked."""


def webhook_secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_url_clean(url: str) -> str:
    """The URL if the fetcher would POST to it (http(s), public unless
    SEEDBOX_ALLOW_PRIVATE_URLS); else WebhookError."""
    url = (url or "").strip()
    if not url:
        raise WebhookError("give the URL to send events to")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        url_check(url)
    except FetchError as exc:
        raise WebhookError(str(exc)) from None
    return url


def webhook_create(*, user, url: str) -> tuple[Webhook, str]:
    """A new webhook and its secret (shown to the user in this answer)."""
    url = webhook_url_clean(url)
    with transaction.atomic():
        # Counted under the user's row lock: two requests at once cannot pass the cap together.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if Webhook.objects.filter(user=user).count() >= settings.SEEDBOX_WEBHOOKS_PER_USER:
            raise WebhookError(
                f"you have {settings.SEEDBOX_WEBHOOKS_PER_USER} webhooks, the most allowed; "
                "remove one first"
            )
        webhook = Webhook.objects.create(user=user, url=url, secret=webhook_secret_new())
    return webhook, webhook.secret


def webhook_update(*, webhook: Webhook, url: str | None = None, enabled: bool | None = None):
    """A new URL (checked), or on/off. Turning it on again forgets the failures that
    disabled it."""
    if url is not None:
        webhook.url = webhook_url_clean(url)
    if enabled is True:
        webhook.enabled, webhook.failures, webhook.disabled_reason = True, 0, ""
    elif enabled is False:
        webhook.enabled = False
    webhook.save(update_fields=["url", "enabled", "failures", "disabled_reason"])
    return webhook


def webhook_enable(*, webhook: Webhook) -> Webhook:
    return webhook_update(webhook=webhook, enabled=True)


def webhook_secret_renew(*, webhook: Webhook) -> str:
    """A new secret; the old one no longer signs anything sent from now on."""
    webhook.secret = webhook_secret_new()
    webhook.save(update_fields=["secret"])
    return webhook.secret


def webhook_delete(*, webhook: Webhook) -> None:
    # Its deliveries stay in the user's history; one still pending finds no webhook and stops.
    webhook.delete()


def webhook_test_send(*, webhook: Webhook):
    """Record a test event for this webhook alone; it is POSTed by a worker after the commit."""
    if not webhook.enabled:
        raise WebhookError("this webhook is disabled: enable it first")
    return trial_event_record(
        user_id=webhook.user_id,
        channel=Channel.WEBHOOK,
        target_id=webhook.pk,
        message="A test event from Seedbox: your webhook works.",
    )
