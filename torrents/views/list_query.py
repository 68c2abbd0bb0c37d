"""What the torrent list shows: the query string (status, search, label, sort, page) turned into
one page of rows, read through the visibility selector. Shared by the page and its live
fragment.

`?status=stalled` is a derived status (torrents/services/stalled.py), not a stored one."""

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import caches
from django.core.paginator import Page
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    QuerySet,
)
from django.db.models.functions import Cast, NullIf
from django.http import QueryDict

from torrents.label_selectors import (
    LabelCount,
    chips_by_torrent,
    label_counts,
    labels_of,
    torrents_labelled,
)
from torrents.models import Ownership, Torrent, TorrentGone, TorrentStatus
from torrents.paging import CountedPaginator
from torrents.selectors import messages_shown, torrents_visible_to
from torrents.services.stalled import STALLED, stalled_q

PAGE_SIZE = 50

# The columns a row shows (and the poll re-reads): everything else stays in the database.
ROW_FIELDS = (
    "id",
    "name",
    "status",
    "status_message",
    "size_bytes",
    "completed_bytes",
    "down_rate",
    "up_rate",
    "uploaded_bytes",
    "peers",
    "seeders",
    "stale",
    "rtorrent_message",
    "stalled_since",
    "created_at",
    "updated_at",
)

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


@dataclass
class ListQuery:
    """The list's parameters, cleaned: anything unknown falls back to the default."""

    status: str = ""
    q: str = ""
    label: str = ""  # one of the viewer's own labels (staff too: see torrents_labelled)
    sort: str = DEFAULT_SORT
    page: int = 1
    statuses: list[str] = field(default_factory=lambda: [*TorrentStatus.values, STALLED])

    @classmethod
    def from_request(cls, params: QueryDict) -> "ListQuery":
        status = params.get("status", "")
        sort = params.get("sort", DEFAULT_SORT)
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            status=status if status in (*TorrentStatus.values, STALLED) else "",
            q=params.get("q", "").strip()[:200],
            label=" ".join(params.get("label", "").split())[:200],
            sort=sort if sort.lstrip("-") in SORTS else DEFAULT_SORT,
            page=page,
        )

    def params(self, **changes) -> str:
        """The query string of this view with `changes` (None drops a key); defaults left out."""
        values = {
            "status": self.status,
            "q": self.q,
            "label": self.label,
            "sort": self.sort,
            "page": self.page,
        }
        values.update(changes)
        defaults = {"status": "", "q": "", "label": "", "sort": DEFAULT_SORT, "page": 1}
        return urlencode({k: v for k, v in values.items() if v is not None and v != defaults[k]})

    @property
    def params_without_label(self) -> str:
        """This view's query string without its label and page (for the label links)."""
        return self.params(label=None, page=None)

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

    def filtered(self, user, *, by_label: bool = True) -> QuerySet[Torrent]:
        """The rows matching the filters (`by_label=False`: all but the label, what the label
        links count within)."""
        queryset = torrents_visible_to(user)
        if self.status == STALLED:
            queryset = queryset.filter(stalled_q())
        elif self.status:
            queryset = queryset.filter(status=self.status)
        else:  # removed torrents stay for the record (admins see them), asked for by name only
            queryset = queryset.exclude(status=TorrentStatus.REMOVED)
        if self.q:
            queryset = queryset.filter(name__icontains=self.q)
        if self.label and by_label:
            queryset = torrents_labelled(queryset, user=user, name=self.label)
        return queryset

    def ordered(self, user) -> QuerySet[Torrent]:
        key = self.sort.lstrip("-")
        descending = self.sort.startswith("-")
        order = []
        for name in SORTS[key]:
            expression = F(name)
            order.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return (
            self.filtered(user)
            .annotate(
                progress_value=_PROGRESS,
                ratio_value=_RATIO,
                is_stalled=ExpressionWrapper(stalled_q(), output_field=BooleanField()),
            )
            .only(*ROW_FIELDS)
            .order_by(*order)
        )


def page_of(
    query: ListQuery,
    user,
    counts: dict[str, int] | None = None,
    labels: list[LabelCount] | None = None,
) -> Page:
    """One page of rows (one SELECT, and a count unless `counts`, the status counts, or
    `labels`, the label counts within the other filters, tell it); a page past the end shows
    the last one."""
    count = None
    if query.label and labels is not None:
        wanted = query.label.casefold()
        count = next((n for item, n in labels if item.name.casefold() == wanted), 0)
    elif counts is not None and not query.q and not query.label and query.status != STALLED:
        if query.status:
            count = counts.get(query.status, 0)
        else:
            count = sum(n for status, n in counts.items() if status != TorrentStatus.REMOVED)
    paginator = CountedPaginator(
        query.ordered(user), PAGE_SIZE, count=None if count is None else (lambda: count)
    )
    return paginator.get_page(query.page)


