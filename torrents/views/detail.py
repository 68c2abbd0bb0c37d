"""The torrent page: summary (live), files as a tree with downloads and players, trackers,
peers, the owner's history, owners for admins; pause, resume, recheck and delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from torrents.models import Torrent, TorrentHistory
from torrents.selectors import (
    torrent_for_user,
    torrent_secrets_visible_to,
    torrent_trackers,
    torrents_visible_to,
    tracker_shown,
    tracker_url_visible,
)
from torrents.views.actions import torrents_act
from torrents.views.detail_reads import file_tree, torrent_live
from torrents.views.labels import labels_card_context

SINGLE_ACTIONS = ("pause", "resume", "recheck", "repush")


def _torrent(request: HttpRequest, pk: int) -> Torrent:
    """The torrent through the visibility selector (404 for others), without its .torrent
    bytes (megabytes, read every 2 s by the summary) but knowing whether it has them."""
    queryset = (
        torrents_visible_to(request.user)
        .select_related("node")
        .defer("metainfo")
        .annotate(
            has_metainfo=ExpressionWrapper(Q(metainfo__isnull=False), output_field=BooleanField())
        )
    )
    torrent = get_object_or_404(queryset, pk=pk)
    # Only the adder and admins get the .torrent (it may carry a private tracker's passkey).
    torrent.has_metainfo = torrent.has_metainfo and torrent_secrets_visible_to(
        request.user, torrent
    )
    return torrent


def _history(request: HttpRequest, torrent: Torrent) -> list[TorrentHistory]:
    """The caller's own traffic on it; an admin sees every owner's."""
    rows = TorrentHistory.objects.filter(info_hash=torrent.info_hash).select_related("user")
    if not request.user.is_staff:
        rows = rows.filter(user=request.user)
    return list(rows.order_by("user__email"))


def _sharing(request: HttpRequest, torrent: Torrent) -> dict:
    """Whether the viewer owns it and how many others do: a shared torrent is downloaded once, so
    pause, resume and recheck act for every owner (the page says so; it names no one)."""
    owners = list(torrent.ownerships.values_list("user_id", flat=True))
    owns = request.user.pk in owners
    return {"owns": owns, "others": len(owners) - owns}


@login_required
@require_safe
def torrent_page(request: HttpRequest, pk: int) -> HttpResponse:
    torrent = _torrent(request, pk)
    files = list(torrent.files.all())
    live = torrent_live(torrent)
    owners = None
    if request.user.is_staff:
        owners = list(torrent.ownerships.select_related("user").order_by("created_at"))
    visible = tracker_url_visible(request.user, torrent)
    trackers = [
        [tracker_shown(row[0], full=visible(row[0])), *row[1:]] for row in live.trackers
    ] or [[url, 1, None, None] for url in torrent_trackers(torrent, user=request.user)]
    return render(
        request,
        "torrents/detail.html",
        {
            "torrent": torrent,
            "tree": file_tree(torrent, files, live),
            "multi_file": len(files) > 1 or any("/" in f.path for f in files),
            "live": live,
            "trackers": trackers,
            "history": _history(request, torrent),
            "owners": owners,
            **_sharing(request, torrent),
            **labels_card_context(request, torrent),
        },
    )


@login_required
@require_safe
def torrent_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary alone, polled by the page every few seconds (the row only: no rTorrent)."""
    torrent = _torrent(request, pk)
    return render(
        request,
        "torrents/_summary.html",
        {"torrent": torrent, "live_poll": True, **_sharing(request, torrent)},
    )


@login_required
@require_POST
def torrent_action(request: HttpRequest, pk: int) -> HttpResponse:
    torrent = torrent_for_user(request.user, pk)
    action = request.POST.get("action", "")
    if action not in SINGLE_ACTIONS:
        messages.error(request, "Choose pause, resume, recheck or try again.")
    else:
        torrents_act(request, torrents=[torrent], action=action)
    return redirect("torrent-page", pk=torrent.pk)


@login_required
@require_http_methods(["GET", "POST"])
def torrent_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what deleting means, and a button to confirm. POST: delete."""
    torrent = torrent_for_user(request.user, pk)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return render(
            request,
            "torrents/confirm_delete.html",
            {"torrents": [torrent], "action_url": request.path, "single": True},
        )
    torrents_act(
        request, torrents=[torrent], action="delete", everyone=request.POST.get("everyone") == "yes"
    )
    return redirect("home")
