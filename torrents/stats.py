"""Reads for statistics: a user's ratio, traffic series and per-torrent history; the server page.

Ratio = sum(uploaded) / sum(downloaded) over the user's whole history (deleted torrents
included). With nothing downloaded it is `null` in the API (and `ratio_display` says "∞" when
something was uploaded, "-" when nothing moved at all): a number would be a lie either way.
"""

import datetime as dt
import os
import shutil

from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.utils import timezone

from torrents.models import Node, Torrent, TorrentHistory, TorrentStatus, TrafficBucket
from torrents.rtorrent import RTorrentError
from torrents.services.nodes import node_client
from torrents.services.seeding import seeding_floor

HISTORY_LIMIT = 500


def ratio(uploaded: int, downloaded: int) -> tuple[float | None, str]:
    """(ratio or None, how to show it)."""
    if downloaded > 0:
        value = round(uploaded / downloaded, 3)
        return value, f"{value:.2f}"
    return None, "∞" if uploaded > 0 else "-"


def user_stats(*, user, days: int = 30) -> dict:
    """Totals and ratio, hourly series for the last `days`, per-torrent history (newest first,
    at most HISTORY_LIMIT rows; `history_count` tells how many there are)."""
    history = TorrentHistory.objects.filter(user=user)
    totals = history.aggregate(
        uploaded=Sum("uploaded_bytes"),
        downloaded=Sum("downloaded_bytes"),
        seeding=Sum("seeding_seconds"),
        count=Count("id"),
    )
    uploaded, downloaded = totals["uploaded"] or 0, totals["downloaded"] or 0
    value, display = ratio(uploaded, downloaded)
    since = timezone.now() - dt.timedelta(days=days)
    series = TrafficBucket.objects.filter(user=user, hour__gte=since).values_list(
        "hour", "uploaded_bytes", "downloaded_bytes"
    )
    rows = history.order_by("-last_seen_at", "-id")[:HISTORY_LIMIT]
    return {
        "user": user.pk,
        "uploaded_bytes": uploaded,
        "downloaded_bytes": downloaded,
        "seeding_seconds": totals["seeding"] or 0,
        "ratio": value,
        "ratio_display": display,
        "series": [
            {"hour": hour, "uploaded_bytes": up, "downloaded_bytes": down}
            for hour, up, down in series
        ],
        "history_count": totals["count"],
        "history": [
            {
                "info_hash": h.info_hash,
                "name": h.name,
                "torrent": h.torrent_id,
                "uploaded_bytes": h.uploaded_bytes,
                "downloaded_bytes": h.downloaded_bytes,
                "ratio": ratio(h.uploaded_bytes, h.downloaded_bytes)[0],
                "seeding_seconds": h.seeding_seconds,
                "first_seen_at": h.first_seen_at,
                "last_seen_at": h.last_seen_at,
                "completed_at": h.completed_at,
            }
            for h in rows
        ],
    }


def user_period_activity(
    *, user_id: int, start: dt.datetime, end: dt.datetime, completed_max: int = 20
) -> dict:
    """What the user's torrents did in [start, end), from the history that outlives them: bytes
    up and down (the hourly buckets, as the account page's chart reads them) and the names of
    the torrents that completed then, first completed first (at most `completed_max`)."""
    traffic = TrafficBucket.objects.filter(user_id=user_id, hour__gte=start, hour__lt=end)
    totals = traffic.aggregate(up=Sum("uploaded_bytes"), down=Sum("downloaded_bytes"))
    completed = TorrentHistory.objects.filter(
        user_id=user_id, completed_at__gte=start, completed_at__lt=end
    ).order_by("completed_at", "id")
    return {
        "uploaded_bytes": totals["up"] or 0,
        "downloaded_bytes": totals["down"] or 0,
        "completed": list(completed.values_list("name", flat=True)[:completed_max]),
    }


def _disk(path: str) -> dict:
    try:
        usage = shutil.disk_usage(path)
    except OSError as exc:
        return {"disk_error": str(exc)}
    return {"disk_total_bytes": usage.total, "disk_free_bytes": usage.free}


def server_info() -> dict:
    """Per node: reachable (one quick call), version, global rates, disk of its data root,
    torrents by status. Overall: users, quota handed out against disk, the waiting queue."""
    counts: dict[int, dict[str, int]] = {}
    for node_id, status, n in (
        Torrent.objects.values_list("node_id", "status").annotate(n=Count("id")).order_by()
    ):
        counts.setdefault(node_id, {})[status] = n
    nodes, disk_total, seen_disks = [], 0, set()
    for node in Node.objects.all():
        entry = {
            "name": node.name,
            "enabled": node.enabled,
            "last_seen_at": node.last_seen_at,
            "last_error": node.last_error,
            "torrents": counts.get(node.pk, {}),
            # Global speed limits (KiB/s, 0: none), set in the Django admin.
            "upload_limit_kib": node.upload_limit_kib,
            "download_limit_kib": node.download_limit_kib,
            **_disk(node.data_root),
        }
        try:
            stats = node_client(node, quick=True).global_stats()
            entry.update(
                reachable=True,
                version=stats["version"],
                up_rate=stats["up_rate"],
                down_rate=stats["down_rate"],
            )
        except RTorrentError as exc:
            entry.update(reachable=False, version=node.version, error=exc.message)
        device = _device(node.data_root)
        if "disk_total_bytes" in entry and device not in seen_disks:
            seen_disks.add(device)
            disk_total += entry["disk_total_bytes"]
        nodes.append(entry)
    users = get_user_model().objects.aggregate(
        count=Count("id"), quota=Sum("quota_bytes"), used=Sum("used_bytes")
    )
    waiting = Torrent.objects.filter(
        status__in=[TorrentStatus.QUEUED, TorrentStatus.PENDING_APPROVAL]
    ).order_by("created_at", "id")
    handed_out = users["quota"] or 0
    floor = seeding_floor()
    return {
        "nodes": nodes,
        "users": users["count"],
        "quota_handed_out_bytes": handed_out,
        # More quota promised than there is disk: users may be refused for want of disk.
        "quota_exceeds_disk": bool(disk_total) and handed_out > disk_total,
        "quota_used_bytes": users["used"] or 0,
        "disk_total_bytes": disk_total,
        # What every torrent seeds at least before a rule may stop it (null: no floor).
        "seeding_floor": {"min_ratio": floor.ratio, "min_hours": floor.hours},
        "queue": {
            "count": waiting.count(),
            "oldest": list(
                waiting.values("id", "name", "status", "created_at", "push_attempts", "last_error")[
                    :20
                ]
            ),
        },
    }


def _device(path: str) -> int | None:
    try:
        return os.stat(path).st_dev
    except OSError:
        return None
