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

from seedbox.sizes import human_size
from torrents.metainfo import (
    MetaFile,
    Metainfo,
    MetainfoError,
    metainfo_from_info,
    metainfo_with_trackers,
    parse_metainfo,
)
from torrents.models import Ownership, Torrent, TorrentStatus
from torrents.rtorrent import RTorrentError
from torrents.services.announce import (
    magnet_link,
    torrent_trackers_extend,
    torrent_trackers_restrict,
)
from torrents.services.capacity import NodeFull, node_room_check
from torrents.services.failures import torrent_failed_record
from torrents.services.file_priorities import (
    owner_levels,
    priorities_apply_after_commit,
    selected_bytes,
    torrent_wanted_refresh,
)
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
    upload rules sets `error` and stops the torrent. True when charged. Then rTorrent announces
    to what the owners left sent: every one's when public, the kept owner's when private."""
    try:
        meta = magnet_metainfo(torrent)
    except MetainfoError as exc:
        _refuse(torrent, f"its metadata was refused: {exc}")
        return False
    answered = _answering_trackers(torrent, client)
    if meta is not None:
        charged = torrent_metadata_resolved(
            torrent=torrent,
            name=meta.name,
            size_bytes=meta.size,
            files=meta.files,
            meta=meta,
            answered=answered,
        )
    else:
        files = client.files(torrent.info_hash)
        charged = torrent_metadata_resolved(
            torrent=torrent,
            name=client.name(torrent.info_hash),
            size_bytes=sum(f["size_bytes"] for f in files),
            files=files,
            answered=answered,
        )
    torrent.refresh_from_db()
    if charged and torrent.start_paused:
        _stop(torrent)  # added "start paused": it waited only for its metadata
    if torrent.private:
        torrent_trackers_restrict(torrent_id=torrent.pk)
    elif charged:
        # rTorrent made a new download from the metadata: it gets every owner's URLs again.
        urls = list(torrent.ownerships.values_list("trackers", flat=True))
        torrent_trackers_extend(torrent_id=torrent.pk, urls=[u for lst in urls for u in lst])
    return charged


def _answering_trackers(torrent: Torrent, client) -> set[str]:
    """The announce URLs of the torrent that rTorrent got an answer from."""
    try:
        return {r["url"] for r in client.trackers(torrent.info_hash) if r["success_counter"]}
    except RTorrentError:
        return set()


def _refuse(torrent: Torrent, message: str) -> None:
    # Not a torrent removed or rejected meanwhile: its purge must not be undone.
    with transaction.atomic():
        refused = (
            Torrent.objects.filter(pk=torrent.pk, size_bytes__isnull=True)
            .exclude(
                status__in=(TorrentStatus.REMOVED, TorrentStatus.REJECTED, TorrentStatus.EXPIRED)
            )
            .update(status=TorrentStatus.ERROR, status_message=message, updated_at=timezone.now())
        )
        if refused:
            torrent_failed_record(torrent_id=torrent.pk, message=message)
    _stop(torrent)


def _stop(torrent: Torrent) -> None:
    try:
        node_client(torrent.node).stop(torrent.info_hash)
    except RTorrentError as exc:
        # The row says `error`: the node's next sync stops what runs against it.
        log.warning("could not stop %s after refusing it: %s", torrent.info_hash, exc)


def _keep_one_owner(torrent: Torrent, answered: set[str]) -> None:
    """A private tracker's torrent cannot be shared between accounts (its tracker counts traffic
    by the passkey of the one announce URL): the intake refuses a second owner, but a magnet's
    private flag is known only now. The owner kept is the first whose announce URLs rTorrent got
    an answer from (a claim with a dead tracker does not win over a working one), else the first
    to add it; the others, never charged for it yet (a magnet is charged here), lose it. The
    torrent then announces as the kept owner (their URLs, their passkey) only."""
    ownerships = list(torrent.ownerships.order_by("created_at", "pk"))
    if len(ownerships) <= 1:
        return
    kept = next((o for o in ownerships if answered & set(o.trackers or ())), ownerships[0])
    dropped = Ownership.objects.filter(torrent=torrent, charged_bytes=0).exclude(pk=kept.pk)
    torrent_gone_record(ownerships=dropped)
    dropped.delete()
    if kept.user_id != torrent.added_by_id and kept.trackers:
        torrent.added_by_id = kept.user_id
        torrent.magnet_uri = magnet_link(info_hash=torrent.info_hash, trackers=kept.trackers)
        if torrent.metainfo is not None:
            torrent.metainfo = metainfo_with_trackers(
                bytes(torrent.metainfo), trackers=kept.trackers
            )
    log.info("private magnet %s: kept one owner", torrent.info_hash)


def _owners_who_can_pay(torrent: Torrent, size_bytes: int) -> list[Ownership]:
    """Charge every owner; one whose quota cannot hold it is dropped (charged nothing) when
    another can: one user's full quota does not stop everyone's torrent. Raises QuotaExceeded,
    charging no one, when no owner can."""
    paid: list[Ownership] = []
    dropped: list[int] = []
    sizes = list(torrent.files.order_by("index").values_list("size_bytes", flat=True))
    for ownership in torrent.ownerships.order_by("created_at", "pk"):
        # Only what the owner selected (a co-owner's .torrent may have come with skip_files).
        nbytes = (
            selected_bytes(sizes, owner_levels(ownership=ownership, count=len(sizes)))
            if ownership.file_priorities
            else size_bytes
        )
        try:
            with transaction.atomic():
                quota_charge(user_id=ownership.user_id, nbytes=nbytes)
        except QuotaExceeded:
            dropped.append(ownership.pk)
            continue
        ownership.charged_bytes = nbytes
        ownership.save(update_fields=["charged_bytes"])
        paid.append(ownership)
    if not paid:
        raise QuotaExceeded(needed=size_bytes, free=0)
    gone = Ownership.objects.filter(pk__in=dropped)
    torrent_gone_record(ownerships=gone)
    gone.delete()
    if torrent.added_by_id not in {o.user_id for o in paid}:
        torrent.added_by_id = paid[0].user_id
    return paid


def _room_problem(torrent: Torrent, size_bytes: int) -> str | None:
    """Why the node's disk cannot take the data still to come (rTorrent has only the metadata
    so far), or None."""
    try:
        node_room_check(node=torrent.node, nbytes=size_bytes, exclude_pk=torrent.pk)
    except NodeFull as exc:
        return f"too big once its metadata arrived: {exc}; it was stopped"
    return None


def torrent_metadata_resolved(
    *,
    torrent: Torrent,
    name: str,
    size_bytes: int,
    files,
    meta: Metainfo | None = None,
    answered: set[str] = frozenset(),
) -> bool:
    """Fill in name, size and files, and charge every owner; an owner whose quota cannot hold
    it loses it when another can pay. When none can, nobody is charged, the torrent is stopped
    in rTorrent and set to `error` with the reason. `answered`: the announce URLs rTorrent got
    an answer from (who keeps a private one). Idempotent: a torrent whose size is already known
    is left alone. Returns True when charged."""
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
            _keep_one_owner(locked, set(answered))
        problem = _room_problem(locked, size_bytes)
        if problem is None:
            try:
                _owners_who_can_pay(locked, size_bytes)
                if torrent_wanted_refresh(torrent=locked):
                    priorities_apply_after_commit(torrent=locked)
            except QuotaExceeded:
                # Every owner reads this message: it names no one and no one's quota.
                problem = (
                    f"too big once its metadata arrived: {human_size(size_bytes)} do not fit "
                    "the free quota of any owner, so it was stopped"
                )
        if problem:
            locked.status = TorrentStatus.ERROR
            locked.status_message = problem
        locked.updated_at = timezone.now()
        locked.save()
        if problem:
            torrent_failed_record(torrent_id=locked.pk, message=problem)
    torrent.refresh_from_db()
    if problem:
        _stop(torrent)
    return problem is None
