"""Adding torrents: one service behind the API, the upload page and the admin (a request of
several items goes through intake_request.py, which calls this module and uploads.py).

Each item is checked (metainfo, tracker rules, quota) and written in its own savepoint of the
request's one transaction, so one bad item never costs the others and an unexpected error leaves
nothing (files moved into place included, see rollback.py); the push to rTorrent is scheduled for
after the commit. The same
info-hash is stored once: another user adding it becomes a co-owner (charged too), the same user
gets a clear answer, and a removed or rejected torrent added again is revived.
"""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.selectors import active_staff_ids
from events.kinds import EventKind
from events.services import event_record
from torrents.metainfo import (
    MetaFile,
    Metainfo,
    metainfo_with_trackers,
    parse_metainfo,
)
from torrents.models import (
    IN_RTORRENT,
    Node,
    Ownership,
    Torrent,
    TorrentFile,
    TorrentStatus,
)
from torrents.services.announce import torrent_trackers_extend
from torrents.services.capacity import node_room_check
from torrents.services.file_priorities import (
    PriorityError,
    levels_encode,
    priorities_apply_after_commit,
    selected_bytes,
    skip_list_levels,
    torrent_wanted_refresh,
)
from torrents.services.intake_checks import (  # noqa: F401  (also imported from here)
    ITEM_ERRORS,
    IntakeError,
    IntakeRequestError,
    magnet_checks,
    magnet_parse,
    metainfo_checks,
    metainfo_size_check,
    request_count_check,
    require_trackers,
    torrent_url_check,
)
from torrents.services.list_changes import torrent_gone_record
from torrents.services.placement import NoNode, node_for_new_torrent
from torrents.services.push import push_after_commit
from torrents.services.quota import QuotaExceeded, quota_charge
from torrents.tracker_host import announce_host


def initial_status(user) -> str:
    """`pending_approval` when moderation is on and the user is neither trusted nor an admin."""
    if settings.SEEDBOX_REQUIRE_APPROVAL and not (user.is_staff or getattr(user, "trusted", False)):
        return TorrentStatus.PENDING_APPROVAL
    return TorrentStatus.QUEUED


# A torrent in one of these statuses holds its info-hash for no one: the next adder revives it.
RELEASED = (TorrentStatus.REMOVED, TorrentStatus.REJECTED, TorrentStatus.EXPIRED)

# The refusal of a private torrent someone else here holds. It must not say so (that would tell
# who holds what); it reads the same whoever holds it.
PRIVATE_TAKEN = (
    "this private torrent cannot be added here: a private tracker's torrent is seeded for one "
    "account only (see the help on adding torrents)"
)


def _charge(ownership: Ownership, size: int | None, *, size_known_to_user: bool = True) -> None:
    """Charge the ownership for `size`. When the user could not know the size themself (a
    magnet for a torrent whose metadata another user brought), the refusal does not give it."""
    if size:
        try:
            quota_charge(user_id=ownership.user_id, nbytes=size - ownership.charged_bytes)
        except QuotaExceeded:
            if size_known_to_user:
                raise
            raise IntakeError("not enough free quota for this torrent") from None
        ownership.charged_bytes = size
        ownership.save(update_fields=["charged_bytes"])


def _node_for(user, meta: Metainfo | None) -> Node:
    try:
        return node_for_new_torrent(user=user, size=meta.size if meta else None)
    except NoNode as exc:
        raise IntakeError(str(exc)) from None


def _create(
    *, user, meta: Metainfo | None, info_hash: str, name: str, magnet_uri: str, paused: bool
) -> Torrent:
    torrent = Torrent.objects.create(
        start_paused=paused,
        info_hash=info_hash,
        name=name,
        size_bytes=meta.size if meta else None,
        piece_length=meta.piece_length if meta else None,
        private=meta.private if meta else False,
        metainfo=meta.raw if meta else None,
        magnet_uri=magnet_uri,
        node=_node_for(user, meta),
        status=initial_status(user),
        added_by=user,
    )
    if meta:
        torrent_files_write(torrent=torrent, files=meta.files)
    return torrent


