"""Reads of the torrent list beyond visibility: its filters, the counts beside each filter
(facets), the totals bar and the owners column. The page and the API both read through here, on
top of `torrents_visible_to`, so a count never holds a row the list would not show.

Counting is one grouped query per dimension, each under every other active filter (a facet does
not count under its own filter, so that the sidebar shows where each choice leads); under a
label, a user's statuses and trackers come from one query of the label's ownerships by kind
(`_labelled_facets`). A new dimension (labels, a derived status) is one function in `FACETS`
and one clause in `torrents_filtered`. Searching, the matches (up to RANKED_MAX of them, a
user's or staff's) are read once with what the counts ask of them and counted here, every
dimension at once (`search_matches`, `_matched_facets`); the ranked page keeps those its
filters keep. With more matches, each dimension counts the newest RANKED_MAX under its other
filters (the candidates the search ranks: torrents/search/ranked.py), in the query that finds
them, and says so (`capped`: its counts are then floors).
"""

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from accounts.models import User
from torrents.label_selectors import (
    MANY_ROWS,
    label_id_named,
    labels_of,
    labels_with_counts,
    torrents_with_label,
)
from torrents.list_versions import facets_version
from torrents.models import (
    Node,
    Ownership,
    OwnershipLabel,
    RateTotal,
    Torrent,
    TorrentStatus,
)
from torrents.search import (
    SearchReads,
    ids_given,
    search_filter,
    search_matched_ids,
    search_owned,
    torrents_search,
)
from torrents.search.ranked import Joined, capped_counts, capped_groups, over_cap
from torrents.selectors import torrents_visible_to
from torrents.stalled import STALLED, stalled_flag, stalled_q
from torrents.storage import node_free_bytes

# The tracker facet lists this many hosts, the busiest first (and the one filtered on).
TRACKER_FACET_LIMIT = 50


@dataclass(frozen=True)
class ListFilters:
    """What the list is narrowed to. `owner` (an email) only counts for staff; others always
    see their own. `include_removed`: the API lists removed rows (admins see them), the page
    shows them only when asked for by status."""

    statuses: tuple[str, ...] = ()  # stored ones, and the derived STALLED
    q: str = ""
    tracker: str = ""
    owner: str = ""
    label: str = ""  # one of the viewer's own labels (staff too: see torrents_labelled)
    include_removed: bool = False
    # The search's reads, shared by every query of these filters and of those `without` makes
    # (not part of what they filter: equal filters are equal whatever they have read).
    reads: SearchReads = field(default_factory=SearchReads, compare=False, repr=False)

    @property
    def beyond_ownership(self) -> bool:
        """Filters an ownership row cannot answer alone (the counts then go through the
        torrents themselves)."""
        return bool(self.label or STALLED in self.statuses)

    def without(self, dimension: str) -> "ListFilters":
        """These filters less one dimension's: what that dimension's counts are taken under
        (every status is counted, removed too: the list shows those when asked by status)."""
        empty = {
            "status": {"statuses": (), "include_removed": True},
            "tracker": {"tracker": ""},
            "label": {"label": ""},
        }[dimension]
        return dataclasses.replace(self, **empty)


def _ownership_scope(user, filters: ListFilters) -> QuerySet[Ownership]:
    """Ownerships whose tracker host the list filters on and counts: a user's own (their
    announce URLs, their passkeys); for staff, the named owner's or everyone's."""
    if not user.is_staff:
        return Ownership.objects.filter(user=user)
    if filters.owner:
        return Ownership.objects.filter(user__email__iexact=filters.owner)
    return Ownership.objects.all()


def _statuses_q(statuses: tuple[str, ...], prefix: str = "") -> Q:
    """The rows with one of `statuses`, the derived STALLED among them (`stalled_q`: no stored
    status says it). `prefix`: the path to the status columns (`torrent_` from an ownership:
    its copies of them)."""
    stored = Q(**{f"{prefix}status__in": [s for s in statuses if s != STALLED]})
    return stored | stalled_q(prefix=prefix) if STALLED in statuses else stored


