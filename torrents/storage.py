"""Where a torrent's data lives: `<node data root>/<hash[:2]>/<hash>/`, one directory per
info-hash, so shared torrents are stored once and equal names never collide.

rTorrent is told `d.directory.set=<that directory>`: a single-file torrent's file lands in it, a
multi-file torrent's files in `<that directory>/<name>/`.
"""

from pathlib import Path

from torrents.models import Torrent


def torrent_directory(torrent: Torrent) -> Path:
    return Path(torrent.node.data_root) / torrent.info_hash[:2] / torrent.info_hash
