"""Bulk actions from the torrent list: the selected rows, paused, resumed, rechecked,
reannounced, labelled or unlabelled (the caller's own label), or (after a confirmation page)
deleted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from torrents.selectors import torrents_visible_to
from torrents.services.labels import (
    LabelError,
    label_name_clean,
    torrents_label_add,
    torrents_label_remove,
)
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


LABEL_ACTIONS = ("label-add", "label-remove")


def _label(request: HttpRequest, torrents: list, action: str) -> None:
    """Put the caller's label on the selection, or take it off; labels are per owner, so an
    admin's selection of torrents they do not own is left alone (and told so)."""
    try:
        name = label_name_clean(request.POST.get("label", ""))
        if action == "label-add":
            done = torrents_label_add(user=request.user, torrents=torrents, names=[name])
        else:
            done = torrents_label_remove(user=request.user, torrents=torrents, name=name)
    except LabelError as exc:
        messages.error(request, f"Label: {exc}.")
        return
    verb = "Labelled" if action == "label-add" else "Took the label off"
    if done:
        messages.success(request, f"{verb} {_count(done)} “{name}”.")
    if len(done) < len(torrents):
        why = (
            "you do not own them, or they have the most labels a torrent may have"
            if action == "label-add"
            else "they did not have it"
        )
        messages.info(request, f"{_count(torrents, done)} left as they were: {why}.")


def _count(torrents: list, minus: list = ()) -> str:
    n = len(torrents) - len(minus)
    return f"{n} torrent{'s' if n != 1 else ''}"


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
    if action not in (*ACTIONS, *LABEL_ACTIONS):
        messages.error(request, "Choose pause, resume, recheck, reannounce, a label or delete.")
        return back_to(request)
    if not torrents:
        messages.error(request, "Select one or more torrents first.")
        return back_to(request)
    if action in LABEL_ACTIONS:
        _label(request, torrents, action)
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
