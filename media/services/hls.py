"""HLS for what the browser cannot play directly: ffmpeg remuxes (`-c copy`, H.264 with AAC/MP3)
or transcodes (H.264 up to SEEDBOX_HLS_MAX_HEIGHT lines, AAC) into an EVENT playlist of MPEG-TS
segments that is served while it grows.

How an encode runs. The first playlist request claims the Encode row (the unique constraint on
file, mode and start: two viewers get the same row, the second one waits on the same files) and
starts ffmpeg detached (media/ffmpeg.py) right from the request, then waits (at most
SEEDBOX_HLS_WAIT) for the first segment: playback starts as soon as ffmpeg wrote one. We chose
that over a Celery task running ffmpeg because a task would put the worker queue into the 2 s
budget (and a two-hour transcode would hold a worker for two hours, stalling the sync); tests
and production then behave the same without a worker. Celery keeps the rest: the beat task
`media.tasks.hls.hls_encodes_watch` notes encoders that ended or died and trims the cache.
ffmpeg's `-progress` file is the heartbeat; an encoder silent for SEEDBOX_HLS_STALE is dead,
and the next request restarts it.

Seeking ahead of the encoder: `?start=N` is another encode that starts at N seconds (a remux
starts at the source's keyframe at or before N). The player knows the N it asked for; the
playlist's times count from there.

Audio tracks: an encode carries one audio stream, the file's first unless `?audio=<ffprobe
stream index>` asks for another (Encode.audio_stream): another track is another encode, shared
the same way. The playback JSON lists each track with its playlist URL. (One encode with every
track as EXT-X-MEDIA renditions would switch without reloading, at the price of encoding tracks
nobody listens to; not done.)

Only complete files are encoded: an encode of a file with holes would be cached wrong.
"""

import datetime as dt
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone

from media import ffmpeg
from media.models import Encode, EncodeStatus, ShareLink, ViewVia
from media.services.hls_cache import directory_size, encode_directory, encode_touch
from media.services.playback import Playback, playback_probe
from media.services.streams import stream_path
from media.services.views import view_record
from seedbox.file_serving import file_response
from seedbox.queue import enqueue
from torrents.models import Torrent, TorrentFile

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/mp2t"
SEGMENT_NAME = re.compile(
    r"^(?P<encode>[0-9]{1,18})/(?P<segment>seg[0-9]{5,6}-[1-9][0-9]{0,11}\.ts)$"
)  # as ffmpeg names a complete segment (media/ffmpeg.py SEGMENT_FILE)
RETRY_FAILED_AFTER = 10  # seconds: a failing file is not re-run by every request
EVICT_TASK = "media.tasks.hls.hls_cache_evict"


