"""What the list's kept counts, totals and table depend on: a few index lookups, in one query,
that move whenever a row they show or count could have changed (the page's poll sends the
counts again only then)."""

import functools
import hashlib
from typing import NamedTuple

from django.db import connection
from django.db.models import Max

from torrents.models import Label, Ownership, Torrent, TorrentGone


def _max(model, column: str, *, where: str = "") -> str:
    """A scalar subquery of the latest `column` of `model` that an index answers alone."""
    table = model._meta.db_table
    return f"(SELECT MAX({column}) FROM {table}{f' WHERE {where}' if where else ''})"


@functools.cache
def _stamps_sql(*, staff: bool) -> str:
    """What every version below is made of, as one SELECT of scalar subqueries (each the same
    index lookup the ORM's aggregate would be, for one round trip and no query building on
    every request): the latest `updated_at` and `facets_at` of any torrent; the latest
    ownership gained and lost (a user's own; for staff anyone's, who see and filter by every
    owner); how many labels the viewer has, and the latest."""
    gained = _max(Ownership, "id") if staff else _max(Ownership, "created_at", where="user_id = %s")
    lost = _max(TorrentGone, "at", where="" if staff else "user_id = %s")
    labels = f"(SELECT COUNT(*) FROM {Label._meta.db_table} WHERE user_id = %s)"
    latest_label = _max(Label, "id", where="user_id = %s")
    return (
        f"SELECT {_max(Torrent, 'updated_at')}, {_max(Torrent, 'facets_at')}, "
        f"{gained}, {lost}, {labels}, {latest_label}, {_max(Torrent, 'words_at')}"
    )


def _stamps(user) -> tuple[list, list, list]:
    """(what the rows and totals depend on, what the counts depend on, what a search's match
    depends on), in one query."""
    if not user.is_authenticated:
        stamps = Torrent.objects.aggregate(
            rows=Max("updated_at"), counts=Max("facets_at"), words=Max("words_at")
        )
        return [stamps["rows"]], [stamps["counts"]], [stamps["words"]]
    params = [user.pk] * (2 if user.is_staff else 4)
    with connection.cursor() as cursor:
        cursor.execute(_stamps_sql(staff=user.is_staff), params)
        updated, facets, gained, lost, labels, latest_label, words = cursor.fetchone()
    return (
        [updated, gained, lost],
        [facets, gained, lost, labels, latest_label],
        [words, gained, lost, labels, latest_label],
    )


def _digest(stamps: list) -> str:
    return hashlib.blake2s(repr(stamps).encode(), digest_size=12).hexdigest()


def list_version(user) -> str:
    """What every total and row of `user`'s list depends on: the latest `updated_at` of any
    torrent (every write of a shown column stamps it, the sync's too) and ownership stamps."""
    return list_versions(user)[0]


def facets_version(user) -> str:
    """What the counts depend on: as `list_version`, but from `facets_at`, which the sync's
    rate-only writes (most of its writes) leave alone, so the counts outlive ordinary syncs.
    Putting or taking a label stamps its torrents (services.labels); the user's labels made
    or deleted (listed at 0) are counted here."""
    return list_versions(user)[1]


class ListVersions(NamedTuple):
    rows: str  # `list_version`
    counts: str  # `facets_version`
    # What a search's match depends on: the latest `words_at` (a name, search terms, files, a
    # label put or taken), labels made or gone, ownerships gained and lost. A status change and
    # a sync leave it alone.
    search: str


def list_versions(user) -> ListVersions:
    """`list_version`, `facets_version` and the search's version, from one query."""
    rows, counts, search = _stamps(user)
    return ListVersions(rows=_digest(rows), counts=_digest(counts), search=_digest(search))
