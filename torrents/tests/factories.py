"""Real .torrent files made on the fly (torf), for tests that load them into rTorrent."""

import os
from pathlib import Path

import torf


def make_torrent(
    directory: Path,
    name: str = "payload.bin",
    size: int = 64 * 1024,
    *,
    files: dict[str, int] | None = None,
    trackers: list[str] | None = None,
    piece_size: int = 16 * 1024,
) -> tuple[bytes, str, Path]:
    """(metainfo bytes, info-hash, data path): one file of `size` random bytes, or a folder
    `name` with `files` {relative path: size}."""
    path = directory / name
    if files:
        for rel, file_size in files.items():
            (path / rel).parent.mkdir(parents=True, exist_ok=True)
            (path / rel).write_bytes(os.urandom(file_size))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    # rTorrent 0.9.8 silently drops a torrent with no tracker at all, so there is always one.
    trackers = trackers or ["http://127.0.0.1:6969/announce"]
    torrent = torf.Torrent(path=path, trackers=trackers, piece_size=piece_size)
    torrent.generate()
    return torrent.dump(), torrent.infohash, path
