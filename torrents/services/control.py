"""Control of a torrent by its owners: pause, resume, recheck, reannounce, re-push, removal.

Each action is one short call to rTorrent (`system.multicall`: the action and a read of the new
state together), and the row is updated from that answer at once, so the next read shows the
new state without waiting for the sync.

Removal: the caller's ownership goes and their quota comes back. When the last owner leaves, the
torrent becomes `removed` with `purge_pending` set, then is erased from rTorrent and its data
directory deleted (`d.erase` keeps data). If rTorrent is down the flag stays: the purge task
retries and every sync of the node finishes what is pending, so nothing is left behind.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from events.kinds import EventKind
from events.services import event_record
from torrents.models import IN_RTORRENT, Ownership, Torrent, TorrentStatus
from torrents.rtorrent import TorrentNotFound
from torrents.services.file_priorities import priorities_apply_after_commit, torrent_wanted_refresh
from torrents.services.list_changes import torrent_gone_record
from torrents.services.nodes import node_client
from torrents.services.purge import purge_enqueue, purge_now_or_later
from torrents.services.push import push_after_commit
from torrents.services.quota import quota_release
from torrents.services.remote_status import torrent_status
from torrents.services.seeding import torrent_rule_stopped

log = logging.getLogger(__name__)

_STATE = ("d.state", "d.is_active", "d.complete", "d.hashing")


class ControlError(Exception):
    """The action cannot be done now; the message says why (the API answers 409)."""


def _act(torrent: Torrent, actions: list[str]) -> str:
    """Run `actions` then read the state, in one request; update the row; return the status."""
    if torrent.status not in IN_RTORRENT:
        raise ControlError(f"the torrent is {torrent.get_status_display()}, not in rTorrent")
    h = torrent.info_hash.upper()
    client = node_client(torrent.node, quick=True)
    results = client.system_multicall([(m, (h,)) for m in (*actions, *_STATE)])
    failure = next((r for r in results if isinstance(r, Exception)), None)
    if isinstance(failure, TorrentNotFound):
        raise ControlError("rTorrent does not have this torrent (the next sync marks it missing)")
    if failure is not None:
        raise failure
    state = dict(
        zip(("state", "is_active", "complete", "hashing"), results[len(actions) :], strict=True)
    )
    status = torrent_status(state)
    # An owner acted on it: a stalled torrent gets a fresh grace (see torrents/stalled.py).
    Torrent.objects.filter(pk=torrent.pk, status__in=IN_RTORRENT).update(
        status=status, stalled_since=None, updated_at=timezone.now()
    )
    torrent.status = status
    return status


def torrent_set_paused(*, torrent: Torrent, paused: bool) -> str:
    """Pause (`d.pause`: stays open, no traffic) or resume (`d.resume`; `d.start` for a stopped
    one). Pausing a stopped torrent leaves it stopped."""
    if paused:
        if torrent.status == TorrentStatus.STOPPED:
            return _act(torrent, [])
        return _act(torrent, ["d.pause"])
    status = _act(
        torrent, ["d.start"] if torrent.status == TorrentStatus.STOPPED else ["d.start", "d.resume"]
    )
    # Resumed after a seeding rule stopped it: the rules wait for an owner to change one.
    Torrent.objects.filter(pk=torrent.pk).exclude(stop_reason="").update(
        stop_reason="", status_message="", seed_rules_suspended=True, updated_at=timezone.now()
    )
    return status


def torrent_stop_for_rule(*, torrent: Torrent, message: str) -> str:
    """A seeding rule says stop (the sync decided): `d.stop`, and the reason kept on the row."""
    status = _act(torrent, ["d.stop"])
    torrent_rule_stopped(torrent_id=torrent.pk, message=message)
    return status


def torrent_reannounce(*, torrent: Torrent, by) -> str:
    """Ask rTorrent to announce to the torrent's trackers now (`d.tracker_announce`), e.g. once a
    tracker that refused it has been fixed, instead of waiting the tracker's interval (about
    30 minutes). Owners and staff only (Http404 for anyone else). At most once per
    SEEDBOX_REANNOUNCE_GAP seconds per torrent: rTorrent 0.9.8 aborts, taking every torrent
    down, when a tracker is asked 10 times in 10 seconds. Returns the (unchanged) status."""
    if not (by.is_staff or torrent.ownerships.filter(user=by).exists()):
        raise Http404("no such torrent")
    if torrent.status not in (TorrentStatus.DOWNLOADING, TorrentStatus.SEEDING):
        raise ControlError(
            f"the torrent is {torrent.get_status_display()}: only a downloading or seeding "
            "torrent announces (resume it first)"
        )
    gap = settings.SEEDBOX_REANNOUNCE_GAP
    if not cache.add(f"reannounce:{torrent.pk}", 1, timeout=gap):
        raise ControlError(f"it was announced less than {gap:g} seconds ago; try again then")
    try:
        node_client(torrent.node, quick=True).announce(torrent.info_hash)
    except TorrentNotFound:
        raise ControlError(
            "rTorrent does not have this torrent (the next sync marks it missing)"
        ) from None
    return torrent.status


def torrent_recheck(*, torrent: Torrent) -> str:
    """Ask rTorrent to hash-check the data again (after the data was touched on disk)."""
    return _act(torrent, ["d.check_hash"])


def torrent_repush(*, torrent: Torrent) -> bool:
    """Try again: a `missing` torrent, or one in `error` because its push failed (a disk error,
    a refusal by rTorrent), goes back to `queued` and is pushed again (the push task). An error
    that is about the torrent itself (metadata refused, too big for the quota) is not retried."""
    with transaction.atomic():
        updated = (
            Torrent.objects.filter(pk=torrent.pk)
            .filter(retryable_statuses())
            .update(
                status=TorrentStatus.QUEUED,
                status_message="",
                last_error="",
                push_attempts=0,
                # rTorrent counts from 0 again for a torrent loaded anew; the site's totals stay.
                rtorrent_up_total=0,
                rtorrent_down_total=0,
                updated_at=timezone.now(),
            )
        )
        if not updated:
            raise ControlError(
                "only a missing torrent, or one whose push to rTorrent failed, is pushed again; "
                f"this one is {torrent.get_status_display()}"
            )
        torrent.status = TorrentStatus.QUEUED
        push_after_commit(torrent)
    return True


def retryable_statuses() -> Q:
    """Rows a re-push may take: missing, or in error with the push's own error recorded."""
    return Q(status=TorrentStatus.MISSING) | Q(status=TorrentStatus.ERROR, last_error__gt="")


