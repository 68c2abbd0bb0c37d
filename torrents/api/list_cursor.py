"""The `changed_since` cursor of `GET /api/torrents`.

A cursor is the time its answer started reading, as an opaque string, with the reader's role
(an admin's list is every row, a user's their own: a cursor is refused across a role change).
A refresh returns the rows whose `updated_at` (or, for a user, ownership) is later than the
cursor minus `MARGIN`, because a writer stamps `updated_at` before it commits (the sync stamps
the time it started, then writes up to 10,000 rows): a row committed just after a cursor was
handed out carries an earlier stamp, and the margin catches it. A refresh therefore repeats
what changed in the few seconds before the last one; applying a row twice is harmless.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

VERSION = "c1"
MARGIN = dt.timedelta(seconds=5)


class CursorError(ValueError):
    """The cursor is malformed (400), or too old or for another role (410: read it all)."""

    def __init__(self, message: str, *, gone: bool = False):
        super().__init__(message)
        self.gone = gone


def _role(user) -> str:
    return "a" if user.is_staff else "u"


def cursor_make(*, user, at: dt.datetime) -> str:
    micros = int(at.timestamp() * 1_000_000)
    return f"{VERSION}.{micros}.{_role(user)}"


def cursor_read(raw: str, *, user, now: dt.datetime) -> dt.datetime:
    """The time to read changes after (margin applied), or CursorError."""
    try:
        version, micros, role = raw.split(".")
        at = dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise CursorError(
            "changed_since must be a cursor this API returned (the `cursor` of an answer)"
        ) from None
    if version != VERSION or at > now + MARGIN:
        raise CursorError("changed_since is not a cursor this server returned")
    if role != _role(user):
        raise CursorError("your role changed since this cursor: read the whole list", gone=True)
    keep = dt.timedelta(days=settings.SEEDBOX_CHANGES_KEEP_DAYS)
    if at < now - keep:
        raise CursorError(
            f"this cursor is older than {keep.days} days: read the whole list", gone=True
        )
    return at - MARGIN


def cursor_now() -> dt.datetime:
    return timezone.now()
