"""ffmpeg, Debian's, for HLS and subtitles: the command lines, and how an encoder is started.

An HLS encoder is a detached process: `sh` in a session of its own runs ffmpeg and, when ffmpeg
ends, writes its exit status to `<dir>/exit`. The starter (a web request) returns at once and
never waits on it, so there is no zombie and no worker slot held for a two-hour transcode. ffmpeg
itself is the heartbeat: `-progress <dir>/progress` is rewritten every second while it runs
(measured free: a remux with and without it takes the same time).

ffmpeg's segment muxer cuts the MPEG-TS segments and appends one `name,start,end` line to
`<dir>/segments.csv` as each one is complete; `hls_playlist` makes the EVENT playlist from those
lines when it is asked for. We chose that over ffmpeg's own HLS muxer writing the playlist
because that muxer rewrites the whole EVENT playlist after every segment (a temporary file
renamed over the old one, which ext4 answers by starting to write the new one out): on a remux
that copies 10 minutes of video in a third of a second, those 150 rewrites were a quarter of the
time (bench/README.md). One appended line per segment costs nothing.
"""

import math
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from media.models import HlsMode

SEGMENT_SECONDS = 4
SEGMENT_LIST = "segments.csv"
SEGMENT_PATTERN = "seg%05d.ts"
PROGRESS = "progress"
EXIT = "exit"
PID = "pid"
LOG = "ffmpeg.log"
SUBTITLE_TIMEOUT = 60.0

# $1 the encode's directory, the rest the ffmpeg command. The outer sh backgrounds the inner one
# and exits: the encoder is reparented to init (nobody needs to wait for it). The status is
# written in place, not renamed into place (no `mv` to start): an `exit` read while empty is
# "not ended yet" to exit_status, and it only appears once ffmpeg has ended.
_LAUNCHER = (
    'dir=$1; shift; echo $$ > "$dir/pid"; '
    '( "$@" </dev/null >/dev/null 2>"$dir/ffmpeg.log"; echo $? > "$dir/exit" ) &'
)


class FfmpegError(Exception):
    """ffmpeg could not make the file (its last words), or took too long."""


@dataclass(frozen=True)
class HlsJob:
    source: Path
    directory: Path
    mode: str  # HlsMode
    start_seconds: int = 0
    video: bool = True  # False for an audio file (its cover art is not a video)
    audio_index: int | None = None  # ffprobe's stream index; None: the first audio stream


def hls_command(job: HlsJob) -> list[str]:
    """ffmpeg's command that writes MPEG-TS segments into `job.directory` and lists each one in
    SEGMENT_LIST once it is complete (hls_playlist makes the playlist of them), cut at keyframes
    (the source's for a remux; forced every SEGMENT_SECONDS for a transcode)."""
    out = job.directory
    command = [settings.SEEDBOX_FFMPEG_BIN, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    if job.start_seconds:
        command += ["-ss", str(job.start_seconds)]
    command += ["-i", str(job.source)]
    if job.video:
        command += ["-map", "0:V:0"]  # V: a real video, not an attached picture
    command += ["-map", f"0:{job.audio_index}" if job.audio_index is not None else "0:a:0?"]
    if job.mode == HlsMode.REMUX:
        command += ["-c", "copy"]
    else:
        if job.video:
            height = settings.SEEDBOX_HLS_MAX_HEIGHT
            command += [
                "-c:v", "libx264", "-preset", settings.SEEDBOX_HLS_PRESET,
                "-vf", f"scale=-2:'min({height},ih)'", "-pix_fmt", "yuv420p",
                "-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_SECONDS})",
            ]  # fmt: skip
        command += ["-c:a", "aac", "-ac", "2", "-b:a", "160k"]
    command += [
        "-f", "segment",
        "-segment_time", str(SEGMENT_SECONDS),
        "-segment_format", "mpegts",
        "-segment_list", str(out / SEGMENT_LIST),
        "-segment_list_type", "csv",
        "-progress", str(out / PROGRESS), "-stats_period", "1",
        str(out / SEGMENT_PATTERN),
    ]  # fmt: skip
    return command


def _segments(directory: Path) -> list[tuple[str, float]]:
    """(name, seconds) of each segment SEGMENT_LIST lists so far: whole lines only (the last
    one may be half written while we read)."""
    try:
        text = (directory / SEGMENT_LIST).read_text()
    except OSError:
        return []
    segments = []
    for line in text.split("\n")[:-1]:
        name, _, times = line.partition(",")
        try:
            start, end = (float(t) for t in times.split(","))
        except ValueError:
            break
        segments.append((name, max(end - start, 0.0)))
    return segments


def hls_playlist(directory: Path) -> str | None:
    """The HLS playlist of the segments ffmpeg has completed in `directory`: an EVENT playlist
    (served while it grows), with ENDLIST once ffmpeg has ended well; None before the first
    segment is complete."""
    segments = _segments(directory)
    if not segments:
        return None
    # A duration rounded to the nearest integer must not exceed the target (RFC 8216 4.3.3.1).
    target = max(SEGMENT_SECONDS, *(math.floor(seconds + 0.5) for _, seconds in segments))
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-INDEPENDENT-SEGMENTS",  # every segment starts at a keyframe
    ]
    for name, seconds in segments:
        lines += [f"#EXTINF:{seconds:.6f},", name]
    if exit_status(directory) == 0:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def launch_detached(command: list[str], directory: Path) -> int:
    """Start `command` detached, its status to `directory/exit` when it ends; the process group
    id (also in `directory/pid`)."""
    subprocess.run(
        ["sh", "-c", _LAUNCHER, "seedbox-encoder", str(directory), *command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        check=True,
        timeout=10,
    )
    return int((directory / PID).read_text().strip())


def stop_detached(directory: Path) -> None:
    """Stop the encoder writing into `directory`, if it still runs (its process group)."""
    if (directory / EXIT).exists():
        return
    try:
        group = int((directory / PID).read_text().strip())
        os.killpg(group, signal.SIGTERM)
    except (OSError, ValueError):
        return  # never started, or already gone


def exit_status(directory: Path) -> int | None:
    """ffmpeg's exit status once it ended, else None."""
    try:
        return int((directory / EXIT).read_text().strip())
    except (OSError, ValueError):
        return None


def last_words(directory: Path) -> str:
    """The last line ffmpeg wrote to its log (why it failed)."""
    try:
        lines = (directory / LOG).read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1][:400] if lines else ""


def webvtt_make(source: Path, target: Path, *, stream_index: int | None = None) -> None:
    """Convert a subtitle file (or stream `stream_index` of a media file) to WebVTT at `target`
    (written whole, then renamed into place)."""
    partial = target.with_name(target.name + ".part")
    command = [settings.SEEDBOX_FFMPEG_BIN, "-nostdin", "-hide_banner", "-loglevel", "error"]
    command += ["-y", "-i", str(source)]
    command += ["-map", f"0:{stream_index}" if stream_index is not None else "0:s:0"]
    command += ["-f", "webvtt", str(partial)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=SUBTITLE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        partial.unlink(missing_ok=True)
        raise FfmpegError(f"ffmpeg took more than {SUBTITLE_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        raise FfmpegError(lines[-1] if lines else f"ffmpeg exited {done.returncode}")
    partial.replace(target)
