"""The torrent page's file priorities: a select per file and "skip all / select all". With htmx
the Files card is answered alone (with what happened in it); without, the page again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from torrents.models import Ownership, Torrent, TorrentFile, TorrentStatus
from torrents.page_panels import file_actions_for
from torrents.selectors import torrent_for_user
from torrents.services.file_priorities import (
    LEVELS,
    NotAnOwner,
    PriorityError,
    PriorityQuotaExceeded,
    file_levels_for,
    torrent_set_file_priorities,
)
from torrents.views.detail_reads import Live, file_tree, torrent_live

# Once removed, rejected or expired, there is nothing left to choose.
_CLOSED = (TorrentStatus.REMOVED, TorrentStatus.REJECTED, TorrentStatus.EXPIRED)


def files_context(
    request: HttpRequest, torrent: Torrent, files: list[TorrentFile], live: Live
) -> dict:
    """What the Files card (templates/torrents/_files.html) needs."""
    levels = file_levels_for(torrent=torrent, user=request.user, count=len(files))
    charged = (
        Ownership.objects.filter(torrent=torrent, user=request.user)
        .values_list("charged_bytes", flat=True)
        .first()
    )
    tree = file_tree(torrent, files, live, levels)
    extras = file_actions_for(request, torrent, files)
    for entry in tree:
        if entry.file is not None:
            entry.extra = extras.get(entry.file.pk, "")
    return {
        "tree": tree,
        "multi_file": len(files) > 1 or any("/" in f.path for f in files),
        "live": live,
        "owns": charged is not None,
        "charged": charged,
        "priorities_editable": torrent.status not in _CLOSED,
    }


def _priorities_asked(request: HttpRequest, torrent: Torrent) -> dict[int, str]:
    """{index: level} from the form: `all` (skip / normal) or one `index` with its `priority`."""
    everything = request.POST.get("all")
    if everything is not None:
        if everything not in LEVELS:
            raise PriorityError("choose skip all or select all")
        return dict.fromkeys(torrent.files.values_list("index", flat=True), everything)
    try:
        index = int(request.POST.get("index", ""))
    except ValueError:
        raise PriorityError("choose a file") from None
    return {index: request.POST.get("priority", "")}


@login_required
@require_safe
def torrent_files_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The Files card alone, fetched again by the page when the summary's poll sees the status
    change (a download finishing makes its links appear without a reload)."""
    return _files_card(request, torrent_for_user(request.user, pk))


def _files_card(request: HttpRequest, torrent: Torrent, **notice) -> HttpResponse:
    """The Files card alone (templates/torrents/_files.html), with its files read live."""
    files = list(torrent.files.order_by("index"))
    context = files_context(request, torrent, files, torrent_live(torrent))
    return render(request, "torrents/_files.html", {"torrent": torrent, **notice, **context})


@login_required
@require_POST
def torrent_file_priorities(request: HttpRequest, pk: int) -> HttpResponse:
    torrent = torrent_for_user(request.user, pk)
    notice, level = "", "info"
    try:
        change = torrent_set_file_priorities(
            torrent=torrent, user=request.user, priorities=_priorities_asked(request, torrent)
        )
    except (PriorityError, PriorityQuotaExceeded, NotAnOwner) as exc:
        notice, level = f"Nothing changed: {exc}.", "error"
    else:
        notice = f"Saved; {change.applied_later}." if change.applied_later else "Priorities saved."
        level = "warning" if change.applied_later else "success"
    if not request.headers.get("HX-Request"):
        getattr(messages, level)(request, notice)
        return redirect(reverse("torrent-page", args=[torrent.pk]) + "#files")
    torrent.refresh_from_db()
    return _files_card(request, torrent, files_notice=notice, files_notice_level=level)
