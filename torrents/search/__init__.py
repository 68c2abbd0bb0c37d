"""Search of the torrent list: `q` of the page and of `GET /api/torrents`.

Everything goes through the functions here, which pick an engine by the database's vendor:
Postgres full-text search (torrents/search/postgres.py) or a plain contains match elsewhere
(torrents/search/contains.py, SQLite). Another engine is one more module with the same
functions (a match on the caller's rows, `rank`, `matched_files`: Postgres' `matches` and
`labelled_matching`, SQLite's `matching_ids`). The API's and the page's ranked page and their
counts, facets included, of the newest RANKED_MAX matches at most: torrents/search/ranked.py.

Choices (see bench/README.md for the numbers):
- One document per torrent, a generated column (`GENERATED ALWAYS AS (...) STORED`, GIN
  indexed) of its name and search terms (weight A) and its files' paths (weight C, gathered
  into `files_vector` by a statement trigger on the files table), added by migration 0017 on
  Postgres only, not model fields: nothing that writes a name, a file or the search terms can
  forget it, the sync's UPDATEs (status, rates) never touch its inputs, no ordinary read of a
  torrent carries it, and SQLite (no tsvector) has none. Each file has its own generated
  vector too, to say which files of a result matched.
- Ordering: the best matches first when searching, unless a sort is asked for (the page's
  `sort`, the API's `ordering`), which then wins; ties (and SQLite) newest first.
- websearch syntax ("quoted phrase", -word, or) with the last word also a prefix as you type
  (built from Postgres' own parse of the text: the user's text is never tsquery syntax).
- The 'simple' configuration (no stemming, no stop words: names are not English prose, and
  "The" or "It" can be a title); dots, dashes, underscores and slashes are spaces.
- Labels are per user: they are not in any stored vector; a user's label on a torrent is
  matched, with the torrent's name and terms, for that user only (admins: their own labels),
  and only when one of the query's words is a word of one of their labels.
- Visibility is the caller's queryset (`torrents_visible_to`): the ids matched here are
  anyone's and only ever narrow it; matched files are read only for rows the caller shows.
"""

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connection
from django.db.models import Exists, FloatField, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL

from torrents.models import Ownership, Torrent
from torrents.search import contains, postgres
from torrents.search.expressions import IdArray, id_array
from torrents.search.query import SearchText, search_text
from torrents.search.ranked import newest_candidates, over_cap

# How many matching files a result names.
MATCHED_FILES = 3
# How long a search's reads are kept across requests (SearchReads.keep_under), at most.
READS_SECONDS = 300

T = TypeVar("T")


def _postgres() -> bool:
    return connection.vendor == "postgresql"


class SearchReads:
    """What a search reads once for all the queries of one request that narrow by it (the
    list's counts and its page): the ids of the torrents it matches that the user sees
    (`_matched_ids`: a user's own; staff's, on Postgres the newest RANKED_MAX + 1), and on
    Postgres the user's labelled matches. The list's page and its counts read the match once
    instead of three times (a user who owns 10,000 torrents, 1,429 of them with "linux", after
    a status change: bench/list_filters_bench.py). `keep_under` keeps them across requests
    too, per web process, while a version holds, for READS_SECONDS at most (each prefix typed
    into the live search is a search of its own)."""

    def __init__(self):
        self._read: dict[tuple, IdArray] = {}
        self._once: dict[tuple, object] = {}
        self._version: str | None = None
        self._counts_version: str | None = None

    def keep_under(self, version: str, *, counts: str | None = None) -> None:
        """Keep the reads while `version` holds: the list's search version
        (torrents/list_versions.py), which moves with every write a match depends on (a name,
        search terms, a torrent's files with its metadata, a label put or taken, an ownership
        gained or lost) and with none of what a sync or a status change writes. `counts`: the
        counts' version too, for what `counted` keeps."""
        self._version = version
        self._counts_version = counts

    def ids(self, key: tuple, read: Callable[[], list[int]]) -> IdArray:
        """The ids `read` returns, read once a request (and kept while the version holds)."""
        if key not in self._read:
            self._read[key] = IdArray(self.kept(key, read))
        return self._read[key]

    def once(self, key: tuple, read: Callable[[], T]) -> T:
        """What `read` returns, read once for this request's queries and never kept beyond
        it (what a status change moves: the rows the counts and the page both read)."""
        if key not in self._once:
            self._once[key] = read()
        return self._once[key]

    def counted(self, key: tuple, read: Callable[[], T]) -> T:
        """What `read` returns, read once a request and kept across requests while both the
        search's version and the counts' hold (torrents/list_versions.py `facets_version`: a
        status change moves it, a sync that writes only rates does not): the matches with what
        the counts read of them."""
        if self._version is None or self._counts_version is None:
            return self.once(key, read)
        return self.once(key, lambda: self.kept((self._counts_version, *key), read))

    def kept(self, key: tuple, read: Callable[[], T]) -> T:
        """What `read` returns, kept across requests while the version holds (read each time
        when none is given). Only for what a match depends on (and, through `counted`, what
        the counts depend on), nothing else."""
        if self._version is None:
            return read()
        digest = hashlib.blake2s(repr((self._version, key)).encode(), digest_size=16)
        cache_key = f"search-reads:{digest.hexdigest()}"
        found = caches["rows"].get(cache_key)
        if found is None:
            found = read()
            caches["rows"].set(cache_key, found, READS_SECONDS)
        return found


