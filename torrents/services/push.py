"""Pushing torrents into rTorrent, and the reconcile that makes sure nothing queued is lost.

The row is written first; the push happens after the commit, in a Celery task. Publishing that
task never blocks a request: when the broker is down the torrent simply stays `queued` and the
periodic reconcile pushes it. Every attempt is recorded on the row (attempts, when, last error).
"""

import logging
import time
from contextlib import suppress

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from seedbox.queue import enqueue
from seedbox.sizes import human_sizes
from torrents.models import Node, Torrent, TorrentStatus
from torrents.rtorrent import (
    RTorrentError,
    RTorrentUnavailable,
    TorrentNotFound,
    TorrentNotLoaded,
)
from torrents.services.announce import torrent_load_magnet, torrent_load_metainfo
from torrents.services.failures import torrent_failed_record
from torrents.services.file_priorities import (
    node_priorities_reapply,
    torrent_priorities_needed,
)
from torrents.services.nodes import node_client, torrent_queue
from torrents.services.purge import purge_enqueue
from torrents.services.throttle import node_throttles_apply, throttle_load_commands
from torrents.storage import torrent_directory

log = logging.getLogger(__name__)


PUSH_TASK = "torrents.tasks.push.push_torrent"
VERIFY_TASK = "torrents.tasks.push.verify_uploaded_data"


def push_enqueue(*, torrent_id: int, verify_data: bool = False) -> bool:
    """Publish the push task once (seedbox/queue.py: no retry loop, a backoff after a broker
    failure); False when the broker did not take it (the torrent stays `queued`; the reconcile
    will push it later)."""
    return enqueue(PUSH_TASK, torrent_id, verify_data=verify_data, queue=torrent_queue(torrent_id))


def push_after_commit(torrent: Torrent, *, verify_data: bool = False) -> None:
    """Schedule the push for when the current transaction commits (only `queued` torrents);
    `verify_data` when the upload brought data, to report data that does not match."""
    if torrent.status == TorrentStatus.QUEUED:
        torrent_id = torrent.pk
        transaction.on_commit(lambda: push_enqueue(torrent_id=torrent_id, verify_data=verify_data))


def _load_magnet(client, uri: str, info_hash: str, commands: list[str]) -> None:
    """rTorrent 0.9.8 takes a magnet URI through `load.start`; like `load.raw` it answers 0
    whatever happens (it drops a magnet without trackers when DHT is off), so confirm the hash."""
    client.call("load.start", "", uri, *commands)
    deadline = time.monotonic() + 5.0
    while not client.has(info_hash):
        if time.monotonic() >= deadline:
            raise TorrentNotLoaded(
                f"rTorrent did not take the magnet link for {info_hash}", url=client.url
            )
        time.sleep(0.05)


def _record(torrent_id: int, **fields) -> None:
    Torrent.objects.filter(pk=torrent_id).update(updated_at=timezone.now(), **fields)


def _undo_stray_load(torrent_id: int) -> str:
    """The torrent was removed or rejected while this push loaded it: nobody may be left with a
    torrent running in rTorrent that no one owns. A removed one is purged again (erase and data),
    by the task now and by the sync should the broker be down; a rejected one is erased."""
    torrent = Torrent.objects.select_related("node").filter(pk=torrent_id).first()
    if torrent is None:
        return "gone meanwhile"
    if torrent.status == TorrentStatus.REMOVED:
        Torrent.objects.filter(pk=torrent_id).update(purge_pending=True)
        transaction.on_commit(lambda: purge_enqueue(torrent_id=torrent_id))
        return "removed meanwhile"
    if torrent.status == TorrentStatus.REJECTED:
        with suppress(TorrentNotFound):
            node_client(torrent.node).erase(torrent.info_hash)
        return "rejected meanwhile"
    return "changed meanwhile"


def torrent_push(*, torrent_id: int, verify_data: bool = False) -> str:
    """Load a queued torrent into its node with its directory set and confirm the hash appeared.

    Safe to run twice: anything not `queued`, or already in rTorrent, is left as it is. Raises
    RTorrentUnavailable (transient) for the task to retry; permanent errors set `error`.
    Returns what happened, for logs and tests. Each attempt is counted and timed on the node's
    row (push_runs, push_failures, push_seconds_total), for the statistics and /metrics."""
    torrent = Torrent.objects.select_related("node").filter(pk=torrent_id).first()
    if torrent is None or torrent.status != TorrentStatus.QUEUED:
        return "skipped"
    started = time.monotonic()
    outcome = "error"  # also when it raises (a node not answering: the task retries)
    try:
        outcome = _push(torrent, verify_data=verify_data)
        return outcome
    finally:
        Node.objects.filter(pk=torrent.node_id).update(
            push_runs=F("push_runs") + 1,
            push_failures=F("push_failures") + (1 if outcome == "error" else 0),
            push_seconds_total=F("push_seconds_total") + (time.monotonic() - started),
        )


