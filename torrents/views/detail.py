"""The torrent page: summary (live), files as a tree with downloads and players, trackers
(their live state in a fragment loaded after the page), peers, the owner's history, owners for
admins; pause, resume, recheck, reannounce and delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from torrents.forms import TorrentSettingsForm
from torrents.models import Torrent, TorrentHistory
from torrents.page_panels import panels_for
from torrents.rtorrent import RTorrentError
from torrents.selectors import (
    message_shown,
    ownership_of,
    torrent_for_user,
    torrent_secrets_visible_to,
    torrent_trackers,
    torrents_visible_to,
    tracker_states_shown,
)
from torrents.services.control import ControlError
from torrents.services.seeding import RuleError, ownership_seeding_rule_set, seeding_floor
from torrents.services.throttle import LimitError, ownership_limits_set
from torrents.services.tracker_states import torrent_tracker_states
from torrents.stalled import torrent_is_stalled
from torrents.views.actions import torrents_act
from torrents.views.detail_reads import torrent_live
from torrents.views.file_priorities import files_context
from torrents.views.labels import labels_card_context

SINGLE_ACTIONS = ("pause", "resume", "recheck", "reannounce", "repush")


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
    torrent.is_stalled = torrent_is_stalled(
        status=torrent.status, stalled_since=torrent.stalled_since
    )
    torrent.message_shown = message_shown(request.user, torrent)
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
    files = list(torrent.files.order_by("index"))
    live = torrent_live(torrent)
    owners = None
    if request.user.is_staff:
        owners = list(torrent.ownerships.select_related("user").order_by("created_at"))
    return render(
        request,
        "torrents/detail.html",
        {
            "torrent": torrent,
            **files_context(request, torrent, files, live),
            # What the database knows, until the live panel replaces it (no rTorrent call).
            "trackers": torrent_trackers(torrent, user=request.user),
            "history": _history(request, torrent),
            "owners": owners,
            **_settings_context(request, torrent),
            **_sharing(request, torrent),
            **labels_card_context(request, torrent),
            "panels": panels_for(request, torrent),
        },
    )


def _settings_context(request: HttpRequest, torrent: Torrent) -> dict:
    """The viewer's own limits and rule for it (owners only), their caps and the floor."""
    mine = ownership_of(request.user, torrent)
    if mine is None:
        return {"mine": None}
    form = TorrentSettingsForm(
        initial={
            "upload_limit_kib": mine.upload_limit_kib,
            "download_limit_kib": mine.download_limit_kib,
            "seed_ratio": mine.seed_ratio,
            "seed_hours": mine.seed_hours,
        }
    )
    return {"mine": mine, "settings_form": form, "seeding_floor": seeding_floor()}


@login_required
@require_POST
def torrent_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """An owner's limits and seeding rule for this torrent (the services PATCH uses)."""
    torrent = torrent_for_user(request.user, pk)
    form = TorrentSettingsForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        messages.error(request, f"Not saved: {errors}")
        return redirect("torrent-page", pk=torrent.pk)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            ownership_limits_set(
                torrent=torrent,
                user=request.user,
                upload_kib=data["upload_limit_kib"],
                download_kib=data["download_limit_kib"],
            )
            ownership_seeding_rule_set(
                torrent=torrent,
                user=request.user,
                ratio=data["seed_ratio"],
                hours=data["seed_hours"],
            )
    except (LimitError, RuleError) as exc:
        messages.error(request, f"Not saved: {exc}")
    else:
        messages.success(request, "Speed and seeding saved.")
    return redirect("torrent-page", pk=torrent.pk)


@login_required
@require_safe
def torrent_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary alone, polled by the page every few seconds (the row only: no rTorrent)."""
    torrent = _torrent(request, pk)
    response = render(
        request,
        "torrents/_summary.html",
        {"torrent": torrent, "live_poll": True, **_sharing(request, torrent)},
    )
    # The page asks with the status it shows; a change (a download finishing, a recheck) makes
    # the Files card fetch itself again, for the download links and progress of the new state.
    shown = request.GET.get("shown")
    if shown and shown != torrent.status:
        response["HX-Trigger"] = "torrent-status-changed"
    return response


@login_required
@require_safe
def torrent_trackers_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The trackers' live state, loaded by the page once it is shown (htmx `load`): the page
    never waits on rTorrent for it, and a node that does not answer is said in the panel."""
    torrent = _torrent(request, pk)
    panel, error = None, ""
    try:
        panel = tracker_states_shown(request.user, torrent, torrent_tracker_states(torrent=torrent))
    except ControlError as exc:
        error = str(exc)
    except RTorrentError as exc:
        error = f"rTorrent did not answer ({exc.message}); try again in a moment"
    return render(
        request,
        "torrents/_trackers.html",
        {
            "torrent": torrent,
            "panel": panel,
            "error": error,
            "trackers": torrent_trackers(torrent, user=request.user) if panel is None else [],
        },
    )


@login_required
@require_POST
def torrent_action(request: HttpRequest, pk: int) -> HttpResponse:
    torrent = torrent_for_user(request.user, pk)
    action = request.POST.get("action", "")
    if action not in SINGLE_ACTIONS:
        messages.error(request, "Choose pause, resume, recheck, reannounce or try again.")
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