def _status_filter(queryset: QuerySet, filters: ListFilters, prefix: str = "") -> QuerySet:
    if filters.statuses:
        return queryset.filter(_statuses_q(filters.statuses, prefix))
    if not filters.include_removed:
        return queryset.exclude(**{f"{prefix}status": TorrentStatus.REMOVED})
    return queryset


class _NotIndexed(Func):
    """SQLite's `+column`: the same value, but the planner no longer reads it from an index."""

    template = "+%(expressions)s"
    output_field = CharField()


def torrents_filtered(
    user, filters: ListFilters, *, newest_first: bool = False, ranked: bool = False
) -> QuerySet:
    """The torrents `user` may see that match `filters`, unordered; `ranked`: searching, each
    with the search's `search_rank` (torrents/search). `newest_first`: the caller
    reads them in the `torrent_newest_first` index order; on SQLite, which has no statistics
    unless someone runs ANALYZE, the status filter is then checked row by row along that index
    rather than read from the status index and every match sorted (24 ms against 7 for a
    status that half of 10,000 torrents have); Postgres' planner has its statistics."""
    queryset = torrents_visible_to(user)
    if STALLED in filters.statuses:
        queryset = queryset.filter(_statuses_q(filters.statuses))
    elif filters.statuses:
        queryset = torrents_with_status(queryset, filters.statuses, newest_first=newest_first)
    else:
        queryset = _status_filter(queryset, filters)
    if filters.q:
        search = torrents_search if ranked else search_filter
        queryset = search(queryset, filters.q, user=user, reads=filters.reads)
    if filters.label:
        label_id = _label_id(user, filters) if user.is_authenticated else None
        queryset = torrents_with_label(queryset, label_id)
    return torrents_on_tracker(queryset, user, tracker=filters.tracker, owner=filters.owner)


def torrents_with_status(queryset: QuerySet, statuses, *, newest_first: bool) -> QuerySet:
    """`queryset` narrowed to `statuses` (see `torrents_filtered` for `newest_first`)."""
    if newest_first and connection.vendor == "sqlite":
        return queryset.alias(status_unindexed=_NotIndexed("status")).filter(
            status_unindexed__in=list(statuses)
        )
    return queryset.filter(status__in=list(statuses))


def torrents_on_tracker(queryset: QuerySet, user, *, tracker: str, owner: str) -> QuerySet:
    """`queryset` narrowed to the torrents whose owner (the user themself; for staff `owner`,
    or anyone) announces to `tracker` ('' for any) and, for staff, that `owner` owns."""
    filters = ListFilters(tracker=tracker, owner=owner)
    scope = _ownership_scope(user, filters)
    if tracker:
        scope = scope.filter(tracker_host=tracker)
    if tracker or (user.is_staff and owner):
        queryset = queryset.filter(Exists(scope.filter(torrent=OuterRef("pk"))))
    return queryset


def _owned_matching(user, filters: ListFilters) -> QuerySet[Ownership]:
    """A user's (not staff's) ownerships of the torrents their list shows under `filters`: one
    each per torrent they see, so their counts come from these rows, every filter checked on
    the ownership (tracker host, label, its copy of the torrent's status) rather than from
    their torrents with an ownership check per torrent: no torrent is joined, the counts are
    grouped from the ownership indexes. Not searching (`_searched_facets` then)."""
    return _owned_under(Ownership.objects.filter(user=user), user, filters)


def _owned_under(rows: QuerySet, user, filters: ListFilters, prefix: str = "") -> QuerySet:
    """`rows` (ownerships, or rows with one: `prefix` is the path to it) narrowed to those
    `_owned_matching` keeps, checked on the ownership itself (for label links, on the join
    rather than `IN` a subquery of ownerships: 7.3 against 2.7 ms for a user's seeding ones
    at 10,000 torrents, SQLite)."""
    if filters.statuses:
        rows = rows.filter(_statuses_q(filters.statuses, prefix=f"{prefix}torrent_"))
    # Else no join: a removed torrent has no ownership left (control.torrent_remove marks it
    # removed when its last one goes), so "all but removed" is every ownership.
    if filters.tracker:
        rows = rows.filter(**{f"{prefix}tracker_host": filters.tracker})
    if filters.label:
        # The label's ownerships from the unique (label, ownership) index.
        label_id = _label_id(user, filters)
        links = OwnershipLabel.objects.filter(label_id=label_id).values("ownership_id")
        rows = rows.filter(**{f"{prefix}pk__in": links}) if label_id else rows.none()
    return rows


