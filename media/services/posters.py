"""Posters on disk, under SEEDBOX_MEDIA_DIR/posters/<torrent id>/: a frame ffmpeg takes at about
a tenth of a video (or an audio file's cover art), and TMDB's poster fetched once.

Rows keep paths relative to SEEDBOX_MEDIA_DIR; `poster_absolute` turns one back into a file and
refuses anything that would resolve outside the posters directory."""

import os
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from media.ffprobe import Probe

POSTERS = "posters"
FRAME_AT = 0.1  # of the duration: past the opening titles, before anything is spoiled
FFMPEG_TIMEOUT = 60.0


class PosterError(Exception):
    """No poster could be made (ffmpeg failed or took too long)."""


def _posters_root() -> Path:
    return (Path(settings.SEEDBOX_MEDIA_DIR) / POSTERS).resolve()


def poster_relative(*, torrent_id: int, name: str) -> str:
    return f"{POSTERS}/{int(torrent_id)}/{name}"


def poster_absolute(relative: str) -> Path | None:
    """The poster file a row names, or None when it is not there (or not a poster's path)."""
    if not relative:
        return None
    root = _posters_root()
    path = (Path(settings.SEEDBOX_MEDIA_DIR) / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def _write_atomically(target: Path, write) -> None:
    """`write(tmp_path)` then rename over `target`: a reader never sees half a JPEG, and two
    runs at once leave one whole file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part.jpg")
    os.close(handle)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def poster_frame_make(*, source: Path, probe: Probe, torrent_id: int, file_id: int) -> str:
    """A JPEG of the video at FRAME_AT of its duration (a cover picture as it is), scaled to
    SEEDBOX_POSTER_WIDTH; its path relative to SEEDBOX_MEDIA_DIR. Made once per file."""
    relative = poster_relative(torrent_id=torrent_id, name=f"file-{int(file_id)}.jpg")
    target = Path(settings.SEEDBOX_MEDIA_DIR) / relative
    if target.is_file():
        return relative
    video = probe.video
    cover = next((s for s in probe.streams if s.attached_picture), None)
    stream = video or cover
    if stream is None:
        raise PosterError("no picture in this file")
    seek = []
    if video is not None and probe.duration_seconds:
        seek = ["-ss", f"{probe.duration_seconds * FRAME_AT:.3f}"]
    width = settings.SEEDBOX_POSTER_WIDTH

    def write(tmp: Path) -> None:
        command = [
            settings.SEEDBOX_FFMPEG_BIN, "-v", "error", "-nostdin", "-y",
            *seek, "-i", str(source),
            "-map", f"0:{stream.index}", "-frames:v", "1",
            "-vf", f"scale='min({width},iw)':-2", "-q:v", "4", "-f", "image2", str(tmp),
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise PosterError(f"ffmpeg took more than {FFMPEG_TIMEOUT:.0f} s") from None
        except OSError as exc:
            raise PosterError(f"ffmpeg could not run: {exc}") from None
        if done.returncode != 0 or tmp.stat().st_size == 0:
            lines = done.stderr.decode(errors="replace").strip().splitlines()
            raise PosterError(lines[-1] if lines else f"ffmpeg exited {done.returncode}")

    _write_atomically(target, write)
    return relative


def poster_image_store(*, torrent_id: int, name: str, data: bytes) -> str:
    """Keep a fetched poster (TMDB's) as `name` in the torrent's posters; its relative path."""
    relative = poster_relative(torrent_id=torrent_id, name=name)
    target = Path(settings.SEEDBOX_MEDIA_DIR) / relative
    _write_atomically(target, lambda tmp: tmp.write_bytes(data))
    return relative


def poster_exists(relative: str) -> bool:
    return poster_absolute(relative) is not None
