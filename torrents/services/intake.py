"""Adding torrents: one service behind the API, the upload page and the admin.

Each item is checked (metainfo, tracker rules, quota) and written in its own savepoint of the
request's one transaction, so one bad item never costs the others and an unexpected error leaves
nothing (files moved into place included, see rollback.py); the push to rTorrent is scheduled for
after the commit. The same
info-hash is stored once: another user adding it becomes a co-owner (charged too), the same user
gets a clear answer, and a removed or rejected torrent added again is revived.
"""

import base64
import binascii
from dataclasses import dataclass, field

import torf
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from torrents.metainfo import (
    MetaFile,
    Metainfo,
    MetainfoError,
    display_name,
    metainfo_with_trackers,
    parse_metainfo,
)
from torrents.models import IN_RTORRENT, Node, Ownership, Torrent, TorrentFile, TorrentStatus
from torrents.services.announce import torrent_trackers_extend
from torrents.services.capacity import NodeFull, node_room_check
from torrents.services.list_changes import torrent_gone_record
from torrents.services.push import push_after_commit
from torrents.services.quota import QuotaExceeded, quota_charge
from torrents.services.rollback import rollback_scope
from torrents.services.tracker_rules import TrackerRefused, tracker_rules_check
from torrents.tracker_host import announce_host


class IntakeError(Exception):
    """One item cannot be added; the message is for the person who sent it. `field` names the
    request field the refusal is about, when it is not the item itself (`files`, `paths`,
    `name`, `trackers`), so that forms show it next to that field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class IntakeRequestError(Exception):
    """The whole request is refused (too many items, nothing sent)."""


# What a rejected item's reason may come from: all are messages meant for people.
ITEM_ERRORS = (IntakeError, MetainfoError, TrackerRefused, QuotaExceeded, NodeFull)


@dataclass
class Rejection:
    name: str
    reason: str
    field: str | None = None  # the request field it is about, when not the item itself


@dataclass
class IntakeResult:
    added: list[Torrent] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def node_for_new_torrent() -> Node:
    """The enabled node holding the fewest torrents (removed ones aside); ties go by name."""
    node = (
        Node.objects.filter(enabled=True)
        .annotate(load=Count("torrents", filter=~Q(torrents__status=TorrentStatus.REMOVED)))
        .order_by("load", "name")
        .first()
    )
    if node is None:
        raise IntakeError("no rTorrent node is enabled on this site; ask an administrator")
    return node


def initial_status(user) -> str:
    """`pending_approval` when moderation is on and the user is neither trusted nor an admin."""
    if settings.SEEDBOX_REQUIRE_APPROVAL and not (user.is_staff or getattr(user, "trusted", False)):
        return TorrentStatus.PENDING_APPROVAL
    return TorrentStatus.QUEUED


def require_trackers(trackers: list[str]) -> None:
    # rTorrent 0.9.8 silently drops a torrent with no tracker at all (and DHT is off by default).
    if not trackers and not settings.SEEDBOX_RTORRENT_DHT:
        raise IntakeError(
            "it has no tracker, and rTorrent drops torrents without one: add an announce URL"
        )


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


def _create(*, user, meta: Metainfo | None, info_hash: str, name: str, magnet_uri: str) -> Torrent:
    torrent = Torrent.objects.create(
        info_hash=info_hash,
        name=name,
        size_bytes=meta.size if meta else None,
        piece_length=meta.piece_length if meta else None,
        private=meta.private if meta else False,
        metainfo=meta.raw if meta else None,
        magnet_uri=magnet_uri,
        node=node_for_new_torrent(),
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


def _revive(torrent: Torrent, *, user, meta: Metainfo | None, magnet_uri: str) -> None:
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
        torrent.node = node_for_new_torrent()
    torrent.status = initial_status(user)
    torrent.status_message = ""
    torrent.last_error = ""
    torrent.push_attempts = 0
    torrent.last_push_at = None  # the metadata time limit counts from the next push
    torrent.reviewed_by = None
    torrent.reviewed_at = None
    torrent.added_by = user
    torrent.save()


def _unresolved(torrent: Torrent) -> bool:
    """Someone's magnet whose metadata has not arrived: it holds the hash on a claim alone."""
    return torrent.size_bytes is None and torrent.metainfo is None


def torrent_take(
    *, user, info_hash: str, name: str, meta: Metainfo | None = None, magnet_uri: str = ""
) -> tuple[Torrent, bool]:
    """Create, revive or pair the torrent for `user` and charge their quota; call inside a
    transaction. Returns (torrent, fresh): fresh when it is new or revived, and the caller stores
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
                    user=user, meta=meta, info_hash=info_hash, name=name, magnet_uri=magnet_uri
                )
        except IntegrityError:  # someone added the same hash a moment ago: pair with theirs
            existing = Torrent.objects.select_for_update().get(info_hash=info_hash)
        else:
            ownership = Ownership.objects.create(
                torrent=torrent, user=user, trackers=trackers, tracker_host=announce_host(trackers)
            )
            _charge(ownership, torrent.size_bytes)
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
        _revive(existing, user=user, meta=meta, magnet_uri=magnet_uri)
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
    _charge(ownership, existing.size_bytes, size_known_to_user=meta is not None)
    if not fresh and not existing.private and existing.status in IN_RTORRENT:
        torrent_id = existing.pk
        transaction.on_commit(lambda: torrent_trackers_extend(torrent_id=torrent_id, urls=trackers))
    return existing, fresh


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
    limit = settings.SEEDBOX_METAINFO_MAX_SIZE
    if upload.size > limit:
        raise MetainfoError(f"the file is {upload.size:,} bytes; at most {limit:,} allowed")
    upload.seek(0)
    return parse_metainfo(
        upload.read(), max_size=limit, max_files=settings.SEEDBOX_METAINFO_MAX_FILES
    )


def torrent_add_metainfo(*, user, meta: Metainfo) -> Torrent:
    """Way 1: a .torrent file. rTorrent downloads it into the torrent's own directory."""
    tracker_rules_check(urls=meta.trackers, user=user)
    require_trackers(meta.trackers)
    with transaction.atomic():
        torrent, fresh = torrent_take(
            user=user, info_hash=meta.info_hash, name=meta.name, meta=meta
        )
        if fresh:
            node_room_check(node=torrent.node, nbytes=meta.size, exclude_pk=torrent.pk)
            push_after_commit(torrent)
    return torrent