def torrent_files_write(*, torrent: Torrent, files: list[MetaFile]) -> None:
    TorrentFile.objects.bulk_create(
        TorrentFile(torrent=torrent, index=i, path=f.path, size_bytes=f.size)
        for i, f in enumerate(files)
    )


def _revive(
    torrent: Torrent, *, user, meta: Metainfo | None, magnet_uri: str, paused: bool
) -> None:
    """A removed, rejected or expired torrent added again (or a private .torrent for a hash that
    only unresolved magnets held): queued (or pending) anew, owned by `user`, with their .torrent
    or magnet link: what an earlier adder sent (announce URLs, passkeys) goes."""
    others = torrent.ownerships.exclude(user=user)
    torrent_gone_record(ownerships=others)
    others.delete()
    if meta:
        torrent.metainfo = meta.raw
        torrent.piece_length = meta.piece_length
        torrent.private = meta.private
    elif torrent.metainfo is not None:  # keep the file list, announce to their trackers
        torrent.metainfo = metainfo_with_trackers(
            bytes(torrent.metainfo), trackers=magnet_trackers(magnet_uri)
        )
    torrent.magnet_uri = magnet_uri
    if meta and torrent.size_bytes is None:
        torrent.size_bytes = meta.size
        torrent.name = meta.name
        torrent.files.all().delete()
        torrent_files_write(torrent=torrent, files=meta.files)
    if not torrent.node.enabled:
        torrent.node = _node_for(user, meta)
    torrent.status = initial_status(user)
    torrent.status_message = ""
    torrent.last_error = ""
    torrent.push_attempts = 0
    torrent.last_push_at = None  # the metadata time limit counts from the next push
    torrent.reviewed_by = None
    torrent.reviewed_at = None
    torrent.added_by = user
    torrent.start_paused = paused
    torrent.save()


def _unresolved(torrent: Torrent) -> bool:
    """Someone's magnet whose metadata has not arrived: it holds the hash on a claim alone."""
    return torrent.size_bytes is None and torrent.metainfo is None


def _choose_files(ownership: Ownership, meta: Metainfo | None, skip_files) -> int | None:
    """Store the files the adder skipped (`skip_files`, indexes into the .torrent's file list)
    on their ownership; the bytes to charge them (the files they kept), None for the whole."""
    if meta is None or skip_files is None:
        return None
    try:
        levels = skip_list_levels(count=len(meta.files), skip=skip_files)
    except PriorityError as exc:
        raise IntakeError(str(exc), field="skip_files") from None
    ownership.file_priorities = levels_encode(levels)
    ownership.save(update_fields=["file_priorities"])
    return selected_bytes([f.size for f in meta.files], levels)


def _wanted_refresh(torrent: Torrent) -> None:
    """A new owner's choice may raise what rTorrent fetches (they want a file the others
    skipped), or lower it: tell rTorrent."""
    if torrent_wanted_refresh(torrent=torrent):
        priorities_apply_after_commit(torrent=torrent)


