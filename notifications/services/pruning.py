"""Forgetting what is no longer worth keeping: notifications read more than
SEEDBOX_NOTIFICATIONS_KEEP_DAYS ago (unread ones stay until read), and deliveries done (sent, or
given up) more than SEEDBOX_DELIVERIES_KEEP_DAYS ago. Run by the deliveries' sweep."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from notifications.models import Delivery, Notification


def notifications_prune(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """(notifications deleted, deliveries deleted)."""
    now = now or timezone.now()
    read_before = now - dt.timedelta(days=settings.SEEDBOX_NOTIFICATIONS_KEEP_DAYS)
    done_before = now - dt.timedelta(days=settings.SEEDBOX_DELIVERIES_KEEP_DAYS)
    notes, _ = Notification.objects.filter(read_at__lt=read_before).delete()
    done = (Delivery.Status.SENT, Delivery.Status.FAILED)
    deliveries, _ = Delivery.objects.filter(status__in=done, updated_at__lt=done_before).delete()
    return notes, deliveries
