"""The account page's traffic chart: the hourly series of `torrents.stats.user_stats` folded into
local days and laid out as SVG bars here, so the page needs no JavaScript to draw it."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

WIDTH = 600
PLOT_HEIGHT = 140
TOP = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Day:
    date: dt.date
    uploaded: int
    downloaded: int
    up: Bar
    down: Bar


@dataclass(frozen=True)
class TrafficChart:
    days: list[Day]
    peak: int
    bar_width: float
    width: int = WIDTH
    plot_height: int = PLOT_HEIGHT
    top: int = TOP

    @property
    def baseline(self) -> int:
        return self.top + self.plot_height

    @property
    def height(self) -> int:
        return self.baseline + 22

    @property
    def empty(self) -> bool:
        return self.peak == 0

    @property
    def labels(self) -> list[tuple[float, str, dt.date]]:
        """Dates under the axis as (x, text-anchor, date): the first and last flush with the
        edges so they are not cut off, one in the middle."""
        middle = len(self.days) // 2
        slot = self.width / len(self.days)
        return [
            (0, "start", self.days[0].date),
            (round(slot * middle + slot / 2, 2), "middle", self.days[middle].date),
            (self.width, "end", self.days[-1].date),
        ]


def _bar(x: float, value: int, peak: int) -> Bar:
    height = PLOT_HEIGHT * value / peak if peak else 0.0
    if value and height < 1:
        height = 1.0  # a day with any traffic stays visible
    return Bar(x=round(x, 2), y=round(TOP + PLOT_HEIGHT - height, 2), height=round(height, 2))


def traffic_chart(*, series: list[dict], days: int, today: dt.date | None = None) -> TrafficChart:
    """One pair of bars (uploaded, downloaded) per local day for the `days` days up to `today`;
    hours outside that window are ignored."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    totals: dict[dt.date, list[int]] = {first + dt.timedelta(days=i): [0, 0] for i in range(days)}
    for point in series:
        date = timezone.localtime(point["hour"]).date()
        if date in totals:
            totals[date][0] += point["uploaded_bytes"]
            totals[date][1] += point["downloaded_bytes"]
    return period_chart(periods=[(date, up, down) for date, (up, down) in sorted(totals.items())])


def period_chart(*, periods: list[tuple[dt.date, int, int]]) -> TrafficChart:
    """One pair of bars per (first day, uploaded, downloaded) period, in the order given: days
    as above, or the weeks and months of the statistics pages (stats/)."""
    peak = max((max(up, down) for _, up, down in periods), default=0)
    slot = WIDTH / max(len(periods), 1)
    bar_width = round(slot * 0.4, 2)
    chart_days = []
    for i, (date, up, down) in enumerate(periods):
        left = slot * i + slot * 0.1
        chart_days.append(
            Day(
                date=date,
                uploaded=up,
                downloaded=down,
                up=_bar(left, up, peak),
                down=_bar(left + bar_width, down, peak),
            )
        )
    return TrafficChart(days=chart_days, peak=peak, bar_width=bar_width)
