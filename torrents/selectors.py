"""Reads: the one place that decides which torrents a user may see, and what of them."""

from datetime import datetime
from urllib.parse import urlsplit

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from torrents.models import Ownership, Torrent, TorrentGone
from torrents.services.announce import torrent_announce_urls


def torrents_visible_to(user) -> QuerySet[Torrent]:
    """Admins see every torrent; a user sees the torrents they own; anonymous sees none."""
    if not user.is_authenticated:
        return Torrent.objects.none()
    if user.is_staff:
        return Torrent.objects.all()
    # EXISTS rather than a join: no duplicate to remove, and a page in the default order is
    # read from the `torrent_newest_first` index, checking ownership row by row, instead of
    # sorting every torrent the user owns (what made a page cost more as the library grew).
    return Torrent.objects.filter(
        Exists(Ownership.objects.filter(torrent=OuterRef("pk"), user=user))
    )


def torrents_owned_by(user) -> QuerySet[Torrent]:
    """The torrents `user` owns themself (for an admin too: not everything they may see)."""
    return Torrent.objects.filter(ownerships__user=user).defer("metainfo")


def torrent_for_user(user, torrent_id: int) -> Torrent:
    """The torrent, or Http404 for anyone who may not see it (ids do not leak)."""
    # Without the raw metainfo (up to SEEDBOX_METAINFO_MAX_SIZE): file downloads, Range
    # requests and controls never read it; the .torrent view loads it when it asks.
    queryset = torrents_visible_to(user).select_related("node").defer("metainfo")
    return get_object_or_404(queryset, pk=torrent_id)


def torrent_secrets_visible_to(user, torrent: Torrent) -> bool:
    """A .torrent, its announce URLs and its magnet link can carry the adder's private-tracker
    passkey: only the user who added it and admins see them; co-owners see tracker hosts."""
    return bool(user.is_staff or torrent.added_by_id == user.pk)


def tracker_shown(url: str, *, full: bool) -> str:
    """The announce URL, or only its host for someone who may not see the URL's secrets."""
    return url if full else (urlsplit(url).hostname or "tracker")


def _stored_trackers(torrent: Torrent) -> list[str]:
    """Announce URLs of the kept metainfo or the magnet link (the adder's)."""
    from torrents.metainfo import MetainfoError, parse_metainfo
    from torrents.services.intake import IntakeError, magnet_parse

    if torrent.metainfo:
        try:
            return parse_metainfo(
                bytes(torrent.metainfo), max_size=1 << 40, max_files=1 << 30
            ).trackers
        except MetainfoError:
            return []
    if torrent.magnet_uri:
        try:
            return magnet_parse(torrent.magnet_uri)[2]
        except IntakeError:
            return []
    return []


def tracker_url_visible(user, torrent: Torrent):
    """A test `url -> bool`: may `user` read this announce URL of `torrent` in full? Admins read
    all; an owner reads the URLs they sent themself (the adder: those of the .torrent or magnet
    link too); another owner's URL, which rTorrent announces to as well, shows as its host."""
    if user.is_staff:
        return lambda url: True
    own = set()
    for urls in torrent.ownerships.filter(user=user).values_list("trackers", flat=True):
        own.update(urls or ())
    if torrent.added_by_id == user.pk:
        own.update(_stored_trackers(torrent))
    return own.__contains__


def torrent_trackers(torrent: Torrent, *, user) -> list[str]:
    """Announce URLs (every owner's for a public torrent, no call to rTorrent), as `user` may
    see them."""
    urls = torrent_announce_urls(torrent) or _stored_trackers(torrent)
    visible = tracker_url_visible(user, torrent)
    return [tracker_shown(url, full=visible(url)) for url in urls]


def torrents_changed_since(user, since: datetime) -> QuerySet[Torrent]:
    """What `user` sees that changed after `since`, or that they came to own after it (a
    shared torrent's row may not have changed when a second user adds it)."""
    if not user.is_authenticated:
        return Torrent.objects.none()
    if user.is_staff:
        return Torrent.objects.filter(updated_at__gt=since)
    # Two index walks (torrent_updated_at, ownership_user_created), not one over all they own.
    gained = Ownership.objects.filter(user=user, created_at__gt=since).values("torrent_id")
    return torrents_visible_to(user).filter(Q(updated_at__gt=since) | Q(pk__in=gained))


def torrent_ids_gone_since(user, since: datetime) -> list[int]:
    """Ids that left `user`'s list after `since` and are not in it again: their own only."""
    if not user.is_authenticated:
        return []
    gone = set(
        TorrentGone.objects.filter(user=user, at__gt=since).values_list("torrent_id", flat=True)
    )
    if not gone:
        return []
    back = set(torrents_visible_to(user).filter(pk__in=gone).values_list("pk", flat=True))
    return sorted(gone - back)


def torrents_count_visible_to(user) -> int:
    """How many rows `torrents_visible_to(user)` holds, without its join: a user's torrents
    are their ownerships (one per torrent), counted from the (user, created_at) index."""
    if user.is_authenticated and not user.is_staff:
        return Ownership.objects.filter(user=user).count()
    return torrents_visible_to(user).count()


def ownership_of(user, torrent: Torrent) -> Ownership | None:
    """The user's own ownership of the torrent (their limits and seeding rule), if they own it."""
    if not user.is_authenticated:
        return None
    return Ownership.objects.filter(torrent=torrent, user=user).first()
