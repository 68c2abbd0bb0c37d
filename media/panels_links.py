"""What the links part of media adds to the torrent pages (torrents/page_panels.py): a "Share
and links" panel under the files (forms for a direct or share link of the whole torrent or a
folder) and a "Link" action per file (a direct link of that file, shown in place to copy).
Only for the torrent's owners: an admin who does not own it cannot link it."""

import posixpath

from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string

from torrents.page_panels import file_actions, panel
from torrents.selectors import torrents_owned_by
from torrents.services.file_priorities import SKIP, files_skipped_by


def _owns(request, torrent) -> bool:
    user = request.user
    return user.is_authenticated and torrents_owned_by(user).filter(pk=torrent.pk).exists()


def _folders(paths) -> list[str]:
    found: set[str] = set()
    for path in paths:
        parent = posixpath.dirname(path)
        while parent:
            found.add(parent)
            parent = posixpath.dirname(parent)
    return sorted(found)


@panel("after_files")
def links_panel(request, torrent) -> str | None:
    if not _owns(request, torrent):
        return None
    paths = torrent.files.values_list("path", flat=True)
    context = {
        "torrent": torrent,
        "folders": _folders(paths),
        "direct_days": settings.SEEDBOX_DIRECT_LINK_DAYS,
        "share_days": settings.SEEDBOX_SHARE_LINK_MAX_DAYS,
    }
    return render_to_string("media/links_panel.html", context, request=request)


@file_actions
def file_link_actions(request, torrent, files) -> dict[int, str]:
    if not files or not _owns(request, torrent):
        return {}
    skipped = files_skipped_by(torrent=torrent, user=request.user)
    # One template and one CSRF token for the page, no context processors per file: a torrent
    # can have thousands of files.
    template, token = get_template("media/_file_link.html"), get_token(request)
    return {
        file.pk: template.render({"torrent": torrent, "file": file, "csrf_token": token})
        for file in files
        if file.priority != SKIP and file.index not in skipped
    }
