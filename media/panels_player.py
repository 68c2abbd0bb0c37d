"""What the player part of media adds to the torrent pages (torrents/page_panels.py): a Watch or
Listen link to the player page on each file that is video or audio (its MediaFile says so, or
before ffprobe has read it, its name), for all the page's files in one query."""

from django.urls import reverse
from django.utils.html import format_html

from media.models import MediaKind
from media.player_selectors import SKIPPED, playable_kinds
from torrents.page_panels import file_actions


@file_actions
def player_links(request, torrent, files) -> dict[int, str]:
    by_id = {f.pk: f for f in files if f.priority != SKIPPED}
    links = {}
    for file_id, kind in playable_kinds(files=list(by_id.values())).items():
        verb = "Listen" if kind == MediaKind.AUDIO else "Watch"
        links[file_id] = format_html(
            ' <a href="{}" class="player-link" data-testid="player-link" aria-label="{} {}">{}</a>',
            reverse("media-player", args=[torrent.pk, file_id]),
            verb,
            by_id[file_id].path,
            verb,
        )
    return links
