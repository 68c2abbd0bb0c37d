"""The torrent list: the home page once logged in, and its live fragment.

The page polls `torrent-rows` every 2 s with the time of its last answer (`since`) and a
fingerprint of the rows it shows (`v`). The answer holds only the rows changed since then,
swapped out-of-band by htmx; when rows came or went (a torrent added, or no longer matching the
filter) the whole table travels instead. Checkboxes carry `hx-preserve`, so a selection survives
both kinds of swap.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from torrents.models import TorrentStatus
from torrents.services.stalled import STALLED
from torrents.views.list_query import (
    PAGE_SIZE,
    SORT_LABELS,
    ListQuery,
    ids_digest,
    labels_counted,
    page_of,
    rows_digest,
    rows_prepare,
    stalled_count,
    status_counts,
)

# A row is sent again when it changed up to this long before the previous answer: the sync
# stamps `updated_at` when it starts, and commits a little later.
SINCE_MARGIN = dt.timedelta(seconds=5)
POLL_SECONDS = 2


def _list_context(request: HttpRequest, query: ListQuery, now: dt.datetime) -> dict:
    counts = status_counts(request.user)
    # The label links' counts; with a label chosen, its count is the page's.
    labels = labels_counted(query, request.user)
    page = page_of(query, request.user, counts, labels)
    query.page = page.number  # a page past the end shows (and then polls) the last one
    rows = rows_prepare(list(page.object_list), request.user)
    stalled = stalled_count(request.user)
    return {
        "query": query,
        "page": page,
        "rows": rows,
        "rows_key": rows_digest(rows),
        "counts": counts,
        "total": sum(n for status, n in counts.items() if status != TorrentStatus.REMOVED),
        "status_choices": [
            *[(v, label, counts.get(v, 0)) for v, label in TorrentStatus.choices],
            (STALLED, "stalled: downloading, no progress and no peers", stalled),
        ],
        "sort_choices": [
            (f"{prefix}{key}", f"{label} {arrow}")
            for key, label in SORT_LABELS.items()
            for prefix, arrow in (("-", "↓"), ("", "↑"))
        ],
        "headers": query.headers(),
        "label_counts": labels,
        "poll": _poll_context(query, rows, now),
    }


def _poll_context(query: ListQuery, rows: list, now: dt.datetime) -> dict:
    return {
        "params": query.params(),
        "since": now.isoformat(),
        "digest": ids_digest([row.id for row in rows]),
        "seconds": POLL_SECONDS,
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors get the welcome page; everyone else their torrents."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    query = ListQuery.from_request(request.GET)
    context = _list_context(request, query, timezone.now())
    return render(request, "torrents/list.html", context)


@login_required
@require_safe
def rows(request: HttpRequest) -> HttpResponse:
    """The live fragment: changed rows of the page (one SELECT), or the whole table when the
    page's rows are not the ones the browser shows any more."""
    now = timezone.now()
    query = ListQuery.from_request(request.GET)
    since = parse_datetime(request.GET.get("since", "")) or None
    start = (query.page - 1) * PAGE_SIZE
    rows = list(query.ordered(request.user)[start : start + PAGE_SIZE])
    if since is None or ids_digest([row.id for row in rows]) != request.GET.get("v"):
        context = _list_context(request, query, now)
        return render(request, "torrents/rows.html", {**context, "whole": True})
    changed = rows_prepare(
        [row for row in rows if row.updated_at > since - SINCE_MARGIN], request.user
    )
    return render(
        request,
        "torrents/rows.html",
        {"query": query, "changed": changed, "poll": _poll_context(query, rows, now)},
    )
