"""Talking to rTorrent: the XML-RPC client, its error types and the managed daemon."""

from torrents.rtorrent.client import TORRENT_FIELDS, RTorrentClient
from torrents.rtorrent.errors import (
    RTorrentError,
    RTorrentFault,
    RTorrentUnavailable,
    TorrentNotFound,
    TorrentNotLoaded,
)

__all__ = [
    "TORRENT_FIELDS",
    "RTorrentClient",
    "RTorrentError",
    "RTorrentFault",
    "RTorrentUnavailable",
    "TorrentNotFound",
    "TorrentNotLoaded",
]