def _status_counts(user, filters: ListFilters) -> dict[str, int]:
    """{status: how many} and {STALLED: how many} among them (a conditional count in the same
    grouped query: stalled ones are downloading ones)."""
    if not user.is_authenticated:
        return {}
    if not user.is_staff:
        rows = (
            _owned_matching(user, filters)
            .order_by()
            .values("torrent_status")
            .annotate(n=Count("id"), stalled=Count("id", filter=stalled_q(prefix="torrent_")))
        )
        return _with_stalled({row["torrent_status"]: (row["n"], row["stalled"]) for row in rows})
    if filters.beyond_ownership or (user.is_staff and not (filters.tracker or filters.owner)):
        # Two queries: the statuses from the status index alone, the few downloading ones
        # checked for stalled (a conditional count would read every row).
        torrents = torrents_filtered(user, filters)
        rows = torrents.order_by().values_list("status").annotate(n=Count("id"))
        stalled = torrents.filter(stalled_q()).order_by().values_list("status")
        return {**dict(rows), STALLED: sum(n for _, n in stalled.annotate(n=Count("id")))}
    # From the ownerships that the tracker (and owner) filters pick, found by their index,
    # rather than checking every torrent for one (a torrent counted once however many owners
    # match).
    owned = _ownership_scope(user, filters)
    if filters.tracker:
        owned = owned.filter(tracker_host=filters.tracker)
    n = Count("torrent", distinct=True)
    n_stalled = Count("torrent", distinct=True, filter=stalled_q(prefix="torrent_"))
    rows = owned.order_by().values("torrent_status").annotate(n=n, stalled=n_stalled)
    return _with_stalled({row["torrent_status"]: (row["n"], row["stalled"]) for row in rows})


def _with_stalled(rows: dict[str, tuple[int, int]]) -> dict[str, int]:
    counts = {status: n for status, (n, _) in rows.items()}
    counts[STALLED] = sum(stalled for _, stalled in rows.values())
    return counts


def _tracker_counts(user, filters: ListFilters) -> dict[str, int]:
    if not user.is_authenticated:
        return {}
    if not user.is_staff:
        scope = _owned_matching(user, filters).exclude(tracker_host="")
        rows = (
            scope.order_by()
            .values("tracker_host")
            .annotate(n=Count("id"))
            .order_by("-n", "tracker_host")[:TRACKER_FACET_LIMIT]
        )
        return {row["tracker_host"]: row["n"] for row in rows}
    scope = _ownership_scope(user, filters)
    if filters.statuses:
        # Else no join: a removed torrent has no ownership left (control.torrent_remove marks
        # it removed when its last one goes), so "all but removed" is every ownership.
        scope = _status_filter(scope, filters, prefix="torrent_")
    if filters.beyond_ownership:
        scope = scope.filter(torrent__in=torrents_filtered(user, filters).values("pk"))
    scope = scope.exclude(tracker_host="").order_by().values("tracker_host")
    # Several owners of one torrent may share a host: a torrent counts once per host.
    n = Count("torrent", distinct=True) if user.is_staff else Count("id")
    rows = scope.annotate(n=n).order_by("-n", "tracker_host")[:TRACKER_FACET_LIMIT]
    return {row["tracker_host"]: row["n"] for row in rows}


