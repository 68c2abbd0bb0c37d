"""Counting views: once per user, file and SEEDBOX_VIEW_WINDOW (a player asks for many ranges
or segments of one viewing). Share-link visitors have no user: counted once per link, file and
window instead."""

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from media.models import MediaView, ShareLink, ViewVia
from torrents.models import TorrentFile


def view_record(
    *, file: TorrentFile, user=None, via: str = ViewVia.SITE, share: ShareLink | None = None
) -> bool:
    """Count a view of `file` unless this viewer was counted within the window; True if counted."""
    since = timezone.now() - dt.timedelta(seconds=settings.SEEDBOX_VIEW_WINDOW)
    recent = MediaView.objects.filter(file=file, viewed_at__gte=since)
    if user is not None and user.is_authenticated:
        recent = recent.filter(user=user)
    else:
        user = None
        recent = recent.filter(user=None, share=share)
    if recent.exists():
        return False
    MediaView.objects.create(user=user, file=file, torrent_id=file.torrent_id, via=via, share=share)
    return True


def view_counts(*, file_ids) -> dict[int, int]:
    """{file id: views} for these files (one query)."""
    rows = (
        MediaView.objects.filter(file_id__in=list(file_ids))
        .values_list("file_id")
        .annotate(views=Count("id"))
    )
    return dict(rows)
