"""Bulk actions from the torrent list: the selected rows, paused, resumed, rechecked,
reannounced or (after a confirmation page) deleted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from torrents.selectors import torrents_visible_to
from torrents.views.actions import ACTIONS, torrents_act

MAX_SELECTED = 500


def safe_next(request: HttpRequest) -> str:
    """Where the form came from (the list with its filters), or '' if that is another site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def back_to(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request) or "home")


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:MAX_SELECTED]
    # Only the caller's own torrents (all, for admins): other ids are ignored, never acted on.
    torrents = list(
        torrents_visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("node")
        .defer("metainfo")
        .order_by("name")
    )
    if action not in ACTIONS:
        messages.error(request, "Choose pause, resume, recheck, reannounce or delete.")
        return back_to(request)
    if not torrents:
        messages.error(request, "Select one or more torrents first.")
        return back_to(request)
    if action == "delete" and request.POST.get("confirm") != "yes":
        return render(
            request,
            "torrents/confirm_delete.html",
            {"torrents": torrents, "action_url": request.path, "next": safe_next(request)},
        )
    torrents_act(
        request, torrents=torrents, action=action, everyone=request.POST.get("everyone") == "yes"
    )
    return back_to(request)
