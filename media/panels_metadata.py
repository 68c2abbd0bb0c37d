"""What the metadata part of media adds to the torrent pages (torrents/page_panels.py): the
poster, title, year and overview under the torrent's title with each video's duration,
resolution and codecs; on the list, a small poster and the title in each row that has one
(one query for the page's rows)."""

from django.template.loader import get_template, render_to_string
from django.urls import reverse

from media.models import MediaFile, MediaKind
from media.services.metadata import media_files_of
from media.services.titles import media_title_of, media_titles_for
from torrents.page_panels import panel, row_extras


def duration_text(seconds: float | None) -> str:
    """1:02:03, 4:05 (or '' when unknown)."""
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _video_line(media: MediaFile) -> dict:
    size = f"{media.width}\u00d7{media.height}" if media.width and media.height else ""
    codecs = " / ".join(c for c in (media.video_codec, media.audio_codec) if c)
    return {
        "path": media.file.path,
        "facts": [fact for fact in (duration_text(media.duration_seconds), size, codecs) if fact],
    }


@panel("header")
def media_header(request, torrent) -> str | None:
    title = media_title_of(torrent_id=torrent.pk)
    videos = [m for m in media_files_of(torrent=torrent) if m.kind == MediaKind.VIDEO]
    if (title is None or not title.title) and not videos:
        return None
    return render_to_string(
        "media/_poster_header.html",
        {
            "title": title,
            "poster_url": reverse("api-media-poster", args=[torrent.pk])
            if title is not None and title.poster
            else "",
            "videos": [_video_line(m) for m in videos],
        },
        request=request,
    )


@row_extras
def media_row_titles(user, torrents) -> dict[int, str]:
    titles = media_titles_for(torrent_ids=[t.id for t in torrents])
    if not titles:
        return {}
    template = get_template("media/_poster_row.html")
    return {
        torrent_id: template.render(
            {
                "title": title,
                "poster_url": reverse("api-media-poster", args=[torrent_id])
                if title.poster
                else "",
            }
        )
        for torrent_id, title in titles.items()
    }
