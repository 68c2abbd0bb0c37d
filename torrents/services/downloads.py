"""Taking files home: which file on disk a request means, the byte range it asks, the zip.

Every path is built from the torrent's own rows (never from the request), resolved with symlinks
followed, and refused unless it lies inside that torrent's directory, itself inside the node's
data root. Counters: a file download counts when its body is sent from the first byte (a
download manager's later Range requests do not count again); a zip counts once for the torrent.
"""

import posixpath
from dataclasses import dataclass
from pathlib import Path

from django.db.models import F
from zipstream import ZIP_STORED, ZipStream

from torrents.models import Torrent, TorrentFile
from torrents.rtorrent import RTorrentError
from torrents.services.file_priorities import NAMES, SKIP, file_levels_for, files_skipped_by
from torrents.services.nodes import node_client
from torrents.storage import torrent_directory


class NotAvailable(Exception):
    """The file is not there (not downloaded yet, gone, or outside the torrent): answer 404."""


@dataclass(frozen=True)
class FileEntry:
    id: int
    index: int
    path: str
    size_bytes: int
    progress: float
    priority: str  # the caller's choice: skip, normal or high
    download_count: int


def torrent_files_list(*, torrent: Torrent, user) -> list[FileEntry]:
    """The files with their progress and `user`'s priority (an admin who does not own it: what
    rTorrent is asked for): progress read live from rTorrent in one short call when it
    answers, else from the rows (the files of a complete torrent that rTorrent fetched count
    as 1.0)."""
    rows = list(torrent.files.all())
    levels = file_levels_for(torrent=torrent, user=user, count=len(rows))
    live: list[dict] = []
    if rows:
        try:
            live = node_client(torrent.node, quick=True).files(torrent.info_hash)
        except RTorrentError:
            live = []
    by_index = dict(enumerate(live)) if len(live) == len(rows) else {}
    entries = []
    for row in rows:
        remote = by_index.get(row.index)
        if remote is not None:
            chunks = remote["size_chunks"]
            progress = remote["completed_chunks"] / chunks if chunks else 1.0
        else:
            fetched = torrent.completed_at and row.priority != SKIP
            done = row.size_bytes if fetched else row.completed_bytes
            progress = done / row.size_bytes if row.size_bytes else 1.0
        priority = NAMES.get(levels[row.index], "normal") if row.index < len(levels) else "normal"
        entries.append(
            FileEntry(
                row.id,
                row.index,
                row.path,
                row.size_bytes,
                round(min(progress, 1.0), 4),
                priority,
                row.download_count,
            )
        )
    return entries


def _data_base(torrent: Torrent) -> Path:
    """Where the torrent's relative file paths start: a multi-file torrent's files are in
    `<dir>/<name>/`, a single-file torrent's file (whose path is its name) in `<dir>/`."""
    directory = torrent_directory(torrent)
    named = directory / torrent.name
    return named if named.is_dir() else directory


def _inside(torrent: Torrent) -> Path:
    """The torrent's directory, resolved; NotAvailable unless it is inside the data root."""
    root = Path(torrent.node.data_root).resolve()
    try:
        directory = torrent_directory(torrent).resolve(strict=True)
    except OSError:
        raise NotAvailable("the torrent's data is not on disk") from None
    # The root itself only for an adopted torrent (a daemon that kept files at its top level):
    # each file is still checked to be one of the torrent's own.
    at_root = directory == root and not torrent.data_directory
    if at_root or not directory.is_relative_to(root):
        raise NotAvailable("the torrent's directory is outside the data root")
    return directory


def file_offered(*, torrent: Torrent, file: TorrentFile, user) -> None:
    """NotAvailable for a file `user` skipped, or one nobody wants (rTorrent never fetched it;
    what is on disk is at most the pieces it shares with its neighbours)."""
    if file.priority == SKIP or file.index in files_skipped_by(torrent=torrent, user=user):
        raise NotAvailable(f"{file.path} is skipped: it is not downloaded")


def file_path(*, torrent: Torrent, file: TorrentFile) -> Path:
    """The real path of one of the torrent's files, symlinks resolved, or NotAvailable."""
    directory = _inside(torrent)
    try:
        resolved = (_data_base(torrent) / file.path).resolve(strict=True)
    except OSError:
        raise NotAvailable(f"{file.path} is not on disk yet") from None
    if not resolved.is_relative_to(directory) or not resolved.is_file():
        raise NotAvailable(f"{file.path} is not a file of this torrent")
    return resolved


def data_accel_path(*, torrent: Torrent, path: Path) -> str:
    """Where nginx finds `path` (a resolved file of `torrent`) below its internal location:
    `<node>/<path in the node's data root>` (seedbox/file_serving.py)."""
    relative = path.relative_to(Path(torrent.node.data_root).resolve()).as_posix()
    return f"{torrent.node.name}/{relative}"


def download_count(*, torrent: Torrent, file: TorrentFile | None = None) -> None:
    Torrent.objects.filter(pk=torrent.pk).update(download_count=F("download_count") + 1)
    if file is not None:
        TorrentFile.objects.filter(pk=file.pk).update(download_count=F("download_count") + 1)


def folder_files(*, torrent: Torrent, user, folder: str = "") -> list[TorrentFile]:
    """The torrent's files under `folder` ('' for all) that `user` did not skip (and someone
    wants), or NotAvailable for none/bad input."""
    skipped = files_skipped_by(torrent=torrent, user=user)
    files = [f for f in torrent.files.all() if f.priority != SKIP and f.index not in skipped]
    folder = folder.strip("/")
    if folder:
        if posixpath.normpath(folder) != folder or folder.startswith(".."):
            raise NotAvailable("no such folder in this torrent")
        files = [f for f in files if f.path.startswith(folder + "/")]
    if not files:
        raise NotAvailable("no such folder in this torrent" if folder else "no files")
    return files


def torrent_zip(*, torrent: Torrent, files: list[TorrentFile]) -> ZipStream:
    """A zip of the files as it will be streamed (stored, zip64 when needed, sized ahead so the
    response has a Content-Length). Files not on disk, or resolving outside the torrent's
    directory, are left out."""
    stream = ZipStream(compress_type=ZIP_STORED, sized=True)
    multi = _data_base(torrent) != torrent_directory(torrent)
    for file in files:
        try:
            path = file_path(torrent=torrent, file=file)
        except NotAvailable:
            continue
        arcname = f"{torrent.name}/{file.path}" if multi else file.path
        stream.add_path(str(path), arcname)
    if not len(stream.info_list()):
        raise NotAvailable("none of these files is on disk yet")
    return stream


def zip_filename(*, torrent: Torrent, folder: str = "") -> str:
    base = posixpath.basename(folder.strip("/")) if folder else torrent.name
    return f"{base or torrent.info_hash}.zip"
