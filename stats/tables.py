"""The statistics as tables: one object the page shows (sizes made readable) and the CSV gives
(raw numbers, stats/services/exports.py), so that the two always hold the same numbers."""

import datetime as dt
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat

from stats.selectors import user_most_watched, user_traffic
from stats.series import PeriodTraffic
from stats.staff_selectors import (
    disk_per_node,
    disk_per_user,
    most_downloaded,
    most_watched,
    node_traffic_per_day,
    sync_runs,
    torrents_added_per_day,
)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text, int, bytes, date, ratio, seconds


@dataclass(frozen=True)
class Table:
    name: str  # its CSV is <name>.csv
    title: str
    columns: list[Column]
    rows: list[list]
    # A series with a row for every period: the page leaves out those where nothing happened
    # (the chart shows them; the CSV has them all).
    series: bool = False

    @property
    def shown_rows(self) -> list[list[str]]:
        """The rows as the page shows them (sizes in KB, MB...; dates as YYYY-MM-DD)."""
        return [
            [_shown(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
            if not (self.series and self._nothing_in(row))
        ]

    def _nothing_in(self, row: list) -> bool:
        counted = [v for v, c in zip(row, self.columns, strict=True) if c.kind in ("bytes", "int")]
        return not any(counted)


def _shown(value, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "bytes":
        return filesizeformat(value)
    if kind == "date":
        return value.isoformat()
    if kind == "ratio":
        return f"{value:.2f}"
    if kind == "seconds":
        return f"{value:.2f} s"
    return str(value)


def traffic_table(*, series: list[PeriodTraffic], period: str) -> Table:
    return Table(
        name="traffic",
        title=f"Traffic per {period}",
        columns=[
            Column(period.capitalize(), "date"),
            Column("Uploaded", "bytes"),
            Column("Downloaded", "bytes"),
            Column("Ratio", "ratio"),
            Column("Ratio to date", "ratio"),
        ],
        rows=[[p.start, p.uploaded, p.downloaded, p.ratio, p.ratio_to_date] for p in series],
        series=True,
    )


def user_tables(*, user, period, count: int) -> dict[str, Table]:
    """The user's page: traffic per period, what they watch most."""
    series = user_traffic(user=user, period=period, count=count)
    watched = user_most_watched(user=user)
    return {
        "traffic": traffic_table(series=series, period=period.name),
        "watched": Table(
            name="watched",
            title="What you watch most",
            columns=[Column("File"), Column("Torrent"), Column("Views", "int")],
            rows=[[w["path"], w["torrent_name"], w["views"]] for w in watched],
        ),
    }


def staff_tables(*, first_days: list[dt.date], since: dt.datetime) -> dict[str, Table]:
    """The staff page's tables over the window starting `since`."""
    added = torrents_added_per_day(since=since)
    return {
        "traffic": Table(
            name="traffic",
            title="Traffic per day per node",
            columns=[
                Column("Day", "date"),
                Column("Node"),
                Column("Uploaded", "bytes"),
                Column("Downloaded", "bytes"),
            ],
            rows=[list(row) for row in node_traffic_per_day(since=since)],
        ),
        "added": Table(
            name="added",
            title="Torrents added per day",
            columns=[Column("Day", "date"), Column("Torrents", "int")],
            rows=[[day, added.get(day, 0)] for day in first_days],
            series=True,
        ),
        "downloaded": Table(
            name="downloaded",
            title="Most downloaded (ever)",
            columns=[Column("Id", "int"), Column("Torrent"), Column("Downloads", "int")],
            rows=[list(row) for row in most_downloaded()],
        ),
        "watched": Table(
            name="watched",
            title="Most watched",
            columns=[Column("Id", "int"), Column("Torrent"), Column("Views", "int")],
            rows=[list(row) for row in most_watched(since=since)],
        ),
        "disk-users": Table(
            name="disk-users",
            title="Disk use per user",
            columns=[Column("User"), Column("Used", "bytes"), Column("Quota", "bytes")],
            rows=[list(row) for row in disk_per_user()],
        ),
        "disk-nodes": Table(
            name="disk-nodes",
            title="Disk use per node",
            columns=[
                Column("Node"),
                Column("Torrents", "int"),
                Column("Data", "bytes"),
                Column("Disk free", "bytes"),
                Column("Disk total", "bytes"),
            ],
            rows=[
                [
                    n["node"],
                    n["torrents"],
                    n["data_bytes"],
                    n["disk_free_bytes"],
                    n["disk_total_bytes"],
                ]
                for n in disk_per_node()
            ],
        ),
        "sync": Table(
            name="sync",
            title="Sync and push runs per node",
            columns=[
                Column("Node"),
                Column("Runs", "int"),
                Column("Failures", "int"),
                Column("Last run", "seconds"),
                Column("Mean run", "seconds"),
                Column("Pushes", "int"),
                Column("Failed pushes", "int"),
                Column("Mean push", "seconds"),
                Column("Last error"),
            ],
            rows=[
                [
                    s["node"],
                    s["runs"],
                    s["failures"],
                    s["last_seconds"],
                    s["mean_seconds"],
                    s["pushes"],
                    s["push_failures"],
                    s["push_mean_seconds"],
                    s["last_error"],
                ]
                for s in sync_runs()
            ],
        ),
    }
