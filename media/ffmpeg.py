"""ffmpeg, Debian's, for HLS and subtitles: the command lines, and how an encoder is started.

An HLS encoder is a detached process: `sh` in a session of its own runs ffmpeg and, when ffmpeg
ends, writes its exit status to `<dir>/exit`. The starter (a web request) returns at once and
never waits on it, so there is no zombie and no worker slot held for a two-hour transcode. ffmpeg
itself is the heartbeat: `-progress <dir>/progress` is rewritten every second while it runs
(measured free: a remux with and without it takes the same time).

ffmpeg's HLS muxer cuts the MPEG-TS segments and, as each one is complete, renames it from
`segNNNNN-0.ts` to `segNNNNN-<its duration in microseconds>.ts` (`-strftime 1` with the
`second_level_segment_index` and `second_level_segment_duration` flags); `hls_playlist` makes
the EVENT playlist from those names when it is asked for. Its own playlist is a VOD one, written
once at the end (PLAYLIST: the mark of a whole encode). Why not the alternatives (measured in
bench/README.md): that muxer's EVENT playlist is rewritten after every segment (a temporary file
renamed over the old one, which ext4 answers by starting to write it out), a quarter of a remux's
time; the segment muxer with an appended segment list formats nine timestamps per packet for a
debug line it never prints (segment.c's av_log(AV_LOG_DEBUG) arguments are evaluated whatever
the log level), 20% more CPU than plain `ffmpeg -f hls` on a remux. Named segments cost nothing.
"""

import math
import os
import re
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from media.models import HlsMode

SEGMENT_SECONDS = 4
PLAYLIST = "index.m3u8"  # ffmpeg's own (VOD), written when it has ended well
# For -strftime 1: strftime makes "%%" "%", then the muxer puts in the index ("%05d") and, once
# the segment is complete, its duration in microseconds ("%t"), renaming it (from "-0").
SEGMENT_PATTERN = "seg%%05d-%%t.ts"
SEGMENT_FILE = re.compile(r"^seg(?P<index>[0-9]{5,6})-(?P<micros>[1-9][0-9]{0,11})\.ts$")
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
    """ffmpeg's command that writes MPEG-TS segments into `job.directory`, each renamed to a name
    with its duration once it is complete (hls_playlist makes the playlist of them), cut at
    keyframes (the source's for a remux; forced every SEGMENT_SECONDS for a transcode)."""
    out = job.directory
    if "%" in str(out):  # strftime and the muxer's own placeholders would rewrite it
        raise ValueError(f"an HLS directory with a % in its path: {out}")
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
        "-f", "hls",
        "-hls_time", str(SEGMENT_SECONDS),
        "-hls_playlist_type", "vod",
        "-hls_segment_type", "mpegts",
        "-strftime", "1",
        "-hls_flags", "second_level_segment_index+second_level_segment_duration",
        "-hls_segment_filename", str(out / SEGMENT_PATTERN),
        "-progress", str(out / PROGRESS), "-stats_period", "1",
        str(out / PLAYLIST),
    ]  # fmt: skip
    return command


def _segments(directory: Path) -> list[tuple[str, float]]:
    """(name, seconds) of each segment ffmpeg has completed so far, in order: the ones renamed
    with their duration (the one being written is `segNNNNN-0.ts`), up to the first gap."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    complete = {}
    for name in names:
        match = SEGMENT_FILE.match(name)
        if match:
            complete[int(match["index"])] = (name, int(match["micros"]) / 1_000_000)
    segments = []
    while len(segments) in complete:
        segments.append(complete[len(segments)])
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
