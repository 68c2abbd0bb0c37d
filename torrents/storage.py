"""Where a torrent's data lives: `<node data root>/<hash[:2]>/<hash>/`, one directory per
info-hash, so shared torrents are stored once and equal names never collide.

rTorrent is told `d.directory.set=<that directory>`: a single-file torrent's file lands in it, a
multi-file torrent's files in `<that directory>/<name>/`.
"""

import shutil
from pathlib import Path

from torrents.models import Node, Torrent


def torrent_directory(torrent: Torrent) -> Path:
    """What rTorrent is told with d.directory.set: where the data of `torrent` is."""
    if torrent.data_directory:  # adopted: where the daemon already had it
        return Path(torrent.data_directory)
    return Path(torrent.node.data_root) / torrent.info_hash[:2] / torrent.info_hash


def node_free_bytes(node: Node) -> int | None:
    """Free bytes on the node's data root, or None when the site cannot see it."""
    try:
        return shutil.disk_usage(node.data_root).free
    except OSError:
        return None
