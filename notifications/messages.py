"""What an event says to a person: a title, a line or two, and the page it is about. One place,
so the bell, the mail, the push and the webhook all say the same thing."""

from dataclasses import dataclass

from django.urls import reverse

from events.kinds import EventKind
from seedbox.sizes import human_size


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    url: str  # a path on this site ("" when there is no page for it)


def _torrent_url(payload: dict) -> str:
    torrent_id = payload.get("torrent_id")
    return reverse("torrent-page", args=[torrent_id]) if torrent_id else ""


def _quota(payload: dict) -> str:
    used, quota = payload.get("used_bytes") or 0, payload.get("quota_bytes") or 0
    return f"{human_size(used)} of {human_size(quota)} used."


def describe(kind: str, payload: dict) -> Message:
    name = payload.get("name") or "a torrent"
    url = _torrent_url(payload)
    match kind:
        case EventKind.TORRENT_ADDED:
            return Message(f"Added: {name}", "It is on its way to the server.", url)
        case EventKind.TORRENT_AWAITING_APPROVAL:
            who = payload.get("owner") or "a user"
            return Message(f"Waiting for approval: {name}", f"Added by {who}.", url)
        case EventKind.TORRENT_APPROVED:
            return Message(f"Approved: {name}", "It is on its way to the server.", url)
        case EventKind.TORRENT_REJECTED:
            reason = payload.get("reason") or "no reason given"
            return Message(f"Rejected: {name}", f"Reason: {reason}", url)
        case EventKind.TORRENT_COMPLETED:
            return Message(f"Downloaded: {name}", "The download is complete.", url)
        case EventKind.TORRENT_FAILED:
            return Message(f"Failed: {name}", payload.get("message") or "An error stopped it.", url)
        case EventKind.TORRENT_STUCK:
            why = payload.get("message") or "No progress and no peers for a while."
            return Message(f"Stuck: {name}", why, url)
        case EventKind.TORRENT_REMOVED_BY_ADMIN:
            reason = payload.get("reason")
            return Message(
                f"Removed by an admin: {name}", f"Reason: {reason}" if reason else "", ""
            )
        case EventKind.TORRENT_SEEDING_STOPPED:
            rule = payload.get("rule") or "a seeding rule"
            return Message(f"Seeding stopped: {name}", f"Stopped by {rule}.", url)
        case EventKind.QUOTA_WARNING:
            return Message("Your quota is 90 % used", _quota(payload), reverse("account"))
        case EventKind.QUOTA_FULL:
            return Message("Your quota is full", _quota(payload), reverse("account"))
        case EventKind.NODE_DOWN:
            node = payload.get("node") or "a server"
            return Message(f"Server down: {node}", payload.get("error") or "", "")
        case EventKind.NODE_UP:
            return Message(f"Server back: {payload.get('node') or 'a server'}", "", "")
        case EventKind.WEEKLY_SUMMARY:
            done = payload.get("completed") or []
            body = (
                f"Uploaded {human_size(payload.get('uploaded_bytes') or 0)}, downloaded "
                f"{human_size(payload.get('downloaded_bytes') or 0)}; "
                f"{len(done)} finished."
            )
            return Message("Your week on Seedbox", body, reverse("account"))
        case _:
            return Message(
                payload.get("title") or "Test notification", payload.get("message") or "", ""
            )
