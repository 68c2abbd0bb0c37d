"""What media does when the torrents app says something happened (events/registry.py)."""

from events.kinds import EventKind
from events.registry import handles
from media.services.metadata import metadata_queue


@handles(EventKind.TORRENT_COMPLETED)
def metadata_after_completion(event) -> None:
    """A completed download's media are probed and named in a task, after this commit."""
    if event.torrent_id is not None:
        metadata_queue(torrent_id=event.torrent_id)
