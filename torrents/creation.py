"""Making a .torrent (v1) from data files, for uploads that come without one.

The file list follows mktorrent (every regular file, hidden and empty ones too, sorted by the
bytes of its path), so the info-hash equals mktorrent's for the same data and piece size. torf
4.3 differs there (it drops hidden and empty files and sorts by path parts) and hashes slower, so
the pieces are hashed in threads here (`piece_hashing`) and the metainfo bencoded directly.
"""

import os
import time
from pathlib import Path

import bencodepy
import torf

from torrents.piece_hashing import piece_hashes

MIN_PIECE = 16 * 1024
MAX_PIECE = 16 * 1024 * 1024
TARGET_PIECES = 1500


class TorrentCreationError(torf.TorfError):
    """The data cannot make a torrent: missing, empty, unreadable, or not plain files.
    A TorfError, so callers written for the torf-based version still catch it."""


def choose_piece_size(total_size: int) -> int:
    """A power of two giving about TARGET_PIECES pieces, between 16 KiB and 16 MiB."""
    size = MIN_PIECE
    while size < MAX_PIECE and total_size / size > TARGET_PIECES:
        size *= 2
    return size


def data_files(path: Path) -> list[tuple[str, tuple[bytes, ...], int]]:
    """(file, path parts under `path`, size) for every file under the folder `path`, in the
    order the torrent lists them. Links and special files are refused, not skipped."""
    found = list(_walk(path, ()))
    found.sort(key=lambda item: b"/".join(item[1]))
    return found


def _walk(folder: str | Path, parts: tuple[bytes, ...]):
    # Plain strings, not Paths: with thousands of files, pathlib alone cost a third of the listing.
    with os.scandir(folder) as entries:
        for entry in entries:
            entry_parts = (*parts, os.fsencode(entry.name))
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, entry_parts)
            elif entry.is_file(follow_symlinks=False):
                yield entry.path, entry_parts, entry.stat(follow_symlinks=False).st_size
            else:
                raise TorrentCreationError(f"{entry.path} is not a plain file or folder")


def create_torrent(
    path: Path,
    *,
    trackers: list[str],
    name: str | None = None,
    private: bool = False,
    comment: str = "",
    piece_size: int | None = None,
    threads: int | None = None,
) -> bytes:
    """The bencoded metainfo for the file or folder at `path` (folder: every file under it).
    Trackers become one tier each; `threads` defaults to one per CPU. Safe to call concurrently."""
    path = Path(os.path.abspath(path))
    try:
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            raise TorrentCreationError(f"{path} is not a plain file or folder")
        folder = path.is_dir()
        files = data_files(path) if folder else [(str(path), (), path.stat().st_size)]
        total = sum(size for _, _, size in files)
        if total == 0:
            raise TorrentCreationError(f"{path} holds no data (no file, or only empty ones)")
        piece_size = piece_size or choose_piece_size(total)
        if piece_size < MIN_PIECE or piece_size & (piece_size - 1):
            raise TorrentCreationError(f"piece size {piece_size} is not a power of two >= 16 KiB")
        pieces = piece_hashes([(f, size) for f, _, size in files], piece_size, threads=threads)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise TorrentCreationError(f"cannot read {exc.filename or path}: {reason}") from exc

    info: dict = {"name": os.fsencode(name or path.name), "piece length": piece_size}
    info["pieces"] = pieces
    if folder:
        info["files"] = [{"length": size, "path": list(parts)} for _, parts, size in files]
    else:
        info["length"] = total
    if private:
        info["private"] = 1
    metainfo: dict = {"info": info, "created by": "Seedbox", "creation date": int(time.time())}
    if trackers:
        metainfo["announce"] = trackers[0]
    if len(trackers) > 1:
        metainfo["announce-list"] = [[url] for url in trackers]
    if comment:
        metainfo["comment"] = comment
    return bencodepy.encode(metainfo)