def ids_given(ids: list[int]) -> RawSQL:
    """A subquery of ids already read (`pk__in=ids_given(ids)`), as one parameter (on
    Postgres one array literal, `id_array`, not a constant per id to plan)."""
    if _postgres():
        return RawSQL("SELECT unnest(%s::bigint[])", [id_array(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def search_filter(
    queryset: QuerySet, q: str, *, user, reads: SearchReads | None = None
) -> QuerySet:
    """`queryset` (what `user` may see) narrowed to what `q` matches, unranked (what the
    list's counts read). On Postgres the match is a condition on `queryset`'s own rows.
    `reads`: shared with the request's other queries of this search."""
    return _searched(queryset, q, user=user, ranked=False, reads=reads)


def torrents_search(
    queryset: QuerySet, q: str, *, user, reads: SearchReads | None = None
) -> QuerySet:
    """`queryset` (what `user` may see) narrowed to what `q` matches, each with `search_rank`
    (order by it, descending, for the best matches first). On Postgres the match is a
    condition on `queryset`'s own rows and the user's labelled matches are read once.
    `reads`: shared with the request's other queries of this search."""
    return _searched(queryset, q, user=user, ranked=True, reads=reads)


def search_matched_ids(q: str, *, user, reads: SearchReads) -> IdArray:
    """The ids of the torrents `q` matches that `user` sees, read once into `reads`
    (`_matched_ids`: for staff on Postgres the newest RANKED_MAX + 1)."""
    if not user.is_authenticated:
        return IdArray()
    return _matched_ids(q, user, reads)


def search_owned(
    ownerships: QuerySet, q: str, *, user, reads: SearchReads, prefix: str = ""
) -> QuerySet:
    """`ownerships` (or rows with one: `prefix` is the path to it, `"ownership__"` for label
    links) narrowed to those of the torrents `q` matches that `user` sees: what their counts
    are grouped from. The match is read once into `reads` (`_matched_ids`), so each query of
    the counts and the page is narrowed by ids, not by the match again."""
    if not user.is_authenticated:
        return ownerships.none()
    ids = _narrowing_ids(q, user, reads)
    if ids is None:
        matched = _matching(Torrent.objects.all(), q, user=user, reads=reads).values("pk")
        return ownerships.filter(**{f"{prefix}torrent_id__in": matched})
    return ownerships.filter(**{f"{prefix}torrent_id__in": ids_given(ids)})


def _searched(
    queryset: QuerySet, q: str, *, user, ranked: bool, reads: SearchReads | None
) -> QuerySet:
    if not user.is_authenticated:
        nothing = Value(0.0, output_field=FloatField())
        return queryset.none().annotate(search_rank=nothing) if ranked else queryset.none()
    ids = _narrowing_ids(q, user, reads) if reads is not None else None
    if ids is not None:
        found = queryset.filter(pk__in=ids_given(ids))
    else:
        reads = reads or SearchReads()
        found = _matching(queryset, q, user=user, reads=reads)
    return found.annotate(search_rank=_rank(q, user=user, reads=reads)) if ranked else found


def _narrowing_ids(q: str, user, reads: SearchReads) -> IdArray | None:
    """The ids that the queries of a search shared by `reads` narrow by (`_matched_ids`), or
    None where the match stays a condition of each query: staff on Postgres with more than
    RANKED_MAX matches (each query then reads the newest of its own filters' matches along an
    index, never all of them)."""
    matched = _matched_ids(q, user, reads)
    if user.is_staff and _postgres() and over_cap(len(matched)):
        return None
    return matched


def _matched_ids(q: str, user, reads: SearchReads) -> IdArray:
    """The ids of the torrents `q` matches that `user` may see, read once into `reads`: a
    user's own; for staff, on SQLite all of them (SQLite reads the whole match into a table for
    each query that narrows by it anyway), on Postgres the newest RANKED_MAX + 1, along the
    newest-first index for a common word (one more than a search ranks: whether there are
    more). On Postgres the match is checked on each of a user's ownerships' torrent (EXISTS),
    not an `IN` of every torrent the words match, which for a common word is most of the
    library (a user's page with its counts anew at 100,000 torrents: 109 ms p50 through the
    `IN`, bench/search_bench.py)."""

    def read() -> list[int]:
        if not _postgres():
            matched = contains.matching_ids(q, user=user)
            if user.is_staff:
                return list(matched.values_list("pk", flat=True))
            owned = Ownership.objects.filter(user=user, torrent_id__in=matched)
        elif user.is_staff:
            matched = _matching(Torrent.objects.all(), q, user=user, reads=reads)
            return list(newest_candidates(matched.values_list("pk", flat=True)))
        else:
            its_torrent = Torrent.objects.filter(pk=OuterRef("torrent_id"))
            owned = Ownership.objects.filter(user=user).filter(
                Exists(_matching(its_torrent, q, user=user, reads=reads))
            )
        return list(owned.values_list("torrent_id", flat=True))

    return reads.ids(("matched", q, user.pk, user.is_staff), read)


def search_best_first(q: str, *, user, reads: SearchReads) -> IdArray | None:
    """The torrents `q` matches that `user` sees, best first (ties newest first: a ranked
    page's order), kept with `reads` while the search's version holds: a rank depends only on
    a match's words, so after a status change a page is these ids that its filters keep,
    not every match ranked again (torrents/search/ranked.py `kept_ranked_page`). None when
    more than RANKED_MAX matched (only the newest of those are ranked)."""
    if not user.is_authenticated:
        return None
    matched = _matched_ids(q, user, reads)
    if over_cap(len(matched)):
        return None

    def read() -> list[int]:
        ranked = Torrent.objects.filter(pk__in=ids_given(matched)).annotate(
            search_rank=_rank(q, user=user, reads=reads)
        )
        rows = ranked.values_list("search_rank", "created_at", "pk")
        # Sorted here: the rank can be a constant (SQLite's, no words), no ORDER BY term.
        return [pk for *_, pk in sorted(rows, reverse=True)]

    return reads.ids(("best first", q, user.pk, user.is_staff), read)


def _matching(queryset: QuerySet, q: str, *, user, reads: SearchReads) -> QuerySet:
    """`queryset` narrowed by the match itself."""
    if not _postgres():
        return queryset.filter(pk__in=contains.matching_ids(q, user=user))
    search = search_text(q)
    if not search.has_words:
        return queryset.none()
    return queryset.filter(postgres.matches(search, labelled=_labelled(search, user, reads)))


def _labelled(search: SearchText, user, reads: SearchReads) -> IdArray:
    key = ("labelled", search.text, search.prefix, user.pk)
    return reads.ids(key, lambda: postgres.labelled_matching(search, user))


def _rank(q: str, *, user, reads: SearchReads):
    if not user.is_authenticated:
        return Value(0.0, output_field=FloatField())
    if not _postgres():
        return contains.rank(q, user=user)
    search = search_text(q)
    if not search.has_words:
        return Value(0.0, output_field=FloatField())
    return postgres.rank(search, labelled=_labelled(search, user, reads))


def search_matched_files(
    torrent_ids: list[int], q: str, *, reads: SearchReads | None = None
) -> dict[int, list[dict]]:
    """{torrent id: [{"id", "path"}, ...]}: the files of these torrents that `q` matches, the
    best MATCHED_FILES each. Only pass ids of rows the user is shown. `reads`: the request's,
    to keep them while its search's version holds (files move it; a status change, which
    renders the page anew, does not)."""
    if not torrent_ids or not q:
        return {pk: [] for pk in torrent_ids}
    if reads is None:
        return _matched_files(torrent_ids, q)
    return reads.kept(("files", q, tuple(torrent_ids)), lambda: _matched_files(torrent_ids, q))


def _matched_files(torrent_ids: list[int], q: str) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {pk: [] for pk in torrent_ids}
    if _postgres():
        search = search_text(q)
        if not search.has_words:
            return found
        rows = postgres.matched_files(torrent_ids, search, per_torrent=MATCHED_FILES)
    else:
        rows = contains.matched_files(torrent_ids, q, per_torrent=MATCHED_FILES)
    for file_id, torrent_id, path in rows:
        found[torrent_id].append({"id": file_id, "path": path})
    return found
