"""The sync: keep the database true to one rTorrent node, in one multicall and a few statements.

Per run: one `d.multicall2` for every torrent of the node, one query for the rows, then one
UPDATE for every changed row, and (only when there was traffic) one query for the owners and two
upserts for the history. The query count does not grow with the number of torrents.

Counters: rTorrent's `d.up.total`/`d.down.total` are kept on the row as the baseline
(`rtorrent_up_total`/`rtorrent_down_total`). A delta is `new - baseline`; it is added to the row's
own totals (`uploaded_bytes`/`downloaded_bytes`, what the list's ratio reads) and credited to the
owners' history in the same transaction, so the two always agree. When a counter went down (the
torrent was re-added, or rTorrent lost its session) the new value becomes the baseline and the
delta is 0: a delta is never negative and never counted twice. A Redis lock per node
(tasks/sync.py) keeps two runs from reading the same baseline.

After a crash rTorrent comes back with the counters of its last saved session. So after each
run, the torrents whose counters moved are saved (`d.save_resume`, in one call): the saved
counters are then at least the baseline just written, and a crash loses at most the traffic
since the last run, instead of everything since rTorrent's own save (every 20 minutes). A save
costs rTorrent about 1 ms a torrent (measured: 2,000 in 2.1 s), so a run saves at most
SESSION_SAVES_PER_RUN, those that moved most first; the others wait for a later run.

What the run saw is told as events (completed, stuck, node down and back; sync_events.py), in
its transaction and one INSERT; its follow-ups (a seeding rule met, a magnet's metadata) are
internal events it hands to torrents/handlers.py after the commit. It imports no control.
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from accounts.selectors import active_staff_ids
from events.kinds import EventKind
from events.services import event_dispatch, event_record
from torrents.models import IN_RTORRENT, Node, Torrent, TorrentStatus
from torrents.rtorrent import RTorrentError, TorrentNotFound
from torrents.selectors import owners_by_torrent_with_trackers
from torrents.services.bulk import BIGINT, BOOL, TEXT, TIMESTAMP, bulk_update
from torrents.services.history import (
    Credit,
    history_credit,
    node_traffic_credit,
    owners_by_torrent,
)
from torrents.services.nodes import node_client, nodes_lock
from torrents.services.purge import torrent_purge
from torrents.services.rate_totals import node_rate_totals_refresh
from torrents.services.remote_status import torrent_status, wanted_done
from torrents.services.seeding import Seeded, seeding_ratio, seeding_watch, torrents_to_stop
from torrents.services.sync_events import Transitions, sync_events_record, tracker_stuck
from torrents.stalled import stalled_crossed, stalled_since_next, torrent_is_stalled

log = logging.getLogger(__name__)

# What the sync reads for every torrent (fewer fields, a faster multicall).
SYNC_FIELDS = (
    "d.hash",
    "d.name",
    "d.size_bytes",
    "d.completed_bytes",
    "d.up.total",
    "d.down.total",
    "d.up.rate",
    "d.down.rate",
    "d.state",
    "d.is_active",
    "d.complete",
    "d.wanted_chunks",
    "d.hashing",
    "d.is_meta",
    "d.message",
    "d.peers_connected",
    "d.peers_complete",
)

# Rows the sync follows: loaded (or being loaded) in rTorrent, or missing from it.
FOLLOWED = (*IN_RTORRENT, TorrentStatus.QUEUED, TorrentStatus.MISSING)

SESSION_SAVES_PER_RUN = 200

# rTorrent closes the torrents of a disk with less than 500 MB free (its built-in
# `close_low_diskspace`), saying "Low diskspace." in d.message: to its flags, that is `paused`.
LOW_DISK_MESSAGE = (
    "rTorrent stopped it because the server's disk is almost full; it goes on once an "
    "administrator frees space and it is resumed"
)

MISSING_MESSAGE = "gone from rTorrent without being removed here; an owner or admin can re-push it"


def expired_message() -> str:
    hours = settings.SEEDBOX_MAGNET_METADATA_TIMEOUT / 3600
    return (
        f"its metadata did not arrive within {hours:g} hours (no peer or tracker answered), so it "
        "was dropped from rTorrent and nothing was charged; add it again to try once more"
    )


# The columns the sync compares and writes (the first is the key); a changed row also gets
# `synced_at` and `updated_at`.
_COLUMNS = [
    ("id", BIGINT),
    ("status", TEXT),
    ("completed_bytes", BIGINT),
    ("down_rate", BIGINT),
    ("up_rate", BIGINT),
    ("uploaded_bytes", BIGINT),
    ("downloaded_bytes", BIGINT),
    ("rtorrent_up_total", BIGINT),
    ("rtorrent_down_total", BIGINT),
    ("peers", BIGINT),
    ("seeders", BIGINT),
    ("rtorrent_message", TEXT),
    ("stale", BOOL),
    ("status_message", TEXT),
    ("completed_at", TIMESTAMP),
    ("stalled_since", TIMESTAMP),
    ("seeding_seconds", BIGINT),
    ("facets_at", TIMESTAMP),  # moved only when the list's counts do (see _facets_moved)
]
_READ = [name for name, _ in _COLUMNS] + [
    "info_hash",
    "name",
    "size_bytes",
    "purge_pending",
    "last_push_at",
    "has_metainfo",
    "seed_rules_suspended",
    "updated_at",
]


def counter_delta(new: int, baseline: int) -> int:
    """Traffic since the baseline; 0 when the counter went down (a new baseline starts)."""
    return new - baseline if new >= baseline else 0


@dataclass
class SyncReport:
    node: str
    ok: bool = True
    error: str = ""
    remote: int = 0
    followed: int = 0
    updated: int = 0
    missing: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    credited: int = 0
    unknown: int = 0  # in rTorrent but not on this site
    purge: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)  # magnets whose metadata arrived
    halted: list[str] = field(default_factory=list)  # running although the site says it must not
    # (bytes moved, hash) of the torrents whose counters moved: their session is saved after.
    moved: list[tuple[int, str]] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)  # magnets whose metadata never came
    # (torrent id, message) of the seeding torrents their owners' rules stop (seeding.py).
    rule_stops: list[tuple[int, str]] = field(default_factory=list)
    # Ids of the internal events (rule stops, metadata arrived) dispatched after the commit.
    follow_ups: list[int] = field(default_factory=list)


def node_mark_down(*, node: Node, error: str) -> None:
    """The node did not answer: its torrents keep their last state, marked stale. The staff
    are told (node.down) when it was up: once, not at every sync it stays down."""
    with transaction.atomic():
        went_down = Node.objects.filter(pk=node.pk, is_up=True).update(
            is_up=False, last_error=error[:2000]
        )
        if not went_down:
            Node.objects.filter(pk=node.pk).update(is_up=False, last_error=error[:2000])
        # updated_at moves so that the live list's poll (rows changed since) shows the stale badge.
        Torrent.objects.filter(node=node, status__in=FOLLOWED, stale=False).update(
            stale=True, updated_at=timezone.now()
        )
        if went_down:
            event_record(
                EventKind.NODE_DOWN,
                users=active_staff_ids(),
                payload={"node": node.name, "error": error[:500]},
            )


def node_sync(*, node: Node) -> SyncReport:
    """One sync of one node (see the module docstring). Never raises for a node that is down."""
    report = SyncReport(node=node.name)
    started = time.monotonic()
    client = node_client(node)
    read_at = timezone.now()  # rows written after this are newer than rTorrent's answer
    try:
        remote = {r["hash"].lower(): r for r in client.torrents(SYNC_FIELDS)}
        version = node.version if node.is_up and node.version else client.version()
    except RTorrentError as exc:
        log.warning("sync of node %s: %s", node.name, exc.message)
        node_mark_down(node=node, error=exc.message)
        Node.objects.filter(pk=node.pk).update(
            sync_failures=F("sync_failures") + 1, **_run_timed(started)
        )
        report.ok, report.error = False, exc.message
        return report
    report.remote = len(remote)
    with transaction.atomic():
        # Serialises runs on Postgres even if the Redis lock were lost (a no-op on SQLite).
        (previous,) = nodes_lock([node.pk], fields=("last_seen_at", "is_up"))
        now = timezone.now()
        changes = Transitions(node_up=previous.is_up is False)
        _apply(
            node=node,
            remote=remote,
            report=report,
            now=now,
            since=previous.last_seen_at,
            changes=changes,
            read_at=read_at,
        )
        Node.objects.filter(pk=node.pk).update(
            is_up=True,
            version=version[:32],
            last_seen_at=now,
            last_error="",
            **_run_timed(started),
        )
    _after(client=client, report=report)
    return report


def _run_timed(started: float) -> dict:
    """The fields a run writes about itself on its node: one more run, and how long it took
    (the multicall and the database work; the follow-ups after the commit are not counted)."""
    seconds = time.monotonic() - started
    return {
        "sync_runs": F("sync_runs") + 1,
        "sync_seconds_total": F("sync_seconds_total") + seconds,
        "last_sync_seconds": seconds,
    }


def _expires(row: dict, cutoff: dt.datetime) -> bool:
    """A magnet pushed before `cutoff` whose metadata has not arrived (no .torrent either)."""
    return (
        row["size_bytes"] is None
        and not row["has_metainfo"]
        and row["last_push_at"] is not None
        and row["last_push_at"] < cutoff
    )


def magnets_expire(*, node: Node, info_hashes: list[str], now: dt.datetime) -> None:
    """Magnets whose metadata did not come in SEEDBOX_MAGNET_METADATA_TIMEOUT: `expired`, so
    that they no longer hold their info-hash (the next adder revives it fresh); the caller
    erases them from rTorrent. Never charged: nothing to give back."""
    Torrent.objects.filter(
        node=node, info_hash__in=info_hashes, size_bytes__isnull=True, status__in=FOLLOWED
    ).update(
        status=TorrentStatus.EXPIRED,
        status_message=expired_message(),
        down_rate=0,
        up_rate=0,
        peers=0,
        seeders=0,
        updated_at=now,
    )
    log.info("node %s: %d magnet(s) expired without metadata", node.name, len(info_hashes))


def _after(*, client, report: SyncReport) -> None:
    """Follow-ups that talk to rTorrent again, outside the transaction: removals still to finish
    (this is their periodic retry), expired magnets to erase, torrents to halt, sessions to
    save; then the run's internal events, handed to their handlers now (torrents/handlers.py:
    seeding rules, magnets whose metadata arrived), the same run as before."""
    for torrent_id in report.purge:
        try:
            torrent_purge(torrent_id=torrent_id)
        except (RTorrentError, OSError) as exc:
            log.warning("removal of torrent %s still pending: %s", torrent_id, exc)
    for info_hash in report.expired:
        try:
            client.erase(info_hash)
        except TorrentNotFound:
            pass
        except RTorrentError as exc:  # the row says expired: the next sync stops what runs
            log.warning("expired magnet %s not erased: %s", info_hash, exc.message)
    for info_hash in set(report.halted) - set(report.expired):
        try:
            client.stop(info_hash)
        except RTorrentError as exc:
            log.warning("torrent %s not stopped: %s", info_hash, exc.message)
    if report.moved:
        most = sorted(report.moved, reverse=True)[:SESSION_SAVES_PER_RUN]
        try:
            client.save_resume([info_hash for _, info_hash in most])
        except RTorrentError as exc:
            log.warning("session of %d torrents not saved: %s", len(most), exc.message)
    for event_id in report.follow_ups:
        # Not queued at commit: dispatched here (a handler that fails is logged and tried
        # again by the event sweep; the next sync also sees the torrent again).
        event_dispatch(event_id=event_id)


def _apply(
    *,
    node: Node,
    remote: dict,
    report: SyncReport,
    now: dt.datetime,
    since,
    changes: Transitions,
    read_at: dt.datetime,
) -> None:
    rows = (
        Torrent.objects.filter(Q(status__in=FOLLOWED) | Q(purge_pending=True), node=node)
        .annotate(
            has_metainfo=ExpressionWrapper(Q(metainfo__isnull=False), output_field=BooleanField())
        )
        .values_list("id", *_READ[1:])
    )
    cutoff = now - dt.timedelta(seconds=settings.SEEDBOX_MAGNET_METADATA_TIMEOUT)
    seeding_gap = _seeding_gap(now, since)
    changed, credits, seeded = [], [], []
    seen = set()
    for old in rows:
        row = dict(zip(_READ, old, strict=True))
        info_hash = row["info_hash"]
        seen.add(info_hash)
        if row["purge_pending"]:
            report.purge.append(row["id"])
            continue
        if _expires(row, cutoff):
            report.expired.append(info_hash)
            continue
        report.followed += 1
        r = remote.get(info_hash)
        if r is None:
            new = _missing(row, read_at=read_at)
        else:
            new, credit = _present(row, r, now, seeding_gap)
            if credit:
                credits.append(credit)
            moved = abs(new["rtorrent_up_total"] - row["rtorrent_up_total"]) + abs(
                new["rtorrent_down_total"] - row["rtorrent_down_total"]
            )
            if moved:
                report.moved.append((moved, info_hash))
            if row["size_bytes"] is None and r["size_bytes"] and not r["is_meta"]:
                report.resolved.append(row["id"])
            if new["completed_at"] and not row["completed_at"]:
                report.completed.append(row["id"])
            if tracker_stuck(
                old=row["rtorrent_message"],
                new=new["rtorrent_message"],
                complete=bool(new["completed_at"]),
            ):
                changes.stuck.append((row["id"], "tracker", new["rtorrent_message"]))
            if seeding_watch(
                was=row["status"], now=new["status"], suspended=row["seed_rules_suspended"]
            ):
                seeded.append(_seeded(new))
        if new["status"] == TorrentStatus.MISSING and row["status"] != TorrentStatus.MISSING:
            report.missing.append(row["id"])
        crossed = stalled_crossed(
            status=new["status"], stalled_since=new["stalled_since"], since=since, now=now
        )
        if crossed:
            changes.stuck.append((row["id"], "stalled", new["rtorrent_message"]))
        changes.names[row["id"]] = row["name"]
        if crossed or _facets_moved(row, new, now):
            new["facets_at"] = now
        values = [new[name] for name, _ in _COLUMNS]
        if crossed or values != [row[name] for name, _ in _COLUMNS]:
            changed.append(values)
    if report.expired:
        magnets_expire(node=node, info_hashes=report.expired, now=now)
    report.rule_stops = [
        (s.torrent_id, m) for s, m in torrents_to_stop(node_id=node.pk, seeded=seeded)
    ]
    report.unknown = len(remote.keys() - seen)
    # Known here in a state that must not run (error, e.g. a magnet over quota whose stop
    # failed; pending, rejected, removed) yet running in rTorrent: stopped after this run.
    running = [h for h in remote.keys() - seen if int(remote[h]["state"])]
    if running:
        report.halted = list(
            Torrent.objects.filter(node=node, info_hash__in=running).values_list(
                "info_hash", flat=True
            )
        )
        report.unknown -= len(report.halted)
    report.updated = bulk_update(
        table=Torrent._meta.db_table,
        key="id",
        columns=_COLUMNS,
        rows=changed,
        constants={"synced_at": (TIMESTAMP, now), "updated_at": (TIMESTAMP, now)},
    )
    node_rate_totals_refresh(node_id=node.pk)  # the totals bar's sums, written when they moved
    # Stuck torrents' messages need every owner's URLs (passkeys blanked): read with them.
    owners = _Owners(node_id=node.pk, with_trackers=bool(changes.stuck))
    if credits:
        report.credited = history_credit(credits=credits, owners=owners()[0], now=now)
        node_traffic_credit(node_id=node.pk, credits=credits, now=now)
    changes.completed, changes.resolved, changes.rule_stops = (
        report.completed,
        report.resolved,
        report.rule_stops,
    )
    follow_ups = sync_events_record(node_name=node.name, seen=changes, owners=owners)
    report.follow_ups = [event.pk for event in follow_ups]


class _Owners:
    """The node's owners by torrent (and, `with_trackers`, their announce URLs), read once in
    one query for the history and the events, and only if one of them needs them."""

    def __init__(self, *, node_id: int, with_trackers: bool) -> None:
        self.node_id, self.with_trackers = node_id, with_trackers
        self._read: tuple[dict, dict] | None = None

    def __call__(self) -> tuple[dict, dict]:
        if self._read is None:
            if self.with_trackers:
                self._read = owners_by_torrent_with_trackers(node_id=self.node_id)
            else:
                self._read = (owners_by_torrent(node_id=self.node_id), {})
        return self._read


def _facets_moved(old: dict, new: dict, now: dt.datetime) -> bool:
    """Whether the row moves a count of the list (its status, or whether it is stalled): most
    rows a sync writes move only rates and progress, and the counts' cache outlives those."""
    if old["status"] != new["status"]:
        return True
    return torrent_is_stalled(
        status=old["status"], stalled_since=old["stalled_since"], now=now
    ) != torrent_is_stalled(status=new["status"], stalled_since=new["stalled_since"], now=now)


