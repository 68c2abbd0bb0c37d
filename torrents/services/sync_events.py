"""What one sync run tells: the events of the transitions it saw, recorded in its transaction
in one INSERT (events/services.py), whatever the number of torrents.

Each is recorded on the transition only, so a torrent that stays complete, stalled or refused
by its tracker is told once, not every few seconds:
- torrent.completed: `completed_at` set for the first time;
- torrent.stuck: it crossed the stalled threshold (`stalled_crossed`), or rTorrent's tracker
  message appeared where there was none on a download not yet complete;
- node.down / node.up: the node's `is_up` flipped (to the active staff);
- internal follow-ups, handled in torrents/handlers.py: a magnet's metadata arrived, a seeding
  rule is met (the handler stops it and records torrent.seeding_stopped). The sync dispatches
  those itself after its commit, so they happen in the same run as before.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.selectors import active_staff_ids
from events.kinds import EventKind
from events.models import Event
from events.services import NewEvent, events_queue_after_commit, events_record_many
from torrents.selectors import message_for_every_owner

# rTorrent's d.message for a tracker's refusal or silence: `Tracker: [Failure reason "..."]`.
TRACKER_MESSAGE = "tracker:"


def tracker_stuck(*, old: str, new: str, complete: bool) -> bool:
    """A download whose tracker's message just appeared is stuck; a complete torrent seeds to
    the peers it has whatever its tracker says (the message stays on its row)."""
    return not complete and not old and new.lower().startswith(TRACKER_MESSAGE)


@dataclass
class Transitions:
    """What changed in one run, gathered row by row (ids; names for the payloads)."""

    names: dict[int, str] = field(default_factory=dict)
    completed: list[int] = field(default_factory=list)
    stuck: list[tuple[int, str, str]] = field(default_factory=list)  # (id, why, message)
    resolved: list[int] = field(default_factory=list)
    rule_stops: list[tuple[int, str]] = field(default_factory=list)
    node_up: bool = False

    def needs_owners(self) -> bool:
        return bool(self.completed or self.stuck)


def sync_events_record(
    *, node_name: str, seen: Transitions, owners: Callable[[], tuple[dict, dict]]
) -> list[Event]:
    """Record the run's events (`owners()`: {torrent id: owner ids}, {torrent id: their
    announce URLs}, read once if needed). Returns the internal ones, for the caller to
    dispatch after its commit."""
    by_torrent, trackers = owners() if seen.needs_owners() else ({}, {})
    torrent_events = [
        *((EventKind.TORRENT_COMPLETED, pk, {}) for pk in seen.completed),
        *(
            (
                EventKind.TORRENT_STUCK,
                pk,
                {"why": why, "message": message_for_every_owner(message, trackers.get(pk, ()))},
            )
            for pk, why, message in seen.stuck
        ),
    ]
    told = [
        NewEvent(
            kind=kind,
            torrent_id=pk,
            users=by_torrent.get(pk, ()),
            payload={"name": seen.names.get(pk, ""), "torrent_id": pk, **payload},
        )
        for kind, pk, payload in torrent_events
    ]
    if seen.node_up:
        told.append(
            NewEvent(kind=EventKind.NODE_UP, users=active_staff_ids(), payload={"node": node_name})
        )
    internal = [
        *(
            NewEvent(
                kind=EventKind.TORRENT_METADATA_ARRIVED,
                torrent_id=pk,
                payload={"name": seen.names.get(pk, ""), "torrent_id": pk},
            )
            for pk in seen.resolved
        ),
        *(
            NewEvent(
                kind=EventKind.TORRENT_SEEDING_RULE_MET,
                torrent_id=pk,
                payload={"name": seen.names.get(pk, ""), "torrent_id": pk, "rule": message},
            )
            for pk, message in seen.rule_stops
        ),
    ]
    # One INSERT for them all; the told ones are queued after the commit (a lost publish is
    # the sweep's), the internal ones are the caller's to dispatch.
    created = events_record_many([*told, *internal], queue=False)
    events_queue_after_commit(created[: len(told)])
    return created[len(told) :]
