"""Nodes: the rTorrent daemons the site drives, and how to reach them."""

from dataclasses import dataclass

from django.conf import settings

from torrents.models import Node
from torrents.rtorrent import RTorrentClient, RTorrentError
from torrents.rtorrent.daemon import DaemonConfig


def managed_daemon_config():
    """The DaemonConfig of the managed rTorrent, from settings."""
    return DaemonConfig(
        base_dir=settings.SEEDBOX_RTORRENT_DIR,
        data_dir=settings.SEEDBOX_DATA_DIR,
        binary=settings.SEEDBOX_RTORRENT_BIN,
        port_range=settings.SEEDBOX_RTORRENT_PORT_RANGE,
        bind_address=settings.SEEDBOX_RTORRENT_BIND,
        dht=settings.SEEDBOX_RTORRENT_DHT,
        pex=settings.SEEDBOX_RTORRENT_PEX,
        max_open_files=settings.SEEDBOX_RTORRENT_MAX_OPEN_FILES,
        scgi_tcp=settings.SEEDBOX_RTORRENT_SCGI_TCP,
    )


def node_ensure_managed() -> Node:
    """Create or update the node that settings describe (SEEDBOX_NODE_NAME, _RTORRENT_URL,
    _NODE_QUEUE when set: a second node's rtorrentd registers it with its worker's queue)."""
    defaults = {
        "rpc_url": settings.SEEDBOX_RTORRENT_URL,
        "data_root": str(settings.SEEDBOX_DATA_DIR),
        "managed": settings.SEEDBOX_RTORRENT_MANAGED,
    }
    if settings.SEEDBOX_NODE_QUEUE:
        defaults["queue"] = settings.SEEDBOX_NODE_QUEUE
    node, _ = Node.objects.update_or_create(name=settings.SEEDBOX_NODE_NAME, defaults=defaults)
    return node


def nodes_lock(node_ids: list[int], *, fields: tuple[str, ...] = ()) -> list[Node]:
    """Lock the nodes' rows as a sync does (inside the caller's transaction), in id order: runs
    of one node, and a move between two, are serialised. FOR NO KEY UPDATE, not FOR UPDATE: a
    torrent written meanwhile checks its foreign key with a KEY SHARE lock on its node's row,
    which FOR UPDATE would block (a page's write waiting on the sync, the sync on that write's
    torrent row: a deadlock)."""
    rows = Node.objects.select_for_update(no_key=True).filter(pk__in=node_ids).order_by("pk")
    return list(rows.only(*fields) if fields else rows)


def torrent_queue(torrent_id: int) -> str | None:
    """The Celery queue of the node holding the torrent (Node.queue), None for the default:
    its pushes, checks and removals run on a worker next to that node."""
    queue = Node.objects.filter(torrents__pk=torrent_id).values_list("queue", flat=True).first()
    return queue or None


def node_client(node: Node, *, quick: bool = False) -> RTorrentClient:
    """A client for the node; `quick` for calls made while a person waits."""
    timeout = (
        settings.SEEDBOX_RTORRENT_QUICK_TIMEOUT if quick else settings.SEEDBOX_RTORRENT_TIMEOUT
    )
    return RTorrentClient(node.rpc_url, timeout=timeout)


@dataclass(frozen=True)
class NodeProbe:
    node: str
    ok: bool
    version: str = ""
    error: str = ""


def node_probe(node: Node) -> NodeProbe:
    """Ask the node its version, within the quick timeout."""
    try:
        version = node_client(node, quick=True).version()
    except RTorrentError as exc:
        return NodeProbe(node=node.name, ok=False, error=exc.message)
    return NodeProbe(node=node.name, ok=True, version=version)
