"""Per-file selection and priority: each owner chooses skip, normal or high for every file.

An owner's choice is kept on their ownership, one character per file (`Ownership.file_priorities`,
"" for all normal), so a 10,000-file torrent costs one 10 kB field, not 10,000 rows. rTorrent
downloads once for everyone, so it gets the highest choice of all owners for each file
(`TorrentFile.priority` keeps it); each owner is charged quota only for the files they selected.

A change is stored first (the choice is never lost), then applied to rTorrent by a Celery task
after the commit (`f.priority.set` + `d.update_priorities`); while the node or the broker is down,
`Torrent.priorities_pending` stays set and the next push or reconcile applies it. A file un-skipped
on a torrent whose wanted files were all done also makes its download reconnect (see
`_fetch_again`): rTorrent 0.9.8 does not fetch it otherwise.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from seedbox.queue import enqueue
from torrents.models import IN_RTORRENT, Node, Ownership, Torrent, TorrentFile, TorrentStatus
from torrents.rtorrent import RTorrentError, TorrentNotFound
from torrents.services.nodes import node_client, torrent_queue
from torrents.services.quota import QuotaExceeded, quota_charge, quota_release

log = logging.getLogger(__name__)

SKIP, NORMAL, HIGH = 0, 1, 2
LEVELS = {"skip": SKIP, "normal": NORMAL, "high": HIGH}
NAMES = {level: name for name, level in LEVELS.items()}
LEVEL_CHOICES = [(name, name) for name in LEVELS]  # for forms and the API schema


class PriorityError(Exception):
    """The request cannot be done (a bad index or level, a file list not known yet): a 400."""


class NotAnOwner(Exception):
    """Priorities are each owner's own: someone who does not own the torrent has none (a 403)."""


class PriorityQuotaExceeded(Exception):
    """Selecting these files would pass the user's quota; nothing changed."""

    def __init__(self, *, needed: int, free: int):
        super().__init__(
            f"not enough quota to select these files: they need {human_size(needed)} more "
            f"and {human_size(max(free, 0))} are free; skip other files or free some space"
        )
        self.needed = needed
        self.free = free


def human_size(nbytes: int) -> str:
    """'2.9 KB', with a plain space (filesizeformat's is a no-break one, odd in JSON)."""
    return filesizeformat(nbytes).replace("\xa0", " ")


def level_of(value) -> int:
    """'skip' / 'normal' / 'high' (or 0 / 1 / 2) as a level; PriorityError for anything else."""
    if isinstance(value, str) and value in LEVELS:
        return LEVELS[value]
    if isinstance(value, int) and not isinstance(value, bool) and value in NAMES:
        return value
    raise PriorityError(f"{value!r} is not a priority: use skip, normal or high")


def levels_decode(text: str, count: int) -> list[int]:
    """An ownership's stored choice as one level per file (missing ones: normal)."""
    levels = [int(c) if c in "012" else NORMAL for c in text[:count]]
    return levels + [NORMAL] * (count - len(levels))


def levels_encode(levels: Sequence[int]) -> str:
    """The stored form: "" when every file is normal (the common case costs nothing)."""
    if all(level == NORMAL for level in levels):
        return ""
    return "".join(str(level) for level in levels)


def selected_bytes(sizes: Sequence[int], levels: Sequence[int]) -> int:
    """What an owner is charged: the sizes of the files they did not skip."""
    return sum(size for size, level in zip(sizes, levels, strict=True) if level != SKIP)


def owner_levels(*, ownership: Ownership, count: int) -> list[int]:
    return levels_decode(ownership.file_priorities, count)


def highest_levels(choices: Iterable[str], count: int) -> list[int]:
    """For each file, the highest level any owner chose (all normal with no owner left)."""
    decoded = [levels_decode(text, count) for text in choices]
    if not decoded:
        return [NORMAL] * count
    return [max(column) for column in zip(*decoded, strict=True)] if count else []


def skip_list_levels(*, count: int, skip: Iterable[int]) -> list[int]:
    """The levels for a list of file indexes to skip at add time; PriorityError for an index
    that is not a file of the torrent."""
    levels = [NORMAL] * count
    for index in skip:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
            raise PriorityError(
                f"skip_files: {index!r} is not a file index of this torrent (0 to {count - 1})"
            )
        levels[index] = SKIP
    return levels


@dataclass(frozen=True)
class PriorityChange:
    """What a change did: the owner's new charge, and whether rTorrent still has to be told
    (with why, for the person: the node is down)."""

    charged_bytes: int
    applied_later: str = ""


