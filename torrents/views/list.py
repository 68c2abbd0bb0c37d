"""The torrent list: the home page once logged in, and its live fragment.

The page polls `torrent-rows` every 2 s with the time of its last answer (`since`), a
fingerprint of the rows it shows (`v`) and the version of its counts (`c`). The answer holds
only the rows changed since then, swapped out-of-band by htmx; when rows came or went (a torrent
added, or no longer matching the filter) the whole table travels instead; the filter counts and
the totals bar travel when their version moved. Checkboxes carry `hx-preserve`, so a selection
survives both kinds of swap. Typing in the search box asks the page itself through htmx, which
answers its body only (`_list_body.html`), the URL kept in step with hx-push-url.
"""

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from torrents.label_selectors import LabelCount
from torrents.list_selectors import (
    torrent_facets,
    torrent_owner_emails,
    torrent_totals,
    user_labels,
)
from torrents.list_versions import ListVersions, list_versions
from torrents.models import TorrentStatus
from torrents.stalled import STALLED
from torrents.views.list_query import (
    BEST_MATCH_LABEL,
    SORT_LABELS,
    ListQuery,
    ids_digest,
    page_of,
    page_rows,
    rows_digest,
    rows_prepare,
)

# A row is sent again when it changed up to this long before the previous answer: the sync
# stamps `updated_at` when it starts, and commits a little later.
SINCE_MARGIN = dt.timedelta(seconds=5)
POLL_SECONDS = 2
# How long a rendered table is kept when nothing it shows was written (see _region).
REGION_SECONDS = 10


def _query(request: HttpRequest) -> ListQuery:
    return ListQuery.from_request(request.GET, staff=request.user.is_staff)


def _with_owners(request: HttpRequest, rows: list) -> list:
    """Staff see each row's owners (one query for the page); a user's own rows need none."""
    if request.user.is_staff:
        owners = torrent_owner_emails([row.id for row in rows])
        for row in rows:
            row.owner_emails = owners[row.id]
    return rows


def _sidebar_context(request: HttpRequest, query: ListQuery, facets: dict) -> dict:
    statuses = {**facets["status"], **facets["stalled"]}
    trackers = facets["tracker"]
    # Searching: a dimension whose matches passed RANKED_MAX counts the newest of them only.
    capped = facets.get("capped", {})
    if query.tracker and query.tracker not in trackers:
        trackers = {**trackers, query.tracker: 0}
    return {
        "status_all": {
            "n": sum(n for status, n in statuses.items() if status != TorrentStatus.REMOVED),
            "link": query.params(status=None, page=None),
            "current": not query.status,
        },
        "status_capped": capped.get("status", False),
        "tracker_capped": capped.get("tracker", False),
        "label_capped": capped.get("label", False),
        "status_choices": [
            {
                "value": value,
                "label": label,
                "n": statuses.get(value, 0),
                "link": query.params(status=value, page=None),
                "current": query.status == value,
            }
            for value, label in [
                *TorrentStatus.choices,
                (STALLED, "stalled: downloading, no progress and no peers"),
            ]
            if statuses.get(value) or query.status == value
        ],
        "tracker_choices": [
            {
                "host": host,
                "n": n,
                "link": query.params(tracker=None if query.tracker == host else host, page=None),
                "current": query.tracker == host,
            }
            for host, n in trackers.items()
        ],
        # The viewer's labels (their colours: one query), counted under the other filters.
        "label_counts": [
            LabelCount(label, facets["label"].get(label.name, 0))
            for label in (user_labels(request.user, query.filters()) if facets["label"] else ())
        ],
    }


def _counts_context(request: HttpRequest, query: ListQuery, facets_version: str) -> dict:
    facets = torrent_facets(request.user, query.filters(), version=facets_version)
    sidebar = _sidebar_context(request, query, facets)
    return {
        "facets": facets,
        "sidebar": sidebar,
        "sidebar_key": _sidebar_key(query, sidebar),
        "totals": torrent_totals(request.user),
    }


