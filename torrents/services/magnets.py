"""Magnet links once rTorrent has their metadata: the size becomes known and is charged.

The sync (torrents/services/sync.py) calls `torrent_metadata_resolved` when it first sees the size
of a torrent whose `size_bytes` is still NULL.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from torrents.metainfo import MetaFile
from torrents.models import Torrent, TorrentStatus
from torrents.rtorrent import RTorrentError
from torrents.services.intake import torrent_files_write
from torrents.services.nodes import node_client
from torrents.services.quota import QuotaExceeded, quota_charge

log = logging.getLogger(__name__)


def _meta_files(files: Iterable) -> list[MetaFile]:
    """Accept rTorrent's `files()` rows ({"path", "size_bytes", ...}) or (path, size) pairs."""
    result = []
    for item in files:
        if isinstance(item, dict):
            result.append(MetaFile(path=str(item["path"]), size=int(item["size_bytes"])))
        else:
            path, size = item
            result.append(MetaFile(path=str(path), size=int(size)))
    return result


def torrent_metadata_resolved(*, torrent: Torrent, name: str, size_bytes: int, files) -> bool:
    """Fill in name, size and files, and charge every owner. When an owner's quota cannot hold
    it, nobody is charged, the torrent is stopped in rTorrent and set to `error` with the reason.
    Idempotent: a torrent whose size is already known is left alone. Returns True when charged."""
    with transaction.atomic():
        locked = Torrent.objects.select_for_update().filter(pk=torrent.pk).first()
        if locked is None or locked.size_bytes is not None:
            return False
        locked.name = name[:1024] or locked.name
        locked.size_bytes = size_bytes
        locked.files.all().delete()
        torrent_files_write(torrent=locked, files=_meta_files(files))
        problem = None
        try:
            with transaction.atomic():
                for ownership in locked.ownerships.select_related("user"):
                    try:
                        quota_charge(user_id=ownership.user_id, nbytes=size_bytes)
                    except QuotaExceeded:
                        # Every owner reads this message: it names no one and no one's quota.
                        problem = (
                            f"too big once its metadata arrived: {size_bytes:,} bytes do not "
                            "fit every owner's free quota, so it was stopped"
                        )
                        raise
                    ownership.charged_bytes = size_bytes
                    ownership.save(update_fields=["charged_bytes"])
        except QuotaExceeded:
            locked.status = TorrentStatus.ERROR
            locked.status_message = problem
        locked.updated_at = timezone.now()
        locked.save()
    torrent.refresh_from_db()
    if problem:
        try:
            node_client(torrent.node).stop(torrent.info_hash)
        except RTorrentError as exc:
            # The row says `error`: the node's next sync stops what runs against it.
            log.warning("could not stop %s after its quota was refused: %s", torrent.info_hash, exc)
    return problem is None
