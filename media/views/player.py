"""The player page, `/media/<torrent id>/<file id>/`: one file of a torrent the user may see,
played by static/js/media-player.js from the playback JSON (direct, hls.js, or native HLS),
with its metadata, resume from where this user stopped, the next episode of its folder, and
for music the folder as a playlist."""

import posixpath

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from media.models import MediaFile, MediaKind
from media.player_selectors import Folder, Playable, folder_of, position_of
from media.services.positions import resume_point
from torrents.selectors import torrent_for_user


def clock(seconds: float | None) -> str:
    """1:02:03, or 2:03 under an hour ('' for unknown)."""
    if seconds is None:
        return ""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _api(name: str, torrent_id: int, file_id: int) -> str:
    """An API URL of the file, '' when that API is not installed (the page says it can't play)."""
    try:
        return reverse(name, args=[torrent_id, file_id])
    except NoReverseMatch:
        return ""


def _facts(media: MediaFile | None) -> list[tuple[str, str]]:
    """What ffprobe said of the file, as (label, value) for the page."""
    if media is None:
        return []
    facts = [
        ("Duration", clock(media.duration_seconds)),
        ("Resolution", f"{media.width} x {media.height}" if media.width and media.height else ""),
        ("Video", media.video_codec),
        ("Audio", media.audio_codec),
        ("Audio tracks", str(len(media.audio_tracks)) if len(media.audio_tracks) > 1 else ""),
        ("Subtitle tracks", str(len(media.subtitle_tracks)) if media.subtitle_tracks else ""),
        ("Bit rate", f"{media.bit_rate // 1000} kb/s" if media.bit_rate else ""),
        ("Container", media.container),
    ]
    if media.season is not None or media.episode is not None:
        episode = f"S{media.season or 0:02d}E{media.episode or 0:02d}"
        facts.insert(0, ("Episode", episode))
    return [(label, value) for label, value in facts if value]


def _track(item: Playable, torrent_id: int, current: int) -> dict:
    return {
        "name": item.name,
        "file_id": item.file.pk,
        "current": item.file.pk == current,
        "page_url": reverse("media-player", args=[torrent_id, item.file.pk]),
        "playback_url": _api("api-media-playback", torrent_id, item.file.pk),
        "position_url": reverse("api-media-position", args=[torrent_id, item.file.pk]),
    }


@login_required
@require_safe
def media_player(request: HttpRequest, torrent_id: int, file_id: int) -> HttpResponse:
    torrent = torrent_for_user(request.user, torrent_id)
    file = get_object_or_404(torrent.files.select_related("media"), pk=file_id)
    folder: Folder | None = folder_of(torrent=torrent, file=file)
    if folder is None:
        raise Http404("this file is not video or audio")
    current = folder.current
    position = position_of(user=request.user, file=file)
    resume = (
        resume_point(
            position_seconds=position.position_seconds,
            duration_seconds=position.duration_seconds,
        )
        if position is not None
        else None
    )
    is_audio = current.kind == MediaKind.AUDIO
    following = folder.next
    return render(
        request,
        "media/player.html",
        {
            "torrent": torrent,
            "file": file,
            "name": current.name,
            "folder": posixpath.dirname(file.path),
            "kind": current.kind,
            "facts": _facts(current.media),
            "track": _track(current, torrent.pk, file.pk),
            "download_url": reverse("api-torrent-file-download", args=[torrent.pk, file.pk]),
            "resume": resume,
            "resume_clock": clock(resume),
            "next": _track(following, torrent.pk, file.pk) if following else None,
            "playlist": [_track(i, torrent.pk, file.pk) for i in folder.items] if is_audio else [],
        },
    )
