"""A worker fetches a `.torrent` someone gave by URL (seedbox/fetch.py, the one safe fetcher,
with the headers other apps give for it at fetch time, torrents/fetch_headers.py: a feed's
cookie) and adds it as if it had been uploaded; every outcome lands on the `TorrentFetch` row:
the torrent added, or what failed (the fetch, the file, the checks), in words."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from seedbox.fetch import FetchError, fetch
from torrents.fetch_headers import fetch_headers_for
from torrents.metainfo import parse_metainfo
from torrents.models import TorrentFetch
from torrents.services.intake import ITEM_ERRORS, torrent_add_metainfo
from torrents.services.labels import LabelError, torrents_label_add
from torrents.services.rollback import rollback_scope

ACCEPT = "application/x-bittorrent, application/octet-stream;q=0.5, */*;q=0.1"


def _fail(fetch_id: int, message: str) -> None:
    TorrentFetch.objects.filter(pk=fetch_id).update(
        state=TorrentFetch.State.FAILED, error=message, updated_at=timezone.now()
    )


def torrent_fetch_run(*, fetch_id: int, last_try: bool = True) -> str:
    """Fetch and add. Safe to run twice (only a row still `fetching` is worked on). A
    transient FetchError is raised again for the task to retry unless `last_try`; every other
    failure is recorded. Returns the new state."""
    row = TorrentFetch.objects.select_related("user").filter(pk=fetch_id).first()
    if row is None or row.state != TorrentFetch.State.FETCHING:
        return "skipped"
    TorrentFetch.objects.filter(pk=fetch_id).update(attempts=F("attempts") + 1)
    try:
        fetched = fetch(
            row.url,
            max_bytes=settings.SEEDBOX_METAINFO_MAX_SIZE,
            accept=ACCEPT,
            headers=fetch_headers_for(row),
        )
    except FetchError as exc:
        if exc.transient and not last_try:
            TorrentFetch.objects.filter(pk=fetch_id).update(error=f"{exc} (trying again)")
            raise
        _fail(fetch_id, f"fetching the .torrent failed: {exc}")
        return TorrentFetch.State.FAILED
    try:
        meta = parse_metainfo(
            fetched.body,
            max_size=settings.SEEDBOX_METAINFO_MAX_SIZE,
            max_files=settings.SEEDBOX_METAINFO_MAX_FILES,
        )
        with transaction.atomic(), rollback_scope():
            torrent = torrent_add_metainfo(user=row.user, meta=meta, paused=row.paused)
            if row.labels:
                torrents_label_add(user=row.user, torrents=[torrent], names=row.labels)
            TorrentFetch.objects.filter(pk=fetch_id).update(
                state=TorrentFetch.State.ADDED, torrent=torrent, error="", updated_at=timezone.now()
            )
    except (*ITEM_ERRORS, LabelError) as exc:
        _fail(fetch_id, f"the fetched file was refused: {exc}")
        return TorrentFetch.State.FAILED
    return TorrentFetch.State.ADDED
