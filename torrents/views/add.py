"""The add page: one drop zone (static/js/dropzone.js, which talks to the API: the check before
the upload, then the upload with its progress), and the four ways in of the intake service as
plain forms, one each, with per-item results and errors next to the field that caused them,
for a browser without JavaScript (htmx posts them when it runs)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from torrents.models import Torrent, TorrentStatus
from torrents.selectors import torrent_fetches_recent
from torrents.services.intake import IntakeRequestError, skip_files_parse
from torrents.services.intake_request import IntakeResult, Rejection, intake_submit
from torrents.upload_guard import upload_guard_install

_TRUE = {"1", "true", "on", "yes"}

# Each way in: its form's main field (where request-level errors go).
WAYS = {"torrents": "torrents", "magnets": "magnets", "with-data": "torrent", "data": "files"}


@dataclass(frozen=True)
class ItemResult:
    name: str
    outcome: str  # added | pending | fetching | refused
    detail: str = ""
    torrent: Torrent | None = None
    rejection: Rejection | None = None


def _items(result: IntakeResult) -> list[ItemResult]:
    items = [
        ItemResult(
            name=t.name,
            outcome="pending" if t.status == TorrentStatus.PENDING_APPROVAL else "added",
            detail="an administrator approves it before it starts"
            if t.status == TorrentStatus.PENDING_APPROVAL
            else "",
            torrent=t,
        )
        for t in result.added
    ]
    items += [
        ItemResult(
            name=f.url,
            outcome="fetching",
            detail="a worker fetches it; see below how it went",
        )
        for f in result.fetches
    ]
    items += [
        ItemResult(name=r.name, outcome="refused", detail=r.reason, rejection=r)
        for r in result.rejected
    ]
    return items


def _links(text_values: list[str]) -> tuple[list[str], list[str]]:
    """(magnet lines, URL lines) of the magnets form: a line that is an http(s) URL is a
    .torrent to fetch, anything else is taken as a magnet link (and refused if it is not)."""
    magnets, urls = [], []
    for value in text_values:
        for line in value.splitlines():
            line = line.strip()
            if line:
                (urls if line.lower().startswith(("http://", "https://")) else magnets).append(line)
    return magnets, urls


# The fields each way's form shows. A refusal about another one (the hidden `paths`, filled in
# from folder names) goes next to the files it came with; one about the item, next to the item.
FORM_FIELDS = {
    "torrents": {"torrents"},
    "magnets": {"magnets"},
    "with-data": {"torrent", "files"},
    "data": {"files", "name", "trackers"},
}


def field_for(way: str, rejection: Rejection) -> str:
    """Which field of the way's form a refusal belongs next to."""
    field = "files" if rejection.field == "paths" else rejection.field
    return field if field in FORM_FIELDS[way] else WAYS[way]


def _submit(request: HttpRequest, way: str) -> IntakeResult:
    post, files = request.POST, request.FILES
    user = request.user
    paused = post.get("paused", "").lower() in _TRUE
    labels = post.getlist("labels")  # comma-separated names, for every torrent added
    if way == "torrents":
        return intake_submit(
            user=user,
            torrents=files.getlist("torrents"),
            paused=paused,
            skip_files=skip_files_parse(post.getlist("skip_files")),
            labels=labels,
        )
    if way == "magnets":
        magnets, urls = _links(post.getlist("magnets"))
        return intake_submit(user=user, magnets=magnets, urls=urls, paused=paused, labels=labels)
    if way == "with-data":
        return intake_submit(
            user=user,
            labels=labels,
            torrent=files.get("torrent"),
            files=files.getlist("files"),
            paths=post.getlist("paths"),
            paused=paused,
        )
    return intake_submit(
        user=user,
        paused=paused,
        labels=labels,
        files=files.getlist("files"),
        paths=post.getlist("paths"),
        name=post.get("name", "").strip(),
        trackers=post.getlist("trackers"),
        private=post.get("private", "").lower() in _TRUE,
        comment=post.get("comment", "").strip(),
    )


def _context(request: HttpRequest, **extra) -> dict:
    return {
        "fetches": torrent_fetches_recent(request.user),
        "upload_limit": settings.SEEDBOX_UPLOAD_MAX_SIZE,
        "per_request": settings.SEEDBOX_MAX_TORRENTS_PER_REQUEST,
        "default_trackers": "\n".join(settings.SEEDBOX_DEFAULT_TRACKERS),
        "errors": {},
        "values": {},
        **extra,
    }


@login_required
@csrf_exempt
def add(request: HttpRequest) -> HttpResponse:
    """The guard goes in before the CSRF check reads the body (Django's documented way to
    change upload handlers); `_add` is CSRF-protected as before. A refusal by the guard is
    answered without that check: nothing is done, and a cross-site page cannot read it."""
    if request.method != "POST":
        return render(request, "torrents/add.html", _context(request))
    guard = upload_guard_install(request)
    request.POST  # noqa: B018 (parses the body through the guard)
    if guard.refusal is not None:
        # The forms name their way in the URL too: a refusal before the body is read knows it.
        way = request.POST.get("way") or request.GET.get("way", "")
        context = (
            _context(request, way=way, errors={WAYS[way]: [guard.refusal.message]})
            if way in WAYS
            else _context(request, form_error=guard.refusal.message)
        )
        return render(request, "torrents/add.html", context, status=guard.refusal.status)
    return _add(request)


@csrf_protect
def _add(request: HttpRequest) -> HttpResponse:
    way = request.POST.get("way", "")
    if way not in WAYS:
        return render(
            request,
            "torrents/add.html",
            _context(request, form_error="Choose a way to add."),
            status=400,
        )
    # Text the person typed comes back in the form: bad input loses nothing.
    fields = ("magnets", "name", "trackers", "comment", "labels")
    values = {key: request.POST.get(key, "") for key in fields}
    values["private"] = request.POST.get("private", "").lower() in _TRUE
    errors: dict[str, list[str]] = {}
    items: list[ItemResult] = []
    try:
        items = _items(_submit(request, way))
    except IntakeRequestError as exc:
        errors[WAYS[way]] = [str(exc)]
    for item in items:
        if item.outcome == "refused":
            field = field_for(way, item.rejection)
            errors.setdefault(field, []).append(f"{item.name}: {item.detail}")
    added = any(item.outcome != "refused" for item in items)
    if errors and way == "magnets":
        # What was added leaves the box: only the lines refused stay, to be fixed.
        refused = {item.name for item in items if item.outcome == "refused"}
        lines = [line for line in values["magnets"].splitlines() if line.strip()[:200] in refused]
        values["magnets"] = "\n".join(lines)
    context = _context(
        request, way=way, items=items, errors=errors, values=values if errors else {}
    )
    return render(request, "torrents/add.html", context, status=200 if added else 400)
