"""A user's traffic told per period: bytes up and down, the period's ratio and the ratio of
everything until its end (the history before the window included)."""

import datetime as dt
from dataclasses import dataclass

from torrents.stats import ratio


@dataclass(frozen=True)
class PeriodTraffic:
    start: dt.date
    uploaded: int
    downloaded: int
    ratio: float | None  # this period's own
    ratio_to_date: float | None  # everything up to the end of this period

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "uploaded_bytes": self.uploaded,
            "downloaded_bytes": self.downloaded,
            "ratio": self.ratio,
            "ratio_to_date": self.ratio_to_date,
        }


def traffic_periods_fill(
    *,
    first_days: list[dt.date],
    totals: dict[dt.date, tuple[int, int]],
    before: tuple[int, int] = (0, 0),
) -> list[PeriodTraffic]:
    """One entry per period of `first_days` (a period with no traffic is zeros); `totals` is
    {first day: (up, down)} as the database grouped it, `before` what came before the window."""
    up_so_far, down_so_far = before
    filled = []
    for start in first_days:
        up, down = totals.get(start, (0, 0))
        up_so_far += up
        down_so_far += down
        filled.append(
            PeriodTraffic(
                start=start,
                uploaded=up,
                downloaded=down,
                ratio=ratio(up, down)[0],
                ratio_to_date=ratio(up_so_far, down_so_far)[0],
            )
        )
    return filled
