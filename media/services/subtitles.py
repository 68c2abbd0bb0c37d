"""Subtitles as WebVTT (what <track> takes): `.srt`/`.ass`/`.ssa`/`.vtt` files next to the video
in the same torrent (same folder, named the video's stem and a dot: `Film.en.srt` or `Film.srt`
for `Film.mkv`), and the text subtitle streams inside it (subrip, ass, mov_text, webvtt...).

ffmpeg converts each once (`-f webvtt`) into SEEDBOX_MEDIA_DIR/subtitles/<file id>/<id>.vtt, again
only when the source changed. Ids: `f<file id>` for a file next to it, `s<stream index>` for a
stream inside it.
"""

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse

from media.ffmpeg import FfmpegError, webvtt_make
from media.services.playback import playback_probe
from media.services.streams import stream_path
from seedbox.file_serving import file_response
from torrents.models import Torrent, TorrentFile

SIDECAR_EXTENSIONS = (".srt", ".ass", ".ssa", ".vtt")
SUBTITLE_ID = re.compile(r"^(?P<kind>[fs])(?P<number>[0-9]{1,18})$")
VTT_TYPE = "text/vtt; charset=utf-8"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$", re.IGNORECASE)


class SubtitleUnavailable(Exception):
    """ffmpeg could not turn this subtitle into WebVTT (answer 422 with its words)."""


@dataclass(frozen=True)
class Subtitle:
    id: str
    label: str
    language: str
    source: TorrentFile | None = None  # a file next to the video
    stream_index: int | None = None  # or a stream inside it


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


def _sidecars(torrent: Torrent, file: TorrentFile) -> list[Subtitle]:
    folder, stem = posixpath.dirname(file.path), _stem(file.path)
    found = []
    for other in torrent.files.all().order_by("path"):
        name = posixpath.basename(other.path)
        if other.pk == file.pk or posixpath.dirname(other.path) != folder:
            continue
        if not name.lower().endswith(SIDECAR_EXTENSIONS) or not name.startswith(stem + "."):
            continue  # Film.srt, Film.en.srt, Film.en.forced.srt; not Film2.srt
        middle = _stem(name)[len(stem) :].strip(" ._-")
        language = middle.rsplit(".", 1)[-1] if middle else ""
        language = language if _LANGUAGE.match(language) else ""
        found.append(Subtitle(f"f{other.pk}", middle or "Subtitles", language, source=other))
    return found


def subtitles_list(*, torrent: Torrent, file: TorrentFile, playback) -> list[Subtitle]:
    """The subtitles of video `file`: files next to it, then its text streams."""
    found = _sidecars(torrent, file)
    for stream in playback.text_subtitles:
        label = stream.title or stream.language or f"Track {stream.index}"
        found.append(
            Subtitle(f"s{stream.index}", label, stream.language, stream_index=stream.index)
        )
    return found


def _cached(file: TorrentFile, subtitle: Subtitle, source: Path) -> Path:
    target = Path(settings.SEEDBOX_MEDIA_DIR) / "subtitles" / str(file.pk) / f"{subtitle.id}.vtt"
    try:
        fresh = target.stat().st_mtime >= source.stat().st_mtime
    except OSError:
        fresh = False
    if not fresh:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            webvtt_make(source, target, stream_index=subtitle.stream_index)
        except FfmpegError as exc:
            raise SubtitleUnavailable(str(exc)) from None
    return target


def subtitle_response(request, *, torrent: Torrent, file: TorrentFile, sub_id: str) -> HttpResponse:
    """Subtitle `sub_id` of `file` as WebVTT, or Http404 (no such subtitle) or
    SubtitleUnavailable (ffmpeg could not convert it)."""
    if SUBTITLE_ID.match(sub_id) is None:
        raise Http404("no such subtitle")
    user = getattr(request, "user", None)
    path = stream_path(torrent=torrent, file=file, user=user)
    playback = playback_probe(file=file, path=path)
    offered = subtitles_list(torrent=torrent, file=file, playback=playback)
    subtitle = next((s for s in offered if s.id == sub_id), None)
    if subtitle is None:
        raise Http404("no such subtitle")
    source = path
    if subtitle.source is not None:
        source = stream_path(torrent=torrent, file=subtitle.source, user=user)
    target = _cached(file, subtitle, source)
    served = file_response(
        request,
        target,
        filename=f"{_stem(file.path)}.{subtitle.id}.vtt",
        inline=True,
        content_type=VTT_TYPE,
        cache_control="private, max-age=300",
    )
    return served.response
