"""Moving a torrent to another node (an admin's act): its data copied, loaded into the target
stopped, rechecked there, and only then switched; the source copy goes last.

Both data roots must be reachable from the host running the move (the worker on the target's
queue): for a node on another host, its data root must be shared storage mounted here, or the
operator copies the data into the target's directory and moves with `data_in_place` (`manage.py
torrent_move --data-in-place`): then nothing is copied or deleted, the rest is the same, and the
source copy is the operator's to delete (README, "Production").

The steps, each undone when a later one fails, so that a failed move leaves the torrent where it
was, seeding as before, with no partial copy and the reason in `last_error`:
1. claim the move (`moving_to`, one at a time); a torrent still downloading is stopped on the
   source so that its files do not change under the copy (a complete one keeps seeding);
2. copy `<source dir>/<name>` into the target's `<root>/<hash[:2]>/<hash>/`;
3. load it into the target stopped, with its file priorities, and `d.check_hash`;
   the check must find it complete, or as complete as the source was;
4. stop it on the source, and in one transaction (both nodes' rows locked, as the sync locks its
   node's) credit the source's last traffic since the sync's baseline, then switch `node` with the
   target's counters as the new baseline: the sync never credits the target's counters from 0 as
   new traffic, nor the source's again (history, totals, ownerships and quota are untouched);
5. its speed group on the target, started there if it was started; erased from the source and
   the source copy deleted.
"""

import contextlib
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from seedbox.queue import enqueue
from torrents.models import IN_RTORRENT, Node, Ownership, Torrent
from torrents.rtorrent import RTorrentError, TorrentNotFound
from torrents.services.announce import torrent_load_metainfo
from torrents.services.capacity import NodeFull, node_room_check
from torrents.services.file_priorities import torrent_priorities_needed
from torrents.services.history import Credit, history_credit, node_traffic_credit
from torrents.services.nodes import node_client, nodes_lock
from torrents.services.purge import directory_delete
from torrents.services.sync import counter_delta
from torrents.services.throttle import node_throttles_apply
from torrents.storage import torrent_directory

log = logging.getLogger(__name__)

MOVE_TASK = "torrents.tasks.move.move_torrent"
# The target's hash check gets this long at least, and one more second per CHECK_BYTES_PER_SECOND
# of data (rTorrent checked 64 MiB in 0.11 s here; a slow disk is far slower).
CHECK_MIN_SECONDS = 60.0
CHECK_BYTES_PER_SECOND = 20 * 1024 * 1024


class MoveError(Exception):
    """The move cannot start or did not finish; the torrent is still on its source."""


@dataclass(frozen=True)
class MoveReport:
    torrent_id: int
    source: str
    target: str
    copied_bytes: int
    started: bool
    left_behind: str = ""  # with data_in_place: the source copy, not deleted here


def _movable(torrent: Torrent, target: Node, *, in_place: bool = False) -> None:
    if torrent.node_id == target.pk:
        raise MoveError(f"it is already on {target.name}")
    if not target.enabled:
        raise MoveError(f"{target.name} is disabled")
    if torrent.status not in IN_RTORRENT or torrent.purge_pending:
        status = torrent.get_status_display()
        raise MoveError(f"it is {status}: only a torrent loaded in rTorrent can move")
    if not torrent.metainfo:
        raise MoveError("it has no .torrent yet (a magnet): move it once it has")
    for node in (target,) if in_place else (torrent.node, target):
        if not Path(node.data_root).is_dir():
            raise MoveError(
                f"{node.name}'s data root {node.data_root} is not reachable from this host: "
                "mount it here (shared storage), or copy the data yourself and move it with "
                "its data in place"
            )
    if in_place:
        expected = _target_directory(torrent, target) / torrent.name
        if not expected.exists():
            raise MoveError(f"with its data in place, its data must be at {expected} first")
        return  # the data is already there: no room to find
    try:
        node_room_check(node=target, nbytes=torrent.size_bytes or 0)
    except NodeFull as exc:
        raise MoveError(f"{target.name}: {exc}") from None


def torrent_move_enqueue(*, torrent: Torrent, target: Node) -> None:
    """Check and claim the move, then queue it on the target's queue (the copy is long). Raises
    MoveError when it cannot move or another move of it is under way."""
    _movable(torrent, target)
    _claim(torrent.pk, target, again=False)
    if not enqueue(MOVE_TASK, torrent.pk, target.pk, queue=target.queue or None):
        Torrent.objects.filter(pk=torrent.pk).update(moving_to=None)
        raise MoveError("the task queue is down: try again in a moment")