def torrent_take(
    *,
    user,
    info_hash: str,
    name: str,
    meta: Metainfo | None = None,
    magnet_uri: str = "",
    paused: bool = False,
    skip_files: list[int] | None = None,
) -> tuple[Torrent, bool]:
    """Create, revive or pair the torrent for `user` and charge their quota; call inside a
    transaction. `paused`: a new or revived torrent is loaded without starting (a co-owner's
    wish changes nothing for the others). Returns (torrent, fresh): fresh when it is new or
    revived, and the caller stores
    its data (if any) and pushes it. A pending torrent that a user who skips moderation adds too
    is released here (queued and pushed).

    One user's claim does not decide for another (README "Adding torrents"): a public torrent
    announces to every owner's trackers, and a private .torrent for a hash that only unresolved
    magnets hold takes it over (they were charged nothing; a private torrent has one owner)."""
    trackers = [str(url) for url in (meta.trackers if meta else magnet_trackers(magnet_uri))]
    existing = Torrent.objects.select_for_update().filter(info_hash=info_hash).first()
    if existing is None:
        try:
            with transaction.atomic():
                torrent = _create(
                    user=user,
                    meta=meta,
                    info_hash=info_hash,
                    name=name,
                    magnet_uri=magnet_uri,
                    paused=paused,
                )
        except IntegrityError:  # someone added the same hash a moment ago: pair with theirs
            existing = Torrent.objects.select_for_update().get(info_hash=info_hash)
        else:
            ownership = Ownership.objects.create(
                torrent=torrent, user=user, trackers=trackers, tracker_host=announce_host(trackers)
            )
            chosen = _choose_files(ownership, meta, skip_files)
            _charge(ownership, torrent.size_bytes if chosen is None else chosen)
            _wanted_refresh(torrent)
            _added_record(torrent, user=user, fresh=True)
            return torrent, True
    fresh = existing.status in RELEASED
    ownership = existing.ownerships.filter(user=user).first()
    if ownership and not fresh:
        raise IntakeError(f"you already have this torrent: {existing.name} (#{existing.pk})")
    if not fresh and ownership is None and meta and meta.private and _unresolved(existing):
        fresh = True  # a claim is not a torrent: the private .torrent takes the hash over
    if (existing.private or (meta and meta.private)) and not fresh and ownership is None:
        # A private tracker counts traffic per account by the passkey in the announce URL, and
        # rTorrent announces one URL per torrent: sharing it would announce as the first adder.
        raise IntakeError(PRIVATE_TAKEN)
    if fresh:
        _revive(existing, user=user, meta=meta, magnet_uri=magnet_uri, paused=paused)
    else:
        _join(existing, user=user, meta=meta)
    if ownership is None:
        ownership = Ownership.objects.create(
            torrent=existing, user=user, trackers=trackers, tracker_host=announce_host(trackers)
        )
    else:
        ownership.trackers = trackers
        ownership.tracker_host = announce_host(trackers)
        ownership.save(update_fields=["trackers", "tracker_host"])
        # The list counts by tracker host: a change of it is a change of the row.
        Torrent.objects.filter(pk=existing.pk).update(updated_at=timezone.now())
    # The choice is kept even while the size is unknown (a magnet's claim): the metadata's
    # arrival charges each owner for what they selected (magnets.py).
    chosen = _choose_files(ownership, meta, skip_files)
    if existing.size_bytes:
        _charge(
            ownership,
            existing.size_bytes if chosen is None else chosen,
            size_known_to_user=meta is not None,
        )
        _wanted_refresh(existing)
    if not fresh and not existing.private and existing.status in IN_RTORRENT:
        torrent_id = existing.pk
        transaction.on_commit(lambda: torrent_trackers_extend(torrent_id=torrent_id, urls=trackers))
    _added_record(existing, user=user, fresh=fresh)
    return existing, fresh


def _added_record(torrent: Torrent, *, user, fresh: bool) -> None:
    """torrent.added for the user who took it; a new or revived torrent left waiting for
    approval is torrent.awaiting_approval to the staff. In the item's savepoint: an item refused
    later (no room on the node, bad data) takes its events back with it."""
    about = {"name": torrent.name, "torrent_id": torrent.pk}
    event_record(EventKind.TORRENT_ADDED, torrent=torrent, users=[user.pk], payload=about)
    if fresh and torrent.status == TorrentStatus.PENDING_APPROVAL:
        event_record(
            EventKind.TORRENT_AWAITING_APPROVAL,
            torrent=torrent,
            users=active_staff_ids(),
            payload={**about, "owner": user.email},
        )


