"""Staff pages: the moderation queue (approve or reject several pending torrents at once) and the
server page (per node: up or down, version, disk, rates, counts). Anyone else gets 404, as the
API answers, so the pages do not announce themselves."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from torrents.models import Ownership, TorrentStatus
from torrents.selectors import torrents_visible_to
from torrents.services.moderation import ModerationError, torrent_approve, torrent_reject
from torrents.stats import server_info

QUEUE_PAGE_SIZE = 100
REASON_MAX_LENGTH = 500


def staff_only(view: Callable) -> Callable:
    """404 for anonymous visitors and for users who are not staff."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_authenticated and request.user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _pending(user):
    """Waiting torrents with who asked and when: each owner's own request (their Ownership), not
    the torrent row's first upload, which may be an earlier, rejected one. The one whose adder
    asked first comes first."""
    asked_at = Ownership.objects.filter(torrent=OuterRef("pk"), user=OuterRef("added_by"))
    askers = Ownership.objects.select_related("user").order_by("created_at", "id")
    return (
        torrents_visible_to(user)
        .filter(status=TorrentStatus.PENDING_APPROVAL)
        .select_related("added_by", "node")
        .defer("metainfo")
        .annotate(
            asked_at=Coalesce(Subquery(asked_at.values("created_at")[:1]), "created_at"),
            file_count=Count("files"),
        )
        .prefetch_related(Prefetch("ownerships", queryset=askers))
        .order_by("asked_at", "id")
    )


def _queue_page(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    page = Paginator(_pending(request.user), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context.setdefault("selected", set())
    context.setdefault("reason", "")
    return render(request, "staff/moderation.html", {"page": page, **context}, status=status)


@require_GET
@staff_only
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Pending torrents, oldest first (the one that waited longest is decided first)."""
    return _queue_page(request)


def _selected_ids(request: HttpRequest) -> set[int]:
    return {int(value) for value in request.POST.getlist("torrent") if value.isdigit()}


@require_POST
@staff_only
def moderation_decide(request: HttpRequest) -> HttpResponse:
    """Approve or reject the ticked torrents; a rejection needs a reason the owners will read.
    Bad input re-shows the queue with the ticks and the text kept."""
    action = request.POST.get("action")
    ids = _selected_ids(request)
    reason = request.POST.get("reason", "").strip()
    errors: dict[str, str] = {}
    if action not in ("approve", "reject"):
        errors["action"] = "Choose approve or reject."
    if not ids:
        errors["torrent"] = "Tick at least one torrent."
    if action == "reject" and not reason:
        errors["reason"] = "Give a reason: the owners read it."
    if len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Keep the reason under {REASON_MAX_LENGTH} characters."
    if errors:
        return _queue_page(request, status=400, errors=errors, selected=ids, reason=reason)

    done, refused = [], []
    for torrent in torrents_visible_to(request.user).filter(pk__in=ids).order_by("created_at"):
        try:
            if action == "approve":
                torrent_approve(torrent=torrent, by=request.user)
            else:
                torrent_reject(torrent=torrent, by=request.user, reason=reason)
        except ModerationError as exc:
            refused.append(str(exc))
        else:
            done.append(torrent.name)
    verb = "Approved" if action == "approve" else "Rejected"
    if done:
        names = ", ".join(done[:5]) + (f" and {len(done) - 5} more" if len(done) > 5 else "")
        messages.success(request, f"{verb} {len(done)}: {names}.")
    for problem in refused:
        messages.warning(request, f"Not changed: {problem}.")
    if len(done) + len(refused) < len(ids):
        messages.warning(request, "Some ticked torrents no longer exist.")
    return redirect("staff-moderation")


def _gauge(entry: dict) -> dict | None:
    total = entry.get("disk_total_bytes")
    if not total:
        return None
    used = total - entry["disk_free_bytes"]
    return {"used": used, "free": entry["disk_free_bytes"], "percent": round(100 * used / total)}


@require_GET
@staff_only
def server(request: HttpRequest) -> HttpResponse:
    """What GET /api/server says (the same service), for a person: one card per node."""
    info = server_info()
    labels = dict(TorrentStatus.choices)
    for entry in info["nodes"]:
        entry["gauge"] = _gauge(entry)
        entry["counts"] = [(labels.get(s, s), n) for s, n in sorted(entry["torrents"].items())]
        entry["torrent_total"] = sum(entry["torrents"].values())
    for waiting in info["queue"]["oldest"]:
        waiting["status_label"] = labels.get(waiting["status"], waiting["status"])
    total = info["disk_total_bytes"]
    handed = info["quota_handed_out_bytes"]
    info["quota_percent"] = round(100 * handed / total) if total else None
    return render(request, "staff/server.html", {"info": info})
