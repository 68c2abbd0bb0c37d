"""Web push: one target per enabled subscription of the user (a browser, a phone).

The message is a small JSON object (title, body, absolute url, kind, id) encrypted for that
browser (RFC 8291, aes128gcm, by pywebpush's encoder), signed with the site's VAPID key
(RFC 8292, py-vapid) and POSTed to its push service through seedbox/fetch.py: the endpoint is a
URL the server fetches, so a loopback or private one is refused at send time unless
SEEDBOX_ALLOW_PRIVATE_URLS. A push service answering 404/410 forgot the subscription: it is
deleted and the delivery given up; any other failure is retried.
"""

import json
import time
from urllib.parse import urlsplit

from django.conf import settings
from py_vapid import VapidException
from pywebpush import WebPusher, WebPushException

from notifications.models import PushSubscription
from notifications.push_selectors import push_targets_of
from notifications.senders.base import DeliveryFailed, Sender
from notifications.services.push_subscriptions import (
    push_subscription_failed,
    push_subscription_gone,
    push_subscription_used,
)
from notifications.vapid import vapid_keys
from seedbox.fetch import FetchError, post

GONE = frozenset({404, 410})
# The VAPID token's life (RFC 8292 allows at most 24 h); one is made for every push.
TOKEN_LIFE = 12 * 3600


def push_message(delivery) -> dict:
    """What the service worker shows (static/js/sw.js reads these keys)."""
    return {
        "title": delivery.title,
        "body": delivery.body,
        "url": f"{settings.SEEDBOX_SITE_URL}{delivery.url or '/'}",
        "kind": delivery.kind,
        "id": delivery.pk,
    }


def _headers(endpoint: str) -> dict[str, str]:
    parts = urlsplit(endpoint)
    claims = {
        "sub": settings.SEEDBOX_VAPID_SUBJECT,
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + TOKEN_LIFE,
    }
    return {
        "Content-Type": "application/octet-stream",
        "Content-Encoding": "aes128gcm",
        "TTL": str(settings.SEEDBOX_PUSH_TTL),
        **vapid_keys().signer.sign(claims),
    }


def _encrypted(subscription: PushSubscription, message: dict) -> bytes:
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    data = json.dumps(message, separators=(",", ":")).encode()
    return WebPusher(info).encode(data, content_encoding="aes128gcm")["body"]


def _targets(user) -> list[int]:
    return push_targets_of(user)


def _send(delivery) -> None:
    subscription = PushSubscription.objects.filter(
        pk=delivery.target_id, user_id=delivery.user_id
    ).first()
    if subscription is None:
        raise DeliveryFailed("the device is no longer subscribed", permanent=True)
    if not subscription.enabled:
        raise DeliveryFailed(
            f"the device's pushes are off: {subscription.disabled_reason}", permanent=True
        )
    try:
        body = _encrypted(subscription, push_message(delivery))
        headers = _headers(subscription.endpoint)
    except (WebPushException, VapidException, ValueError) as exc:
        raise DeliveryFailed(f"push not made: {exc}", permanent=True) from exc
    try:
        answer = post(
            subscription.endpoint,
            body=body,
            headers=headers,
            timeout=settings.SEEDBOX_PUSH_TIMEOUT,
        )
    except FetchError as exc:
        raise DeliveryFailed(f"push not sent: {exc}", permanent=not exc.transient) from exc
    if answer.status in GONE:
        push_subscription_gone(subscription_id=subscription.pk)
        raise DeliveryFailed(
            f"the push service answered HTTP {answer.status}: the device unsubscribed, "
            "its subscription is removed",
            permanent=True,
        )
    if not 200 <= answer.status < 300:
        said = answer.body[:200].decode("utf-8", "replace").strip()
        raise DeliveryFailed(f"the push service answered HTTP {answer.status}: {said}")
    push_subscription_used(subscription_id=subscription.pk)


def _given_up(delivery, error: str) -> None:
    push_subscription_failed(subscription_id=delivery.target_id, error=error)


SENDER = Sender(targets=_targets, send=_send, given_up=_given_up)