def _label_counts(user, filters: ListFilters) -> dict[str, int]:
    """{label name: how many} of the viewer's labels, under the other filters (every label of
    theirs, those on none at 0)."""
    if user.is_authenticated and not user.is_staff:
        links = OwnershipLabel.objects.filter(ownership__user=user)
        if filters.statuses or filters.tracker:  # else every link of theirs
            links = _owned_under(links, user, filters, prefix="ownership__")
        counts = dict(links.order_by().values_list("label_id").annotate(n=Count("id")))
        return {label.name: counts.get(label.pk, 0) for label in user_labels(user, filters)}
    counted = labels_with_counts(user, torrents_filtered(user, filters))
    return {item.label.name: item.count for item in counted}


FACETS: dict[str, Callable[[object, ListFilters], dict[str, int]]] = {
    "status": _status_counts,  # with the derived STALLED, which torrent_facets sets apart
    "tracker": _tracker_counts,
    "label": _label_counts,
}


class _Chosen(NamedTuple):
    """What the filters' names stand for, read once a request: the label's id, and for staff
    filtering by owner the ids of the users with that email (None: any owner)."""

    label_id: int | None
    owner_ids: frozenset[int] | None


class _Kind(NamedTuple):
    """What the filters other than a label ask of a matched torrent: its status (for a user,
    their ownership's copy: models.Ownership.torrent_status), whether it is stalled (1 or 0),
    and its owners as (user id, tracker host) (a user's own ownership; for staff every owner,
    none for a removed torrent). Many matches share one: they are counted by kind."""

    status: str
    stalled: int
    owners: tuple[tuple[int, str], ...]

    @classmethod
    def owned(cls, user_id: int, status: str, stalled: int, host: str) -> "_Kind":
        """The kind of a user's own torrent, as they count it: their ownership alone."""
        return cls(status, stalled, ((user_id, host),))

    def kept_by(self, filters: ListFilters, chosen: _Chosen) -> bool:
        """Whether `torrents_filtered` keeps a torrent of this kind under `filters`, the search
        and the label aside."""
        if chosen.owner_ids is not None and not any(
            user_id in chosen.owner_ids for user_id, _ in self.owners
        ):
            return False
        if filters.tracker and filters.tracker not in self.hosts(chosen):
            return False
        if filters.statuses:
            return self.status in filters.statuses or bool(
                STALLED in filters.statuses and self.stalled
            )
        return filters.include_removed or self.status != TorrentStatus.REMOVED

    def hosts(self, chosen: _Chosen) -> set[str]:
        """The tracker hosts it is counted under: its owners' (for staff filtering by owner,
        that owner's), a host once however many owners announce to it."""
        return {
            host
            for user_id, host in self.owners
            if host and (chosen.owner_ids is None or user_id in chosen.owner_ids)
        }


# A torrent a search matched, as its counts and its ranked page read it: (its id, its kind,
# the viewer's labels on it). A plain tuple: a search has up to RANKED_MAX of them, kept in
# the cache across requests, and a named tuple costs a call each to store (1.5 ms for 1,429).
Matched = tuple[int, _Kind, tuple[int, ...]]


def search_matches(user, filters: ListFilters) -> list[Matched] | None:
    """The torrents `user`'s search (`filters.q`) matches, read once a request and kept while
    what they hold stands (`filters.reads`, `SearchReads.counted`), which the counts group and
    the ranked page filters (`matched_kept`), instead of two grouped queries and a query of
    the page's candidates over the same rows.
    None when more than RANKED_MAX matched (those counts are of the newest RANKED_MAX:
    `_searched_facets`)."""
    if not user.is_authenticated:
        return []
    matched = search_matched_ids(filters.q, user=user, reads=filters.reads)
    if over_cap(len(matched)):
        return None
    read = _staff_matches if user.is_staff else _owned_matches
    key = ("matches", filters.q, user.pk, user.is_staff)
    return filters.reads.counted(key, lambda: read(user, filters))