def status_counts(user) -> dict[str, int]:
    """{status: how many} of the user's torrents. Counting is one grouped walk over all they
    own (the one part of the page that grows with the library), so the answer is kept per web
    process until something it depends on moves: the latest `updated_at` of any torrent (every
    write stamps it), and the user's latest ownership gained or lost; three index lookups."""
    key = f"status-counts:{user.pk}:{_counts_version(user)}"
    counts = caches["rows"].get(key)
    if counts is None:
        counts = _status_counts(user)
        caches["rows"].set(key, counts)
    return counts


def labels_counted(query: ListQuery, user) -> list[LabelCount]:
    """The viewer's labels with their counts within the list's other filters (status, search):
    the label links' numbers. Counting walks every labelled torrent of theirs, so the counts
    are kept like the status counts, until a torrent changes (a label put on or taken off
    stamps the torrent's `updated_at`) or the user gains or loses one."""
    labels = list(labels_of(user))
    if not labels:
        return []
    filters = hashlib.blake2s(f"{query.status}\0{query.q}".encode(), digest_size=8).hexdigest()
    key = f"label-counts:{user.pk}:{_counts_version(user)}:{filters}"
    counts = caches["rows"].get(key)
    if counts is None:
        counts = label_counts(user, query.filtered(user, by_label=False))
        caches["rows"].set(key, counts)
    return [LabelCount(label, counts.get(label.pk, 0)) for label in labels]


def _counts_version(user) -> str:
    stamps = [Torrent.objects.aggregate(at=Max("updated_at"))["at"]]
    if user.is_authenticated and not user.is_staff:
        stamps.append(Ownership.objects.filter(user=user).aggregate(at=Max("created_at"))["at"])
        stamps.append(TorrentGone.objects.filter(user=user).aggregate(at=Max("at"))["at"])
    return hashlib.blake2s(repr(stamps).encode(), digest_size=12).hexdigest()


def _status_counts(user) -> dict[str, int]:
    """In one grouped query (a user's from their ownerships, which their index finds, rather
    than checking every torrent)."""
    if user.is_authenticated and not user.is_staff:
        rows = (
            Ownership.objects.filter(user=user)
            .order_by()
            .values(status=F("torrent__status"))
            .annotate(n=Count("id"))
        )
    else:
        rows = torrents_visible_to(user).order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def stalled_count(user) -> int:
    """How many of the user's torrents are stalled, kept like `status_counts` (a torrent that
    becomes stalled is stamped by the sync, which moves the version)."""
    key = f"stalled-count:{user.pk}:{_counts_version(user)}"
    count = caches["rows"].get(key)
    if count is None:
        if user.is_authenticated and not user.is_staff:
            count = Ownership.objects.filter(stalled_q(prefix="torrent__"), user=user).count()
        else:
            count = torrents_visible_to(user).filter(stalled_q()).count()
        caches["rows"].set(key, count)
    return count


def rows_prepare(rows: list[Torrent], user) -> list[Torrent]:
    """What a row shows beyond its columns: rTorrent's message as this user may read it, and
    `chips`, the viewer's labels on it (one query for the page), with `chips_key` for the
    rendered row's cache: labels are per user, so the same torrent at the same `updated_at`
    renders differently for each of its owners."""
    shown = messages_shown(user, {row.pk: row.rtorrent_message for row in rows})
    chips = chips_by_torrent(user, [row.id for row in rows])
    for row in rows:
        row.message_shown = shown[row.pk]
        row.chips = chips.get(row.id, [])
        row.chips_key = ",".join(f"{c.name}{c.colour}" for c in row.chips)
    return rows


def rows_digest(rows: list[Torrent]) -> str:
    """A key for the page's rendered rows: every column they show, in order, and their chips
    (one cache lookup for the table instead of one per row)."""
    shown = [
        (
            *(getattr(row, name) for name in ROW_FIELDS),
            row.is_stalled,
            row.message_shown,
            tuple(getattr(row, "chips", ())),
        )
        for row in rows
    ]
    return hashlib.blake2s(repr(shown).encode(), digest_size=16).hexdigest()


def ids_digest(ids: list[int]) -> str:
    """A short fingerprint of which rows a page shows, in order: the poll sends it back, and a
    different answer means rows came or went (the whole table is sent again)."""
    return hashlib.blake2s(",".join(map(str, ids)).encode(), digest_size=6).hexdigest()