def torrent_delete(*, torrent: Torrent, by, everyone: bool = False, purge_now: bool = True) -> str:
    """A delete asked for on a page or through the API. An admin's removes the torrent for every
    owner when asked (`everyone`), or when the admin does not own it (there is nothing else to
    remove). When nobody owns it any more, one bounded purge attempt follows now (`purge_now`;
    otherwise, or when rTorrent does not answer, the purge task and the sync finish it).
    Returns "kept" (other owners keep it), "purged" or "pending"."""
    for_everyone = by.is_staff and (everyone or not torrent.ownerships.filter(user=by).exists())
    if not torrent_remove(torrent=torrent, by=by, everyone=for_everyone, purge=False):
        return "kept"
    if not purge_now:
        purge_enqueue(torrent_id=torrent.pk)
        return "pending"
    return "purged" if purge_now_or_later(torrent_id=torrent.pk) else "pending"


def torrent_remove(
    *, torrent: Torrent, by, everyone: bool = False, purge: bool = True, reason: str = ""
) -> bool:
    """Remove `by`'s ownership (an admin's `everyone`: every owner's) and give the quota back;
    the other owners an admin removed it for are told (torrent.removed_by_admin, with `reason`).
    Returns True when nobody owns it any more: it is then purged from rTorrent and disk after the
    commit (`purge=False`: the caller runs `purge_now_or_later` itself)."""
    with transaction.atomic():
        locked = Torrent.objects.select_for_update().get(pk=torrent.pk)
        ownerships = Ownership.objects.filter(torrent=locked)
        if not (everyone and by.is_staff):
            ownerships = ownerships.filter(user=by)
        if told := [o.user_id for o in ownerships if o.user_id != by.pk]:
            event_record(
                EventKind.TORRENT_REMOVED_BY_ADMIN,
                torrent=locked,
                users=told,
                payload={"name": locked.name, "torrent_id": locked.pk, "reason": reason},
            )
        for ownership in ownerships:
            quota_release(user_id=ownership.user_id, nbytes=ownership.charged_bytes)
        torrent_gone_record(ownerships=ownerships)
        ownerships.delete()
        last = not Ownership.objects.filter(torrent=locked).exists()
        # The counts' stamp moves whatever is left of the torrent: its owners' tracker hosts
        # are counted, and the TorrentGone rows that would move the counts' version go with
        # an account deleted next (user_delete). Its row is not changed for those who keep it
        # (`changed_since` does not report it to them).
        now = timezone.now()
        if not last:
            Torrent.objects.filter(pk=locked.pk).update(facets_at=now)
            if torrent_wanted_refresh(torrent=locked):
                # The owner who left may have been the only one wanting some files.
                priorities_apply_after_commit(torrent=locked)
        elif locked.status != TorrentStatus.REMOVED:
            Torrent.objects.filter(pk=locked.pk).update(
                status=TorrentStatus.REMOVED,
                purge_pending=True,
                status_message="",
                down_rate=0,
                up_rate=0,
                peers=0,
                seeders=0,
                updated_at=now,
                facets_at=now,
            )
            if purge:
                transaction.on_commit(lambda: purge_now_or_later(torrent_id=locked.pk))
    return last