def _claim(torrent_id: int, target: Node, *, again: bool) -> None:
    """Mark the move under way; `again` lets the task take over the claim queued for it (or
    left by a worker killed mid-copy)."""
    free = Q(moving_to__isnull=True) | Q(moving_to=target) if again else Q(moving_to__isnull=True)
    claimed = Torrent.objects.filter(free, pk=torrent_id).update(moving_to=target)
    if not claimed:
        raise MoveError("another move of this torrent is under way")


def torrent_move(*, torrent_id: int, target_id: int, data_in_place: bool = False) -> MoveReport:
    """Move the torrent to node `target_id` (see the module docstring); `data_in_place` when the
    operator already copied its data into the target's directory. Safe to run again after a
    crash (a leftover copy or load on the target is replaced). Raises MoveError, with the
    torrent left on its source and the reason in its `last_error`."""
    torrent = Torrent.objects.select_related("node").get(pk=torrent_id)
    target = Node.objects.get(pk=target_id)
    try:
        _movable(torrent, target, in_place=data_in_place)
    except MoveError as exc:
        if torrent.node_id != target.pk:  # not a task run again after its move was done
            _failed(torrent_id, target, str(exc))
        raise
    _claim(torrent_id, target, again=True)  # refused: another move's row, left as it is
    try:
        return _move(torrent, target, in_place=data_in_place)
    except (RTorrentError, OSError, MoveError) as exc:
        message = exc.message if isinstance(exc, RTorrentError) else str(exc)
        _failed(torrent_id, target, message)
        raise MoveError(message) from None


def _failed(torrent_id: int, target: Node, message: str) -> None:
    log.warning("move of torrent %s to %s failed: %s", torrent_id, target.name, message)
    Torrent.objects.filter(pk=torrent_id).update(
        last_error=f"move to {target.name} failed: {message}"[:2000]
    )
    Torrent.objects.filter(pk=torrent_id, moving_to=target).update(moving_to=None)


def _target_directory(torrent: Torrent, target: Node) -> Path:
    return Path(target.data_root) / torrent.info_hash[:2] / torrent.info_hash


def _copy(source: Path, destination: Path) -> int:
    """Copy the torrent's own file or folder; the bytes copied."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, destination, symlinks=False)
        return sum(p.stat().st_size for p in destination.rglob("*") if p.is_file())
    if source.exists():
        shutil.copy2(source, destination)
        return destination.stat().st_size
    return 0  # nothing downloaded yet: the target starts from nothing too


def _move(torrent: Torrent, target: Node, *, in_place: bool) -> MoveReport:
    source_client, target_client = node_client(torrent.node), node_client(target)
    before = source_client.transfer_state(torrent.info_hash)
    # Paused (started, not active) stays paused; stopped stays stopped.
    started, active = bool(before["state"]), bool(before["is_active"])
    if not before["complete"] and started:
        source_client.stop(torrent.info_hash)  # the copy must not race its writes
        before = source_client.transfer_state(torrent.info_hash)
    directory = _target_directory(torrent, target)
    copied = 0
    try:
        _clear_target(target_client, torrent, directory, keep_data=in_place)
        if not in_place:
            directory.mkdir(parents=True)
            copied = _copy(torrent_directory(torrent) / torrent.name, directory / torrent.name)
        _load_and_check(target_client, torrent, directory, before)
        source_client.stop(torrent.info_hash)
        baseline = target_client.transfer_state(torrent.info_hash)
        _switch(torrent, target, source_client.transfer_state(torrent.info_hash), baseline)
    except BaseException:
        _undo(target_client, torrent, directory, keep_data=in_place)
        if started:
            _quietly(_restart, source_client, torrent.info_hash, active)
        raise
    _finish(
        torrent,
        target,
        target_client,
        source_client,
        started=started,
        active=active,
        delete_source=not in_place,
    )
    return MoveReport(
        torrent_id=torrent.pk,
        source=torrent.node.name,
        target=target.name,
        copied_bytes=copied,
        started=started and active,
        left_behind=str(torrent_directory(torrent) / torrent.name) if in_place else "",
    )


def _restart(client, info_hash: str, active: bool) -> None:
    """Started again as it was: active, or paused."""
    client.start(info_hash)
    if not active:
        client.pause(info_hash)


def _clear_target(client, torrent: Torrent, directory: Path, *, keep_data: bool) -> None:
    """What a crashed earlier attempt left on the target (the row is still on the source, so
    the target's copy and load are that attempt's); the operator's copy is kept."""
    with contextlib.suppress(TorrentNotFound):
        client.erase(torrent.info_hash)
    if directory.exists() and not keep_data:
        shutil.rmtree(directory)


