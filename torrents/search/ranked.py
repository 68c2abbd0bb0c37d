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


def over_cap(matches: int) -> bool:
    """More matches than a search ranks and counts (its counts then of the newest RANKED_MAX)."""
    return matches > RANKED_MAX


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


def newest_candidates(searched: QuerySet) -> QuerySet:
    """The newest RANKED_MAX + 1 rows of `searched`, newest first: the candidates a search ranks
    and counts, and one more, read only to know there are more."""
    return searched.order_by(F("created_at").desc(), F("id").desc())[: RANKED_MAX + 1]


def _candidates(searched: QuerySet, columns: Sequence[str]) -> tuple[str, tuple] | None:
    """The SQL of the newest RANKED_MAX + 1 rows of `searched` with id, created_at and
    `columns` (fields or annotations), each with its place newest first (`candidate`) and how
    many were read (`total`); None when nothing can match."""
    wanted = list(dict.fromkeys(("id", "created_at", *columns)))
    candidates = newest_candidates(searched.values_list(*wanted))
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


def kept_ranked_page(
    best_first: Sequence[int], candidates: set[int], *, offset: int, limit: int
) -> RankedPage:
    """`ranked_page` from a search's matches already in their ranked order (`best_first`: at
    most RANKED_MAX, torrents/search `search_best_first`) and the ids its filters keep now
    (`candidates`): the same page and count, without ranking them again."""
    ordered = [pk for pk in best_first if pk in candidates]
    return RankedPage(ids=ordered[offset : offset + limit], count=len(ordered), capped=False)


@dataclass(frozen=True)
class Joined:
    """Rows naming a torrent by `torrent` (ownerships, label links), to count the candidates
    by their `key` (a candidate counted once per key, whatever the rows)."""

    rows: QuerySet
    torrent: str
    key: str


def capped_counts(searched: QuerySet, *columns: str) -> CappedCounts:
    """How many of the newest RANKED_MAX rows of `searched` have each value of `columns`
    ({(value, ...): n}; none given: `count` alone), in one query."""
    return capped_groups(searched, {"": columns})[""]


def capped_groups(
    searched: QuerySet, groups: dict[str, tuple[str, ...] | Joined]
) -> dict[str, CappedCounts]:
    """Several counts of the newest RANKED_MAX rows of `searched`, in one query that reads them
    once: per group, by columns of theirs ({(value, ...): n}) or by a `Joined` key ({key: n})."""
    found = _candidates(searched, [c for g in groups.values() if isinstance(g, tuple) for c in g])
    if found is None:
        return {name: CappedCounts(counts={}, count=0, capped=False) for name in groups}
    window, params = found
    # Each group has key columns of its own (NULL in the others' rows): a status and a label
    # id are not of one SQL type. A first part that reads no row gives each column its type
    # (Postgres types a UNION's columns pairwise, and NULL and NULL make text).
    widths = [1 if isinstance(group, Joined) else len(group) for group in groups.values()]
    keys_of, joins, join_params = [], [], []
    for number, group in enumerate(groups.values()):
        if not isinstance(group, Joined):
            keys_of.append([f'c."{column}"' for column in group])
            continue
        pairs = group.rows.order_by().values(
            joined_torrent=F(group.torrent), joined_key=F(group.key)
        )
        try:
            pairs_sql, pairs_params = pairs.query.get_compiler(using=pairs.db).as_sql()
        except EmptyResultSet:  # no row can be joined: every candidate under NULL
            pairs_sql, pairs_params = 'SELECT NULL AS "joined_torrent", NULL AS "joined_key"', ()
        keys_of.append([f'j{number}."joined_key"'])
        joins.append(f' LEFT JOIN ({pairs_sql}) j{number} ON j{number}."joined_torrent" = c."id"')
        join_params.append(tuple(pairs_params))
    every_key = [key for keys in keys_of for key in keys]
    parts = [f"SELECT -1, {', '.join([*every_key, '0', '0'])} FROM c{''.join(joins)} WHERE 1 = 0"]
    part_params = [value for values in join_params for value in values]
    start, joined = 0, iter(zip(joins, join_params, strict=True))
    for number, (group, keys) in enumerate(zip(groups.values(), keys_of, strict=True)):
        source, counted = "c", "COUNT(*)"
        if isinstance(group, Joined):
            join, values = next(joined)
            source, counted = f"c{join}", 'COUNT(DISTINCT c."id")'
            part_params.extend(values)
        width = len(keys)
        slots = ["NULL"] * start + keys + ["NULL"] * (len(every_key) - start - width)
        grouped = f" GROUP BY {', '.join(keys)}" if keys else ""
        columns = ", ".join([str(number), *slots, counted, 'MAX(c."total")'])
        parts.append(f"SELECT {columns} FROM {source}{grouped}")
        start += width
    sql = f'WITH c AS (SELECT * FROM ({window}) w WHERE w."candidate" <= %s) ' + " UNION ALL ".join(
        parts
    )
    rows = _fetch(searched.db, sql, (*params, RANKED_MAX, *part_params))
    result, start = {}, 1
    for number, (name, group) in enumerate(groups.items()):
        width = widths[number]
        mine = [row for row in rows if row[0] == number]
        if isinstance(group, Joined):
            counts = {row[start]: row[-2] for row in mine if row[start] is not None}
            count = None
        else:
            counts = {tuple(row[start : start + width]): row[-2] for row in mine if row[-2]}
            count = sum(counts.values())
        total = max((row[-1] or 0 for row in mine), default=0)
        result[name] = CappedCounts(
            counts=counts,
            count=min(total, RANKED_MAX) if count is None else count,
            capped=total > RANKED_MAX,
        )
        start += width
    return result
