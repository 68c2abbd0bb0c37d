"""A page of a ranked search, its count and whether the count was capped, in one query; and
counts over the same candidates (the list's facets when searching).

A search whose words are in most of the library (every torrent has a "sample", "1080p" is in a
third of the names) used to rank every match, sort them, then count them all again: 600 ms
for an admin at 100,000 torrents. Here the candidates are the newest RANKED_MAX + 1 matches
(read newest first: for a common word the database walks the newest-first index and stops at
RANKED_MAX + 1, for a rare one it reads the GIN index), the page is the best of them by rank
(or by the list's chosen sort) and the count is how many there are, read from the same rows.
More than RANKED_MAX matches: the count says RANKED_MAX and `capped` (the API's
`count_capped`, the page's "10,000+"): only the newest RANKED_MAX were ranked and paged;
narrow the search to reach older ones. Up to RANKED_MAX matches (every search of a user's own
few thousand torrents at the benchmark's size), every match is ranked and counted exactly.

Counts beside a search (`capped_counts`, `capped_joined_counts`) are of the same candidates,
grouped in the same query that finds them: they never read more than RANKED_MAX + 1 matches.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, QuerySet

# How many of the newest matches a search ranks, pages and counts at most.
RANKED_MAX = 10_000
# The ranked order: the best matches first (ties newest first).
BEST_FIRST = (("search_rank", True),)


@dataclass(frozen=True)
class RankedPage:
    ids: list[int]  # the page's torrents, best first
    count: int  # how many matches can be paged: at most RANKED_MAX
    capped: bool  # more than RANKED_MAX matched: `count` is a floor


@dataclass(frozen=True)
class CappedCounts:
    counts: dict  # {value (a tuple of the columns grouped by, or the joined key): how many}
    count: int  # how many candidates: at most RANKED_MAX
    capped: bool  # more than RANKED_MAX matched: every count is of the newest RANKED_MAX


def _candidates(searched: QuerySet, columns: Sequence[str]) -> tuple[str, tuple] | None:
    """The SQL of the newest RANKED_MAX + 1 rows of `searched` with id, created_at and
    `columns` (fields or annotations), each with its place newest first (`candidate`) and how
    many were read (`total`); None when nothing can match."""
    wanted = list(dict.fromkeys(("id", "created_at", *columns)))
    candidates = searched.order_by(F("created_at").desc(), F("id").desc()).values_list(*wanted)[
        : RANKED_MAX + 1
    ]
    try:
        sql, params = candidates.query.get_compiler(using=candidates.db).as_sql()
    except EmptyResultSet:  # nothing can match (no words, `none()`)
        return None
    window = (
        'SELECT n.*, COUNT(*) OVER () AS "total", '
        'ROW_NUMBER() OVER (ORDER BY n."created_at" DESC, n."id" DESC) AS "candidate" '
        f"FROM ({sql}) n"
    )
    return window, tuple(params)


def _fetch(db: str, sql: str, params: tuple) -> list[tuple]:
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def ranked_page(
    searched: QuerySet,
    *,
    offset: int,
    limit: int,
    order: Sequence[tuple[str, bool]] = BEST_FIRST,
) -> RankedPage:
    """`searched` (torrents_search's, with `search_rank`, visibility and filters applied)
    ranked: `limit` ids from `offset`, best first (ties newest first). `order`: (column,
    descending) pairs of `searched` to page the candidates by instead (the list's sort)."""
    # The rank (or the sort's columns) selected has it computed before the sort, which then
    # carries (id, date, rank) rather than each match's 600-byte vector (a third less time
    # for 8,000 matches, measured).
    found = _candidates(searched, [column for column, _ in order])
    if found is None:
        return RankedPage(ids=[], count=0, capped=False)
    window, params = found
    keys = ", ".join(
        f'c."{column}" {"DESC" if descending else "ASC"} NULLS LAST' for column, descending in order
    )
    # The (cap + 1)th newest is read only to know there are more: counted, never paged.
    page = (
        f'SELECT c."id", c."total" FROM ({window}) c WHERE c."candidate" <= %s '
        f'ORDER BY {keys}, c."created_at" DESC, c."id" DESC LIMIT %s OFFSET %s'
    )
    rows = _fetch(searched.db, page, (*params, RANKED_MAX, limit, offset))
    if not rows:
        if offset:  # past the end: the count (for the 404 or the last page) from the first
            first = ranked_page(searched, offset=0, limit=1, order=order)
            return RankedPage(ids=[], count=first.count, capped=first.capped)
        return RankedPage(ids=[], count=0, capped=False)
    total = rows[0][1]
    return RankedPage(
        ids=[row[0] for row in rows], count=min(total, RANKED_MAX), capped=total > RANKED_MAX
    )


def capped_counts(searched: QuerySet, *columns: str) -> CappedCounts:
    """How many of the newest RANKED_MAX rows of `searched` have each value of `columns`
    ({(value, ...): n}; none given: `count` alone), in one query."""
    found = _candidates(searched, columns)
    if found is None:
        return CappedCounts(counts={}, count=0, capped=False)
    window, params = found
    keys = ", ".join(f'c."{column}"' for column in columns)
    select = f"{keys}, " if columns else ""
    grouped = f" GROUP BY {keys}" if columns else ""
    sql = (
        f'SELECT {select}COUNT(*), MAX(c."total") FROM ({window}) c '
        f'WHERE c."candidate" <= %s{grouped}'
    )
    rows = _fetch(searched.db, sql, (*params, RANKED_MAX))
    counts = {tuple(row[: len(columns)]): row[-2] for row in rows if row[-2]}
    return _counted(counts, rows, sum(counts.values()))


def capped_joined_counts(
    searched: QuerySet, joined: QuerySet, *, torrent: str, key: str
) -> CappedCounts:
    """How many of the newest RANKED_MAX rows of `searched` each `key` of `joined` (rows
    naming a torrent by `torrent`: ownerships, label links) is on, a torrent counted once per
    key ({key: n}), in one query."""
    found = _candidates(searched, ())
    if found is None:
        return CappedCounts(counts={}, count=0, capped=False)
    window, params = found
    pairs = joined.order_by().values(joined_torrent=F(torrent), joined_key=F(key))
    try:
        pairs_sql, pairs_params = pairs.query.get_compiler(using=pairs.db).as_sql()
    except EmptyResultSet:
        return CappedCounts(counts={}, count=capped_counts(searched).count, capped=False)
    sql = (
        'SELECT j."joined_key", COUNT(DISTINCT c."id"), MAX(c."total") '
        f'FROM ({window}) c LEFT JOIN ({pairs_sql}) j ON j."joined_torrent" = c."id" '
        'WHERE c."candidate" <= %s GROUP BY j."joined_key"'
    )
    rows = _fetch(searched.db, sql, (*params, *pairs_params, RANKED_MAX))
    counts = {row[0]: row[1] for row in rows if row[0] is not None}
    # A candidate joined to no row is in the NULL group: every one is in some group, and
    # each group's row has how many candidates were read.
    total = max((row[2] for row in rows), default=0)
    return CappedCounts(counts=counts, count=min(total, RANKED_MAX), capped=total > RANKED_MAX)


def _counted(counts: dict, rows: list[tuple], count: int) -> CappedCounts:
    total = max((row[-1] or 0 for row in rows), default=0)
    return CappedCounts(counts=counts, count=count, capped=total > RANKED_MAX)