def _push(torrent: Torrent, *, verify_data: bool) -> str:
    torrent_id = torrent.pk
    _record(torrent_id, push_attempts=F("push_attempts") + 1, last_push_at=timezone.now())
    client = node_client(torrent.node)
    directory = torrent_directory(torrent)
    try:
        loaded = client.has(torrent.info_hash)
        if loaded and torrent.metainfo and client.is_meta(torrent.info_hash):
            # Still a magnet's metadata download, but the site has the .torrent now (a later
            # adder sent it): load that instead of waiting on the magnet's trackers.
            client.erase(torrent.info_hash)
            loaded = False
        priorities = torrent_priorities_needed(torrent=torrent) if torrent.metainfo else None
        if loaded:
            outcome = "already loaded"
            if priorities is not None:
                client.file_priorities_set(torrent.info_hash, priorities)
        else:
            commands = [
                f"d.directory.set={directory}",
                *throttle_load_commands(client=client, torrent=torrent),
            ]
            if torrent.metainfo:
                directory.mkdir(parents=True, exist_ok=True)
                # With files skipped or high, it is loaded stopped and started once they are
                # set, so that rTorrent never fetches a byte of a skipped file.
                client.load(
                    torrent_load_metainfo(torrent),
                    torrent.info_hash,
                    # "start paused": loaded, not started; with priorities, started once set
                    start=priorities is None and not torrent.start_paused,
                    commands=commands,
                    spill_dir=directory,  # the daemon reads it too: large .torrents load from it
                )
                if priorities is not None:
                    client.file_priorities_set(torrent.info_hash, priorities)
                    if not torrent.start_paused:
                        client.start(torrent.info_hash)
                outcome = "loaded with data" if verify_data else "loaded"
            elif torrent.magnet_uri:
                # Started even when asked paused: a stopped magnet never gets its metadata; the
                # sync stops it once the metadata is there (magnets.magnet_resolve).
                directory.mkdir(parents=True, exist_ok=True)
                _load_magnet(client, torrent_load_magnet(torrent), torrent.info_hash, commands)
                outcome = "magnet loaded"
            else:
                raise RTorrentError("the torrent has neither metainfo nor a magnet link")
    except RTorrentUnavailable as exc:
        _record(torrent_id, last_error=exc.message)
        raise
    except (RTorrentError, OSError) as exc:
        message = exc.message if isinstance(exc, RTorrentError) else f"cannot prepare data: {exc}"
        with transaction.atomic():
            _record(
                torrent_id, status=TorrentStatus.ERROR, status_message=message, last_error=message
            )
            torrent_failed_record(torrent_id=torrent_id, message=message)
        return "error"
    # Only a row still `queued` moves on: a moderator or a remove may have acted meanwhile.
    moved = Torrent.objects.filter(pk=torrent_id, status=TorrentStatus.QUEUED).update(
        status=TorrentStatus.CHECKING,
        last_error="",
        priorities_pending=False,
        updated_at=timezone.now(),
    )
    if not moved:
        return _undo_stray_load(torrent_id)
    if outcome == "loaded with data":
        verify_after(torrent_id)
    return outcome


def verify_after(torrent_id: int, countdown: float = 2.0) -> None:
    """Check uploaded data once rTorrent has hashed it (not queued: the owner sees it seeding or
    not, as rTorrent says)."""
    enqueue(VERIFY_TASK, torrent_id, countdown=countdown, queue=torrent_queue(torrent_id))


def torrent_verify_data(*, torrent_id: int) -> bool | None:
    """After rTorrent's hash check of uploaded data: True when complete, False (and a message
    the owner sees) when the data does not match; None while rTorrent is still checking."""
    torrent = Torrent.objects.select_related("node").get(pk=torrent_id)
    client = node_client(torrent.node)
    h = torrent.info_hash.upper()
    hashing, checked, complete, done, size = client.system_multicall(
        [
            (m, (h,))
            for m in (
                "d.hashing",
                "d.is_hash_checked",
                "d.complete",
                "d.completed_bytes",
                "d.size_bytes",
            )
        ]
    )
    if any(isinstance(v, Exception) for v in (hashing, checked, complete)):
        return False  # no longer in rTorrent: nothing left to check
    if hashing or not checked:
        return None
    if complete:
        return True
    right, whole = human_sizes(done, size)
    _record(
        torrent_id,
        status_message=(
            f"the uploaded data does not match the torrent: {right} of {whole} are "
            "right after rTorrent's check; the rest will be downloaded from peers"
        ),
    )
    return False


