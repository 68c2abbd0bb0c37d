"""Reads for the staff's statistics over a window of days: traffic per day per node, the most
downloaded and watched, disk use per user and per node, torrents added per day, active users
(a login or any traffic in the window) and the sync's own record of its runs."""

import datetime as dt
import shutil

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDay

from media.models import MediaView
from stats.periods import PERIODS, as_date, local_start
from torrents.models import IN_RTORRENT, Node, NodeTrafficBucket, Torrent, TrafficBucket

TOP = 10
USERS_SHOWN = 50


def window_start(*, days: int) -> tuple[list[dt.date], dt.datetime]:
    """The window's days (oldest first) and the moment it starts."""
    first_days = PERIODS["day"].first_days(count=days)
    return first_days, local_start(first_days[0])


def node_traffic_hours(*, since: dt.datetime) -> list[dict]:
    """Every node's hourly buckets since `since`, as the account chart reads a series."""
    return list(
        NodeTrafficBucket.objects.filter(hour__gte=since)
        .values("hour", "uploaded_bytes", "downloaded_bytes", "node__name")
        .order_by("hour", "node__name")
    )


def node_traffic_per_day(*, since: dt.datetime) -> list[tuple[dt.date, str, int, int]]:
    """(day, node, uploaded, downloaded) for every day and node that moved anything."""
    rows = (
        NodeTrafficBucket.objects.filter(hour__gte=since)
        .annotate(day=TruncDay("hour"))
        .values("day", "node__name")
        .annotate(up=Sum("uploaded_bytes"), down=Sum("downloaded_bytes"))
        .values_list("day", "node__name", "up", "down")
        .order_by("day", "node__name")
    )
    return [(as_date(day), node, up, down) for day, node, up, down in rows]


def most_downloaded(*, limit: int = TOP) -> list[tuple[int, str, int]]:
    """(torrent id, name, downloads) of the torrents taken home most, ever."""
    return list(
        Torrent.objects.filter(download_count__gt=0)
        .order_by("-download_count", "id")
        .values_list("id", "name", "download_count")[:limit]
    )


def most_watched(*, since: dt.datetime, limit: int = TOP) -> list[tuple[int, str, int]]:
    """(torrent id, name, views) of the torrents viewed most in the window."""
    return list(
        MediaView.objects.filter(viewed_at__gte=since)
        .values("torrent_id", "torrent__name")
        .annotate(views=Count("id"))
        .order_by("-views", "torrent_id")
        .values_list("torrent_id", "torrent__name", "views")[:limit]
    )


def disk_per_user(*, limit: int = USERS_SHOWN) -> list[tuple[str, int, int]]:
    """(email, bytes charged to them, quota) of the users who use most."""
    return list(
        get_user_model()
        .objects.filter(used_bytes__gt=0)
        .order_by("-used_bytes", "id")
        .values_list("email", "used_bytes", "quota_bytes")[:limit]
    )


def disk_per_node() -> list[dict]:
    """Per node: torrents held and their bytes on disk (as rTorrent reported them), and the
    disk of its data root (free and total) when the site can see it."""
    held = dict(
        (node_id, (n, done or 0))
        for node_id, n, done in Torrent.objects.filter(status__in=IN_RTORRENT)
        .values("node_id")
        .annotate(n=Count("id"), done=Sum("completed_bytes"))
        .values_list("node_id", "n", "done")
        .order_by()
    )
    nodes = []
    for node in Node.objects.order_by("name"):
        torrents, used = held.get(node.pk, (0, 0))
        try:
            disk = shutil.disk_usage(node.data_root)
            total, free = disk.total, disk.free
        except OSError:
            total = free = None
        nodes.append(
            {
                "node": node.name,
                "torrents": torrents,
                "data_bytes": used,
                "disk_total_bytes": total,
                "disk_free_bytes": free,
            }
        )
    return nodes


def torrents_added_per_day(*, since: dt.datetime) -> dict[dt.date, int]:
    """{day: torrents added} (a torrent added again by a second owner counts once)."""
    rows = (
        Torrent.objects.filter(created_at__gte=since)
        .annotate(day=TruncDay("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )
    return {as_date(day): n for day, n in rows}


def active_users(*, since: dt.datetime) -> dict:
    """Users active in the window: who logged in, who had traffic, and either (counted once)."""
    logged_in = set(
        get_user_model().objects.filter(last_login__gte=since).values_list("id", flat=True)
    )
    moved = set(
        TrafficBucket.objects.filter(hour__gte=since)
        .filter(Q(uploaded_bytes__gt=0) | Q(downloaded_bytes__gt=0))
        .values_list("user_id", flat=True)
        .distinct()
    )
    return {
        "logged_in": len(logged_in),
        "with_traffic": len(moved),
        "active": len(logged_in | moved),
    }


def sync_runs() -> list[dict]:
    """Per node, what the sync and the push record of their runs (torrents/services/sync.py,
    push.py)."""
    return [
        {
            "node": node.name,
            "up": node.is_up,
            "runs": node.sync_runs,
            "failures": node.sync_failures,
            "last_seconds": node.last_sync_seconds,
            "mean_seconds": node.sync_seconds_total / node.sync_runs if node.sync_runs else None,
            "last_seen_at": node.last_seen_at,
            "last_error": node.last_error,
            "pushes": node.push_runs,
            "push_failures": node.push_failures,
            "push_mean_seconds": (
                node.push_seconds_total / node.push_runs if node.push_runs else None
            ),
        }
        for node in Node.objects.order_by("name")
    ]
