"""The engine without full-text search (SQLite): a case-insensitive contains match of the
whole text in the name, the search terms, a file's path or one of the user's labels. No
ranking: every match ranks the same, so the list's usual order stands."""

import json

from django.db.models import F, FloatField, Q, QuerySet, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from torrents.models import OwnershipLabel, Torrent, TorrentFile


def matching_ids(q: str, *, user) -> QuerySet:
    """The list's counts narrow by this three times a page: the name and the terms are read in
    one pass over the torrents, and the labelled ones from the user's labels that match (by
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


def matched_once(q: str, *, user) -> RawSQL:
    """`matching_ids` read now, as a subquery of the ids found (one JSON parameter, read back by
    `json_each`): for a caller that narrows several queries by the same match."""
    ids = list(matching_ids(q, user=user).values_list("pk", flat=True))
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


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
