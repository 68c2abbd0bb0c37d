"""Bulk actions from the torrent list: the selected rows, or every torrent matching the list's
filters ("select all matching", at most MAX_SELECTED), paused, resumed, rechecked, reannounced,
labelled or unlabelled (the caller's own label), or (after a confirmation page listing each one)
deleted. A row's own buttons come here too, as `one`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from torrents.list_selectors import torrents_matching
from torrents.selectors import torrents_visible_to
from torrents.services.labels import (
    LabelError,
    label_name_clean,
    torrents_label_add,
    torrents_label_remove,
)
from torrents.views.actions import ACTIONS, torrents_act
from torrents.views.list_query import ListQuery

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
    admin's selection of torrents they do not own is left alone (and told so). The label is
    `label_name` (`label` is the list's own filter, sent along for "all matching")."""
    try:
        name = label_name_clean(request.POST.get("label_name", ""))
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


def _selected(request: HttpRequest, ids: list[int]) -> list:
    # Only the caller's own torrents (all, for admins): other ids are ignored, never acted on.
    return list(
        torrents_visible_to(request.user)
        .filter(pk__in=ids[:MAX_SELECTED])
        .select_related("node")
        .defer("metainfo")
        .order_by("name")
    )


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    one = request.POST.get("one", "")
    if one:  # a row's own button: "pause:12"
        action, _, one_id = one.partition(":")
        ids = [int(one_id)] if one_id.isdigit() else []
    else:
        ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    if not one and request.POST.get("match") == "all":
        # The list's filters, read as the page reads them, through the same selectors.
        query = ListQuery.from_request(request.POST, staff=request.user.is_staff)
        torrents, matching, capped = torrents_matching(
            request.user, query.filters(), limit=MAX_SELECTED
        )
        if matching > MAX_SELECTED:
            messages.error(
                request,
                f"{matching:,}{'+' if capped else ''} torrents match: at most "
                f"{MAX_SELECTED:,} at once. "
                "Narrow the filter, or act on them in parts.",
            )
            return back_to(request)
    else:
        torrents = _selected(request, ids)
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
