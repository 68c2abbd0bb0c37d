"""The Postgres engine: full-text search over one stored document per torrent (migration
0017): its name and search terms (weight A) and its files' paths (weight C), GIN indexed; and
the searching user's own labels, matched on the fly with the torrent's words (labels are per
user, so they cannot live in the shared document; a user labels few torrents).

A torrent matches when its document, or one of the user's labels on it with its name and
terms, matches the whole query (so "bunny trailer" finds a torrent named with one word whose
file holds the other, and "-cam" excludes a torrent with "cam" in a file too). Ranking:
ts_rank with the weights (A 1.0, C 0.2), plus LABEL_BONUS (a label counts as weight B would)
when one of the user's labels matched: a name match before a label match before a file-path
match."""

from django.db.models import Case, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

from torrents.models import Label, OwnershipLabel, TorrentFile
from torrents.search.expressions import (
    AnyOf,
    Matches,
    Rank,
    StoredVector,
    TextVector,
    WebQuery,
)
from torrents.search.query import SearchText, plain_words, query_words

# ts_rank of one word at weight A is 0.61, at C (a file) 0.12: a label is between.
LABEL_BONUS = 0.25


def _labels_with_words(search: SearchText, user) -> list[int]:
    """The ids of the user's labels with a word of the query (or one starting with its
    prefix). Only those can change what matches (a label without one adds no word the query
    asks for), so only their links are matched with their torrents' words (a to_tsvector per
    link of those labels rather than of every label's: a user's "linux" on 1,429 of their
    10,000 torrents against their 11,900 links), and none at all when there are none."""
    if not user.is_authenticated:
        return []
    found = query_words(search.text)
    words, last = set(found), found[-1] if search.prefix and found else None
    return [
        pk
        for pk, name in Label.objects.filter(user=user).values_list("pk", "name")
        if any(word in words or (last and word.startswith(last)) for word in query_words(name))
    ]


def _holding(search: SearchText, label_ids: list[int]) -> set[int]:
    """Those of the labels that match the whole query by their own name, as Postgres reads it
    (its lexemes, its lowercasing): when the query only asks for words (plain words, none
    negated, quoted or "or"), such a label matches on every torrent it is on, whatever the
    torrent's words, so its links need no vector of their own."""
    query = plain_words(search.text)
    if not query or "or" in query:
        return set()
    labels = Label.objects.filter(pk__in=label_ids)
    return set(
        labels.filter(Matches(TextVector("name"), WebQuery(search))).values_list("pk", flat=True)
    )


def _labels_matching(search: SearchText, label_ids: list[int]) -> QuerySet[OwnershipLabel]:
    words = TextVector(
        "label__name", "ownership__torrent__name", "ownership__torrent__search_terms"
    )
    # From those labels' links (the (label, ownership) index), not from every ownership.
    return OwnershipLabel.objects.filter(label_id__in=label_ids).filter(
        Matches(words, WebQuery(search))
    )


def labelled_matching(search: SearchText, user) -> list[int]:
    """The ids of the torrents whose label of the user's matches (with the torrent's name and
    terms), read once for a search: none unless a word of their labels is in the query. The
    links of a label that holds the whole query are read as they are (8.7 against 0.6 ms for
    "linux" on 1,429 torrents, bench/list_filters_bench.py)."""
    label_ids = _labels_with_words(search, user)
    holding = _holding(search, label_ids) if label_ids else set()
    others = [pk for pk in label_ids if pk not in holding]
    found: set[int] = set()
    if holding:
        links = OwnershipLabel.objects.filter(label_id__in=holding)
        found.update(links.values_list("ownership__torrent_id", flat=True))
    if others:
        links = _labels_matching(search, others)
        found.update(links.values_list("ownership__torrent_id", flat=True))
    return sorted(found)


def matches(search: SearchText, *, labelled: list[int]) -> Q:
    """The match as a condition on the caller's (visible) queryset itself, not an `id IN` of
    the same table: the planner then reads each candidate row once, and a page's sort keeps
    only its 50 best (the self-join sorted every match's whole row, on disk, for a common
    word). `labelled`: `labelled_matching`'s ids, an array (`AnyOf`), so that the planner ORs
    the GIN index with the primary key's (an `IN (subquery)` there made it read the whole
    table)."""
    match = Q(Matches(StoredVector(), WebQuery(search)))
    return match | Q(AnyOf(F("pk"), labelled)) if labelled else match


def rank(search: SearchText, *, labelled: list[int]):
    """The rank of each torrent of a matching queryset (higher first); the user's labelled
    matches (`labelled_matching`'s, read once, not once per row) rank above a file's match."""
    ranked = Rank(StoredVector(), WebQuery(search))
    if not labelled:
        return ranked
    bonus = When(AnyOf(F("pk"), labelled), then=Value(LABEL_BONUS))
    return ranked + Case(bonus, default=Value(0.0))


def matched_files(torrent_ids: list[int], search: SearchText, *, per_torrent: int) -> QuerySet:
    """(id, torrent_id, path) of the best-matching files of these torrents (each file's own
    vector: a file matches the query alone), `per_torrent` each at most, best first."""
    files = TorrentFile.objects.filter(
        Matches(StoredVector(), WebQuery(search)), torrent_id__in=torrent_ids
    )
    order = Window(
        RowNumber(),
        partition_by=[F("torrent_id")],
        order_by=[Rank(StoredVector(), WebQuery(search)).desc(), F("index").asc()],
    )
    return (
        files.annotate(place=order)
        .filter(place__lte=per_torrent)
        .order_by("torrent_id", "place")
        .values_list("id", "torrent_id", "path")
    )
