"""What the torrent list shows: the query string (status, search, tracker, owner, label, sort,
page) turned into one page of rows, read through the list's selectors. Shared by the page and
its live fragment.

`?status=stalled` is a derived status (torrents/stalled.py), not a stored one. A search's rows
are the API's: the newest RANKED_MAX matches at most, ranked (or in the sort asked for) by
torrents/search/ranked.py, their count capped the same way ("10,000+")."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import Page
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, QuerySet
from django.db.models.functions import Cast, NullIf
from django.http import QueryDict

from torrents.label_selectors import chips_by_torrent
from torrents.list_selectors import ListFilters, torrents_filtered, torrents_kept_ids
from torrents.models import LIST_COLUMNS, Torrent, TorrentStatus
from torrents.page_panels import row_extras_for
from torrents.paging import CountedPaginator
from torrents.search import SearchReads, search_best_first, search_matched_files
from torrents.search.ranked import BEST_FIRST, RankedPage, kept_ranked_page, ranked_page
from torrents.selectors import messages_shown, torrents_visible_to
from torrents.stalled import STALLED, stalled_q
from torrents.tracker_host import HOST_MAX_LENGTH

PAGE_SIZE = 50

# The columns a row shows (and the poll re-reads): everything else stays in the database.
# What a row reads: the columns it shows, its id and times.
ROW_FIELDS = ("id", *LIST_COLUMNS, "created_at", "updated_at")

_PROGRESS = Cast("completed_bytes", FloatField()) / NullIf(F("size_bytes"), 0)
# rTorrent's own d.ratio: uploaded over the bytes it has (so a torrent added with its data,
# which downloaded nothing, still has a ratio).
_RATIO = Cast("uploaded_bytes", FloatField()) / NullIf(F("completed_bytes"), 0)

SORTS = {
    "added": ("created_at", "id"),
    "name": ("name", "id"),
    "size": ("size_bytes", "id"),
    "progress": ("progress_value", "id"),
    "status": ("status", "id"),
    "down": ("down_rate", "id"),
    "up": ("up_rate", "id"),
    "ratio": ("ratio_value", "id"),
    "peers": ("peers", "id"),
}
# The sort keys that can be NULL (a torrent of size 0, nothing completed): last either way.
NULLABLE = {"progress_value", "ratio_value"}
SORT_LABELS = {
    "name": "Name",
    "status": "Status",
    "progress": "Progress",
    "size": "Size",
    "down": "Down",
    "up": "Up",
    "ratio": "Ratio",
    "peers": "Peers",
    "added": "Added",
}
DEFAULT_SORT = "-added"
# The sort select's first choice (`sort` absent or empty): the best matches first when
# searching (torrents/search), else DEFAULT_SORT. A sort chosen explicitly wins over ranking.
BEST_MATCH_LABEL = "Best match, else newest"


@dataclass
class ListQuery:
    """The list's parameters, cleaned: anything unknown falls back to the default. `owner`
    (an email) is for staff; for anyone else it is dropped."""

    status: str = ""
    q: str = ""
    tracker: str = ""
    owner: str = ""
    label: str = ""  # one of the viewer's own labels (staff too: see torrents_labelled)
    sort: str = DEFAULT_SORT
    page: int = 1
    statuses: list[str] = field(default_factory=lambda: [*TorrentStatus.values, STALLED])
    sort_given: bool = False  # asked for (else the default: ranked when searching)

    @classmethod
    def from_request(cls, params: QueryDict, *, staff: bool = False) -> "ListQuery":
        status = params.get("status", "")
        sort = params.get("sort", "")
        sort_given = sort.lstrip("-") in SORTS
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            status=status if status in (*TorrentStatus.values, STALLED) else "",
            q=params.get("q", "").strip()[:200],
            tracker=params.get("tracker", "").strip().lower()[:HOST_MAX_LENGTH],
            owner=params.get("owner", "").strip()[:254] if staff else "",
            label=" ".join(params.get("label", "").split())[:200],
            sort=sort if sort_given else DEFAULT_SORT,
            page=page,
            sort_given=sort_given,
        )

    @property
    def ranked(self) -> bool:
        """Rows in the search's order: searching, no sort asked for."""
        return bool(self.q) and not self.sort_given

    def params(self, **changes) -> str:
        """The query string of this view with `changes` (None drops a key); defaults left out."""
        values = {name: getattr(self, name) for name in _DEFAULTS}
        values.update(changes)
        kept = {k: v for k, v in values.items() if v is not None and v != _DEFAULTS[k]}
        if values["sort"] == DEFAULT_SORT and self.q and self.sort_given:
            kept["sort"] = DEFAULT_SORT  # chosen: stays so (not ranked) when the query moves
        return urlencode(kept)

    @property
    def params_without_label(self) -> str:
        """This view's query string without its label and page (for the label links)."""
        return self.params(label=None, page=None)

    def filter_params(self) -> list[tuple[str, str]]:
        """The active filters as (name, value): what "select all matching" sends along."""
        return [(name, getattr(self, name)) for name in FILTER_NAMES if getattr(self, name)]

    @property
    def filtering(self) -> bool:
        return bool(self.filter_params())

    def sort_link(self, key: str) -> str:
        """Query string sorting by `key`; the current key flips its direction."""
        if self.sort.lstrip("-") == key:
            target = key if self.sort.startswith("-") else f"-{key}"
        else:
            target = key if key in ("name", "status") else f"-{key}"
        return self.params(sort=target, page=None)

    def headers(self) -> list[dict]:
        """The table's sortable column headers: label, link, and aria-sort for the current one."""
        current, descending = self.sort.lstrip("-"), self.sort.startswith("-")
        if self.ranked:
            current = ""  # no column is the order
        return [
            {
                "key": key,
                "label": label,
                "link": self.sort_link(key),
                "aria_sort": ("descending" if descending else "ascending")
                if key == current
                else "",
            }
            for key, label in SORT_LABELS.items()
        ]

    def filters(self) -> ListFilters:
        """The same filters each call, so that the page and its counts share what their search
        reads (`ListFilters.reads`)."""
        return self._filters

    @cached_property
    def _filters(self) -> ListFilters:
        return ListFilters(
            statuses=(self.status,) if self.status else (),
            q=self.q,
            tracker=self.tracker,
            owner=self.owner,
            label=self.label,
        )

    def ordered(self, user) -> QuerySet[Torrent]:
        """The list in its order, not searching (a search's page: `searched_page`)."""
        key = self.sort.lstrip("-")
        filtered = torrents_filtered(user, self.filters(), newest_first=key == "added")
        descending = self.sort.startswith("-")
        order = []
        for name in SORTS[key]:
            # NULLS LAST only where there can be one: on any other column it no longer matches
            # the index's order (Postgres sorts every row to find a page).
            last = True if name in NULLABLE else None
            expression = F(name)
            order.append(
                expression.desc(nulls_last=last) if descending else expression.asc(nulls_last=last)
            )
        return _shown(filtered).order_by(*order)

    def search_order(self) -> tuple[tuple[str, bool], ...]:
        """How a search's candidates are paged: by rank, or by the sort asked for."""
        if self.ranked:
            return BEST_FIRST
        return tuple((name, self.sort.startswith("-")) for name in SORTS[self.sort.lstrip("-")])