def _seeded(new: dict) -> Seeded:
    return Seeded(
        torrent_id=new["id"],
        info_hash=new["info_hash"],
        ratio=seeding_ratio(uploaded=new["uploaded_bytes"], size=new["size_bytes"]),
        hours=new["seeding_seconds"] / 3600,
    )


def _missing(row: dict, *, read_at: dt.datetime) -> dict:
    """A followed torrent rTorrent does not have. `queued` ones are the push's business, and so
    is a row written after the multicall was read (a push that loaded it meanwhile: the next run
    sees it); the others were lost: `missing`, with the counters' baseline reset for when it is
    re-pushed."""
    if row["status"] == TorrentStatus.QUEUED or row["updated_at"] >= read_at:
        return {**row, "stale": False}
    message = row["status_message"] if row["status"] == TorrentStatus.MISSING else MISSING_MESSAGE
    return {
        **row,
        "status": TorrentStatus.MISSING,
        "status_message": message,
        "down_rate": 0,
        "up_rate": 0,
        "peers": 0,
        "seeders": 0,
        "rtorrent_up_total": 0,
        "rtorrent_down_total": 0,
        "rtorrent_message": "",  # rTorrent's word on a torrent it no longer has
        "stale": False,
        "stalled_since": None,
    }


def _present(row: dict, r: dict, now: dt.datetime, seeding_gap: int) -> tuple[dict, Credit | None]:
    status = torrent_status(r)
    up, down = int(r["up_total"]), int(r["down_total"])
    completed, peers = int(r["completed_bytes"]), int(r["peers_connected"])
    uploaded = counter_delta(up, row["rtorrent_up_total"])
    downloaded = counter_delta(down, row["rtorrent_down_total"])
    new = {
        **row,
        "status": status,
        "completed_bytes": completed,
        "down_rate": int(r["down_rate"]),
        "up_rate": int(r["up_rate"]),
        "uploaded_bytes": row["uploaded_bytes"] + uploaded,
        "downloaded_bytes": row["downloaded_bytes"] + downloaded,
        "rtorrent_up_total": up,
        "rtorrent_down_total": down,
        "peers": peers,
        "seeders": int(r["peers_complete"]),
        "rtorrent_message": r["message"] or "",
        "stale": False,
        "status_message": _status_message(row, r["message"] or ""),
        # Truthy marks "complete now"; the caller puts the time in once, for the first time.
        "completed_at": row["completed_at"]
        or (now if wanted_done(r) and not r["is_meta"] else None),
        "stalled_since": stalled_since_next(
            old_status=row["status"],
            new_status=status,
            old_since=row["stalled_since"],
            progressed=completed > row["completed_bytes"],
            peers=peers,
            now=now,
        ),
    }
    seeding = seeding_gap if status == row["status"] == TorrentStatus.SEEDING else 0
    new["seeding_seconds"] = row["seeding_seconds"] + seeding
    just_completed = new["completed_at"] is not None and row["completed_at"] is None
    if not (uploaded or downloaded or seeding or just_completed):
        return new, None
    credit = Credit(
        torrent_id=row["id"],
        info_hash=row["info_hash"],
        name=row["name"],
        uploaded=uploaded,
        downloaded=downloaded,
        seeding_seconds=seeding,
        completed_at=now if just_completed else None,
    )
    return new, credit


def _status_message(row: dict, rtorrent_message: str) -> str:
    """The owner's message: rTorrent's low-disk stop is said in words; one about being missing
    or short of disk no longer applies once that is over."""
    if "low diskspace" in rtorrent_message.lower():
        return LOW_DISK_MESSAGE
    if row["status"] == TorrentStatus.MISSING or row["status_message"] == LOW_DISK_MESSAGE:
        return ""
    return row["status_message"]


def _seeding_gap(now: dt.datetime, since: dt.datetime | None) -> int:
    """Seconds since the node's previous good sync, capped: a sync that did not run for an hour
    (worker down) does not vouch that the torrent seeded all that time."""
    if since is None:
        return 0
    cap = max(60.0, 4 * settings.SEEDBOX_SYNC_INTERVAL)
    return int(min(max((now - since).total_seconds(), 0.0), cap))
