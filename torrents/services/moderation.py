"""Moderation: when SEEDBOX_REQUIRE_APPROVAL is on, torrents from users who are not trusted wait
in `pending_approval` until an admin approves (pushed then) or rejects them (quota given back)."""

from django.db import transaction
from django.utils import timezone

from events.kinds import EventKind
from events.services import event_record
from torrents.models import Torrent, TorrentStatus
from torrents.services.push import push_after_commit
from torrents.services.quota import quota_release


class ModerationError(Exception):
    """The torrent is not waiting for a decision; the message says what it is doing."""


def _pending(torrent: Torrent) -> Torrent:
    locked = Torrent.objects.select_for_update().get(pk=torrent.pk)
    if locked.status != TorrentStatus.PENDING_APPROVAL:
        raise ModerationError(
            f"{locked.name} is not waiting for approval (it is {locked.get_status_display()})"
        )
    return locked


def torrent_approve(*, torrent: Torrent, by) -> Torrent:
    """Queue the torrent and push it after the commit."""
    with transaction.atomic():
        locked = _pending(torrent)
        locked.status = TorrentStatus.QUEUED
        locked.status_message = ""
        locked.reviewed_by = by
        locked.reviewed_at = timezone.now()
        locked.save()
        push_after_commit(locked)
        _decision_record(EventKind.TORRENT_APPROVED, locked)
    return locked


def torrent_reject(*, torrent: Torrent, by, reason: str) -> Torrent:
    """Reject with a reason every owner sees; each owner's quota charge is given back."""
    reason = reason.strip()
    if not reason:
        raise ModerationError("a rejection needs a reason the owner can read")
    with transaction.atomic():
        locked = _pending(torrent)
        for ownership in locked.ownerships.all():
            quota_release(user_id=ownership.user_id, nbytes=ownership.charged_bytes)
            ownership.charged_bytes = 0
            ownership.save(update_fields=["charged_bytes"])
        locked.status = TorrentStatus.REJECTED
        locked.status_message = f"rejected: {reason}"
        locked.reviewed_by = by
        locked.reviewed_at = timezone.now()
        locked.save()
        _decision_record(EventKind.TORRENT_REJECTED, locked, reason=reason)
    return locked


def _decision_record(kind: EventKind, torrent: Torrent, **extra) -> None:
    """Tell every owner the staff's decision (in its transaction)."""
    owners = torrent.ownerships.values_list("user_id", flat=True)
    event_record(
        kind,
        torrent=torrent,
        users=list(owners),
        payload={"name": torrent.name, "torrent_id": torrent.pk, **extra},
    )
