"""Set-up for the links tests: a torrent with a folder of real media (made by ffmpeg) and other
files on disk, owned by `owner` (fixtures owner/other/admin from torrents.tests.helpers_sync)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from media.services.share_links import share_link_update
from torrents.models import Torrent
from torrents.storage import torrent_directory
from torrents.tests.helpers_sync import add_torrent

FILES = {
    "album/one.mp4": 1000,
    "album/two.mp3": 1000,
    "album/notes.txt": 1000,
    "extras/secret.txt": 1000,
    "top.bin": 70_000,
}


def _ffmpeg(out: Path, *args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *args, str(out)], check=True, capture_output=True
    )


@pytest.fixture(scope="session")
def media_samples(tmp_path_factory) -> dict[str, Path]:
    """A 1-second H.264/AAC MP4 and an MP3, made once per run."""
    base = tmp_path_factory.mktemp("samples")
    mp4, mp3 = base / "one.mp4", base / "two.mp3"
    _ffmpeg(
        mp4,
        *("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1"),
        *("-f", "lavfi", "-i", "sine=frequency=440:duration=1"),
        *("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"),
    )
    _ffmpeg(mp3, "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "libmp3lame")
    return {"album/one.mp4": mp4, "album/two.mp3": mp3}


def on_disk(torrent: Torrent, path: str) -> Path:
    return torrent_directory(torrent) / torrent.name / path


@pytest.fixture
def library(node, owner, tmp_path, media_samples) -> Torrent:
    """`owner`'s multi-file torrent "library" with its data on disk (media files real)."""
    torrent = add_torrent(node, [owner], tmp_path, name="library", files=FILES, with_data=True)
    for path, sample in media_samples.items():
        shutil.copy(sample, on_disk(torrent, path))
    return torrent


def file_id(torrent: Torrent, path: str) -> int:
    return torrent.files.get(path=path).pk


__all__ = ["add_torrent", "share_link_update"]
