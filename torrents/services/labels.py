"""Labels: a user's own tags on the torrents they own (several per torrent, each with a colour).

A label hangs off the user's `Ownership`, so co-owners of one torrent label it each their own
way. Every write that changes what a torrent's row shows stamps the torrent's `updated_at`, the
one mark the live list's poll, its caches and `GET /api/torrents?changed_since=` read a change
from (a co-owner's refresh then repeats the row, with their own labels: harmless).
"""

import hashlib
import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from torrents.models import Label, Ownership, OwnershipLabel, Torrent

NAME_MAX = 32
PER_TORRENT_MAX = 10
PER_USER_MAX = 200
# The colours a label may have: a palette rather than any #rrggbb, so that the pages can
# show them under a CSP without inline styles (static/css/labels.css has one rule each) and
# every one reads on light and dark themes. A new label takes one picked from its name.
PALETTE = {
    "#1f77b4": "blue",
    "#2ca02c": "green",
    "#d62728": "red",
    "#9467bd": "purple",
    "#ff7f0e": "orange",
    "#17becf": "teal",
    "#8c564b": "brown",
    "#e377c2": "pink",
    "#7f7f7f": "grey",
    "#bcbd22": "olive",
    "#1a3d8f": "navy",
    "#f2c40f": "yellow",
}
_BY_NAME = {name: colour for colour, name in PALETTE.items()}
# Printable text only; a comma separates names in the pages' label inputs.
_BAD_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f,\u2028\u2029]")


class LabelError(ValueError):
    """Bad label input; the message is for the person who sent it (a 400, a form error)."""


def label_name_clean(raw: object) -> str:
    """The name with its spaces tidied, or LabelError saying what is wrong with it."""
    if not isinstance(raw, str):
        raise LabelError("a label is a name (text)")
    name = " ".join(raw.split())
    if not name:
        raise LabelError("a label needs a name")
    if len(name) > NAME_MAX:
        raise LabelError(f"a label is at most {NAME_MAX} characters: {name[:NAME_MAX]}…")
    if _BAD_CHARACTERS.search(name):
        raise LabelError(f"a label cannot hold a comma or a control character: {name!r}")
    return name


def label_names_clean(raw: object) -> list[str]:
    """A list of names, cleaned, the same name (in any case) once, at most PER_TORRENT_MAX."""
    if not isinstance(raw, list | tuple):
        raise LabelError("labels are a list of names")
    names: dict[str, str] = {}
    for item in raw:
        name = label_name_clean(item)
        names.setdefault(name.casefold(), name)
    if len(names) > PER_TORRENT_MAX:
        raise LabelError(f"at most {PER_TORRENT_MAX} labels on a torrent, not {len(names)}")
    return list(names.values())


def labels_parse(text: str) -> list[str]:
    """The names of a page's label input: comma-separated (blanks dropped)."""
    return label_names_clean([part for part in text.split(",") if part.strip()])


def label_colour_clean(raw: object) -> str:
    """A palette colour as #rrggbb (its name, "blue", is taken too)."""
    text = raw.strip().lower() if isinstance(raw, str) else ""
    colour = _BY_NAME.get(text, text)
    if colour not in PALETTE:
        choices = ", ".join(f"{hex_} ({name})" for hex_, name in PALETTE.items())
        raise LabelError(f"a colour is one of {choices}")
    return colour


def label_default_colour(name: str) -> str:
    digest = hashlib.blake2s(name.casefold().encode(), digest_size=1).digest()[0]
    return list(PALETTE)[digest % len(PALETTE)]


def _touch(torrent_ids: Iterable[int] | QuerySet) -> None:
    """The rows show labels: their change is a change of the row (see the module's note), and
    of the words their owner's search matches them by."""
    now = timezone.now()
    Torrent.objects.filter(pk__in=torrent_ids).update(updated_at=now, words_at=now)


def _find(user, name: str) -> Label | None:
    return Label.objects.filter(user=user, name__iexact=name).first()


def label_create(*, user, name: str, colour: str | None = None) -> Label:
    """A new label of `user` (LabelError if they have one of that name, or too many)."""
    name = label_name_clean(name)
    colour = label_default_colour(name) if colour is None else label_colour_clean(colour)
    if _find(user, name) is not None:
        raise LabelError(f"you have a label {name!r} already")
    if Label.objects.filter(user=user).count() >= PER_USER_MAX:
        raise LabelError(f"at most {PER_USER_MAX} labels each: delete some you no longer use")
    try:
        with transaction.atomic():
            return Label.objects.create(user=user, name=name, colour=colour)
    except IntegrityError:  # the same name made a moment ago (another request)
        raise LabelError(f"you have a label {name!r} already") from None


