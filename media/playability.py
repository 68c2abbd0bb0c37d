"""What a browser can play, decided from ffprobe's container and codecs (never the file name).

- `direct_playable`: the file itself goes to a <video>/<audio> element (Range, it seeks): MP4 or
  WebM/Ogg or a plain audio file, with codecs every current browser decodes. HEVC is left out:
  only some browsers on some systems decode it.
- `hls_mode`: how HLS is made for everything else: remux (`-c copy`) when the video is H.264
  and the audio AAC or MP3 (what HLS players take as they are), transcode otherwise.
"""

from media.ffprobe import Probe
from media.models import HlsMode, MediaKind

BROWSER_VIDEO = frozenset({"h264", "vp8", "vp9", "av1"})
BROWSER_AUDIO = frozenset({"aac", "mp3", "opus", "vorbis", "flac"})
HLS_COPY_VIDEO = frozenset({"h264"})
HLS_COPY_AUDIO = frozenset({"aac", "mp3"})
TEXT_SUBTITLES = frozenset({"subrip", "ass", "ssa", "webvtt", "mov_text", "text"})

# ffprobe format_name -> what the browser calls it (the <source type> and the Content-Type).
_VIDEO_CONTAINERS = {
    "mov": "video/mp4",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "ogg": "video/ogg",
}
_AUDIO_CONTAINERS = {
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "mov": "audio/mp4",
    "mp4": "audio/mp4",
    "aac": "audio/aac",
    "webm": "audio/webm",
}


def media_kind(probe: Probe) -> str:
    if probe.video is not None:
        return MediaKind.VIDEO
    if probe.audio is not None:
        return MediaKind.AUDIO
    if probe.of_type("subtitle"):
        return MediaKind.SUBTITLE
    return MediaKind.OTHER


def _names(probe: Probe) -> list[str]:
    return probe.container.split(",")


def browser_type(probe: Probe) -> str:
    """The MIME type a browser would play the file as, or '' when it would not play it."""
    video, audio = probe.video, probe.audio
    table = _VIDEO_CONTAINERS if video is not None else _AUDIO_CONTAINERS
    if video is None and audio is None:
        return ""
    if video is not None and video.codec not in BROWSER_VIDEO:
        return ""
    if audio is not None and audio.codec not in BROWSER_AUDIO:
        return ""
    if "matroska" in _names(probe) and "webm" in _names(probe):
        # Matroska and WebM share a format_name; only WebM's codecs make it WebM.
        webm_video = video is None or video.codec in {"vp8", "vp9", "av1"}
        webm_audio = audio is None or audio.codec in {"opus", "vorbis"}
        return table["webm"] if webm_video and webm_audio else ""
    for name in _names(probe):
        if name in table:
            return table[name]
    return ""


def direct_playable(probe: Probe) -> bool:
    return bool(browser_type(probe))


def hls_mode(probe: Probe) -> str:
    """remux or transcode, for a file with a video or audio stream ('' for neither)."""
    video, audio = probe.video, probe.audio
    if video is None and audio is None:
        return ""
    video_ok = video is None or video.codec in HLS_COPY_VIDEO
    audio_ok = audio is None or audio.codec in HLS_COPY_AUDIO
    return HlsMode.REMUX if video_ok and audio_ok else HlsMode.TRANSCODE


def text_subtitles(probe: Probe) -> list:
    """The subtitle streams that can become WebVTT (bitmap ones, PGS and VobSub, cannot)."""
    return [s for s in probe.of_type("subtitle") if s.codec in TEXT_SUBTITLES]
