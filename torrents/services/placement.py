"""Which node a new torrent goes to: among the enabled nodes that take new torrents (an admin
drains a node by turning `accepts_new_torrents` off: it keeps syncing and seeding what it has),
or only the nodes a user is pinned to when an admin pinned them, the one with the most room
that can hold it: free disk less what its torrents still have to write. Nodes whose disk this
site cannot see come after those it can; ties go to the node holding the fewest torrents, then
by name. When none has room, the one with the most is chosen and the room check
(capacity.node_room_check) says why the torrent cannot go there."""

import os

from django.db.models import Count, Q

from torrents.models import Node, TorrentStatus
from torrents.services.capacity import node_pending_bytes
from torrents.storage import node_free_bytes


class NoNode(Exception):
    """No node may take a new torrent for this user."""


def _rooms(nodes: list[Node]) -> dict[int, int | None]:
    """{node id: free disk less pending writes}; nodes sharing a disk share one measure of its
    free space (two measures a moment apart differ, and would break their tie at random)."""
    free_on: dict[int, int | None] = {}
    rooms: dict[int, int | None] = {}
    for node in nodes:
        try:
            device = os.stat(node.data_root).st_dev
        except OSError:
            rooms[node.pk] = None
            continue
        if device not in free_on:
            free_on[device] = node_free_bytes(node)
        free = free_on[device]
        rooms[node.pk] = None if free is None else free - node_pending_bytes(node)
    return rooms


def nodes_open_to(user) -> list[Node]:
    """The nodes `user`'s new torrents may go to, with `load` (torrents held) annotated."""
    nodes = Node.objects.filter(enabled=True, accepts_new_torrents=True)
    if user is not None and user.pk and Node.objects.filter(pinned_users=user).exists():
        nodes = nodes.filter(pinned_users=user)
    return list(
        nodes.annotate(load=Count("torrents", filter=~Q(torrents__status=TorrentStatus.REMOVED)))
    )


def node_for_new_torrent(*, user=None, size: int | None = None) -> Node:
    nodes = nodes_open_to(user)
    if not nodes:
        raise NoNode("no rTorrent node takes new torrents on this site now; ask an administrator")
    rooms = _rooms(nodes)

    def preference(node: Node):
        room = rooms[node.pk]
        fits = room is None or size is None or room >= size
        return (not fits, room is None, -(room or 0), node.load, node.name)

    return min(nodes, key=preference)


def nodes_drain(*, nodes, draining: bool) -> int:
    """Drain `nodes` (no new torrents; syncing and seeding go on) or open them again."""
    return nodes.update(accepts_new_torrents=not draining)