def labels_get_or_create(*, user, names: list[str]) -> list[Label]:
    """`user`'s labels of these (clean) names, made for the names they do not have yet."""
    labels = []
    for name in names:
        label = _find(user, name)
        if label is None:
            try:
                label = label_create(user=user, name=name)
            except LabelError:
                label = _find(user, name)  # made meanwhile; otherwise the limit: say so
                if label is None:
                    raise
        labels.append(label)
    return labels


def label_update(*, label: Label, name: str | None = None, colour: str | None = None) -> Label:
    """Rename and/or recolour; every torrent it is on shows the change."""
    with transaction.atomic():
        if name is not None:
            name = label_name_clean(name)
            clash = Label.objects.filter(user_id=label.user_id, name__iexact=name)
            if clash.exclude(pk=label.pk).exists():
                raise LabelError(f"you have a label {name!r} already")
            label.name = name
        if colour is not None:
            label.colour = label_colour_clean(colour)
        label.save(update_fields=["name", "colour"])
        _touch(label.ownerships.values("torrent_id"))
    return label


def label_delete(*, label: Label) -> None:
    """The label goes, from every torrent it was on."""
    with transaction.atomic():
        _touch(list(label.ownerships.values_list("torrent_id", flat=True)))
        label.delete()


def _ownership(user, torrent: Torrent) -> Ownership:
    ownership = Ownership.objects.filter(user=user, torrent=torrent).first()
    if ownership is None:  # an admin looking at someone else's torrent
        raise LabelError(
            "you do not own this torrent, and labels are each owner's own: even an admin "
            "cannot label someone else's torrent"
        )
    return ownership


def torrent_labels_set(*, user, torrent: Torrent, names: object) -> list[Label]:
    """`user`'s labels on `torrent` become exactly `names` (made as needed). Returns them."""
    names = label_names_clean(names)
    with transaction.atomic():
        ownership = _ownership(user, torrent)
        labels = labels_get_or_create(user=user, names=names)
        OwnershipLabel.objects.filter(ownership=ownership).exclude(label__in=labels).delete()
        OwnershipLabel.objects.bulk_create(
            [OwnershipLabel(ownership=ownership, label=label) for label in labels],
            ignore_conflicts=True,
        )
        _touch([torrent.pk])
    return labels


def torrents_label_add(*, user, torrents: Iterable[Torrent], names: list[str]) -> list[Torrent]:
    """Put the labels (clean names) on `user`'s ownership of each torrent, keeping the labels
    already there. Torrents they do not own, or that would pass PER_TORRENT_MAX labels, are
    left as they are; returns the torrents labelled."""
    torrents = list(torrents)
    with transaction.atomic():
        labels = labels_get_or_create(user=user, names=names)
        ownerships = Ownership.objects.filter(user=user, torrent__in=torrents).annotate(
            n=Count("ownership_labels")
        )
        have = set(
            OwnershipLabel.objects.filter(
                ownership__in=ownerships.values("pk"), label__in=labels
            ).values_list("ownership_id", "label_id")
        )
        rows, done = [], set()
        for ownership in ownerships:
            new = [label for label in labels if (ownership.pk, label.pk) not in have]
            if ownership.n + len(new) > PER_TORRENT_MAX:
                continue
            rows += [OwnershipLabel(ownership=ownership, label=label) for label in new]
            done.add(ownership.torrent_id)
        OwnershipLabel.objects.bulk_create(rows, ignore_conflicts=True)
        _touch(done)
    return [torrent for torrent in torrents if torrent.pk in done]


def torrents_label_remove(*, user, torrents: Iterable[Torrent], name: str) -> list[Torrent]:
    """Take `user`'s label `name` off each torrent; returns the torrents it was on."""
    torrents = list(torrents)
    label = _find(user, label_name_clean(name))
    if label is None:
        return []
    with transaction.atomic():
        links = OwnershipLabel.objects.filter(label=label, ownership__torrent__in=torrents)
        ids = set(links.values_list("ownership__torrent_id", flat=True))
        OwnershipLabel.objects.filter(pk__in=links.values("pk")).delete()
        _touch(ids)
    return [torrent for torrent in torrents if torrent.pk in ids]
