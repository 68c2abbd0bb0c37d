"""Magnet links once rTorrent has their metadata: the size becomes known and is charged.

The sync (torrents/services/sync.py) calls `magnet_resolve` when it first sees the size of a
torrent whose `size_bytes` is still NULL. rTorrent writes the metadata (the exact `info`
dictionary) to `<HASH>.meta` in the torrent's directory: when the site sees that directory (the
managed node, or a data root mounted here), the site makes the `.torrent` from it, checks it like
an upload (paths, limits) and keeps it, so the magnet gets a `.torrent` file, its private flag
and a re-push that needs no peer. Otherwise the file list comes from rTorrent over RPC.
"""

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from torrents.metainfo import (
    MetaFile,
    Metainfo,
    MetainfoError,
    metainfo_from_info,
    parse_metainfo,
)
from torrents.models import Ownership, Torrent, TorrentStatus
from torrents.rtorrent import RTorrentError
from torrents.services.capacity import NodeFull, node_room_check
from torrents.services.intake import magnet_trackers, torrent_files_write
from torrents.services.list_changes import torrent_gone_record
from torrents.services.nodes import node_client
from torrents.services.quota import QuotaExceeded, quota_charge
from torrents.storage import torrent_directory

log = logging.getLogger(__name__)


def _meta_files(files: Iterable) -> list[MetaFile]:
    """Accept MetaFiles, rTorrent's `files()` rows ({"path", "size_bytes", ...}) or (path, size)
    pairs."""
    result = []
    for item in files:
        if isinstance(item, MetaFile):
            result.append(item)
        elif isinstance(item, dict):
            result.append(MetaFile(path=str(item["path"]), size=int(item["size_bytes"])))
        else:
            path, size = item
            result.append(MetaFile(path=str(path), size=int(size)))
    return result


def magnet_metainfo(torrent: Torrent) -> Metainfo | None:
    """The checked `.torrent` of a magnet from rTorrent's `<HASH>.meta`, or None when the site
    cannot read that file (or it is not this torrent's metadata). Raises MetainfoError when the
    metadata breaks the rules an upload must follow."""
    path = torrent_directory(torrent) / f"{torrent.info_hash.upper()}.meta"
    try:
        if path.stat().st_size > settings.SEEDBOX_METAINFO_MAX_SIZE:
            raise MetainfoError("its metadata is larger than the .torrent size limit")
        info = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha1(info).hexdigest() != torrent.info_hash:
        return None
    return parse_metainfo(
        metainfo_from_info(info, trackers=magnet_trackers(torrent.magnet_uri)),
        max_size=settings.SEEDBOX_METAINFO_MAX_SIZE + 64 * 1024,  # + the announce list added
        max_files=settings.SEEDBOX_METAINFO_MAX_FILES,
    )


def magnet_resolve(*, torrent: Torrent, client) -> bool:
    """The metadata of `torrent` arrived in rTorrent (`client`): record and charge it, from the
    `.meta` file when the site sees it, else from rTorrent's file list. Metadata that breaks the
    upload rules sets `error` and stops the torrent. True when charged."""
    try:
        meta = magnet_metainfo(torrent)
    except MetainfoError as exc:
        _refuse(torrent, f"its metadata was refused: {exc}")
        return False
    if meta is not None:
        return torrent_metadata_resolved(
            torrent=torrent, name=meta.name, size_bytes=meta.size, files=meta.files, meta=meta
        )
    files = client.files(torrent.info_hash)
    return torrent_metadata_resolved(
        torrent=torrent,
        name=client.name(torrent.info_hash),
        size_bytes=sum(f["size_bytes"] for f in files),
        files=files,
    )


def _refuse(torrent: Torrent, message: str) -> None:
    # Not a torrent removed or rejected meanwhile: its purge must not be undone.
    Torrent.objects.filter(pk=torrent.pk, size_bytes__isnull=True).exclude(
        status__in=(TorrentStatus.REMOVED, TorrentStatus.REJECTED)
    ).update(status=TorrentStatus.ERROR, status_message=message, updated_at=timezone.now())
    _stop(torrent)


def _stop(torrent: Torrent) -> None:
    try:
        node_client(torrent.node).stop(torrent.info_hash)
    except RTorrentError as exc:
        # The row says `error`: the node's next sync stops what runs against it.
        log.warning("could not stop %s after refusing it: %s", torrent.info_hash, exc)


def _keep_first_owner(torrent: Torrent) -> None:
    """A private tracker's torrent cannot be shared between accounts (its tracker counts traffic
    by the passkey of the one announce URL): the intake refuses a second owner, but a magnet's
    private flag is known only now. The first owner keeps it; the others, never charged for it
    yet (a magnet is charged here), lose it."""
    ownerships = list(torrent.ownerships.order_by("created_at", "pk"))
    if len(ownerships) > 1:
        later = [o.pk for o in ownerships[1:]]
        dropped = Ownership.objects.filter(pk__in=later, charged_bytes=0)
        torrent_gone_record(ownerships=dropped)
        dropped.delete()
        log.info("private magnet %s: kept its first owner only", torrent.info_hash)


def _room_problem(torrent: Torrent, size_bytes: int) -> str | None:
    """Why the node's disk cannot take the data still to come (rTorrent has only the metadata
    so far), or None."""
    try:
        node_room_check(node=torrent.node, nbytes=size_bytes, exclude_pk=torrent.pk)
    except NodeFull as exc:
        return f"too big once its metadata arrived: {exc}; it was stopped"
    return None


def _charge_owners(torrent: Torrent, size_bytes: int) -> str | None:
    """Charge every owner, or nobody and say why (in one savepoint)."""
    try:
        with transaction.atomic():
            for ownership in torrent.ownerships.select_related("user"):
                quota_charge(user_id=ownership.user_id, nbytes=size_bytes)
                ownership.charged_bytes = size_bytes
                ownership.save(update_fields=["charged_bytes"])
    except QuotaExceeded:
        # Every owner reads this message: it names no one and no one's quota.
        return (
            f"too big once its metadata arrived: {size_bytes:,} bytes do not fit every "
            "owner's free quota, so it was stopped"
        )
    return None


def torrent_metadata_resolved(
    *, torrent: Torrent, name: str, size_bytes: int, files, meta: Metainfo | None = None
) -> bool:
    """Fill in name, size and files, and charge every owner. When an owner's quota cannot hold
    it, nobody is charged, the torrent is stopped in rTorrent and set to `error` with the reason.
    Idempotent: a torrent whose size is already known is left alone. Returns True when charged."""
    with transaction.atomic():
        locked = Torrent.objects.select_for_update().filter(pk=torrent.pk).first()
        if locked is None or locked.size_bytes is not None:
            return False
        locked.name = name[:1024] or locked.name
        locked.size_bytes = size_bytes
        if meta is not None:
            locked.metainfo = meta.raw
            locked.piece_length = meta.piece_length
            locked.private = meta.private
        locked.files.all().delete()
        torrent_files_write(torrent=locked, files=_meta_files(files))
        if locked.private:
            _keep_first_owner(locked)
        problem = _room_problem(locked, size_bytes) or _charge_owners(locked, size_bytes)
        if problem:
            locked.status = TorrentStatus.ERROR
            locked.status_message = problem
        locked.updated_at = timezone.now()
        locked.save()
    torrent.refresh_from_db()
    if problem:
        _stop(torrent)
    return problem is None