def _join(existing: Torrent, *, user, meta: Metainfo | None) -> None:
    """`user` becomes a co-owner of a torrent someone else holds."""
    if meta and existing.metainfo is None:
        # A co-owner's .torrent for a magnet: its files, announcing as the adder's magnet
        # does (the co-owner's announce URLs stay theirs; rTorrent announces to both).
        existing.metainfo = metainfo_with_trackers(
            meta.raw, trackers=magnet_trackers(existing.magnet_uri)
        )
        existing.piece_length = meta.piece_length
        existing.save(update_fields=["metainfo", "piece_length", "updated_at"])
        if existing.size_bytes is None and existing.status in (*IN_RTORRENT, TorrentStatus.MISSING):
            # rTorrent may still wait on the magnet's trackers for the metadata: the push loads
            # the .torrent in place of the metadata download.
            existing.status = TorrentStatus.QUEUED
            existing.save(update_fields=["status", "updated_at"])
            push_after_commit(existing)
    if (
        existing.status == TorrentStatus.PENDING_APPROVAL
        and initial_status(user) == TorrentStatus.QUEUED
    ):
        _release(existing)


def _release(torrent: Torrent) -> None:
    """A user whose torrents skip moderation adds a torrent that waits for approval: it waits for
    no one any longer. It is pushed as it is (with the data its first adder sent, if any); the
    newcomer's upload adds nothing, as for any co-owner."""
    torrent.status = TorrentStatus.QUEUED
    torrent.status_message = ""
    torrent.save(update_fields=["status", "status_message", "updated_at"])
    push_after_commit(torrent)


def metainfo_read(upload: UploadedFile) -> Metainfo:
    """Parse an uploaded .torrent, refusing an oversized one before reading it into memory."""
    metainfo_size_check(upload.size)
    upload.seek(0)
    return parse_metainfo(
        upload.read(),
        max_size=settings.SEEDBOX_METAINFO_MAX_SIZE,
        max_files=settings.SEEDBOX_METAINFO_MAX_FILES,
    )


def torrent_add_metainfo(
    *, user, meta: Metainfo, paused: bool = False, skip_files: list[int] | None = None
) -> Torrent:
    """Way 1: a .torrent file. rTorrent downloads it into the torrent's own directory, all but
    the files in `skip_files` (indexes into the .torrent's file list, in its order), which the
    adder is not charged for and rTorrent never fetches (unless a co-owner wants them)."""
    metainfo_checks(user=user, meta=meta)
    with transaction.atomic():
        torrent, fresh = torrent_take(
            user=user,
            info_hash=meta.info_hash,
            name=meta.name,
            meta=meta,
            paused=paused,
            skip_files=skip_files,
        )
        if fresh:
            # Skipped files take no room: rTorrent never writes them.
            nbytes = torrent.ownerships.get(user=user).charged_bytes
            node_room_check(node=torrent.node, nbytes=nbytes, exclude_pk=torrent.pk)
            push_after_commit(torrent)
    return torrent


def magnet_trackers(uri: str) -> list[str]:
    """The announce URLs of a stored magnet link ([] for none or a link that no longer parses)."""
    try:
        return magnet_parse(uri)[2] if uri else []
    except IntakeError:
        return []


def torrent_add_magnet(*, user, uri: str, paused: bool = False) -> Torrent:
    """Way 2: a magnet link. The size is known, and charged, once rTorrent has the metadata
    (see magnets.torrent_metadata_resolved); a paused one is stopped once it is."""
    info_hash, name, _ = magnet_checks(user=user, uri=uri)
    with transaction.atomic():
        torrent, fresh = torrent_take(
            user=user,
            info_hash=info_hash,
            name=name[:1024],
            magnet_uri=uri.strip(),
            paused=paused,
        )
        if fresh:
            push_after_commit(torrent)
    return torrent


def skip_files_parse(values: list[str]) -> list[int] | None:
    """The `skip_files` form field: file indexes, repeated or in one value separated by commas
    or spaces ("0,2 5"); None when absent or empty (download every file)."""
    parts = [part for value in values for part in value.replace(",", " ").split()]
    if not parts:
        return None
    try:
        indexes = [int(part) for part in parts]
    except ValueError:
        raise IntakeRequestError(
            "skip_files takes file indexes (0 is the .torrent's first file), such as 0,2,5"
        ) from None
    return sorted(set(indexes))
