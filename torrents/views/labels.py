"""Labels in the pages: the torrent page's card (the viewer's own labels on it, edited with
htmx) and the labels page (rename, recolour, delete, add). Writes go through
torrents/services/labels.py, as the API's do."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from torrents.label_selectors import chips_by_torrent, label_for_user, labels_of
from torrents.models import Ownership, Torrent
from torrents.selectors import torrent_for_user
from torrents.services.labels import (
    PALETTE,
    LabelError,
    label_create,
    label_delete,
    label_update,
    labels_parse,
    torrent_labels_set,
)


def labels_card_context(request: HttpRequest, torrent: Torrent) -> dict:
    """What `_labels_card.html` shows: the viewer's chips and whether they may edit them."""
    chips = chips_by_torrent(request.user, [torrent.pk]).get(torrent.pk, [])
    return {
        "chips": chips,
        "labels_text": ", ".join(chip.name for chip in chips),
        "owns": Ownership.objects.filter(torrent=torrent, user=request.user).exists(),
    }


@login_required
@require_POST
def torrent_labels(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the viewer's labels on the torrent (404 if not theirs to see). htmx gets the card
    back (with the error, if any); a plain form post goes back to the page."""
    torrent = torrent_for_user(request.user, pk)
    errors = []
    try:
        torrent_labels_set(
            user=request.user, torrent=torrent, names=labels_parse(request.POST.get("labels", ""))
        )
    except LabelError as exc:
        errors.append(str(exc))
    if request.headers.get("HX-Request") != "true":
        for error in errors:
            messages.error(request, f"Labels: {error}.")
        return redirect("torrent-page", pk=torrent.pk)
    context = {"torrent": torrent, **labels_card_context(request, torrent)}
    if errors:  # what they typed stays in the box, to fix
        context["labels_text"] = request.POST.get("labels", "")
    context.update(label_errors=errors, saved=not errors)
    return render(request, "torrents/_labels_card.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def labels_page(request: HttpRequest) -> HttpResponse:
    """The viewer's labels: add one, rename or recolour one, delete one (off every torrent)."""
    if request.method == "POST":
        _labels_change(request)
        return redirect("labels")
    labels = labels_of(request.user).annotate(count=Count("ownership_labels"))
    return render(
        request, "torrents/labels.html", {"labels": labels, "palette": list(PALETTE.items())}
    )


def _labels_change(request: HttpRequest) -> None:
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "create":
            label = label_create(
                user=request.user, name=post.get("name", ""), colour=post.get("colour") or None
            )
            messages.success(request, f"Label “{label.name}” added.")
            return
        label_id = post.get("id", "")
        if not label_id.isdigit() or action not in ("update", "delete"):
            raise Http404("no such label")
        label = label_for_user(request.user, int(label_id))
        if action == "delete":
            label_delete(label=label)
            messages.success(request, f"Label “{label.name}” deleted.")
        else:
            label_update(label=label, name=post.get("name", ""), colour=post.get("colour", ""))
            messages.success(request, f"Label “{label.name}” saved.")
    except LabelError as exc:
        messages.error(request, f"{exc}.")