# A torrent whose push failed (a disk error, a refusal) is tried again by the reconcile after
# RETRY_BASE_SECONDS, doubling with each attempt up to RETRY_MAX_SECONDS.
RETRY_BASE_SECONDS = 60.0
RETRY_MAX_SECONDS = 6 * 3600.0


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed push before the reconcile tries again."""
    return min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


def failed_pushes_requeue(*, node: Node) -> int:
    """Queue again each torrent of the node whose push failed and whose wait is over; its
    attempts are kept, so the wait grows. Returns how many were queued."""
    now = timezone.now()
    failed = Torrent.objects.filter(node=node, status=TorrentStatus.ERROR).exclude(last_error="")
    due = [
        pk
        for pk, attempts, last in failed.values_list("pk", "push_attempts", "last_push_at")
        if last is None or (now - last).total_seconds() >= retry_delay(attempts)
    ]
    if not due:
        return 0
    # The error stays in `last_error` (the push record) until a push succeeds.
    return Torrent.objects.filter(pk__in=due, status=TorrentStatus.ERROR).update(
        status=TorrentStatus.QUEUED, status_message="", updated_at=now
    )


def node_reconcile(*, node: Node) -> dict:
    """Push every `queued` torrent of the node that rTorrent does not have (one list call),
    after queueing again the failed pushes whose wait is over (`failed_pushes_requeue`).

    Those never tried come first, then the longest untried, so a torrent that keeps failing
    goes to the back of the line instead of holding up the others. A transient failure stops
    the run only when the node itself no longer answers."""
    retried = failed_pushes_requeue(node=node)
    try:
        # Speed groups are lost when rTorrent restarts; applying them is idempotent.
        node_throttles_apply(node=node)
    except RTorrentError as exc:  # the next run tries again
        log.warning("speed limits of node %s not applied: %s", node.name, exc.message)
    # Priorities an owner changed while the node (or the broker) was down.
    reapplied = node_priorities_reapply(node=node)
    queued = list(
        Torrent.objects.filter(node=node, status=TorrentStatus.QUEUED)
        .order_by(F("last_push_at").asc(nulls_first=True), "pk")
        .values_list("pk", "info_hash")
    )
    counts = {"queued": len(queued), "pushed": 0, "present": 0, "failed": 0}
    if retried:
        counts["retried"] = retried
    if reapplied:
        counts["priorities"] = reapplied
    if not queued:
        return counts
    present = set(node_client(node).hashes())
    for pk, info_hash in queued:
        if info_hash in present:
            counts["present"] += 1
            Torrent.objects.filter(pk=pk, status=TorrentStatus.QUEUED).update(
                status=TorrentStatus.CHECKING, last_error="", updated_at=timezone.now()
            )
            continue
        try:
            outcome = torrent_push(torrent_id=pk)
        except RTorrentUnavailable:
            counts["failed"] += 1
            if not node_answers(node):
                break  # the node went away: the next run tries again
            continue
        counts["pushed" if outcome != "error" else "failed"] += 1
    return counts


def node_answers(node: Node) -> bool:
    """Whether the node answers a cheap call right now (with the quick timeout)."""
    try:
        node_client(node, quick=True).version()
    except RTorrentError:
        return False
    return True


RECONCILE_NODE_TASK = "torrents.tasks.push.reconcile_node"


def torrents_reconcile() -> dict[str, dict]:
    """node_reconcile for every enabled node; a node that is down is reported, not raised. A
    node with a queue of its own is reconciled there, by the worker next to it."""
    report = {}
    for node in Node.objects.filter(enabled=True):
        if node.queue:
            queued = enqueue(RECONCILE_NODE_TASK, node.pk, queue=node.queue)
            report[node.name] = {"queued": node.queue} if queued else {"error": "broker down"}
            continue
        try:
            report[node.name] = node_reconcile(node=node)
        except RTorrentUnavailable as exc:
            report[node.name] = {"error": exc.message}
    return report
