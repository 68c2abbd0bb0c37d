"""What a file is for playing: ffprobe's answer, kept in its MediaFile row so that ffprobe runs
once per file (again only when the file on disk changed after it was probed: a torrent still
downloading). The metadata task fills the same row after completion; whichever comes first
probes, the other reads."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from media.ffprobe import Probe, ProbeError, Stream, probe
from media.models import MediaFile, MediaKind
from media.playability import browser_type, hls_mode, media_kind, text_subtitles
from torrents.models import TorrentFile


@dataclass(frozen=True)
class Playback:
    media: MediaFile
    probe: Probe | None  # None: ffprobe could not read the file (media.error says why)

    @property
    def kind(self) -> str:
        return self.media.kind

    @property
    def browser_type(self) -> str:
        return browser_type(self.probe) if self.probe else ""

    @property
    def hls_mode(self) -> str:
        return hls_mode(self.probe) if self.probe else ""

    @property
    def text_subtitles(self) -> list[Stream]:
        return text_subtitles(self.probe) if self.probe else []


def _track(stream: Stream) -> dict:
    return {
        "index": stream.index,
        "codec": stream.codec,
        "language": stream.language,
        "title": stream.title,
        "channels": stream.channels,
        "default": stream.default,
    }


def _probe_of(media: MediaFile) -> Probe | None:
    """The Probe the row was made from, as far as playing needs it (container and codecs)."""
    if media.probed_at is None or media.error:
        return None
    streams = []
    if media.video_codec:
        streams.append(
            Stream(index=-1, type="video", codec=media.video_codec, width=media.width,
                   height=media.height)
        )  # fmt: skip
    for track in media.audio_tracks or []:
        streams.append(_stream("audio", track))
    if media.audio_codec and not media.audio_tracks:
        streams.append(Stream(index=-1, type="audio", codec=media.audio_codec))
    streams += [_stream("subtitle", track) for track in media.subtitle_tracks or []]
    return Probe(media.container, media.duration_seconds, media.bit_rate, streams)


def _stream(kind: str, track: dict) -> Stream:
    return Stream(
        index=int(track.get("index", -1)),
        type=kind,
        codec=track.get("codec", "") or "",
        language=track.get("language", "") or "",
        title=track.get("title", "") or "",
        channels=track.get("channels"),
        default=bool(track.get("default")),
    )


def _fields(found: Probe) -> dict:
    video, audio = found.video, found.audio
    return {
        "kind": media_kind(found),
        "error": "",
        "container": found.container[:100],
        "duration_seconds": found.duration_seconds,
        "bit_rate": found.bit_rate,
        "width": video.width if video else None,
        "height": video.height if video else None,
        "video_codec": video.codec[:50] if video else "",
        "audio_codec": audio.codec[:50] if audio else "",
        "audio_tracks": [_track(s) for s in found.of_type("audio")],
        "subtitle_tracks": [_track(s) for s in found.of_type("subtitle")],
        "browser_playable": bool(browser_type(found)),
        "hls_mode": hls_mode(found),
    }


_UNREADABLE = {
    "kind": MediaKind.OTHER,
    "container": "",
    "duration_seconds": None,
    "bit_rate": None,
    "width": None,
    "height": None,
    "video_codec": "",
    "audio_codec": "",
    "audio_tracks": [],
    "subtitle_tracks": [],
    "browser_playable": False,
    "hls_mode": "",
}


def probe_fields(path: Path) -> tuple[dict, Probe | None]:
    """ffprobe's answer for `path` as MediaFile fields (every probed field: an unreadable file
    clears them and says why in `error`), and the Probe (None when ffprobe could not read it).
    The one reading of a file into its row, for the player and the metadata task alike."""
    try:
        found = probe(path)
    except ProbeError as exc:
        return {**_UNREADABLE, "error": str(exc)[:500]}, None
    return _fields(found), found


def _changed_since(path: Path, when: dt.datetime | None) -> bool:
    if when is None:
        return True
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) > when


def playback_probe(*, file: TorrentFile, path: Path) -> Playback:
    """`file`'s MediaFile (created or brought up to date with ffprobe when it was never probed,
    or the file changed since) and what it says for playing."""
    media = MediaFile.objects.filter(file=file).first()
    if media is not None and not _changed_since(path, media.probed_at):
        return Playback(media, _probe_of(media))
    fields, found = probe_fields(path)
    fields["probed_at"] = timezone.now()
    media, _ = MediaFile.objects.update_or_create(file=file, defaults=fields)
    return Playback(media, found)
