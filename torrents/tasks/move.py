"""The move of a torrent to another node, on the target's queue (the copy can take long)."""

from celery import shared_task

from torrents.services.move import MoveError, torrent_move


@shared_task(acks_late=True, ignore_result=True)
def move_torrent(torrent_id: int, target_id: int) -> str:
    """Not retried: a failed move is rolled back and its reason is on the torrent's row, for
    the admin to act on; run twice (a worker killed mid-copy), it starts the copy over."""
    try:
        report = torrent_move(torrent_id=torrent_id, target_id=target_id)
    except MoveError as exc:
        return f"not moved: {exc}"
    return f"moved to {report.target}"