def _sidebar_key(query: ListQuery, sidebar: dict) -> str:
    """Everything the sidebar shows (the query, each choice's count and link, the labels'
    names and colours): its rendered HTML is kept under this, as a row's is."""
    labels = [
        (item.label.pk, item.label.name, item.label.colour, item.count)
        for item in sidebar["label_counts"]
    ]
    rest = {name: value for name, value in sidebar.items() if name != "label_counts"}
    shown = repr((dataclasses.astuple(query), rest, labels))
    return hashlib.blake2s(shown.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Region:
    """The page's table rendered (rows, summary, pager), with what the rest of the page says
    about it."""

    html: SafeString
    count: int  # rows matching the query
    count_shown: str  # as the page says it: "10,000+" when a search counted only the newest
    shown: int  # rows on this page
    page: int  # the page shown: one past the end shows the last
    digest: str  # which rows, in order (the poll sends it back)
    since: str  # when it was rendered: the poll asks for what changed after


def _region(request: HttpRequest, query: ListQuery, facets: dict, version: str, *, oob: bool):
    """The table as `request.user` sees it under `query`, kept rendered per web process for
    REGION_SECONDS under a key that holds `list_version`, so any write to what it shows (a
    torrent, its ownerships or labels: each stamps the version) renders it anew at once; what
    moves without a write (a torrent turning stalled as time passes, a poster the metadata
    task found, an owner's new address in staff's column) shows when the entry expires, as
    it would on the next full render."""
    user = request.user
    key_parts = (user.pk, user.is_staff, version, oob, dataclasses.astuple(query))
    digest = hashlib.blake2s(repr(key_parts).encode(), digest_size=16).hexdigest()
    key = f"list-region:{digest}"
    region = caches["rows"].get(key)
    if region is None:
        now = timezone.now()
        page = page_of(query, user, {**facets["status"], **facets["stalled"]})
        rows = rows_prepare(
            _with_owners(request, list(page.object_list)),
            user,
            q=query.q,
            reads=query.filters().reads,
        )
        query.page = page.number
        # "10,000+": more matched than a search ranks and counts (torrents/search/ranked.py).
        count_shown = f"{page.paginator.count:,}{'+' if page.capped else ''}"
        context = {
            "query": query,
            "page": page,
            "count_shown": count_shown,
            "rows": rows,
            "staff_columns": user.is_staff,
            "rows_key": rows_digest(rows, staff=user.is_staff),
            "headers": query.headers(),
            "oob": oob,
        }
        region = Region(
            html=render_to_string("torrents/_list_region.html", context),
            count=page.paginator.count,
            count_shown=count_shown,
            shown=len(rows),
            page=page.number,
            digest=ids_digest([row.id for row in rows]),
            since=now.isoformat(),
        )
        caches["rows"].set(key, region, REGION_SECONDS)
    return region


def _versions(request: HttpRequest, query: ListQuery) -> ListVersions:
    """The list's versions, read once a request; the query's search is kept under its own
    (and what it reads for the counts under the counts' too)."""
    versions = list_versions(request.user)
    query.filters().reads.keep_under(versions.search, counts=versions.counts)
    return versions


def _list_context(
    request: HttpRequest,
    query: ListQuery,
    *,
    versions: ListVersions | None = None,
    oob: bool = False,
) -> dict:
    version, facets_version, _ = versions or _versions(request, query)
    counts = _counts_context(request, query, facets_version)
    region = _region(request, query, counts["facets"], version, oob=oob)
    query.page = region.page  # a page past the end shows (and then polls) the last one
    return {
        **counts,
        "query": query,
        "region": region,
        "has_any": bool(query.filtering or region.count),
        "sort_choices": [
            ("", BEST_MATCH_LABEL),
            *(
                (f"{prefix}{key}", f"{label} {arrow}")
                for key, label in SORT_LABELS.items()
                for prefix, arrow in (("-", "↓"), ("", "↑"))
            ),
        ],
        "poll": _poll_context(query, region.digest, region.since, version),
    }


def _poll_context(query: ListQuery, digest: str, since: str, version: str) -> dict:
    return {
        "params": query.params(),
        "since": since,
        "digest": digest,
        "version": version,
        "seconds": POLL_SECONDS,
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors get the welcome page; everyone else their torrents (to htmx's live
    search, the list's body only)."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    context = _list_context(request, _query(request))
    body_only = (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
    template = "torrents/_list_body.html" if body_only else "torrents/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def rows(request: HttpRequest) -> HttpResponse:
    """The live fragment: changed rows of the page (one SELECT), or the whole table when the
    page's rows are not the ones the browser shows any more; the counts and totals when their
    version moved."""
    now = timezone.now()
    query = _query(request)
    since = parse_datetime(request.GET.get("since", "")) or None
    versions = _versions(request, query)
    version, facets_version, _ = versions
    rows = page_rows(query, request.user)
    if since is None or ids_digest([row.id for row in rows]) != request.GET.get("v"):
        context = _list_context(request, query, versions=versions, oob=True)
        return render(request, "torrents/rows.html", {**context, "whole": True})
    context = {
        "query": query,
        "staff_columns": request.user.is_staff,
        "changed": rows_prepare(
            _with_owners(request, [row for row in rows if row.updated_at > since - SINCE_MARGIN]),
            request.user,
            q=query.q,
            reads=query.filters().reads,
        ),
        "poll": _poll_context(
            query, ids_digest([row.id for row in rows]), now.isoformat(), version
        ),
    }
    if version != request.GET.get("c"):
        context.update(_counts_context(request, query, facets_version), counts_moved=True)
    return render(request, "torrents/rows.html", context)