def _owned_matches(user, filters: ListFilters) -> list[Matched]:
    """A user's matches, from their ownerships of the matched torrents with their labels: one
    query (a row per label)."""
    stalled = stalled_flag(prefix="torrent_")
    owned = search_owned(
        Ownership.objects.filter(user=user), filters.q, user=user, reads=filters.reads
    )
    rows = (
        owned.annotate(stalled=stalled)
        .order_by()
        .values_list(
            "torrent_id", "torrent_status", "tracker_host", "stalled", "ownership_labels__label_id"
        )
    )
    columns: dict[int, tuple] = {}
    labels: dict[int, list[int]] = {}
    for torrent_id, status, host, is_stalled, label_id in _raw_rows(rows):
        columns[torrent_id] = (status, is_stalled, host)
        if label_id is not None:
            labels.setdefault(torrent_id, []).append(label_id)
    me = user.pk  # once: the request's user is a lazy object, each attribute a lookup
    kinds = _Kinds(lambda status, stalled, host: _Kind.owned(me, status, stalled, host))
    return [(pk, kinds[key], tuple(labels.get(pk, ()))) for pk, key in columns.items()]


class _Kinds(dict):
    """{columns: _Kind}: one kind made per distinct columns read, by `make(*columns)` (a few
    kinds for thousands of matches)."""

    def __init__(self, make: Callable[..., _Kind]):
        super().__init__()
        self._make = make

    def __missing__(self, key: tuple) -> _Kind:
        self[key] = kind = self._make(*key)
        return kind


@dataclass
class _KindCounts:
    """The status and tracker counts of torrents counted by kind ({_Kind: how many}, under
    the label filter if any), each under its other filters."""

    statuses: Counter[str] = field(default_factory=Counter)
    stalled: int = 0
    trackers: Counter[str] = field(default_factory=Counter)
    found_by_tracker: int = 0  # how many the tracker counts were taken over

    @classmethod
    def of(cls, kinds: Counter, filters: ListFilters, chosen: _Chosen) -> "_KindCounts":
        counted = cls()
        by_status, by_tracker = filters.without("status"), filters.without("tracker")
        for kind, n in kinds.items():
            if kind.kept_by(by_status, chosen):
                counted.statuses[kind.status] += n
                counted.stalled += n * kind.stalled
            if kind.kept_by(by_tracker, chosen):
                counted.trackers.update(dict.fromkeys(kind.hosts(chosen), n))
                counted.found_by_tracker += n
        return counted

    def facets(self) -> dict:
        busiest = sorted(self.trackers.items(), key=lambda item: (-item[1], item[0]))
        return {
            "status": dict(self.statuses),
            "stalled": {STALLED: self.stalled},
            "tracker": dict(busiest[:TRACKER_FACET_LIMIT]),
        }


def _labelled_facets(user, filters: ListFilters) -> dict:
    """A user's facets under a label filter, not searching: the statuses and trackers from
    one grouped query of the label's ownerships by kind (status, stalled, host), counted under
    each one's other filters here, rather than a grouped query each; the labels from one more
    (`_label_counts`). Postgres, 10,000 torrents: 2.3 against 2.6 + 2.1 ms. Without a label
    the kinds are every ownership of the user's, which SQLite groups slower than the two
    narrower counts (125-155 against 98-124 M instructions a page): `FACETS` then."""
    owned = _owned_under(
        Ownership.objects.filter(user=user),
        user,
        ListFilters(label=filters.label, reads=filters.reads),
    )
    rows = (
        owned.annotate(stalled=stalled_flag(prefix="torrent_"))
        .order_by()
        .values_list("torrent_status", "stalled", "tracker_host")
        .annotate(n=Count("id"))
    )
    me = user.pk
    kinds = Counter(
        {_Kind.owned(me, status, stalled, host): n for status, stalled, host, n in rows}
    )
    counted = _KindCounts.of(kinds, filters, _Chosen(label_id=None, owner_ids=None))
    return {**counted.facets(), "label": _label_counts(user, filters.without("label"))}