def _sizes(torrent: Torrent) -> list[int]:
    return list(torrent.files.order_by("index").values_list("size_bytes", flat=True))


def ownership_charge_selected(*, ownership: Ownership, sizes: Sequence[int]) -> None:
    """Charge (or refund) the owner to what they selected now; PriorityQuotaExceeded, changing
    nothing, when the extra does not fit. Call inside a transaction."""
    wanted = selected_bytes(sizes, owner_levels(ownership=ownership, count=len(sizes)))
    delta = wanted - ownership.charged_bytes
    if delta > 0:
        try:
            quota_charge(user_id=ownership.user_id, nbytes=delta)
        except QuotaExceeded as exc:
            raise PriorityQuotaExceeded(needed=exc.needed, free=exc.free) from None
    elif delta < 0:
        quota_release(user_id=ownership.user_id, nbytes=-delta)
    ownership.charged_bytes = wanted
    ownership.save(update_fields=["charged_bytes", "file_priorities"])


def torrent_wanted_refresh(*, torrent: Torrent) -> bool:
    """Recompute what rTorrent should get (the highest of the owners' choices) into the file
    rows; True when it changed (rTorrent has to be told). Three UPDATEs at most."""
    count = torrent.files.count()
    choices = torrent.ownerships.values_list("file_priorities", flat=True)
    wanted = highest_levels(choices, count)
    current = dict(torrent.files.values_list("index", "priority"))
    changed: dict[int, list[int]] = {}
    for index, level in enumerate(wanted):
        if current.get(index) != level:
            changed.setdefault(level, []).append(index)
    for level, indexes in changed.items():
        for start in range(0, len(indexes), 5000):  # far below SQLite's variable limit
            TorrentFile.objects.filter(
                torrent=torrent, index__in=indexes[start : start + 5000]
            ).update(priority=level)
    return bool(changed)


def _node_down_reason(node: Node) -> str:
    if not node.enabled:
        return f"its node {node.name} is disabled for maintenance"
    if node.is_up is False:
        return f"its node {node.name} does not answer ({node.last_error or 'down'})"
    return ""


def torrent_set_file_priorities(
    *, torrent: Torrent, user, priorities: Mapping[int, object]
) -> PriorityChange:
    """Set `user`'s priority for some files ({file index: "skip" | "normal" | "high"}), charge
    or refund their quota to match, and have rTorrent apply the highest choice of all owners.

    Raises PriorityError (bad input, no file list yet), NotAnOwner, or PriorityQuotaExceeded
    (un-skipping past the quota): then nothing changed. rTorrent is told after the commit by a
    task; `applied_later` says why when it cannot be at once (the node is down)."""
    with transaction.atomic():
        # Its row alone: the sync locks the node first (FOR UPDATE of a join locks the node too).
        locked = (
            Torrent.objects.select_for_update(of=("self",))
            .select_related("node")
            .get(pk=torrent.pk)
        )
        ownership = Ownership.objects.select_for_update().filter(torrent=locked, user=user).first()
        if ownership is None:
            raise NotAnOwner(
                "file priorities are each owner's own choice, and you do not own this torrent"
            )
        if locked.status in (TorrentStatus.REJECTED, TorrentStatus.REMOVED, TorrentStatus.EXPIRED):
            raise PriorityError(f"the torrent is {locked.get_status_display()}")
        sizes = _sizes(locked)
        if not sizes:
            raise PriorityError("the file list is not known yet (the metadata has not arrived)")
        levels = owner_levels(ownership=ownership, count=len(sizes))
        for index, value in priorities.items():
            if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(sizes):
                raise PriorityError(f"{index!r} is not a file index of this torrent")
            levels[index] = level_of(value)
        ownership.file_priorities = levels_encode(levels)
        ownership_charge_selected(ownership=ownership, sizes=sizes)
        later = ""
        if torrent_wanted_refresh(torrent=locked) or locked.priorities_pending:
            later = priorities_apply_after_commit(torrent=locked)
        Torrent.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return PriorityChange(charged_bytes=ownership.charged_bytes, applied_later=later)


def priorities_apply_after_commit(*, torrent: Torrent) -> str:
    """Mark the torrent's priorities pending and queue the task that applies them. Returns why
    they will be applied later rather than now ("" when nothing stands in the way)."""
    Torrent.objects.filter(pk=torrent.pk).update(priorities_pending=True)
    if torrent.status not in IN_RTORRENT:
        return ""  # not in rTorrent (yet): the push applies them
    torrent_id = torrent.pk
    transaction.on_commit(lambda: priorities_enqueue(torrent_id=torrent_id))
    reason = _node_down_reason(torrent.node)
    return f"your choice is saved; rTorrent gets it once it can: {reason}" if reason else ""


