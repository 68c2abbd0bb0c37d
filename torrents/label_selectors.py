"""Reads of labels: a user's own, those on a page of rows (one query), the `?label=` filter and
the counts of the filter links. Labels are personal: nobody, admins included, reads another
user's (their ids answer 404)."""

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from torrents.models import Label, OwnershipLabel, Torrent

# Past this many torrents, a label's page is found by walking the list rather than sorting them.
COMMON_LABEL = 500


class Chip(NamedTuple):
    """A label as a row shows it."""

    name: str
    colour: str


class LabelCount(NamedTuple):
    label: Label
    count: int


def labels_of(user) -> QuerySet[Label]:
    """`user`'s labels by name (none for anonymous)."""
    if not user.is_authenticated:
        return Label.objects.none()
    return Label.objects.filter(user=user).order_by(Lower("name"), "id")


def label_for_user(user, label_id: int) -> Label:
    """The user's label, or Http404 (another user's label is not theirs to see, admin or not)."""
    return get_object_or_404(labels_of(user), pk=label_id)


# Above this many rows, building `IN (ids…)` cost more than reading every label link of the user
# (a fifth of a 2,000-row page of the API, profiled).
MANY_ROWS = 500


def chips_by_torrent(user, torrent_ids: Iterable[int]) -> dict[int, list[Chip]]:
    """{torrent id: `user`'s labels on it, by name} for these torrents, in ONE query (the page's
    rows only, never the whole list)."""
    ids = list(torrent_ids)
    if not ids or not user.is_authenticated:
        return {}
    links = OwnershipLabel.objects.filter(ownership__user=user)
    wanted = None
    if len(ids) <= MANY_ROWS:
        links = links.filter(ownership__torrent_id__in=ids)
    else:  # a large page: all the user's labelled torrents, rather than an IN of every id
        wanted = set(ids)
    links = links.order_by(Lower("label__name"), "label_id").values_list(
        "ownership__torrent_id", "label__name", "label__colour"
    )
    chips: dict[int, list[Chip]] = defaultdict(list)
    for torrent_id, name, colour in links:
        if wanted is None or torrent_id in wanted:
            chips[torrent_id].append(Chip(name, colour))
    return chips


def label_id_named(user, name: str) -> int | None:
    """The id of `user`'s label called `name` (any case, spaces squeezed), or None."""
    found = labels_of(user).filter(name__iexact=" ".join(name.split())).values_list("pk")[:1]
    return found[0][0] if found else None


def labelled_count(user, name: str) -> int:
    """How many torrents carry `user`'s label `name`: its links, counted from the (label,
    ownership) index alone. Each is one of the user's ownerships, so this is the count of
    `torrents_labelled(torrents_visible_to(user), ...)` without walking their ownerships."""
    label_id = label_id_named(user, name) if user.is_authenticated else None
    return 0 if label_id is None else OwnershipLabel.objects.filter(label_id=label_id).count()


def torrents_labelled(queryset: QuerySet[Torrent], *, user, name: str) -> QuerySet[Torrent]:
    """The torrents of `queryset` on which `user` put the label `name` (any case). Labels are
    the user's own, so for staff, who see every torrent, this matches *their* labels only: the
    torrents they own and labelled, not someone else's of the same name."""
    if not user.is_authenticated:
        return queryset.none()
    # The label's id first (a lookup among the user's few): the database then plans with what
    # it knows of that label (how many torrents carry it), which it cannot through its name.
    return torrents_with_label(queryset, label_id_named(user, name))


def torrents_with_label(queryset: QuerySet[Torrent], label_id: int | None) -> QuerySet[Torrent]:
    """The torrents of `queryset` that carry the label `label_id` (a label the caller found
    among the viewer's own: `torrents_labelled`); none for None."""
    if label_id is None:
        return queryset.none()
    links = OwnershipLabel.objects.filter(label_id=label_id)
    if links.count() > COMMON_LABEL:
        # On many torrents: a page is found walking the list in its order (its index), a
        # check per row, rather than fetching and sorting all of them (SQLite would).
        return queryset.filter(Exists(links.filter(ownership__torrent=OuterRef("pk"))))
    # On few: those few, from the unique (label, ownership) index, then sorted.
    return queryset.filter(pk__in=links.values("ownership__torrent_id"))


def label_counts(user, torrents: QuerySet[Torrent]) -> dict[int, int]:
    """{label id: how many torrents of `torrents` carry it} for `user`'s labels (one grouped
    query over their labelled torrents; labels on none are left out)."""
    if not user.is_authenticated:
        return {}
    counted = (
        OwnershipLabel.objects.filter(
            label__user=user, ownership__torrent_id__in=torrents.order_by().values("pk")
        )
        .order_by()
        .values_list("label_id")
        .annotate(n=Count("id"))
    )
    return dict(counted)


def labels_with_counts(user, torrents: QuerySet[Torrent]) -> list[LabelCount]:
    """Each of `user`'s labels with how many torrents of `torrents` (a filtered list) carry
    it, zeros included (two queries, whatever the number of labels)."""
    labels = list(labels_of(user))
    counts = label_counts(user, torrents) if labels else {}
    return [LabelCount(label, counts.get(label.pk, 0)) for label in labels]
