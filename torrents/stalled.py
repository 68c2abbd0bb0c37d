"""The derived `stalled` state: downloading, yet no progress and no peer for
SEEDBOX_STALLED_AFTER seconds. The one definition, for the sync, the list, its counts and the API.

The sync records `Torrent.stalled_since` (when it first saw a downloading torrent with neither
progress nor a peer) and clears it as soon as either comes back or the status changes. Stalled
is then `status = downloading and stalled_since <= now - SEEDBOX_STALLED_AFTER`: no write is
needed while a torrent sits still, and a still node stays a node that writes nothing.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from torrents.models import TorrentStatus

# What `?status=stalled` asks for: not a stored status, a derived one.
STALLED = "stalled"


def stalled_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """A torrent still since before this is stalled."""
    return (now or timezone.now()) - dt.timedelta(seconds=settings.SEEDBOX_STALLED_AFTER)


def stalled_q(now: dt.datetime | None = None, *, prefix: str = "") -> Q:
    """The stalled criterion as a filter (`prefix="torrent_"` from Ownership: its copies of
    the torrent's status and stalled_since, for counts)."""
    return Q(
        **{
            f"{prefix}status": TorrentStatus.DOWNLOADING,
            f"{prefix}stalled_since__lte": stalled_cutoff(now),
        }
    )


def stalled_flag(*, prefix: str = "") -> Case:
    """The criterion as a column of 1 or 0, for rows read off the cursor (`prefix` as in
    `stalled_q`)."""
    return Case(When(stalled_q(prefix=prefix), then=Value(1)), default=Value(0))


def stalled_test(now: dt.datetime | None = None) -> Callable[[str, dt.datetime | None], bool]:
    """The same criterion for rows already read: `test(status, stalled_since)` (the cutoff
    worked out once, for a list of thousands)."""
    cutoff = stalled_cutoff(now)

    def test(status: str, stalled_since: dt.datetime | None) -> bool:
        return (
            status == TorrentStatus.DOWNLOADING
            and stalled_since is not None
            and stalled_since <= cutoff
        )

    return test


def torrent_is_stalled(
    *, status: str, stalled_since: dt.datetime | None, now: dt.datetime | None = None
) -> bool:
    """The criterion for one row already read."""
    return stalled_test(now)(status, stalled_since)


def stalled_since_next(
    *,
    old_status: str,
    new_status: str,
    old_since: dt.datetime | None,
    progressed: bool,
    peers: int,
    now: dt.datetime,
) -> dt.datetime | None:
    """What the sync writes: kept while a downloading torrent stays still, `now` when it
    first is (or when it just started downloading, so a new torrent gets its full grace),
    None once it moves, has a peer or is not downloading."""
    if new_status != TorrentStatus.DOWNLOADING or progressed or peers:
        return None
    if old_status != TorrentStatus.DOWNLOADING or old_since is None:
        return now
    return old_since


def stalled_crossed(
    *, status: str, stalled_since: dt.datetime | None, since: dt.datetime | None, now: dt.datetime
) -> bool:
    """Whether the torrent became stalled between the previous sync (`since`) and `now`: time
    alone changes nothing in the row, so the sync stamps it then (`updated_at`), for the
    list's poll, `?changed_since=` and the counts' cache to see the change."""
    if since is None or stalled_since is None or status != TorrentStatus.DOWNLOADING:
        return False  # most rows, at once: the sync asks this of every torrent
    return torrent_is_stalled(
        status=status, stalled_since=stalled_since, now=now
    ) and not torrent_is_stalled(status=status, stalled_since=stalled_since, now=since)
