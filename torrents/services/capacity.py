"""Does a node's disk have room for a torrent? Free space of its data root, less what the
torrents already there still have to download.

Read from the site's side of the data root (the same place the push prepares directories in).
A node whose data root the site cannot read is not refused here: rTorrent's own low-disk stop
(see sync.LOW_DISK_MESSAGE) is the last word there.
"""

from django.db.models import F, Sum

from seedbox.sizes import human_sizes
from torrents.models import Node, Torrent, TorrentStatus
from torrents.storage import node_free_bytes

# Torrents whose data is still to come: on the disk or soon to be.
FILLING = (
    TorrentStatus.PENDING_APPROVAL,
    TorrentStatus.QUEUED,
    TorrentStatus.CHECKING,
    TorrentStatus.DOWNLOADING,
    TorrentStatus.PAUSED,
    TorrentStatus.STOPPED,
)


class NodeFull(Exception):
    """The node's disk cannot hold the torrent; the message says how much is missing."""


def node_pending_bytes(node: Node, *, exclude_pk: int | None = None) -> int:
    """What the node's torrents still have to write: size less what is complete."""
    torrents = Torrent.objects.filter(node=node, status__in=FILLING, size_bytes__isnull=False)
    if exclude_pk is not None:
        torrents = torrents.exclude(pk=exclude_pk)
    pending = torrents.aggregate(n=Sum(F("size_bytes") - F("completed_bytes")))["n"]
    return max(pending or 0, 0)


def node_room_check(*, node: Node, nbytes: int, exclude_pk: int | None = None) -> None:
    """Raise NodeFull when `nbytes` more do not fit on the node's disk, counting what its
    torrents still need."""
    if nbytes <= 0:
        return
    free = node_free_bytes(node)
    if free is None:
        return
    room = free - node_pending_bytes(node, exclude_pk=exclude_pk)
    if nbytes > room:
        needs, left = human_sizes(nbytes, max(room, 0))
        raise NodeFull(
            f"the server's disk has no room for it: it needs {needs} and "
            f"{left} are free once the torrents already there have finished; "
            "ask an administrator"
        )
