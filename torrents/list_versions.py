"""What the list's cached counts and totals depend on: a few index lookups that move whenever a
row they count could have changed (the page's poll sends the counts again only then)."""

import hashlib

from django.db.models import Count, Max

from torrents.models import Label, Ownership, Torrent, TorrentGone


def _ownership_stamps(user) -> list:
    """The latest ownership gained and lost (a user's own; for staff anyone's, who see and
    filter by every owner)."""
    if not user.is_authenticated:
        return []
    if not user.is_staff:
        return [
            Ownership.objects.filter(user=user).aggregate(at=Max("created_at"))["at"],
            TorrentGone.objects.filter(user=user).aggregate(at=Max("at"))["at"],
        ]
    return [
        Ownership.objects.aggregate(n=Max("id"))["n"],
        TorrentGone.objects.aggregate(at=Max("at"))["at"],
    ]


def _digest(stamps: list) -> str:
    return hashlib.blake2s(repr(stamps).encode(), digest_size=12).hexdigest()


def _list_digest(user, owned: list) -> str:
    return _digest([Torrent.objects.aggregate(at=Max("updated_at"))["at"], *owned])


def _facets_digest(user, owned: list) -> str:
    stamps = [Torrent.objects.aggregate(at=Max("facets_at"))["at"], *owned]
    if user.is_authenticated:
        stamps.append(Label.objects.filter(user=user).aggregate(n=Count("id"), at=Max("id")))
    return _digest(stamps)


def list_version(user) -> str:
    """What every total and row of `user`'s list depends on, in a few index lookups: the latest
    `updated_at` of any torrent (every write stamps it, the sync's too) and ownership stamps."""
    return _list_digest(user, _ownership_stamps(user))


def facets_version(user) -> str:
    """What the counts depend on: as `list_version`, but from `facets_at`, which the sync's
    rate-only writes (most of its writes) leave alone, so the counts outlive ordinary syncs.
    Putting or taking a label stamps its torrents (services.labels); the user's labels made
    or deleted (listed at 0) are counted here."""
    return _facets_digest(user, _ownership_stamps(user))


def list_versions(user) -> tuple[str, str]:
    """(`list_version`, `facets_version`), the ownership stamps read once for both."""
    owned = _ownership_stamps(user)
    return _list_digest(user, owned), _facets_digest(user, owned)
