"""Each tracker's state, read live from rTorrent for the torrent page and
`GET /api/torrents/<id>/trackers` (never in the sync): last announce and its result, next
announce, seeders and leechers, the last error. One short request with the quick timeout.

The URLs here are rTorrent's, passkeys and all: what a user may read of them is decided by
`torrents.selectors.tracker_states_shown`, which every caller passes them through.
"""

import datetime as dt

from torrents.models import IN_RTORRENT, Torrent
from torrents.rtorrent import TorrentNotFound
from torrents.services.control import ControlError
from torrents.services.nodes import node_client
from torrents.tracker_report import TrackerReport, TrackerState

# rTorrent's t.latest_event (strings.tracker_event on 0.9.8).
EVENTS = {0: "", 1: "completed", 2: "started", 3: "stopped", 4: "scrape"}


def _when(seconds: int) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) if seconds and seconds > 0 else None


def _state(row: dict) -> TrackerState:
    success, failure = int(row["success_time_last"]), int(row["failed_time_last"])
    # "" before any answer; otherwise whichever came last.
    result = ("ok" if success >= failure else "failed") if success or failure else ""
    return TrackerState(
        url=row["url"],
        enabled=bool(row["is_enabled"]),
        busy=bool(row["is_busy"]),
        last_announce_at=_when(int(row["activity_time_last"])),
        last_result=result,
        last_success_at=_when(success),
        last_failure_at=_when(failure),
        next_announce_at=_when(int(row["activity_time_next"])),
        successes=int(row["success_counter"]),
        failures=int(row["failed_counter"]),
        seeders=int(row["scrape_complete"]),
        leechers=int(row["scrape_incomplete"]),
        peers_received=int(row["latest_sum_peers"]),
        last_event=EVENTS.get(int(row["latest_event"]), ""),
    )


def torrent_tracker_states(*, torrent: Torrent) -> TrackerReport:
    """The trackers of a torrent loaded in rTorrent. Raises ControlError when it is not there
    (queued, missing, removed...), RTorrentError when the node does not answer (transient)."""
    if torrent.status not in IN_RTORRENT:
        raise ControlError(
            f"the torrent is {torrent.get_status_display()}, not in rTorrent: no tracker "
            "state to read"
        )
    try:
        rows, message = node_client(torrent.node, quick=True).tracker_states(torrent.info_hash)
    except TorrentNotFound:
        raise ControlError(
            "rTorrent does not have this torrent (the next sync marks it missing)"
        ) from None
    return TrackerReport(trackers=[_state(row) for row in rows], message=message)
