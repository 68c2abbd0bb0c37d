"""Talking to rTorrent: the XML-RPC client, its error types and the managed daemon."""

from torrents.rtorrent.client import SCGI_MAX_REQUEST, TORRENT_FIELDS, RTorrentClient
from torrents.rtorrent.errors import (
    RequestTooLarge,
    RTorrentError,
    RTorrentFault,
    RTorrentUnavailable,
    TorrentNotFound,
    TorrentNotLoaded,
)

__all__ = [
    "SCGI_MAX_REQUEST",
    "TORRENT_FIELDS",
    "RTorrentClient",
    "RTorrentError",
    "RTorrentFault",
    "RTorrentUnavailable",
    "RequestTooLarge",
    "TorrentNotFound",
    "TorrentNotLoaded",
]
