"""Speed: a node's global limits, per-user caps and per-torrent limits, as rTorrent's named
throttle groups (`throttle.up`/`throttle.down`, `d.throttle_name.set`).

rTorrent gives a download one throttle name, and groups cannot nest, so "a per-torrent limit
within a per-user cap" is a split of the cap (`cap_split`): a user's torrents without a limit of
their own share one group, `sb-u<user>`, at the user's cap; a torrent with a limit gets a group of
its own, `sb-t<torrent>`, at its limit; and when there are both, the torrents with a limit take
what they ask first, shrunk together so that the shared group keeps at least an eighth of the
cap. The rates of all of a user's groups on a node add up to at most the cap.

A shared torrent is counted once, against its first owner (the one who took it first, as in the
history's split rule): their cap and their limit for it apply. A co-owner's limit for it is kept
and applies if they become the first owner.

Every change (a limit, a cap, a node's limits) recomputes the node's plan and applies it
(`node_throttles_apply`): groups are (re)defined, and only torrents whose name differs are named
again. rTorrent forgets its groups when it restarts, so the apply also defines a marker group:
when the marker is gone the daemon restarted, and every named torrent is named again. The
reconcile runs the apply every time (idempotent), which also catches up on changes made while
the node was down.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from torrents.models import IN_RTORRENT, Node, Ownership, Torrent, TorrentStatus
from torrents.rtorrent import RTorrentClient, RTorrentError, RTorrentUnavailable
from torrents.rtorrent.client import throttle_name_command
from torrents.services.nodes import node_client

log = logging.getLogger(__name__)

# A named group throttles nothing while its direction's global limit is 0, so "no global limit"
# is sent as this (rTorrent 0.9.8 refuses 1 GiB/s and more).
NO_GLOBAL_LIMIT_BYTES = 256 * 1024 * 1024
# Defined last by every apply: gone means the daemon restarted (and lost every group).
MARKER_GROUP = "sb-applied"
PLANNED = (*IN_RTORRENT, TorrentStatus.QUEUED)
# The largest limit or cap (KiB/s): below what rTorrent takes.
MAX_KIB = 250_000


class LimitError(ValueError):
    """A limit that cannot be set; the message says why (a 400 for the API, a form error)."""


@dataclass(frozen=True)
class ThrottlePlan:
    groups: dict[str, tuple[int, int]]  # name: (up KiB/s, down KiB/s), 0: unlimited
    names: dict[str, str]  # info-hash: group name, "" for none


def pool_group(user_id: int) -> str:
    return f"sb-u{user_id}"


def own_group(torrent_id: int) -> str:
    return f"sb-t{torrent_id}"


def cap_split(cap: int, wants: list[int | None], pooled: bool) -> tuple[list[int], int]:
    """One direction of one user: the rates of the torrents with a group of their own (each
    wants its limit, None: as much as it can get) and of the shared group (`pooled`: there are
    torrents in it). 0 is unlimited, as for rTorrent; a cap of 0 limits nothing."""
    if not cap:
        return [w or 0 for w in wants], 0
    asked = [min(w or cap, cap) for w in wants]
    room = cap - (max(1, cap // 8) if pooled else 0)
    total = sum(asked)
    if total > room:
        asked = [max(1, a * room // total) for a in asked]
    pool = max(1, cap - sum(asked)) if pooled else 0
    return asked, pool


def node_throttle_plan(*, node: Node) -> ThrottlePlan:
    """Groups and names for every torrent of the node, from one query (see the module doc)."""
    rows = (
        Ownership.objects.filter(torrent__node=node, torrent__status__in=PLANNED)
        .order_by("torrent_id", "created_at", "id")
        .values_list(
            "torrent_id",
            "torrent__info_hash",
            "user_id",
            "user__upload_cap_kib",
            "user__download_cap_kib",
            "upload_limit_kib",
            "download_limit_kib",
        )
    )
    first: dict[int, tuple] = {}
    for row in rows:
        first.setdefault(row[0], row)
    by_user: dict[int, list[tuple]] = defaultdict(list)
    for row in first.values():
        by_user[row[2]].append(row)
    groups: dict[str, tuple[int, int]] = {}
    names: dict[str, str] = {}
    for user_id, held in by_user.items():
        cap_up, cap_down = held[0][3], held[0][4]
        own = [r for r in held if r[5] or r[6]]
        shared = [r for r in held if not (r[5] or r[6])]
        ups, pool_up = cap_split(cap_up, [r[5] for r in own], bool(shared))
        downs, pool_down = cap_split(cap_down, [r[6] for r in own], bool(shared))
        for r, up, down in zip(own, ups, downs, strict=True):
            groups[own_group(r[0])] = (up, down)
            names[r[1]] = own_group(r[0])
        pool = pool_group(user_id) if cap_up or cap_down else ""
        if pool and shared:
            groups[pool] = (pool_up, pool_down)
        for r in shared:
            names[r[1]] = pool
    return ThrottlePlan(groups=groups, names=names)


def _global_set(client: RTorrentClient, node: Node) -> None:
    client.global_limits_set(
        up_bytes=node.upload_limit_kib * 1024 or NO_GLOBAL_LIMIT_BYTES,
        down_bytes=node.download_limit_kib * 1024 or NO_GLOBAL_LIMIT_BYTES,
    )


def node_throttles_apply(*, node: Node, quick: bool = False) -> dict:
    """Make the node match its plan; safe to run any number of times. Raises RTorrentError."""
    client = node_client(node, quick=quick)
    plan = node_throttle_plan(node=node)
    restarted = client.throttle_group_max(MARKER_GROUP)[0] == -1
    _global_set(client, node)
    client.throttle_groups_set(plan.groups)
    current = client.throttle_names()
    renamed = {
        h: (name, current[h][1])
        for h, name in plan.names.items()
        if h in current and (current[h][0] != name or (restarted and name))
    }
    client.throttle_names_set(renamed)
    client.throttle_groups_set({MARKER_GROUP: (1, 1)})
    return {"groups": len(plan.groups), "renamed": len(renamed), "restarted": restarted}


def throttle_load_commands(*, client: RTorrentClient, torrent: Torrent) -> list[str]:
    """For a push: the node's groups defined now and the command that names the torrent as it
    is loaded (before it starts, when rTorrent takes a name). The marker is left to the full
    apply, so a restart is still noticed."""
    plan = node_throttle_plan(node=torrent.node)
    name = plan.names.get(torrent.info_hash, "")
    if not name:
        return []
    try:
        _global_set(client, torrent.node)
        client.throttle_groups_set({name: plan.groups[name]})
    except RTorrentUnavailable:
        raise
    except RTorrentError as exc:  # never a reason to refuse the torrent: the reconcile retries
        log.warning("speed group of torrent %s not set: %s", torrent.info_hash, exc.message)
        return []
    return [throttle_name_command(name)]


def throttles_apply_later(*, nodes: list[Node]) -> None:
    """After the commit, apply on each node now, once; a node that does not answer gets it from
    the next reconcile."""

    def apply() -> None:
        for node in nodes:
            try:
                node_throttles_apply(node=node, quick=True)
            except RTorrentError as exc:
                log.info("speed limits of node %s left to the reconcile: %s", node.name, exc)

    transaction.on_commit(apply)


def ownership_limits_set(
    *, torrent: Torrent, user: User, upload_kib: int | None, download_kib: int | None
) -> Ownership:
    """An owner's limits for one torrent (None: none), never above their own caps."""
    ownership = Ownership.objects.filter(torrent=torrent, user=user).first()
    if ownership is None:
        raise LimitError("only an owner of this torrent sets its speed limits")
    for value, cap, what in (
        (upload_kib, user.upload_cap_kib, "upload"),
        (download_kib, user.download_cap_kib, "download"),
    ):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_KIB:
            raise LimitError(
                f"the {what} limit is a whole number of KiB/s from 1 to {MAX_KIB} (or null)"
            )
        if cap and value > cap:
            raise LimitError(
                f"your {what} cap is {cap} KiB/s: a torrent's limit cannot be above it"
            )
    with transaction.atomic():
        Ownership.objects.filter(pk=ownership.pk).update(
            upload_limit_kib=upload_kib, download_limit_kib=download_kib
        )
        throttles_apply_later(nodes=[torrent.node])
    ownership.upload_limit_kib, ownership.download_limit_kib = upload_kib, download_kib
    return ownership


def user_throttles_apply(*, user: User) -> None:
    """After an admin changed a user's caps: every node holding their torrents, after commit."""
    nodes = list(Node.objects.filter(enabled=True, torrents__ownerships__user=user).distinct())
    throttles_apply_later(nodes=nodes)


def node_limits_apply(*, node: Node) -> None:
    """After an admin changed a node's global limits."""
    if node.enabled:
        throttles_apply_later(nodes=[node])
