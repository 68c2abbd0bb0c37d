"""Reads: the one place that decides which torrents a user may see, and what of them."""

import re
from dataclasses import asdict
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

import torf
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from torrents.metainfo import MetainfoError, parse_metainfo
from torrents.models import Ownership, Torrent, TorrentFetch, TorrentGone
from torrents.tracker_report import TrackerReport


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


def tracker_origin(url: str) -> str:
    """`scheme://host:port` of an announce URL: what anyone who may not read it in full sees
    (no user info, path or query, where passkeys live)."""
    parts = urlsplit(url)
    host = parts.hostname or "tracker"
    host = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if _port(parts) else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else host


def _port(parts) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None


# Parts of an announce URL that may be a key: path segments and query values this long.
_SECRET_MIN = 6
_NOT_SECRET = {"announce", "announce.php", "scrape", "tracker"}


def _url_secrets(url: str) -> set[str]:
    parts = urlsplit(url)
    pieces = [p for p in parts.path.split("/") if p]
    pieces += [value for _, value in parse_qsl(parts.query)]
    if parts.password:
        pieces.append(parts.password)
    return {p for p in pieces if len(p) >= _SECRET_MIN and p.lower() not in _NOT_SECRET}


def messages_shown(user, messages: dict[int, str]) -> dict[int, str]:
    """rTorrent's messages ({torrent id: message}) as `user` may read them: a tracker's failure
    reason can quote the URL or passkey it was sent, and on a shared torrent that may be
    another owner's, so their URLs' secret parts are blanked out. One query for them all."""
    wanted = {pk: m for pk, m in messages.items() if m}
    if user.is_staff or not wanted:
        return dict(messages)
    secrets: dict[int, set[str]] = {}
    others = Ownership.objects.filter(torrent_id__in=wanted).exclude(user=user)
    for torrent_id, urls in others.values_list("torrent_id", "trackers"):
        for url in urls or ():
            secrets.setdefault(torrent_id, set()).update(_url_secrets(url))
    return {**messages, **{pk: _blank(m, secrets.get(pk, ())) for pk, m in wanted.items()}}


def message_for_every_owner(message: str, urls) -> str:
    """rTorrent's message as an event tells it to all of a torrent's owners at once: the secret
    parts of every owner's announce URLs (`urls`) blanked out, nobody's passkey in a mail."""
    secrets: set[str] = set()
    for url in urls:
        secrets.update(_url_secrets(url))
    return _blank(message, secrets)


def owners_by_torrent_with_trackers(*, node_id: int) -> tuple[dict, dict]:
    """({torrent id: owner ids, oldest first}, {torrent id: every owner's announce URLs}) for a
    whole node, in one query (the sync's, when it has a tracker's message to tell)."""
    owners: dict[int, list[int]] = {}
    trackers: dict[int, list[str]] = {}
    rows = (
        Ownership.objects.filter(torrent__node_id=node_id)
        .order_by("torrent_id", "created_at", "id")
        .values_list("torrent_id", "user_id", "trackers")
    )
    for torrent_id, user_id, urls in rows:
        owners.setdefault(torrent_id, []).append(user_id)
        trackers.setdefault(torrent_id, []).extend(urls or ())
    return owners, trackers


def _blank(message: str, secrets) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        message = re.sub(re.escape(secret), "…", message, flags=re.IGNORECASE)
    return message


def message_shown(user, torrent: Torrent) -> str:
    """`torrent.rtorrent_message` as `user` may read it (see `messages_shown`)."""
    return messages_shown(user, {torrent.pk: torrent.rtorrent_message})[torrent.pk]


def tracker_states_shown(user, torrent: Torrent, report: TrackerReport) -> dict:
    """The live tracker panel as `user` may read it: a URL in full only to whoever may (their
    own; admins), otherwise its origin; the message with others' secrets blanked out."""
    visible = tracker_url_visible(user, torrent)
    trackers = []
    for state in report.trackers:
        row = asdict(state)
        full = visible(state.url)
        row["url"] = state.url if full else tracker_origin(state.url)
        row["full_url"] = full
        trackers.append(row)
    message = messages_shown(user, {torrent.pk: report.message})[torrent.pk]
    return {"trackers": trackers, "message": message}


def _stored_trackers(torrent: Torrent) -> list[str]:
    """Announce URLs of the kept metainfo or the magnet link (the adder's)."""
    if torrent.metainfo:
        try:
            return parse_metainfo(
                bytes(torrent.metainfo), max_size=1 << 40, max_files=1 << 30
            ).trackers
        except MetainfoError:
            return []
    if torrent.magnet_uri:
        # The link was checked when it was added (intake_checks.magnet_parse): only its `tr`.
        try:
            return list(torf.Magnet.from_string(torrent.magnet_uri.strip()).tr)
        except torf.TorfError:
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


def _union(lists) -> list[str]:
    result: list[str] = []
    for urls in lists:
        for url in urls or ():
            if url not in result:
                result.append(url)
    return result[: settings.SEEDBOX_MAX_TRACKERS_PER_TORRENT]


def torrent_announce_urls(torrent: Torrent) -> list[str]:
    """The URLs rTorrent should announce `torrent` to (services/announce.py loads them; [] when
    no owner's are recorded: rows from before they were, which keep announcing as their
    .torrent or magnet link says)."""
    lists = torrent.ownerships.order_by("created_at", "pk").values_list("trackers", flat=True)
    return _union(lists[:1] if torrent.private else lists)


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


def torrent_fetch_for_user(user, fetch_id: int) -> TorrentFetch:
    """A fetch of a .torrent by URL: its asker's, and admins'; Http404 for anyone else."""
    queryset = TorrentFetch.objects.all()
    if not user.is_staff:
        queryset = queryset.filter(user=user) if user.is_authenticated else queryset.none()
    return get_object_or_404(queryset, pk=fetch_id)


def torrent_fetches_recent(user, *, limit: int = 10) -> list[TorrentFetch]:
    """The user's own latest fetches by URL (the add page shows how they went)."""
    return list(TorrentFetch.objects.filter(user=user).select_related("torrent")[:limit])


def ownership_of(user, torrent: Torrent) -> Ownership | None:
    """The user's own ownership of the torrent (their limits and seeding rule), if they own it."""
    if not user.is_authenticated:
        return None
    return Ownership.objects.filter(torrent=torrent, user=user).first()
