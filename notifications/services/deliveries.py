"""Sending deliveries (a task per delivery, queued at commit) and trying again those due.

A delivery is claimed before it is sent (`sending`, for SEEDBOX_DELIVERY_CLAIM_SECONDS): two
workers never send it at once, and a worker killed mid-send leaves it to the sweep once the
claim ends. Delivery
is therefore at least once: a worker killed after the far end took the message but before it
was marked sent sends it again (webhook receivers get the delivery id to tell).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from notifications.models import Delivery
from notifications.senders.base import DeliveryFailed
from notifications.senders.registry import SENDERS

log = logging.getLogger(__name__)

DELIVER_TASK = "notifications.tasks.deliver"
MAX_ATTEMPTS = 8
RETRY_FIRST = 30.0
RETRY_MAX = 6 * 3600.0
# The sweep leaves young deliveries to their own task (queued at commit).
SWEEP_GRACE = dt.timedelta(seconds=30)

Status = Delivery.Status


def retry_delay(attempts: int) -> float:
    """30 s, 1 min, 2 min, ... up to 6 h."""
    return min(RETRY_MAX, RETRY_FIRST * 2 ** max(0, attempts - 1))


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    due = Q(status=Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    expired_claim = Q(status=Status.SENDING, next_attempt_at__lt=now)
    return bool(
        Delivery.objects.filter(due | expired_claim, pk=delivery_id).update(
            status=Status.SENDING,
            next_attempt_at=now + dt.timedelta(seconds=settings.SEEDBOX_DELIVERY_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    )


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if it is due; its row says how it went. Safe to run twice."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "not due"
    delivery = Delivery.objects.select_related("user").get(pk=delivery_id)
    sender = SENDERS.get(delivery.channel)
    try:
        if sender is None:
            raise DeliveryFailed(f"no sender for {delivery.channel}", permanent=True)
        sender.send(delivery)
    except DeliveryFailed as exc:
        return _failed(delivery, sender, str(exc), permanent=exc.permanent)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return "sent"


def _failed(delivery: Delivery, sender, error: str, *, permanent: bool) -> str:
    now = timezone.now()
    if permanent or delivery.attempts >= MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Status.FAILED, next_attempt_at=None, last_error=error[:2000]
        )
        log.warning("delivery %s given up: %s", delivery.pk, error)
        if sender is not None and sender.given_up is not None:
            sender.given_up(delivery, error)
        return "failed"
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.PENDING,
        next_attempt_at=now + dt.timedelta(seconds=retry_delay(delivery.attempts)),
        last_error=error[:2000],
    )
    return "will retry"


def deliveries_due(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Deliveries to send again: past their retry time, a claim that ended (a worker that
    died), or never tried and older than SWEEP_GRACE (their task was lost)."""
    now = now or timezone.now()
    due = (
        Q(status=Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Status.PENDING, next_attempt_at__isnull=True, created_at__lt=now - SWEEP_GRACE)
        | Q(status=Status.SENDING, next_attempt_at__lt=now)
    )
    return list(Delivery.objects.filter(due).order_by("id").values_list("pk", flat=True)[:limit])
