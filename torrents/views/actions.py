"""Pause, resume, recheck, reannounce and delete from the pages: the control services run for
one torrent or several (torrents/services/control_many.py), each outcome told in a flash
message."""

from collections.abc import Iterable

from django.contrib import messages
from django.http import HttpRequest

from torrents.models import Torrent
from torrents.services.control_many import torrents_control, torrents_delete

ACTIONS = {
    "pause": "Paused",
    "resume": "Resumed",
    "recheck": "Checking",
    "reannounce": "Announced",
    "repush": "Pushing again",
    "delete": "Deleted",
}


def _names(torrents: list[Torrent]) -> str:
    shown = ", ".join(t.name for t in torrents[:3])
    return shown + (f" and {len(torrents) - 3} more" if len(torrents) > 3 else "")


def torrents_act(
    request: HttpRequest, *, torrents: Iterable[Torrent], action: str, everyone: bool = False
) -> int:
    """Run `action` on each torrent; flash one message for what was done and one per failure.
    Returns how many succeeded."""
    if action == "delete":
        deleted = torrents_delete(torrents=torrents, by=request.user, everyone=everyone)
        messages.success(request, f"Deleted {_names(deleted)}.")
        return len(deleted)
    outcome = torrents_control(torrents=torrents, action=action, by=request.user)
    for torrent, why in outcome.refused:
        messages.error(request, f"{torrent.name}: {why}")
    for why, skipped in outcome.unreachable.values():
        messages.error(
            request,
            f"rTorrent did not answer for {_names(skipped)} ({why}): check them and try "
            "again in a moment.",
        )
    if outcome.done:
        messages.success(request, f"{ACTIONS[action]} {_names(outcome.done)}.")
    return len(outcome.done)
