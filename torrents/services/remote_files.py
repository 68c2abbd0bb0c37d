"""Files of a node on another host (Node.files_url): the site does not serve them, it signs a
link that the nginx next to the node honours (deploy/nginx/node-files.conf.template, nginx's
secure_link: md5 of expiry, path and the node's secret, checked with the expiry by nginx), and
answers the download with a redirect to it. The bytes never pass through the web process.

The path is built from the torrent's rows as rTorrent lays them out (its directory, then the
name's folder for a multi-file torrent), since this host cannot see that disk."""

import base64
import hashlib
import posixpath
import time
from urllib.parse import quote, urlsplit

from django.conf import settings

from torrents.models import Torrent, TorrentFile
from torrents.services.downloads import NotAvailable
from torrents.storage import torrent_directory


def is_remote(torrent: Torrent) -> bool:
    return bool(torrent.node.files_url)


def _single_file(torrent: Torrent, file: TorrentFile) -> bool:
    """A single-file torrent's one file has the torrent's name as its path (no folder)."""
    return file.path == torrent.name and torrent.files.count() == 1


def _relative(torrent: Torrent, file: TorrentFile) -> str:
    clean = posixpath.normpath(file.path)
    if clean.startswith(("/", "..")) or clean != file.path:
        raise NotAvailable(f"{file.path} is not a file of this torrent")
    directory = torrent_directory(torrent).relative_to(torrent.node.data_root).as_posix()
    if _single_file(torrent, file):
        return f"{directory}/{clean}"
    return f"{directory}/{torrent.name}/{clean}"


def secure_link_token(*, uri: str, expires: int, secret: str) -> str:
    """nginx's `secure_link_md5 "$secure_link_expires$uri <secret>"`, base64url without '='
    (MD5 is what the module computes; the secret and the expiry are what protect the link)."""
    digest = hashlib.md5(f"{expires}{uri} {secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def remote_file_url(*, torrent: Torrent, file: TorrentFile, seconds: int | None = None) -> str:
    """A link to `file` on its node's host, valid for `seconds` (SEEDBOX_REMOTE_LINK_SECONDS)."""
    node = torrent.node
    expires = int(time.time()) + (seconds or settings.SEEDBOX_REMOTE_LINK_SECONDS)
    base = node.files_url.rstrip("/")
    uri = urlsplit(base).path + "/" + _relative(torrent, file)
    token = secure_link_token(uri=uri, expires=expires, secret=node.files_secret)
    location = base[: len(base) - len(urlsplit(base).path)] + quote(uri)
    return f"{location}?md5={token}&expires={expires}"