def _staff_matches(user, filters: ListFilters) -> list[Matched]:
    """Staff's matches, from the ownerships of the matched torrents (a row per owner, with
    their copy of its status: one index lookup per torrent, not two, 2.5 against 6.5 ms for
    1,429 matches on Postgres), the torrents left without an owner (removed ones: one more
    query, when there are some) and the viewer's labels on them (one more, when they have
    labels)."""
    stalled = stalled_flag(prefix="torrent_")
    owned = search_owned(Ownership.objects.all(), filters.q, user=user, reads=filters.reads)
    rows = (
        owned.annotate(stalled=stalled)
        .order_by()
        .values_list("torrent_id", "torrent_status", "stalled", "user_id", "tracker_host")
    )
    columns: dict[int, tuple] = {}
    owners: dict[int, list[tuple[int, str]]] = {}
    for pk, status, is_stalled, user_id, host in _raw_rows(rows):
        columns[pk] = (status, is_stalled)
        owners.setdefault(pk, []).append((user_id, host))
    matched = search_matched_ids(filters.q, user=user, reads=filters.reads)
    ownerless = [pk for pk in matched if pk not in columns]
    if ownerless:
        torrents = Torrent.objects.filter(pk__in=ids_given(ownerless))
        for pk, status, is_stalled in torrents.annotate(stalled=stalled_flag()).values_list(
            "pk", "status", "stalled"
        ):
            columns[pk] = (status, is_stalled)
    labels: dict[int, list[int]] = {}
    if user_labels(user, filters):
        links = search_owned(
            OwnershipLabel.objects.filter(label__user=user),
            filters.q,
            user=user,
            reads=filters.reads,
            prefix="ownership__",
        )
        for pk, label_id in _raw_rows(links.values_list("ownership__torrent_id", "label_id")):
            labels.setdefault(pk, []).append(label_id)
    kinds = _Kinds(_Kind)
    return [
        (pk, kinds[status, stalled, _sorted(owners.get(pk, ()))], tuple(labels.get(pk, ())))
        for pk, (status, stalled) in columns.items()
    ]


def _sorted(items: list) -> tuple:
    """`items` in order, as a tuple (most torrents have one owner: nothing to sort)."""
    return tuple(items) if len(items) < 2 else tuple(sorted(items))


def _raw_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a `values_list` queryset as the cursor gives them, for columns that need no
    conversion (text, integers): the ORM's row by row conversion of a search's few thousand
    cost more than the query itself (10.9 against 5.8 ms for 2,862 rows on SQLite)."""
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _chosen(user, filters: ListFilters) -> _Chosen:
    owner_ids = None
    if user.is_staff and filters.owner:
        key = ("owner ids", filters.owner.lower())
        owner_ids = filters.reads.once(
            key,
            lambda: frozenset(
                User.objects.filter(email__iexact=filters.owner).values_list("pk", flat=True)
            ),
        )
    return _Chosen(_label_id(user, filters) if filters.label else None, owner_ids)


def matched_kept(user, filters: ListFilters) -> set[int] | None:
    """The ids of the torrents that `filters`, a search, keep: from `search_matches`, with no
    query of their own. None as `search_matches`."""
    matches = search_matches(user, filters)
    if matches is None:
        return None
    chosen = _chosen(user, filters)
    kinds = {kind for _, kind, _ in matches}  # each kind checked once, not once a match
    kept = {kind: kind.kept_by(filters, chosen) for kind in kinds}
    return {
        torrent_id
        for torrent_id, kind, labels in matches
        if kept[kind] and (not filters.label or chosen.label_id in labels)
    }


def torrents_kept_ids(user, filters: ListFilters) -> set[int]:
    """The ids of the torrents `user` sees that `filters` keep: a search from its matches
    (`matched_kept`, no query of its own), anything else from the list's query."""
    kept = matched_kept(user, filters) if filters.q else None
    if kept is None:
        kept = set(torrents_filtered(user, filters).values_list("pk", flat=True))
    return kept


def user_labels(user, filters: ListFilters) -> list:
    """The viewer's labels by name, read once a request (the counts and the sidebar)."""
    return filters.reads.once(("labels", user.pk), lambda: list(labels_of(user)))


def _label_id(user, filters: ListFilters) -> int | None:
    """The id of the filter's label, read once a request (the counts and the page)."""
    key = ("label id", filters.label, user.pk)
    return filters.reads.once(key, lambda: label_id_named(user, filters.label))


