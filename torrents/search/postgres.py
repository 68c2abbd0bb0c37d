"""The Postgres engine: full-text search over stored, generated `tsvector` columns (GIN
indexed) of a torrent (its name and search terms, weight A) and of each of its files (their
paths), and the searching user's own labels, matched on the fly with the torrent's words (a
user has few labelled torrents; labels are per user, so they cannot live in a shared vector).

A torrent matches when its own words, one of its files' path, or one of the user's labels on it
with its words, match the whole query. Ranking: ts_rank of the name and terms, plus a bonus
for a label match (LABEL_BONUS) and a file match (FILE_BONUS), both below what any name match
scores, so a name match comes before a label or a file-path match."""

from django.db.models import Case, Exists, F, OuterRef, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

from torrents.models import OwnershipLabel, Torrent, TorrentFile
from torrents.search.expressions import (
    Joined,
    Matches,
    Rank,
    StoredVector,
    TextVector,
    WebQuery,
)
from torrents.search.query import SearchText

# ts_rank of one A-weighted word is 0.61; of C-weighted (file) words at most about 0.2.
LABEL_BONUS = 0.2
FILE_BONUS = 0.1


def _files(search: SearchText) -> QuerySet[TorrentFile]:
    """Files whose path matches, read from the files' index, and whose path with their
    torrent's words matches too (so that "-word" excludes a torrent named with it)."""
    return TorrentFile.objects.filter(
        Matches(StoredVector(), WebQuery(search)),
        Matches(Joined(StoredVector("torrent"), StoredVector()), WebQuery(search)),
    )


def _files_matching(search: SearchText, user) -> QuerySet[TorrentFile]:
    files = _files(search)
    if not user.is_staff:
        # The planner may then walk the user's own files rather than every match's.
        files = files.filter(torrent__ownerships__user=user)
    return files


def _labels_matching(search: SearchText, user) -> QuerySet[OwnershipLabel]:
    if not user.is_authenticated:
        return OwnershipLabel.objects.none()
    words = TextVector(
        "label__name", "ownership__torrent__name", "ownership__torrent__search_terms"
    )
    return OwnershipLabel.objects.filter(ownership__user=user).filter(
        Matches(words, WebQuery(search))
    )


def matching_ids(search: SearchText, *, user) -> QuerySet:
    """The ids of every torrent matching (anyone's: the caller narrows to what `user` sees),
    each part read from its own index."""
    named = Torrent.objects.filter(Matches(StoredVector(), WebQuery(search)))
    in_files = _files_matching(search, user).order_by().values("torrent_id")
    labelled = _labels_matching(search, user).order_by().values("ownership__torrent_id")
    return named.order_by().values("pk").union(in_files, labelled)


def rank(search: SearchText, *, user):
    """The rank of each torrent of a matching queryset (higher first)."""
    in_files = _files_matching(search, user).filter(torrent=OuterRef("pk"))
    labelled = _labels_matching(search, user).filter(ownership__torrent=OuterRef("pk"))
    return (
        Rank(StoredVector(), WebQuery(search))
        + Case(When(Exists(labelled), then=Value(LABEL_BONUS)), default=Value(0.0))
        + Case(When(Exists(in_files), then=Value(FILE_BONUS)), default=Value(0.0))
    )


def matched_files(torrent_ids: list[int], search: SearchText, *, per_torrent: int) -> QuerySet:
    """(id, torrent_id, path) of the best-matching files of these torrents, `per_torrent`
    each at most, best first."""
    files = _files(search).filter(torrent_id__in=torrent_ids)
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
