"""Reads for the statistics of one torrent and of one user (the staff's are in
staff_selectors.py). Downloads are the counters downloads keep (Torrent and TorrentFile
`download_count`), views are MediaView rows (media/services/views.py counts them), share-link
visits and downloads are the links' own counters."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from media.models import MediaView, ShareLink
from stats.periods import Period, as_date, local_start
from stats.series import PeriodTraffic, traffic_periods_fill
from torrents.models import Torrent, TorrentFile, TorrentHistory, TrafficBucket
from torrents.stats import ratio

# The files a torrent page lists: those used most (a torrent may have 10,000 files).
FILES_SHOWN = 50


@dataclass(frozen=True)
class FileUsage:
    id: int
    path: str
    downloads: int
    views: int
    share_visits: int
    share_downloads: int


@dataclass(frozen=True)
class TorrentUsage:
    downloads: int
    views: int
    share_links: int
    share_visits: int
    share_downloads: int
    files: list[FileUsage]  # the files used at all, most used first

    @property
    def files_used(self) -> int:
        return len(self.files)

    @property
    def files_shown(self) -> list[FileUsage]:
        """What the page lists: the FILES_SHOWN most used."""
        return self.files[:FILES_SHOWN]

    def as_dict(self) -> dict:
        return {
            "downloads": self.downloads,
            "views": self.views,
            "share_links": self.share_links,
            "share_visits": self.share_visits,
            "share_downloads": self.share_downloads,
            "files_used": self.files_used,
            "files": [f.__dict__ for f in self.files],
        }


def _count_of(queryset, field: str = "id", how=Count):
    """A correlated subquery: `how(field)` of `queryset` rows for the outer file, 0 if none."""
    summed = queryset.filter(file_id=OuterRef("pk")).order_by().values("file_id")
    summed = summed.annotate(n=how(field)).values("n")
    return Coalesce(Subquery(summed, output_field=IntegerField()), Value(0))


def torrent_usage(*, torrent: Torrent) -> TorrentUsage:
    """Downloads, views and share-link use of a torrent and of its files, in two queries."""
    files = (
        TorrentFile.objects.filter(torrent=torrent)
        .annotate(
            views=_count_of(MediaView.objects.all()),
            share_visits=_count_of(ShareLink.objects.all(), "visit_count", Sum),
            share_downloads=_count_of(ShareLink.objects.all(), "download_count", Sum),
        )
        .filter(Q(download_count__gt=0) | Q(views__gt=0) | Q(share_visits__gt=0))
        .order_by("-download_count", "-views", "index")
        .values_list("id", "path", "download_count", "views", "share_visits", "share_downloads")
    )
    used = [FileUsage(*row) for row in files]
    links = ShareLink.objects.filter(torrent=torrent).aggregate(
        n=Count("id"), visits=Sum("visit_count"), downloads=Sum("download_count")
    )
    return TorrentUsage(
        downloads=torrent.download_count,
        views=sum(f.views for f in used),
        share_links=links["n"],
        share_visits=links["visits"] or 0,
        share_downloads=links["downloads"] or 0,
        files=used,
    )


def user_traffic(*, user, period: Period, count: int) -> list[PeriodTraffic]:
    """The user's bytes up and down per period for the last `count` periods (the hourly
    buckets the sync keeps, which outlive the torrents), with the ratio to date: two queries."""
    first_days = period.first_days(count=count)
    start = local_start(first_days[0])
    buckets = TrafficBucket.objects.filter(user=user)
    rows = (
        buckets.filter(hour__gte=start)
        .annotate(start=period.trunc("hour"))
        .values("start")
        .annotate(up=Sum("uploaded_bytes"), down=Sum("downloaded_bytes"))
        .values_list("start", "up", "down")
        .order_by()
    )
    totals = {as_date(start): (up, down) for start, up, down in rows}
    before = buckets.filter(hour__lt=start).aggregate(
        up=Sum("uploaded_bytes"), down=Sum("downloaded_bytes")
    )
    return traffic_periods_fill(
        first_days=first_days, totals=totals, before=(before["up"] or 0, before["down"] or 0)
    )


def user_totals(*, user) -> dict:
    """All of the user's history (deleted torrents included): bytes, ratio, seeding time."""
    totals = TorrentHistory.objects.filter(user=user).aggregate(
        up=Sum("uploaded_bytes"), down=Sum("downloaded_bytes"), seeding=Sum("seeding_seconds")
    )
    up, down = totals["up"] or 0, totals["down"] or 0
    value, display = ratio(up, down)
    return {
        "uploaded_bytes": up,
        "downloaded_bytes": down,
        "ratio": value,
        "ratio_display": display,
        "seeding_seconds": totals["seeding"] or 0,
    }


def user_most_watched(*, user, limit: int = 10) -> list[dict]:
    """The files the user viewed most, most first: file, torrent, views, last viewed."""
    rows = (
        MediaView.objects.filter(user=user)
        .values("file_id", "file__path", "torrent_id", "torrent__name")
        .annotate(views=Count("id"), last=Max("viewed_at"))
        .order_by("-views", "-last", "file_id")[:limit]
    )
    return [
        {
            "file": row["file_id"],
            "path": row["file__path"],
            "torrent": row["torrent_id"],
            "torrent_name": row["torrent__name"],
            "views": row["views"],
            "last_viewed_at": row["last"],
        }
        for row in rows
    ]
