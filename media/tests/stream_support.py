"""Test set-up for the playing tests: short media made by the real ffmpeg (once per session), a
torrent whose files are those media on disk under a node's data root (rows made the way
torrents/tests/helpers_sync.py makes them; no rTorrent is asked anything by these endpoints),
and the HLS and media dirs in the test's tmp dir, with every encoder stopped at the end."""

import shutil
import subprocess
from pathlib import Path

import pytest
import torf
from django.utils import timezone

from media.ffmpeg import stop_detached
from media.models import Encode
from media.services.hls_cache import encode_directory
from torrents.models import Node, Ownership, Torrent, TorrentFile
from torrents.storage import torrent_directory

SECONDS = 10
_LAVFI = ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={SECONDS}"]
_SINE = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}"]
SRT = "1\n00:00:01,000 --> 00:00:03,000\nHello from the side file\n\n"
RECIPES = {
    # H.264/AAC MP4 (a keyframe every 2 s): direct play, and HLS by remux.
    "h264.mp4": [*_LAVFI, *_SINE, "-c:v", "libx264", "-preset", "ultrafast", "-g", "50",
                 "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart"],
    # MPEG-4 part 2 and MP3 in AVI: no direct play, HLS by transcode.
    "mpeg4.avi": [*_LAVFI, *_SINE, "-c:v", "mpeg4", "-q:v", "5", "-c:a", "libmp3lame"],
}  # fmt: skip


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=120)


def ffprobe_duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    return float(out.stdout.strip())


def ffprobe_streams(path: Path) -> list[str]:
    """'type:codec[:height]' of each stream."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,height",
         "-of", "csv=p=0", str(path)],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    lines = [line.strip() for line in out.stdout.splitlines() if line.strip()]
    return list(dict.fromkeys(lines))  # ffprobe lists a TS's streams again under its program


@pytest.fixture(scope="session")
def media_samples(tmp_path_factory) -> dict[str, Path]:
    """The sample media by name, made once: h264.mp4, mpeg4.avi, and two with a subtitle
    stream inside (subs.mkv: subrip; subs.mp4: mov_text)."""
    directory = tmp_path_factory.mktemp("samples")
    made = {}
    for name, recipe in RECIPES.items():
        ffmpeg(*recipe, str(directory / name))
        made[name] = directory / name
    srt = directory / "side.srt"
    srt.write_text(SRT)
    for name, codec in (("subs.mkv", "srt"), ("subs.mp4", "mov_text")):
        ffmpeg("-i", str(made["h264.mp4"]), "-i", str(srt), "-map", "0", "-map", "1",
               "-c:v", "copy", "-c:a", "copy", "-c:s", codec, "-metadata:s:s:0", "language=fra",
               str(directory / name))  # fmt: skip
        made[name] = directory / name
    # Long enough (40 s at 640x480) that its transcode is still running after the first segment.
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=640x480:rate=25:duration=40", "-f", "lavfi",
           "-i", "sine=duration=40", "-c:v", "mpeg4", "-q:v", "5", "-c:a", "libmp3lame",
           str(directory / "long.avi"))  # fmt: skip
    made["long.avi"] = directory / "long.avi"
    # Two audio tracks: mono English (the first), stereo French.
    ffmpeg(*_LAVFI, *_SINE, "-f", "lavfi", "-i", f"sine=frequency=880:duration={SECONDS}",
           "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "ultrafast",
           "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac:a:1", "2",
           "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra",
           str(directory / "two-audio.mp4"))  # fmt: skip
    made["two-audio.mp4"] = directory / "two-audio.mp4"
    return made


def ffprobe_channels(path: Path) -> list[int]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a", "-show_entries", "stream=channels",
         "-of", "csv=p=0", str(path)],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    return list(dict.fromkeys(int(x) for x in out.stdout.split()))


@pytest.fixture
def media_dirs(settings, tmp_path):
    """HLS segments and converted subtitles in this test's tmp dir; encoders stopped after."""
    settings.SEEDBOX_HLS_DIR = tmp_path / "hls"
    settings.SEEDBOX_MEDIA_DIR = tmp_path / "media"
    yield
    for encode in Encode.objects.all():
        stop_detached(encode_directory(encode))


@pytest.fixture
def data_node(db, tmp_path) -> Node:
    """A node whose data root is in the tmp dir (its rTorrent is never called here)."""
    root = tmp_path / "data"
    root.mkdir()
    return Node.objects.create(name="media", rpc_url="scgi:///nonexistent.sock", data_root=root)


def media_torrent(
    node: Node, owners, scratch: Path, files: dict[str, Path | str], *, complete: bool = True
) -> Torrent:
    """A multi-file torrent named `media` of `files` ({path in the torrent: a sample to copy,
    or text}), its data on disk in its directory, its rows, `owners` owning it."""
    folder = scratch / "media"
    for rel, source in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copy(source, target)
        else:
            target.write_text(source)
    meta = torf.Torrent(path=folder, trackers=["http://127.0.0.1:6969/announce"])
    meta.generate()
    sizes = {rel: (folder / rel).stat().st_size for rel in files}
    torrent = Torrent.objects.create(
        info_hash=meta.infohash,
        name="media",
        size_bytes=sum(sizes.values()),
        piece_length=meta.piece_size,
        metainfo=meta.dump(),
        node=node,
        added_by=owners[0],
        completed_at=timezone.now() if complete else None,
    )
    TorrentFile.objects.bulk_create(
        TorrentFile(torrent=torrent, index=i, path=rel, size_bytes=sizes[rel])
        for i, rel in enumerate(sorted(files))
    )
    for user in owners:
        Ownership.objects.create(torrent=torrent, user=user, charged_bytes=torrent.size_bytes)
    directory = torrent_directory(torrent)
    directory.mkdir(parents=True)
    shutil.copytree(folder, directory / "media")
    return torrent


def file_of(torrent: Torrent, path: str) -> TorrentFile:
    return torrent.files.get(path=path)


def url(torrent: Torrent, path: str, tail: str) -> str:
    return f"/api/torrents/{torrent.pk}/files/{file_of(torrent, path).pk}/{tail}"
