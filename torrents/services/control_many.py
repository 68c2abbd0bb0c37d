"""One control action on many torrents at once (the list's bulk actions, the torrent page's
buttons): the control services run per torrent, and a node that fails to answer is asked no
more in that run. With hundreds selected on a hung daemon, each call would otherwise wait its
whole timeout."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from torrents.models import Torrent
from torrents.rtorrent import RTorrentError
from torrents.services.control import (
    ControlError,
    torrent_delete,
    torrent_reannounce,
    torrent_recheck,
    torrent_repush,
    torrent_set_paused,
)

# Each takes the torrent and who asks (the callers' selector already kept others' out).
ACTIONS: dict[str, Callable[[Torrent, object], object]] = {
    "pause": lambda t, by: torrent_set_paused(torrent=t, paused=True),
    "resume": lambda t, by: torrent_set_paused(torrent=t, paused=False),
    "recheck": lambda t, by: torrent_recheck(torrent=t),
    "reannounce": lambda t, by: torrent_reannounce(torrent=t, by=by),
    "repush": lambda t, by: torrent_repush(torrent=t),
}


@dataclass
class Outcome:
    done: list[Torrent] = field(default_factory=list)
    refused: list[tuple[Torrent, str]] = field(default_factory=list)  # and why, for people
    # Per node that did not answer: why, and the torrents not acted on (the first one's call
    # timed out, so it may have been carried out).
    unreachable: dict[int, tuple[str, list[Torrent]]] = field(default_factory=dict)


def torrents_control(*, torrents: Iterable[Torrent], action: str, by=None) -> Outcome:
    """Pause, resume, recheck, reannounce or re-push each torrent (`by`: who asks)."""
    run = ACTIONS[action]
    outcome = Outcome()
    for torrent in torrents:
        if torrent.node_id in outcome.unreachable:
            outcome.unreachable[torrent.node_id][1].append(torrent)
            continue
        try:
            run(torrent, by)
        except ControlError as exc:
            outcome.refused.append((torrent, str(exc)))
        except RTorrentError as exc:
            if exc.transient:
                outcome.unreachable[torrent.node_id] = (exc.message, [torrent])
            else:
                outcome.refused.append((torrent, f"rTorrent did not do it ({exc.message})"))
        else:
            outcome.done.append(torrent)
    return outcome


def torrents_delete(*, torrents: Iterable[Torrent], by, everyone: bool = False) -> list[Torrent]:
    """Delete each for `by` (see `torrent_delete`); a node whose purge did not go through now gets
    the rest of its purges queued at once. Returns the torrents deleted (all of them)."""
    torrents = list(torrents)
    slow: set[int] = set()
    for torrent in torrents:
        purge_now = torrent.node_id not in slow
        result = torrent_delete(torrent=torrent, by=by, everyone=everyone, purge_now=purge_now)
        if result == "pending" and purge_now:
            slow.add(torrent.node_id)
    return torrents
