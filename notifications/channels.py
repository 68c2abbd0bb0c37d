"""The ways a user is told, and what each user gets by default.

"site" is the bell (a Notification row, written by the event handler itself); the others are
deliveries (a Delivery row per target, sent by a task: notifications/senders/)."""

from django.db import models

from events.kinds import INTERNAL, EventKind


class Channel(models.TextChoices):
    SITE = "site", "in the site"
    EMAIL = "email", "email"
    PUSH = "push", "web push"
    WEBHOOK = "webhook", "webhooks"


# What a person can be told about (the test event is sent only on demand, to one channel).
USER_KINDS = tuple(kind for kind in EventKind if kind != EventKind.TEST and kind not in INTERNAL)
# Told to the staff only: a user never gets them, so never chooses them either.
STAFF_KINDS = frozenset(
    {EventKind.TORRENT_AWAITING_APPROVAL, EventKind.NODE_DOWN, EventKind.NODE_UP}
)

# Defaults when the user never chose: the site tells everything; mail, push and webhooks only
# what most people want to hear without asking (a finished download, a refusal, a problem).
_ON_ELSEWHERE = {
    EventKind.TORRENT_COMPLETED,
    EventKind.TORRENT_REJECTED,
    EventKind.TORRENT_FAILED,
    EventKind.TORRENT_REMOVED_BY_ADMIN,
    EventKind.TORRENT_AWAITING_APPROVAL,
    EventKind.QUOTA_FULL,
    EventKind.NODE_DOWN,
    EventKind.WEEKLY_SUMMARY,  # only sent to those who opted in to it
}


def default_wanted(kind: str, channel: str) -> bool:
    if channel == Channel.SITE:
        return True
    return kind in _ON_ELSEWHERE


def kinds_for(user) -> tuple[str, ...]:
    """The kinds `user` may choose about (the staff-only ones for staff)."""
    return tuple(k for k in USER_KINDS if user.is_staff or k not in STAFF_KINDS)