def _load_and_check(client, torrent: Torrent, directory: Path, before: dict) -> None:
    client.load(
        torrent_load_metainfo(torrent),
        torrent.info_hash,
        start=False,
        commands=[f"d.directory.set={directory}"],
        spill_dir=directory,
    )
    priorities = torrent_priorities_needed(torrent=torrent)
    if priorities is not None:
        client.file_priorities_set(torrent.info_hash, priorities)
    client.check_hash(torrent.info_hash)
    seconds = CHECK_MIN_SECONDS + (torrent.size_bytes or 0) / CHECK_BYTES_PER_SECOND
    deadline = time.monotonic() + seconds
    while True:
        state = client.transfer_state(torrent.info_hash)
        if not state["hashing"] and state["is_hash_checked"]:
            break
        if time.monotonic() > deadline:
            raise MoveError(f"the target's hash check did not end within {seconds:.0f} s")
        time.sleep(0.05)
    if before["complete"] and not state["complete"]:
        raise MoveError(
            f"the copy is not complete after the target's check ({state['completed_bytes']} of "
            f"{state['size_bytes']} bytes right)"
        )
    if state["completed_bytes"] < before["completed_bytes"]:
        raise MoveError(
            f"the copy has {state['completed_bytes']} bytes right after the target's check, "
            f"the source had {before['completed_bytes']}"
        )


def _switch(torrent: Torrent, target: Node, source_state: dict, baseline: dict) -> None:
    """Credit the source's last traffic and switch the row to the target (see step 4)."""
    now = timezone.now()
    with transaction.atomic():
        # The same locks as the two nodes' syncs, in one order: neither runs in between.
        nodes_lock([torrent.node_id, target.pk])
        row = Torrent.objects.select_for_update(of=("self",)).get(pk=torrent.pk)
        if row.node_id != torrent.node_id:
            raise MoveError("the torrent changed node meanwhile")
        uploaded = counter_delta(source_state["up_total"], row.rtorrent_up_total)
        downloaded = counter_delta(source_state["down_total"], row.rtorrent_down_total)
        if uploaded or downloaded:
            credit = Credit(
                torrent_id=row.pk,
                info_hash=row.info_hash,
                name=row.name,
                uploaded=uploaded,
                downloaded=downloaded,
            )
            owners = list(
                Ownership.objects.filter(torrent_id=row.pk)
                .order_by("created_at", "id")
                .values_list("user_id", flat=True)
            )
            history_credit(credits=[credit], owners={row.pk: owners}, now=now)
            node_traffic_credit(node_id=row.node_id, credits=[credit], now=now)
        Torrent.objects.filter(pk=row.pk).update(
            node=target,
            data_directory="",
            moving_to=None,
            uploaded_bytes=F("uploaded_bytes") + uploaded,
            downloaded_bytes=F("downloaded_bytes") + downloaded,
            rtorrent_up_total=baseline["up_total"],
            rtorrent_down_total=baseline["down_total"],
            completed_bytes=baseline["completed_bytes"],
            up_rate=0,
            down_rate=0,
            stale=False,
            last_error="",
            updated_at=now,
        )


def _undo(client, torrent: Torrent, directory: Path, *, keep_data: bool) -> None:
    _quietly(client.erase, torrent.info_hash)
    if directory.exists() and not keep_data:
        shutil.rmtree(directory, ignore_errors=True)


def _quietly(call, *args) -> None:
    try:
        call(*args)
    except RTorrentError as exc:
        log.warning("%s%r during a move: %s", getattr(call, "__name__", call), args, exc.message)


def _finish(
    torrent: Torrent,
    target: Node,
    target_client,
    source_client,
    *,
    started: bool,
    active: bool,
    delete_source: bool,
) -> None:
    """After the switch: its speed group on the target (named while it is stopped), started
    there as it was (or paused), then erased from the source and its source copy deleted. A
    failure here is recorded (the torrent is on the target, its data checked); the target's
    reconcile applies the speed groups again."""
    problems = []
    try:
        node_throttles_apply(node=target)
    except RTorrentError as exc:
        problems.append(f"speed groups not applied: {exc.message}")
    try:
        if started:
            _restart(target_client, torrent.info_hash, active)
        with contextlib.suppress(TorrentNotFound):
            source_client.erase(torrent.info_hash)
        if delete_source:
            directory_delete(torrent=torrent)  # `torrent` still describes the source copy
    except (RTorrentError, OSError) as exc:
        problems.append(exc.message if isinstance(exc, RTorrentError) else str(exc))
    if problems:
        Torrent.objects.filter(pk=torrent.pk).update(
            last_error=f"moved, but: {'; '.join(problems)}"[:2000]
        )