def _shown(queryset: QuerySet[Torrent]) -> QuerySet[Torrent]:
    """The columns a row shows, with its progress, ratio and whether it is stalled."""
    return queryset.annotate(
        progress_value=_PROGRESS,
        ratio_value=_RATIO,
        is_stalled=ExpressionWrapper(stalled_q(), output_field=BooleanField()),
    ).only(*ROW_FIELDS)


FILTER_NAMES = ("status", "q", "tracker", "owner", "label")
_DEFAULTS = {
    "status": "",
    "q": "",
    "tracker": "",
    "owner": "",
    "label": "",
    "sort": DEFAULT_SORT,
    "page": 1,
}


def matching_count(query: ListQuery, status_counts: dict[str, int]) -> int:
    """How many rows the list holds, from its status facet (counted under every other filter,
    `stalled` among them): no COUNT of its own."""
    if query.status:
        return status_counts.get(query.status, 0)
    return sum(
        n for status, n in status_counts.items() if status not in (TorrentStatus.REMOVED, STALLED)
    )


def page_of(query: ListQuery, user, status_counts: dict[str, int]) -> Page:
    """One page of rows (one SELECT; the count comes from the status facet); a page past the
    end shows the last one. `page.capped`: searching, more than RANKED_MAX matched (the count
    is then RANKED_MAX: `searched_page`)."""
    if query.q:
        return searched_page(query, user)
    count = matching_count(query, status_counts)
    paginator = CountedPaginator(query.ordered(user), PAGE_SIZE, count=lambda: count)
    page = paginator.get_page(query.page)
    page.capped = False
    return page


