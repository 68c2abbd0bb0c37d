"""Webhooks: one target per enabled Webhook of the user. The delivery is POSTed as JSON with
seedbox/fetch.py (public addresses only, checked on the connection made; no redirects):

    X-Seedbox-Timestamp: <unix seconds>
    X-Seedbox-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>
    X-Seedbox-Delivery: <delivery id>   (the same on a retry: receivers drop duplicates by it)

2xx is sent; 5xx, 408, 429 and no answer are retried with the core's backoff; any other answer
fails for good. A webhook whose deliveries are given up SEEDBOX_WEBHOOK_MAX_FAILURES times in a
row is disabled, says why, and its owner gets a mail; a success resets the count."""

import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from notifications.models import Webhook
from notifications.senders.base import DeliveryFailed, Sender
from seedbox.fetch import FetchError, post

log = logging.getLogger(__name__)

USER_AGENT = "Seedbox-Webhooks/1"
RETRIED = frozenset({408, 429})
# What is kept of the receiver's answer for the delivery log.
ANSWER_BYTES = 500


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def webhook_body(delivery) -> bytes:
    url = f"{settings.SEEDBOX_SITE_URL}{delivery.url}" if delivery.url else ""
    return json.dumps(
        {
            "id": delivery.pk,
            "event": delivery.event_id,
            "kind": delivery.kind,
            "created_at": delivery.created_at.isoformat(),
            "title": delivery.title,
            "body": delivery.body,
            "url": url,
            "payload": delivery.payload,
        },
        separators=(",", ":"),
    ).encode()


def _targets(user) -> list[int]:
    return list(Webhook.objects.filter(user=user, enabled=True).values_list("pk", flat=True))


def _answer(fetched) -> str:
    text = fetched.body[:ANSWER_BYTES].decode("utf-8", errors="replace").strip()
    return f"HTTP {fetched.status}" + (f": {text}" if text else "")


def _send(delivery) -> None:
    webhook = Webhook.objects.filter(pk=delivery.target_id, user_id=delivery.user_id).first()
    if webhook is None:
        raise DeliveryFailed("the webhook was removed", permanent=True)
    if not webhook.enabled:
        raise DeliveryFailed("the webhook is disabled", permanent=True)
    body = webhook_body(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "Accept": "*/*",
        "User-Agent": USER_AGENT,
        "X-Seedbox-Timestamp": timestamp,
        "X-Seedbox-Signature": webhook_signature(webhook.secret, timestamp, body),
        "X-Seedbox-Delivery": str(delivery.pk),
        "X-Seedbox-Event": delivery.kind,
    }
    try:
        answer = post(
            webhook.url, body=body, headers=headers, timeout=settings.SEEDBOX_WEBHOOK_TIMEOUT
        )
    except FetchError as exc:
        raise DeliveryFailed(str(exc), permanent=not exc.transient) from exc
    if 200 <= answer.status < 300:
        Webhook.objects.filter(pk=webhook.pk).update(failures=0, last_delivery_at=timezone.now())
        return
    if 300 <= answer.status < 400:
        where = f" to {answer.location[:200]}" if answer.location else ""
        raise DeliveryFailed(
            f"HTTP {answer.status}, a redirect{where}: redirects are not followed, give the "
            "final URL",
            permanent=True,
        )
    raise DeliveryFailed(
        _answer(answer), permanent=answer.status < 500 and answer.status not in RETRIED
    )


def _given_up(delivery, error: str) -> None:
    """Count the failure; at the limit, disable the webhook with the reason and tell its owner."""
    limit = settings.SEEDBOX_WEBHOOK_MAX_FAILURES
    Webhook.objects.filter(pk=delivery.target_id, enabled=True).update(failures=F("failures") + 1)
    reason = f"disabled after {limit} failed deliveries in a row; the last: {error}"[:2000]
    disabled = Webhook.objects.filter(
        pk=delivery.target_id, enabled=True, failures__gte=limit
    ).update(enabled=False, disabled_reason=reason)
    if not disabled:
        return
    webhook = Webhook.objects.select_related("user").get(pk=delivery.target_id)
    page = settings.SEEDBOX_SITE_URL + reverse("webhooks")
    try:
        send_mail(
            subject="[Seedbox] Your webhook was disabled",
            message=(
                f"Seedbox stopped sending events to {webhook.url}: {reason}\n\n"
                f"Once it answers again, enable it on {page}"
            ),
            from_email=None,
            recipient_list=[webhook.user.email],
        )
    except OSError:
        log.exception("webhook %s disabled; the mail to its owner was not sent", webhook.pk)


SENDER = Sender(targets=_targets, send=_send, given_up=_given_up)
