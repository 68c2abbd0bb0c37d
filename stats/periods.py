"""The periods the statistics are told in: days, weeks (from Monday) and months, local time.

Each has a default length (30 days, 26 weeks, 12 months) and a database truncation, so that a
series is grouped by the database in one query and the same on Postgres and SQLite."""

import datetime as dt
from dataclasses import dataclass

from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone


@dataclass(frozen=True)
class Period:
    name: str
    count: int  # how many of them a series shows by default
    most: int  # how many a caller may ask for
    trunc: type

    def first_days(self, *, count: int, today: dt.date | None = None) -> list[dt.date]:
        """The first day of each of the last `count` periods up to the one holding `today`."""
        today = today or timezone.localdate()
        if self.name == "day":
            return [today - dt.timedelta(days=count - 1 - i) for i in range(count)]
        if self.name == "week":
            monday = today - dt.timedelta(days=today.weekday())
            return [monday - dt.timedelta(weeks=count - 1 - i) for i in range(count)]
        months = today.year * 12 + today.month - 1
        return [
            dt.date((months - count + 1 + i) // 12, (months - count + 1 + i) % 12 + 1, 1)
            for i in range(count)
        ]


PERIODS = {
    "day": Period("day", 30, 366, TruncDay),
    "week": Period("week", 26, 260, TruncWeek),
    "month": Period("month", 12, 120, TruncMonth),
}


class BadPeriod(ValueError):
    """What the caller asked for is not a period or a count of them (answered 400)."""


def period_parse(*, name: str | None, count: str | None) -> tuple[Period, int]:
    """(period, count) from query parameters `period` (day, week, month) and `count`."""
    period = PERIODS.get(name or "day")
    if period is None:
        raise BadPeriod(f"period must be one of: {', '.join(PERIODS)}")
    if count in (None, ""):
        return period, period.count
    try:
        value = int(count)
    except ValueError:
        raise BadPeriod("count must be a whole number") from None
    if not 1 <= value <= period.most:
        raise BadPeriod(f"count must be between 1 and {period.most} for {period.name}s")
    return period, value


def as_date(value: dt.datetime | dt.date) -> dt.date:
    """A truncated moment as the day it starts (the database's TruncDay/Week/Month give
    datetimes in the current time zone)."""
    return value.date() if isinstance(value, dt.datetime) else value


def local_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, local time, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def window_days(days: str | None, *, default: int = 30, most: int = 366) -> int:
    """A number of days from a query parameter, 1 to `most`."""
    if days in (None, ""):
        return default
    try:
        value = int(days)
    except ValueError:
        raise BadPeriod("days must be a whole number") from None
    if not 1 <= value <= most:
        raise BadPeriod(f"days must be between 1 and {most}")
    return value
