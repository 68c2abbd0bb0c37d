"""Marking what is under the bell as read: one, or all of a user's at once."""

from django.utils import timezone

from notifications.models import Notification


def notification_mark_read(*, notification: Notification) -> Notification:
    """Read now (a notification already read keeps the time it was first read)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Every unread notification of `user` read now; how many there were."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
