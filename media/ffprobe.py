"""ffprobe, Debian's, read as Python: what a file's container and streams are.

One call per file (`-show_format -show_streams` as JSON), bounded in time; an unreadable file is
a ProbeError with ffprobe's own words, never an exception of subprocess."""

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

PROBE_TIMEOUT = 30.0


class ProbeError(Exception):
    """ffprobe could not read the file (not media, truncated, or too slow)."""


@dataclass(frozen=True)
class Stream:
    index: int
    type: str  # video, audio, subtitle, data, attachment
    codec: str  # ffprobe's codec_name: h264, hevc, aac, mp3, subrip, ass, mov_text...
    language: str = ""
    title: str = ""
    width: int | None = None
    height: int | None = None
    channels: int | None = None
    attached_picture: bool = False  # cover art in an audio file, not a video
    default: bool = False


@dataclass(frozen=True)
class Probe:
    container: str  # format_name: "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"...
    duration_seconds: float | None
    bit_rate: int | None
    streams: list[Stream] = field(default_factory=list)

    def of_type(self, kind: str) -> list[Stream]:
        return [s for s in self.streams if s.type == kind and not s.attached_picture]

    @property
    def video(self) -> Stream | None:
        found = self.of_type("video")
        return found[0] if found else None

    @property
    def audio(self) -> Stream | None:
        found = self.of_type("audio")
        return found[0] if found else None


def _number(value, kind=float):
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None


def _stream(raw: dict) -> Stream:
    tags = raw.get("tags") or {}
    disposition = raw.get("disposition") or {}
    return Stream(
        index=int(raw.get("index", 0)),
        type=raw.get("codec_type", ""),
        codec=raw.get("codec_name", "") or "",
        language=tags.get("language", "") or "",
        title=tags.get("title", "") or "",
        width=_number(raw.get("width"), int),
        height=_number(raw.get("height"), int),
        channels=_number(raw.get("channels"), int),
        attached_picture=bool(disposition.get("attached_pic")),
        default=bool(disposition.get("default")),
    )


def probe(path: Path, *, timeout: float = PROBE_TIMEOUT) -> Probe:
    command = [
        settings.SEEDBOX_FFPROBE_BIN,
        "-v", "error",
        "-print_format", "json",
        "-show_format", "-show_streams",
        str(path),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ProbeError(f"ffprobe took more than {timeout:.0f} s") from None
    except OSError as exc:
        raise ProbeError(f"ffprobe could not run: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise ProbeError(message[-1] if message else f"ffprobe exited {done.returncode}")
    try:
        raw = json.loads(done.stdout)
    except ValueError:
        raise ProbeError("ffprobe gave no readable answer") from None
    fmt = raw.get("format") or {}
    if not fmt:
        raise ProbeError("not a media file")
    return Probe(
        container=fmt.get("format_name", ""),
        duration_seconds=_number(fmt.get("duration")),
        bit_rate=_number(fmt.get("bit_rate"), int),
        streams=[_stream(s) for s in raw.get("streams", [])],
    )
