"""Browsers that receive a user's web pushes: subscribing (checked like any URL the server will
fetch), removing, a test push, and what each send says about the subscription (a push service
that forgot it, failures in a row that disable it with a mail to its owner)."""

import logging
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from notifications.channels import Channel
from notifications.models import PushSubscription
from notifications.services.trial import trial_event_record
from notifications.vapid import b64url_decode
from seedbox.fetch import FetchError, url_check

log = logging.getLogger(__name__)

MAX_ENDPOINT = PushSubscription._meta.get_field("endpoint").max_length
MAX_USER_AGENT = PushSubscription._meta.get_field("user_agent").max_length


class PushSubscriptionError(ValueError):
    """A subscription that is refused; the message says why, for the person (400)."""


def _key(text: str, name: str) -> bytes:
    if not isinstance(text, str) or not text or len(text) > 200:
        raise PushSubscriptionError(f"keys.{name} is missing")
    try:
        return b64url_decode(text)
    except ValueError:
        raise PushSubscriptionError(f"keys.{name} is not base64url") from None


def _endpoint_check(endpoint: str) -> None:
    if not isinstance(endpoint, str) or not endpoint:
        raise PushSubscriptionError("endpoint is missing")
    if len(endpoint) > MAX_ENDPOINT:
        raise PushSubscriptionError(f"endpoint is longer than {MAX_ENDPOINT} characters")
    if urlsplit(endpoint).scheme.lower() != "https":
        raise PushSubscriptionError("endpoint must be an https:// URL (a browser's push service)")
    try:
        url_check(endpoint)
    except FetchError as exc:
        raise PushSubscriptionError(f"endpoint: {exc}") from None


def push_subscription_check(*, endpoint: str, p256dh: str, auth: str) -> None:
    """Raise PushSubscriptionError unless the three parts are what a browser gives: an https
    URL at a public address (any, with SEEDBOX_ALLOW_PRIVATE_URLS), a P-256 point, 16 bytes."""
    _endpoint_check(endpoint)
    point = _key(p256dh, "p256dh")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise PushSubscriptionError("keys.p256dh is not a P-256 public key") from None
    if len(_key(auth, "auth")) != 16:
        raise PushSubscriptionError("keys.auth must be 16 bytes")


def push_subscription_save(
    *, user, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Subscribe this browser for `user`. The same endpoint again (the browser subscribed anew,
    or another person logged in on it) updates the one row: a browser gets one person's pushes."""
    push_subscription_check(endpoint=endpoint, p256dh=p256dh, auth=auth)
    limit = settings.SEEDBOX_PUSH_DEVICES_PER_USER
    others = PushSubscription.objects.filter(user=user).exclude(endpoint=endpoint)
    if others.count() >= limit:
        raise PushSubscriptionError(
            f"at most {limit} devices get your pushes; remove one on your account page first"
        )
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": (user_agent or "")[:MAX_USER_AGENT],
            "failures": 0,
            "disabled_reason": "",
        },
    )
    return subscription


def push_subscription_delete(*, subscription: PushSubscription) -> None:
    subscription.delete()


def push_test_send(*, subscription: PushSubscription) -> None:
    """The account page's "send a test push": a test event for that one browser."""
    trial_event_record(
        user_id=subscription.user_id,
        channel=Channel.PUSH,
        target_id=subscription.pk,
        message="Pushes reach this device.",
    )


def push_subscription_used(*, subscription_id: int) -> None:
    """A push went through: count from zero again."""
    PushSubscription.objects.filter(pk=subscription_id).update(
        last_used_at=timezone.now(), failures=0
    )


def push_subscription_gone(*, subscription_id: int) -> None:
    """The push service no longer knows it (404/410: the browser unsubscribed or expired)."""
    PushSubscription.objects.filter(pk=subscription_id).delete()


def push_subscription_failed(*, subscription_id: int, error: str) -> None:
    """A delivery to it was given up: one more failure in a row; at SEEDBOX_PUSH_MAX_FAILURES it
    is disabled with the reason shown on the account page, and its owner gets a mail."""
    PushSubscription.objects.filter(pk=subscription_id, disabled_reason="").update(
        failures=F("failures") + 1
    )
    limit = settings.SEEDBOX_PUSH_MAX_FAILURES
    reason = f"Disabled after {limit} pushes failed in a row; the last error: {error}"[:2000]
    disabled = PushSubscription.objects.filter(
        pk=subscription_id, disabled_reason="", failures__gte=limit
    ).update(disabled_reason=reason)
    if disabled:
        subscription = PushSubscription.objects.select_related("user").get(pk=subscription_id)
        _disabled_mail(subscription)


def _disabled_mail(subscription: PushSubscription) -> None:
    user = subscription.user
    if not user.email:
        return
    device = subscription.user_agent or "a browser"
    body = (
        f"Seedbox stopped sending web pushes to {device[:100]}: "
        f"{subscription.disabled_reason}\n\n"
        f"Subscribe that device again from your account page: "
        f"{settings.SEEDBOX_SITE_URL}{reverse('account')}"
    )
    message = EmailMessage(
        subject="[Seedbox] Web pushes to one of your devices are turned off",
        body=body,
        to=[user.email],
    )
    try:
        message.send()
    except OSError as exc:  # the reason is on the account page either way
        log.warning("push subscription %s disabled, mail not sent: %s", subscription.pk, exc)
