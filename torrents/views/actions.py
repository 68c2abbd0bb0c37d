"""Pause, resume, recheck and delete from the pages: the control services, run for one torrent
or several, each outcome told in a flash message."""

from collections.abc import Iterable

from django.contrib import messages
from django.http import HttpRequest

from torrents.models import Torrent
from torrents.rtorrent import RTorrentError
from torrents.services.control import (
    ControlError,
    purge_enqueue,
    purge_now_or_later,
    removes_for_everyone,
    torrent_recheck,
    torrent_remove,
    torrent_set_paused,
)

ACTIONS = {"pause": "Paused", "resume": "Resumed", "recheck": "Checking", "delete": "Deleted"}


def _names(torrents: list[Torrent]) -> str:
    shown = ", ".join(t.name for t in torrents[:3])
    return shown + (f" and {len(torrents) - 3} more" if len(torrents) > 3 else "")


def _remove(request: HttpRequest, torrents: list[Torrent], everyone: bool) -> None:
    """Remove each; purge what nobody owns any more now, except on a node that already failed to
    answer in this request (its purges are queued at once: the task and the sync finish them)."""
    unreachable: set[int] = set()
    for torrent in torrents:
        asked = removes_for_everyone(torrent=torrent, by=request.user, asked=everyone)
        if not torrent_remove(torrent=torrent, by=request.user, everyone=asked, purge=False):
            continue
        if torrent.node_id in unreachable:
            purge_enqueue(torrent_id=torrent.pk)
        elif not purge_now_or_later(torrent_id=torrent.pk):
            unreachable.add(torrent.node_id)


def torrents_act(
    request: HttpRequest, *, torrents: Iterable[Torrent], action: str, everyone: bool = False
) -> int:
    """Run `action` on each torrent; flash one message for what was done and one per failure.
    Returns how many succeeded."""
    torrents = list(torrents)
    if action == "delete":
        _remove(request, torrents, everyone)
        messages.success(request, f"Deleted {_names(torrents)}.")
        return len(torrents)
    run = {
        "pause": lambda t: torrent_set_paused(torrent=t, paused=True),
        "resume": lambda t: torrent_set_paused(torrent=t, paused=False),
        "recheck": lambda t: torrent_recheck(torrent=t),
    }[action]
    done: list[Torrent] = []
    # A node that failed to answer once is not asked again in this request: with hundreds
    # selected on a hung daemon, each call would wait its whole timeout.
    unreachable: dict[int, tuple[str, list[Torrent]]] = {}
    for torrent in torrents:
        if torrent.node_id in unreachable:
            unreachable[torrent.node_id][1].append(torrent)
            continue
        try:
            run(torrent)
        except ControlError as exc:
            messages.error(request, f"{torrent.name}: {exc}")
        except RTorrentError as exc:
            if exc.transient:
                unreachable[torrent.node_id] = (exc.message, [torrent])
            else:
                messages.error(request, f"{torrent.name}: rTorrent did not do it ({exc.message})")
        else:
            done.append(torrent)
    for why, skipped in unreachable.values():
        messages.error(
            request,
            f"rTorrent did not answer for {_names(skipped)} ({why}): check them and try "
            "again in a moment.",
        )
    if done:
        messages.success(request, f"{ACTIONS[action]} {_names(done)}.")
    return len(done)