def _matched_facets(user, filters: ListFilters) -> dict | None:
    """A search's facets, every dimension at once, from its matches (`search_matches`: read
    once, counted here): by kind (the statuses and trackers, under the label filter if any)
    and by label and kind, then each dimension sums the groups its other filters keep. None
    when more than RANKED_MAX matched, for the capped counts of `_searched_facets`."""
    matches = search_matches(user, filters)
    if matches is None:
        return None
    chosen = _chosen(user, filters)
    every_kind = Counter(kind for _, kind, _ in matches)
    kinds = every_kind
    if filters.label:
        kinds = Counter(kind for _, kind, labels in matches if chosen.label_id in labels)
    labelled = Counter((label_id, kind) for _, kind, labels in matches for label_id in labels)
    counted = _KindCounts.of(kinds, filters, chosen)
    by_label = filters.without("label")
    kept_by_label = {kind: kind.kept_by(by_label, chosen) for kind in every_kind}
    label_n: Counter[int] = Counter()
    for (label_id, kind), n in labelled.items():
        if kept_by_label[kind]:
            label_n[label_id] += n
    return {
        **counted.facets(),
        "label": {label.name: label_n[label.pk] for label in user_labels(user, filters)},
        "capped": {name: False for name in FACETS},
        "found": {
            "status": (sum(counted.statuses.values()), False),
            "tracker": (counted.found_by_tracker, False),
            "label": (sum(n for kind, n in every_kind.items() if kept_by_label[kind]), False),
        },
    }


def _searched_facets(user, filters: ListFilters) -> dict:
    """The facets of a search, each dimension over the newest RANKED_MAX matches under its
    other filters; the dimensions counted under the same filters (all of them, with no filter
    but the search) in one query, which reads those matches once. "capped": {dimension: more
    matched}; "found": {dimension: (how many candidates, capped)}, for the list's own count."""
    labels = user_labels(user, filters)
    groups = {
        "status": ("status", "is_stalled"),
        "tracker": Joined(
            _ownership_scope(user, filters.without("tracker")).exclude(tracker_host=""),
            torrent="torrent_id",
            key="tracker_host",
        ),
        "label": Joined(
            OwnershipLabel.objects.filter(label__user=user),
            torrent="ownership__torrent_id",
            key="label_id",
        ),
    }
    if not labels:
        del groups["label"]
    by_filters: dict[ListFilters, dict] = {}
    for name, group in groups.items():
        under = filters.without(name)
        if not user.is_staff:  # no removed torrent is a user's: the same rows either way
            under = dataclasses.replace(under, include_removed=True)
        by_filters.setdefault(under, {})[name] = group
    found = {}
    for under, some in by_filters.items():
        searched = torrents_filtered(user, under)
        if "status" in some:
            stalled = ExpressionWrapper(stalled_q(), output_field=BooleanField())
            searched = searched.annotate(is_stalled=stalled)
        found.update(capped_groups(searched, some))

    statuses: dict[str, int] = {}
    for (status, _), n in found["status"].counts.items():
        statuses[status] = statuses.get(status, 0) + n
    stalled_n = sum(n for (_, is_stalled), n in found["status"].counts.items() if is_stalled)
    busiest = sorted(found["tracker"].counts.items(), key=lambda item: (-item[1], item[0]))
    label_n = found["label"].counts if labels else {}
    return {
        "status": statuses,
        "stalled": {STALLED: stalled_n},
        "tracker": dict(busiest[:TRACKER_FACET_LIMIT]),
        "label": {label.name: label_n.get(label.pk, 0) for label in labels},
        "capped": {name: found[name].capped if name in found else False for name in FACETS},
        "found": {name: (one.count, one.capped) for name, one in found.items()},
    }


def torrents_found(user, filters: ListFilters, facets: dict) -> tuple[int, bool]:
    """(how many torrents the list of `filters` holds, whether more matched) when searching:
    of the newest RANKED_MAX matches, as its ranked page counts them; from the facets when a
    dimension was counted under exactly these filters (its own filter not set)."""
    for name, (count, capped) in facets.get("found", {}).items():
        if filters.without(name) == filters:
            return count, capped
    found = capped_counts(torrents_filtered(user, filters))
    return found.count, found.capped


