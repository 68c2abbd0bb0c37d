"""The weekly summary a user opts into (`User.weekly_summary`): last week's traffic, ratio and
the torrents that finished, recorded as a summary.weekly event (its handlers tell the user).

The week is the last whole one, Monday to Sunday in UTC, before the day the task runs, so a
run repeated (beat's retry, an operator's manual run, a late worker) covers the same week; its
idempotency key in the payload is checked, under the user's row lock, before recording: one
summary per user per week. A week with no traffic and nothing finished is not told.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.kinds import EventKind
from events.models import Event
from events.services import event_record
from torrents.stats import ratio, user_period_activity

COMPLETED_MAX = 20


def summary_week(*, today: dt.date) -> tuple[dt.date, dt.date]:
    """(Monday, Sunday) of the last whole week before `today`."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - dt.timedelta(days=7), this_monday - dt.timedelta(days=1)


def summary_key(*, user_id: int, start: dt.date) -> str:
    return f"{EventKind.WEEKLY_SUMMARY}:{user_id}:{start.isoformat()}"


def weekly_summary_record(*, user_id: int, start: dt.date, end: dt.date) -> bool:
    """Record the summary of [start, end] (whole UTC days) for the user once; True when it was
    recorded now (False: told already, opted out or gone meanwhile, or nothing to tell)."""
    key = summary_key(user_id=user_id, start=start)
    with transaction.atomic():
        # Locked: a second run at the same time waits here, then sees the first one's event.
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or not (user.weekly_summary and user.is_active):
            return False
        if Event.objects.filter(kind=EventKind.WEEKLY_SUMMARY, payload__key=key).exists():
            return False
        since = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        activity = user_period_activity(
            user_id=user_id, start=since, end=until, completed_max=COMPLETED_MAX
        )
        up, down = activity["uploaded_bytes"], activity["downloaded_bytes"]
        if not (up or down or activity["completed"]):
            return False
        event_record(
            EventKind.WEEKLY_SUMMARY,
            users=[user_id],
            payload={
                "key": key,
                "uploaded_bytes": up,
                "downloaded_bytes": down,
                "ratio": ratio(up, down)[0],
                "completed": activity["completed"],
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
            },
        )
    return True


def weekly_summaries_send(*, now: dt.datetime | None = None) -> int:
    """Record last week's summary for every active user who opted in; safe to run twice (and
    on any day of the week after). Returns how many were recorded now."""
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    start, end = summary_week(today=today)
    opted_in = (
        User.objects.filter(weekly_summary=True, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(weekly_summary_record(user_id=pk, start=start, end=end) for pk in list(opted_in))
