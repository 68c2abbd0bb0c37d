"""Recording what left a user's list, for `GET /api/torrents?changed_since=`.

A change is read from the rows themselves (`updated_at`, and `Ownership.created_at` for what a
user gained); what left a list leaves no row behind, so each place that ends ownerships records
it here first, in the same transaction.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from torrents.models import Ownership, TorrentGone


def torrent_gone_record(*, ownerships: QuerySet[Ownership]) -> None:
    """Call before `ownerships.delete()`: each of their users is told its torrent went.
    Marks older than SEEDBOX_CHANGES_KEEP_DAYS are dropped on the way (a cursor that old is
    refused: the client reads the whole list again)."""
    now = timezone.now()
    TorrentGone.objects.bulk_create(
        TorrentGone(user_id=user_id, torrent_id=torrent_id, at=now)
        for user_id, torrent_id in ownerships.values_list("user_id", "torrent_id")
    )
    keep = timedelta(days=settings.SEEDBOX_CHANGES_KEEP_DAYS)
    TorrentGone.objects.filter(at__lt=now - keep).delete()