def searched_page(query: ListQuery, user) -> Page:
    """A search's page as the API's (torrents/search/ranked.py): its ids and the count in one
    query of the newest RANKED_MAX matches at most (or from the matches kept in their order:
    `_kept_pages`), then those rows; past the end, the last."""
    page_at = _kept_pages(query, user) or _ranked_pages(query, user)
    found = page_at((query.page - 1) * PAGE_SIZE)
    paginator = CountedPaginator([], PAGE_SIZE, count=lambda: found.count)
    number = min(query.page, paginator.num_pages)
    ids = found.ids
    if number != query.page:
        ids = page_at((number - 1) * PAGE_SIZE).ids
    rows = {row.pk: row for row in _shown(torrents_visible_to(user).filter(pk__in=ids))}
    page = Page([rows[pk] for pk in ids if pk in rows], number, paginator)
    page.capped = found.capped
    return page


def _ranked_pages(query: ListQuery, user) -> Callable[[int], RankedPage]:
    searched = torrents_filtered(user, query.filters(), ranked=True).annotate(
        progress_value=_PROGRESS, ratio_value=_RATIO
    )
    order = query.search_order()
    return lambda offset: ranked_page(searched, offset=offset, limit=PAGE_SIZE, order=order)


def _kept_pages(query: ListQuery, user) -> Callable[[int], RankedPage] | None:
    """Ranked (no sort asked for), a user's matches already in their order, kept while what
    they match holds (`search_best_first`): the pages of those the filters keep now, from one
    query of ids rather than every match ranked again after a status change. None where they
    are not kept (staff on Postgres, more than RANKED_MAX matches)."""
    filters = query.filters()
    if query.search_order() != BEST_FIRST:
        return None
    best_first = search_best_first(filters.q, user=user, reads=filters.reads)
    if best_first is None:
        return None
    kept = torrents_kept_ids(user, filters)
    return lambda offset: kept_ranked_page(best_first, kept, offset=offset, limit=PAGE_SIZE)


def page_rows(query: ListQuery, user) -> list[Torrent]:
    """The rows of the query's page, in its order (what the poll compares with the browser's)."""
    if query.q:
        return list(searched_page(query, user).object_list)
    start = (query.page - 1) * PAGE_SIZE
    return list(query.ordered(user)[start : start + PAGE_SIZE])


def rows_prepare(
    rows: list[Torrent], user, *, q: str = "", reads: SearchReads | None = None
) -> list[Torrent]:
    """What a row shows beyond its columns: rTorrent's message as this user may read it, and
    `chips`, the viewer's labels on it (one query for the page), with `chips_key` for the
    rendered row's cache: labels are per user, so the same torrent at the same `updated_at`
    renders differently for each of its owners. Searching (`q`): `matched_files`, the files
    the search matched (one query for the page, kept with the search's `reads`), with
    `matched_key` for the cache."""
    matched = search_matched_files([row.id for row in rows], q, reads=reads) if q else {}
    shown = messages_shown(user, {row.pk: row.rtorrent_message for row in rows})
    chips = chips_by_torrent(user, [row.id for row in rows])
    extras = row_extras_for(user, rows) if rows else {}
    for row in rows:
        row.extra = extras.get(row.id, "")
        row.message_shown = shown[row.pk]
        row.chips = chips.get(row.id, [])
        row.chips_key = ",".join(f"{c.name}{c.colour}" for c in row.chips)
        row.matched_files = matched.get(row.id, [])
        row.matched_key = ",".join(str(f["id"]) for f in row.matched_files)
    return rows


def rows_digest(rows: list[Torrent], *, staff: bool = False) -> str:
    """A key for the page's rendered rows: every column they show, in order, with what
    `rows_prepare` adds (one cache lookup for the table instead of one per row), and staff's
    owners column."""
    shown = [
        (
            *(getattr(row, name) for name in ROW_FIELDS),
            getattr(row, "is_stalled", False),
            getattr(row, "message_shown", ""),
            tuple(getattr(row, "chips", ())),
            getattr(row, "extra", ""),
            getattr(row, "matched_key", ""),
        )
        for row in rows
    ]
    if staff:
        shown.append(tuple(tuple(getattr(row, "owner_emails", ())) for row in rows))
    return hashlib.blake2s(repr(shown).encode(), digest_size=16).hexdigest()


def ids_digest(ids: list[int]) -> str:
    """A short fingerprint of which rows a page shows, in order: the poll sends it back, and a
    different answer means rows came or went (the whole table is sent again)."""
    return hashlib.blake2s(",".join(map(str, ids)).encode(), digest_size=6).hexdigest()