class HlsUnavailable(Exception):
    """No playlist for this request: `status` 400 (a bad start), 409 (the file is not complete
    yet) or 503 (the encoder failed or is not ready yet: try again)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _complete(torrent: Torrent, file: TorrentFile) -> bool:
    return torrent.completed_at is not None or (
        file.size_bytes > 0 and file.completed_bytes >= file.size_bytes
    )


def encode_refresh(*, encode: Encode) -> Encode:
    """Bring a running encode's row up to date with its directory: ended (done or failed, from
    ffmpeg's exit status), alive (the progress file's time as heartbeat), or dead (silent for
    SEEDBOX_HLS_STALE: stopped, failed, so that it is restarted)."""
    if encode.status != EncodeStatus.RUNNING:
        return encode
    directory = encode_directory(encode)
    now = timezone.now()
    code = ffmpeg.exit_status(directory)
    changes: dict = {}
    if code is not None:
        changes = {"finished_at": now, "size_bytes": directory_size(directory)}
        if code == 0:
            changes |= {"status": EncodeStatus.DONE, "error": ""}
        else:
            error = ffmpeg.last_words(directory) or f"ffmpeg exited with {code}"
            changes |= {"status": EncodeStatus.FAILED, "error": error[:500]}
    else:
        try:
            stamp = (directory / ffmpeg.PROGRESS).stat().st_mtime
            beat = dt.datetime.fromtimestamp(stamp, tz=dt.UTC)
        except OSError:
            beat = encode.heartbeat_at or encode.created_at
        if now - beat > dt.timedelta(seconds=settings.SEEDBOX_HLS_STALE):
            ffmpeg.stop_detached(directory)
            changes = {
                "status": EncodeStatus.FAILED,
                "finished_at": beat,
                "error": f"the encoder stopped writing for {settings.SEEDBOX_HLS_STALE:.0f} s",
            }
        elif encode.heartbeat_at is None or beat - encode.heartbeat_at > dt.timedelta(seconds=5):
            changes = {"heartbeat_at": beat, "size_bytes": directory_size(directory)}
    if changes:
        Encode.objects.filter(pk=encode.pk, status=EncodeStatus.RUNNING).update(**changes)
        for name, value in changes.items():
            setattr(encode, name, value)
    return encode


def _launch(encode: Encode, job: ffmpeg.HlsJob) -> None:
    directory = job.directory
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    try:
        ffmpeg.launch_detached(ffmpeg.hls_command(job), directory)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        Encode.objects.filter(pk=encode.pk).update(
            status=EncodeStatus.FAILED, finished_at=timezone.now(), error=f"not started: {exc}"
        )
        raise HlsUnavailable("the encoder could not start", 503) from None


def _restartable(encode: Encode) -> bool:
    if encode.status == EncodeStatus.DONE:
        # Evicted, or made by an older version (another way of naming its segments).
        return not (encode_directory(encode) / ffmpeg.PLAYLIST).exists()
    if encode.status == EncodeStatus.FAILED:
        ended = encode.finished_at or encode.created_at
        return timezone.now() - ended > dt.timedelta(seconds=RETRY_FAILED_AFTER)
    return False


def encode_ensure(
    *, file: TorrentFile, playback: Playback, path: Path, start: int = 0, audio: int | None = None
) -> Encode:
    """The encode of `file` from `start` seconds (with audio stream `audio`, None for the
    first), started when nobody has started it (or it ended badly, or its files were evicted);
    everyone watching from there shares it."""
    mode = playback.hls_mode
    if audio is not None and audio not in {s.index for s in playback.probe.of_type("audio")}:
        raise HlsUnavailable(f"the file has no audio stream {audio}", 400)
    stream = -1 if audio is None else audio
    directory = f"{file.pk}/{mode}-{start}" + (f"-a{stream}" if audio is not None else "")
    now = timezone.now()
    encode, created = Encode.objects.get_or_create(
        file=file,
        mode=mode,
        start_seconds=start,
        audio_stream=stream,
        defaults={"directory": directory, "heartbeat_at": now},
    )
    job = ffmpeg.HlsJob(
        source=path,
        directory=encode_directory(encode),
        mode=mode,
        start_seconds=start,
        video=playback.probe.video is not None,
        audio_index=audio,
    )
    if created:
        _launch(encode, job)
        return encode
    encode = encode_refresh(encode=encode)
    if _restartable(encode):
        claimed = Encode.objects.filter(pk=encode.pk, status=encode.status).update(
            status=EncodeStatus.RUNNING, heartbeat_at=now, finished_at=None, error="", size_bytes=0
        )
        if claimed:  # this request won the restart; the others wait on its files
            encode.status, encode.heartbeat_at, encode.finished_at = EncodeStatus.RUNNING, now, None
            _launch(encode, job)
    return encode


def _first_segment(encode: Encode) -> str | None:
    """The playlist once it lists a segment (waiting at most SEEDBOX_HLS_WAIT), or None."""
    directory = encode_directory(encode)
    deadline = time.monotonic() + settings.SEEDBOX_HLS_WAIT
    while True:
        text = ffmpeg.hls_playlist(directory)
        if text is not None:
            return text
        if ffmpeg.exit_status(directory) is not None or time.monotonic() > deadline:
            return None
        time.sleep(0.02)


def _rewritten(text: str, encode: Encode, url_for: Callable[[str], str]) -> str:
    lines = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name = f"{encode.pk}/{line.strip()}"
            if not SEGMENT_NAME.match(name):
                continue  # never hand out a name the segment view would refuse
            line = url_for(name)
        lines.append(line)
    return "\n".join(lines) + "\n"


def hls_playlist_response(
    request,
    *,
    torrent: Torrent,
    file: TorrentFile,
    start: int = 0,
    url_for: Callable[[str], str],
    audio: int | None = None,
    via: str = ViewVia.SITE,
    share: ShareLink | None = None,
) -> HttpResponse:
    """The playlist of `file` from `start` seconds (with audio stream `audio`), its segment URLs
    made by `url_for(name)` (names as hls_segment_response takes them); Http404 or
    HlsUnavailable otherwise."""
    user = getattr(request, "user", None)
    path = stream_path(torrent=torrent, file=file, user=user)
    playback = playback_probe(file=file, path=path)
    if not playback.hls_mode or playback.probe is None:
        raise Http404("no audio or video that ffmpeg can read")
    if not _complete(torrent, file):
        raise HlsUnavailable("the file is not completely downloaded yet", 409)
    duration = playback.probe.duration_seconds
    if start < 0 or (duration is not None and start >= duration):
        raise HlsUnavailable("start is outside the file", 400)
    encode = encode_ensure(file=file, playback=playback, path=path, start=start, audio=audio)
    text = _first_segment(encode)
    if text is None:
        encode = encode_refresh(encode=encode)
        if encode.status == EncodeStatus.FAILED:
            raise HlsUnavailable(f"the encoder failed: {encode.error}", 503)
        raise HlsUnavailable("the first segment is not ready yet", 503)
    encode_touch(encode=encode)
    view_record(file=file, user=user, via=via, share=share)
    if encode.status == EncodeStatus.RUNNING:
        enqueue(EVICT_TASK)  # room for what it writes (after the answer is ready, not before)
    response = HttpResponse(_rewritten(text, encode, url_for), content_type=PLAYLIST_TYPE)
    response["Cache-Control"] = "no-cache"
    return response


def hls_segment_response(request, *, file: TorrentFile, name: str) -> HttpResponse:
    """Segment `name` ("<encode id>/segNNNNN.ts") of one of `file`'s encodes, or Http404: the
    name is matched strictly and the path must resolve inside that encode's directory."""
    match = SEGMENT_NAME.match(name)
    if match is None:
        raise Http404("no such segment")
    encode = Encode.objects.filter(pk=int(match["encode"]), file=file).first()
    if encode is None:
        raise Http404("no such segment")
    directory = encode_directory(encode).resolve()
    path = (directory / match["segment"]).resolve()
    if not path.is_relative_to(directory) or not path.is_file():
        raise Http404("no such segment")
    encode_touch(encode=encode)
    served = file_response(
        request,
        path,
        filename=match["segment"],
        inline=True,
        content_type=SEGMENT_TYPE,
        accel=f"hls/{encode.directory}/{match['segment']}",
        cache_control="private, max-age=3600",
    )
    return served.response