APPLY_TASK = "torrents.tasks.file_priorities.apply_file_priorities"


def priorities_enqueue(*, torrent_id: int) -> bool:
    """Publish the apply task once; False when the broker did not take it (the flag stays set,
    the reconcile applies it)."""
    return enqueue(APPLY_TASK, torrent_id, queue=torrent_queue(torrent_id))


def torrent_priorities_apply(*, torrent_id: int, client=None) -> str:
    """Tell rTorrent the files' priorities (the highest of the owners' choices) and clear the
    pending flag. The flag is cleared before reading, so a change made meanwhile sets it again
    and is applied by its own task. Raises RTorrentUnavailable (the flag set back) to retry."""
    torrent = Torrent.objects.select_related("node").filter(pk=torrent_id).first()
    if torrent is None or torrent.status not in IN_RTORRENT:
        return "skipped"
    Torrent.objects.filter(pk=torrent_id).update(priorities_pending=False)
    levels = list(torrent.files.order_by("index").values_list("priority", flat=True))
    if not levels:
        return "no files"
    client = client or node_client(torrent.node)
    try:
        client.file_priorities_set(torrent.info_hash, levels)
        if torrent.status == TorrentStatus.SEEDING and client.wants_more(torrent.info_hash):
            _fetch_again(torrent, client)
    except TorrentNotFound:
        # Not loaded (any more): the push that loads it applies them.
        Torrent.objects.filter(pk=torrent_id).update(priorities_pending=True)
        return "not in rTorrent"
    except RTorrentError:
        Torrent.objects.filter(pk=torrent_id).update(priorities_pending=True)
        raise
    return "applied"


def _fetch_again(torrent: Torrent, client) -> None:
    """A torrent seeding because all its wanted files were done wants a file again (an owner
    un-skipped it): rTorrent would not fetch it from the peers it is connected to, so its
    connections are made anew, and the owners see it downloading at once (the next sync says
    so too, from rTorrent's wanted chunks). New peers are asked at once; rTorrent re-dials one
    it had a handshake with only after 600 s (measured: a single seeder resumed after 603 s)."""
    client.reconnect(torrent.info_hash)
    Torrent.objects.filter(pk=torrent.pk, status=TorrentStatus.SEEDING).update(
        status=TorrentStatus.DOWNLOADING, updated_at=timezone.now()
    )
    log.info("torrent %s wants an un-skipped file: reconnected to fetch it", torrent.pk)


def torrent_priorities_needed(*, torrent: Torrent) -> list[int] | None:
    """The levels to give rTorrent when it loads the torrent, or None when every file is
    normal (rTorrent's default: nothing to set)."""
    levels = list(torrent.files.order_by("index").values_list("priority", flat=True))
    return levels if any(level != NORMAL for level in levels) else None


def node_priorities_reapply(*, node: Node) -> int:
    """Apply the pending priorities of the node's torrents (what a down node or broker left);
    returns how many were applied. Stops at the first failure of the node itself."""
    applied = 0
    pending = Torrent.objects.filter(
        node=node, priorities_pending=True, status__in=IN_RTORRENT
    ).values_list("pk", flat=True)
    client = node_client(node)
    for pk in pending:
        if torrent_priorities_apply(torrent_id=pk, client=client) == "applied":
            applied += 1
    return applied


def files_skipped_by(*, torrent: Torrent, user) -> set[int]:
    """The file indexes `user` skipped on this torrent (none for someone who does not own it:
    an admin sees what rTorrent fetches, see `file_levels_for`)."""
    text = (
        Ownership.objects.filter(torrent=torrent, user=user)
        .values_list("file_priorities", flat=True)
        .first()
    )
    return {i for i, c in enumerate(text or "") if c == "0"}


def file_levels_for(*, torrent: Torrent, user, count: int) -> list[int]:
    """What to show `user` for each file: their own choice when they own it, else (an admin)
    what rTorrent is asked for, the highest of the owners'."""
    text = (
        Ownership.objects.filter(torrent=torrent, user=user)
        .values_list("file_priorities", flat=True)
        .first()
    )
    if text is not None:
        return levels_decode(text, count)
    return highest_levels(torrent.ownerships.values_list("file_priorities", flat=True), count)