def magnet_trackers(uri: str) -> list[str]:
    """The announce URLs of a stored magnet link ([] for none or a link that no longer parses)."""
    try:
        return magnet_parse(uri)[2] if uri else []
    except IntakeError:
        return []


def magnet_parse(uri: str) -> tuple[str, str, list[str]]:
    """(v1 info-hash in lowercase hex, display name, trackers) of a magnet link."""
    try:
        magnet = torf.Magnet.from_string(uri.strip())
    except torf.TorfError as exc:
        raise IntakeError(f"not a usable magnet link: {exc}") from None
    text = magnet.infohash
    try:
        info_hash = base64.b32decode(text.upper()).hex() if len(text) == 32 else text.lower()
        bytes.fromhex(info_hash)
    except (binascii.Error, ValueError):
        raise IntakeError("the magnet link's info-hash is not valid") from None
    return info_hash, display_name(magnet.dn or "") or info_hash, list(magnet.tr)


def torrent_add_magnet(*, user, uri: str) -> Torrent:
    """Way 2: a magnet link. The size is known, and charged, once rTorrent has the metadata
    (see magnets.torrent_metadata_resolved)."""
    info_hash, name, trackers = magnet_parse(uri)
    tracker_rules_check(urls=trackers, user=user)
    require_trackers(trackers)
    with transaction.atomic():
        torrent, fresh = torrent_take(
            user=user, info_hash=info_hash, name=name[:1024], magnet_uri=uri.strip()
        )
        if fresh:
            push_after_commit(torrent)
    return torrent


def _lines(values: list[str]) -> list[str]:
    return [line.strip() for value in values for line in value.splitlines() if line.strip()]


def intake_submit(
    *,
    user,
    torrents: list[UploadedFile] = (),
    magnets: list[str] = (),
    torrent: UploadedFile | None = None,
    files: list[UploadedFile] = (),
    paths: list[str] = (),
    name: str = "",
    trackers: list[str] = (),
    private: bool = False,
    comment: str = "",
) -> IntakeResult:
    """Every way in at once; per item, the torrent or the reason it was refused. The request is
    one transaction: either the answer says what was added, or nothing was."""
    magnet_list = _lines(list(magnets))
    count = len(torrents) + len(magnet_list) + (1 if torrent or files else 0)
    limit = settings.SEEDBOX_MAX_TORRENTS_PER_REQUEST
    if count == 0:
        raise IntakeRequestError(
            "nothing to add: send .torrent files (torrents), magnet links (magnets), a .torrent "
            "with its data (torrent + files) or data to make a torrent from (files)"
        )
    if count > limit:
        raise IntakeRequestError(f"{count} torrents in one request; at most {limit} allowed")
    with transaction.atomic(), rollback_scope():
        return _submit_items(
            user=user,
            torrents=torrents,
            magnet_list=magnet_list,
            torrent=torrent,
            files=files,
            paths=paths,
            name=name,
            trackers=trackers,
            private=private,
            comment=comment,
        )


def _submit_items(
    *, user, torrents, magnet_list, torrent, files, paths, name, trackers, private, comment
) -> IntakeResult:
    """The items of one request, each in a savepoint: a refused item leaves nothing, and an
    unexpected error takes the whole request back (the client is told nothing was added)."""
    from torrents.services.uploads import torrent_add_from_data, torrent_add_with_data

    result = IntakeResult()

    def attempt(label: str, add) -> None:
        try:
            with transaction.atomic(), rollback_scope():
                added = add()
        except ITEM_ERRORS as exc:
            field_name = getattr(exc, "field", None)
            result.rejected.append(Rejection(name=label, reason=str(exc), field=field_name))
        else:
            result.added.append(added)

    for upload in torrents:
        attempt(
            upload.name, lambda u=upload: torrent_add_metainfo(user=user, meta=metainfo_read(u))
        )
    for uri in magnet_list:
        attempt(uri[:200], lambda u=uri: torrent_add_magnet(user=user, uri=u))
    if torrent is not None:
        attempt(
            torrent.name,
            lambda: torrent_add_with_data(
                user=user, meta=metainfo_read(torrent), files=list(files), paths=list(paths)
            ),
        )
    elif files:
        attempt(
            name or files[0].name,
            lambda: torrent_add_from_data(
                user=user,
                files=list(files),
                paths=list(paths),
                name=name,
                trackers=_lines(list(trackers)),
                private=private,
                comment=comment,
            ),
        )
    return result