def torrent_facets(
    user, filters: ListFilters, *, version: str | None = None
) -> dict[str, dict[str, int]]:
    """{dimension: {value: how many}}, each dimension counted under the other filters, and
    "stalled": {STALLED: how many} (under the same filters as the statuses); "capped":
    {dimension: True when searching found more than RANKED_MAX under its filters}. Kept per web
    process until something they depend on moves (`facets_version`, which a caller that has
    it already passes)."""
    digest = hashlib.blake2s(repr(filters).encode(), digest_size=12).hexdigest()
    key = f"list-facets:{user.pk}:{version or facets_version(user)}:{digest}"
    facets = caches["rows"].get(key)
    if facets is None and filters.q:
        facets = _matched_facets(user, filters)
        if facets is None:
            facets = _searched_facets(user, filters)
        caches["rows"].set(key, facets)
    elif facets is None:
        if filters.label and user.is_authenticated and not user.is_staff:
            facets = _labelled_facets(user, filters)
        else:
            facets = {name: count(user, filters.without(name)) for name, count in FACETS.items()}
            stalled = facets["status"].pop(STALLED, None)
            facets["stalled"] = {} if stalled is None else {STALLED: stalled}
        facets["capped"] = {}  # every match counted
        caches["rows"].set(key, facets)
    return facets


def torrent_totals(user) -> dict:
    """The totals bar: the summed rates of what `user` sees (a shared torrent's whole rate
    counts for each owner), as each node's last sync summed them (models.RateTotal: a few rows,
    not every torrent's rate on each page), their disk used of their quota, and for staff each
    node's free space."""
    rows = (
        RateTotal.objects.filter(user=None)
        if user.is_staff
        else RateTotal.objects.filter(user=user)
    )
    summed = rows.aggregate(down=Sum("down_rate"), up=Sum("up_rate"))
    rates = {"down_rate": summed["down"] or 0, "up_rate": summed["up"] or 0}
    totals = {**rates, "used_bytes": user.used_bytes, "quota_bytes": user.quota_bytes}
    if user.is_staff:
        totals["nodes"] = [
            {
                "name": node.name,
                "enabled": node.enabled,
                "is_up": node.is_up,
                "free_bytes": node_free_bytes(node),
            }
            for node in Node.objects.all()
        ]
    return totals


def torrent_owner_emails(
    torrent_ids: list[int], *, page: QuerySet | None = None
) -> dict[int, list[str]]:
    """{torrent id: owners' emails, first owner first} for a page of rows (one query). For a
    large page, pass the page's queryset too: its ownerships are then chosen by a subquery of
    it rather than an `IN` of every id (at 10,000 rows building that `IN` took a third of the
    whole list's time for an admin, profiled)."""
    owners: dict[int, list[str]] = {pk: [] for pk in torrent_ids}
    if page is not None and len(owners) > MANY_ROWS:
        chosen = Q(torrent_id__in=page.values("pk"))
    else:
        chosen = Q(torrent_id__in=torrent_ids)
    rows = Ownership.objects.filter(chosen).order_by("created_at", "pk")
    for torrent_id, email in rows.values_list("torrent_id", "user__email"):
        owners[torrent_id].append(email)
    return owners


def torrents_matching(user, filters: ListFilters, *, limit: int) -> tuple[list[Torrent], int, bool]:
    """(up to `limit` torrents matching `filters` that `user` may see, how many match in
    all, whether more than that matched): what "select all matching" acts on, ready for the
    control services. Searching, counted as the list counts it (RANKED_MAX at most)."""
    queryset = torrents_filtered(user, filters)
    if filters.q:
        found = capped_counts(queryset)
        count, capped = found.count, found.capped
    else:
        count, capped = queryset.count(), False
    torrents = list(queryset.select_related("node").defer("metainfo").order_by("name")[:limit])
    return torrents, count, capped
