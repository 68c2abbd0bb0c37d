"""What the live tracker panel shows of each tracker (read by services/tracker_states.py, shown
by selectors.tracker_states_shown): plain data, so that a selector needs no service to name it."""

import datetime as dt
from dataclasses import dataclass


@dataclass
class TrackerState:
    url: str
    enabled: bool
    busy: bool  # an announce is on its way now
    last_announce_at: dt.datetime | None
    # "ok" (the tracker answered), "failed", or "" before any answer.
    last_result: str
    last_success_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    next_announce_at: dt.datetime | None
    successes: int  # in a row, as rTorrent counts them (a failure resets them, and back)
    failures: int
    seeders: int
    leechers: int
    peers_received: int  # in the last answer
    last_event: str


@dataclass
class TrackerReport:
    trackers: list[TrackerState]
    # rTorrent's message for the torrent: the last tracker's failure reason, if any.
    message: str
