"""Purging a removed torrent: erased from rTorrent and its data directory deleted (`d.erase`
keeps data). The row keeps `purge_pending` until it is done: the purge task retries, and every
sync of the node finishes what is still pending (torrents/services/sync.py), so nothing is left
behind when rTorrent or the broker was down.

Control (removal), the push (a torrent removed while it was loaded) and the sync all come here;
this module imports none of them.
"""

import contextlib
import logging
import shutil
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from seedbox.queue import enqueue
from torrents.models import Torrent, TorrentStatus
from torrents.rtorrent import RTorrentError, TorrentNotFound
from torrents.services.nodes import node_client, torrent_queue
from torrents.storage import torrent_directory

log = logging.getLogger(__name__)

PURGE_TASK = "torrents.tasks.sync.purge_torrent"


def purge_now_or_later(*, torrent_id: int) -> bool:
    """One bounded attempt now (so the space is free when the answer arrives); when rTorrent
    does not answer, the purge task takes over. True when done now."""
    try:
        torrent_purge(torrent_id=torrent_id, quick=True)
    except (RTorrentError, OSError) as exc:
        log.info("purge of torrent %s deferred: %s", torrent_id, exc)
        purge_enqueue(torrent_id=torrent_id)
        return False
    return True


def purge_enqueue(*, torrent_id: int) -> None:
    """Queue the purge without ever blocking the request (a down broker: the sync does it)."""
    if not enqueue(PURGE_TASK, torrent_id, queue=torrent_queue(torrent_id)):
        log.warning("purge of torrent %s not queued; the sync will do it", torrent_id)


def torrent_purge(*, torrent_id: int, quick: bool = False) -> str:
    """Erase a removed torrent from rTorrent and delete its data directory. Safe to run twice;
    raises RTorrentUnavailable (recorded on the row) for a retry.

    On a database with row locks (Postgres) the row stays locked while it runs: someone adding
    the torrent again meanwhile waits for the purge to end, then revives it cleanly; a purge never
    erases a revived torrent or its new data. SQLite has no row locks, and its IMMEDIATE
    transactions lock the whole database: there the purge runs without one (the re-check of the
    status just before erasing is what guards it).
    """
    locking = connection.features.has_select_for_update
    try:
        with transaction.atomic() if locking else contextlib.nullcontext():
            return _purge_locked(torrent_id, quick=quick)
    except RTorrentError as exc:
        Torrent.objects.filter(pk=torrent_id).update(
            last_error=f"erase from rTorrent pending: {exc.message}"
        )
        raise
    except OSError as exc:
        Torrent.objects.filter(pk=torrent_id).update(last_error=f"data not deleted: {exc}")
        raise


def _purge_locked(torrent_id: int, *, quick: bool) -> str:
    torrent = (
        Torrent.objects.select_for_update(of=("self",))
        .select_related("node")
        .filter(pk=torrent_id)
        .first()
    )
    if torrent is None or not torrent.purge_pending:
        return "skipped"
    if torrent.status != TorrentStatus.REMOVED:  # added again meanwhile: keep everything
        Torrent.objects.filter(pk=torrent_id).update(purge_pending=False)
        return "revived"
    with contextlib.suppress(TorrentNotFound):
        node_client(torrent.node, quick=quick).erase(torrent.info_hash)
    directory_delete(torrent=torrent)
    Torrent.objects.filter(pk=torrent_id).update(
        purge_pending=False,
        last_error="",
        completed_bytes=0,
        uploaded_bytes=0,
        downloaded_bytes=0,
        rtorrent_up_total=0,
        rtorrent_down_total=0,
        updated_at=timezone.now(),
    )
    return "purged"


def directory_delete(*, torrent: Torrent) -> bool:
    """Delete the torrent's own data directory, never anything outside the node's data root
    (a symlinked directory is unlinked, not followed)."""
    root = Path(torrent.node.data_root).resolve()
    if torrent.data_directory:
        return _adopted_data_delete(torrent, root)
    directory = torrent_directory(torrent)
    if directory.is_symlink():
        directory.unlink()
        return True
    if not directory.exists():
        return False
    resolved = directory.resolve()
    if resolved == root or not resolved.is_relative_to(root):
        raise OSError(f"refusing to delete {resolved}: not inside the data root {root}")
    shutil.rmtree(resolved)
    return True


def _adopted_data_delete(torrent: Torrent, root: Path) -> bool:
    """An adopted torrent's directory may hold other things (a ruTorrent download folder): only
    its own file or folder, `<directory>/<name>`, goes."""
    own = Path(torrent.data_directory) / torrent.name
    if own.is_symlink() or own.is_file():
        if not own.parent.resolve().is_relative_to(root):
            raise OSError(f"refusing to delete {own}: not inside the data root {root}")
        own.unlink()
        return True
    if not own.exists():
        return False
    resolved = own.resolve()
    if resolved == root or not resolved.is_relative_to(root):
        raise OSError(f"refusing to delete {resolved}: not inside the data root {root}")
    shutil.rmtree(resolved)
    return True
