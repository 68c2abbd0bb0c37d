"""The engine without full-text search (SQLite): a case-insensitive contains match of the
whole text in the name, the search terms, a file's path or one of the user's labels. No
ranking: every match ranks the same, so the list's usual order stands."""

from django.db.models import F, FloatField, Q, QuerySet, Value, Window
from django.db.models.functions import RowNumber

from torrents.models import OwnershipLabel, Torrent, TorrentFile


def matching_ids(q: str, *, user) -> QuerySet:
    """The ids `q` matches for `user`: the name and the terms are read in one pass over the
    torrents, and the labelled ones from the user's labels that match (by
    the (label, ownership) index) rather than from all their ownerships (22 against 12 ms
    at 10,000 torrents, bench/list_filters_bench.py)."""
    named = Torrent.objects.filter(Q(name__icontains=q) | Q(search_terms__icontains=q))
    in_files = TorrentFile.objects.filter(path__icontains=q)
    if not user.is_staff:
        in_files = in_files.filter(torrent__ownerships__user=user)
    labelled = OwnershipLabel.objects.filter(label__user=user, label__name__icontains=q)
    if not user.is_authenticated:
        labelled = labelled.none()
    return (
        named.order_by()
        .values("pk")
        .union(
            in_files.order_by().values("torrent_id"),
            labelled.order_by().values("ownership__torrent_id"),
        )
    )


def rank(q: str, *, user):
    return Value(0.0, output_field=FloatField())


def matched_files(torrent_ids: list[int], q: str, *, per_torrent: int) -> QuerySet:
    files = TorrentFile.objects.filter(torrent_id__in=torrent_ids, path__icontains=q)
    order = Window(RowNumber(), partition_by=[F("torrent_id")], order_by=[F("index").asc()])
    return (
        files.annotate(place=order)
        .filter(place__lte=per_torrent)
        .order_by("torrent_id", "place")
        .values_list("id", "torrent_id", "path")
    )
