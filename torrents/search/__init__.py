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

from django.db import connection
from django.db.models import Exists, FloatField, OuterRef, QuerySet, Value

from torrents.models import Torrent
from torrents.search import contains, postgres
from torrents.search.query import search_text

# How many matching files a result names.
MATCHED_FILES = 3


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def search_rank(q: str, *, user):
    """An expression: how well each torrent matches `q` (higher first; 0 for all on SQLite)."""
    if not user.is_authenticated:
        return Value(0.0, output_field=FloatField())
    if _postgres():
        return postgres.rank(search_text(q), user=user)
    return contains.rank(q, user=user)


def search_filter(queryset: QuerySet, q: str, *, user) -> QuerySet:
    """`queryset` (what `user` may see) narrowed to what `q` matches, unranked (what the
    list's counts read). On Postgres the match is a condition on `queryset`'s own rows."""
    return _searched(queryset, q, user=user, ranked=False)


def torrents_search(queryset: QuerySet, q: str, *, user) -> QuerySet:
    """`queryset` (what `user` may see) narrowed to what `q` matches, each with `search_rank`
    (order by it, descending, for the best matches first). On Postgres the match is a
    condition on `queryset`'s own rows and the user's labelled matches are read once."""
    return _searched(queryset, q, user=user, ranked=True)


def _searched(queryset: QuerySet, q: str, *, user, ranked: bool) -> QuerySet:
    if not _postgres():
        if not user.is_authenticated:
            return queryset.none()
        found = queryset.filter(pk__in=contains.matching_ids(q, user=user))
        return found.annotate(search_rank=contains.rank(q, user=user)) if ranked else found
    search = search_text(q)
    if not search.has_words or not user.is_authenticated:
        nothing = Value(0.0, output_field=FloatField())
        return queryset.none().annotate(search_rank=nothing) if ranked else queryset.none()
    labelled = postgres.labelled_matching(search, user)
    found = queryset.filter(postgres.matches(search, labelled=labelled))
    if not ranked:
        return found
    return found.annotate(search_rank=postgres.rank(search, user=user, labelled=labelled))


def search_owned(ownerships: QuerySet, q: str, *, user) -> QuerySet:
    """`ownerships` (a user's own) narrowed to those of the torrents `q` matches: what their
    counts are grouped from, the match read once a query. SQLite: the contains match's ids read
    once, for the two queries of those counts; Postgres: the match checked on each ownership's
    torrent (EXISTS), not an `IN` of every torrent the words match, which for a common word is
    most of the library (a user's page with its counts anew at 100,000 torrents: 55 against 74
    ms p50 for the common words, bench/search_bench.py; 109 ms through the `IN`)."""
    if not user.is_authenticated:
        return ownerships.none()
    if not _postgres():
        return ownerships.filter(torrent_id__in=contains.matched_once(q, user=user))
    its_torrent = Torrent.objects.filter(pk=OuterRef("torrent_id"))
    return ownerships.filter(Exists(search_filter(its_torrent, q, user=user)))


def search_matched_files(torrent_ids: list[int], q: str) -> dict[int, list[dict]]:
    """{torrent id: [{"id", "path"}, ...]}: the files of these torrents that `q` matches, the
    best MATCHED_FILES each. Only pass ids of rows the user is shown."""
    found: dict[int, list[dict]] = {pk: [] for pk in torrent_ids}
    if not torrent_ids or not q:
        return found
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
