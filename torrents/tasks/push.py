"""Tasks that get accepted torrents into rTorrent: the push after each commit, the check of
uploaded data, and the periodic reconcile (CELERY_BEAT_SCHEDULE, SEEDBOX_RECONCILE_INTERVAL)."""

from celery import shared_task

from seedbox.periodic import periodic_run_record
from torrents.models import Node
from torrents.rtorrent import RTorrentUnavailable
from torrents.services.push import (
    node_reconcile,
    torrent_push,
    torrent_verify_data,
    torrents_reconcile,
)


@shared_task(
    autoretry_for=(RTorrentUnavailable,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def push_torrent(torrent_id: int, verify_data: bool = False) -> str:
    # After the last retry the torrent stays `queued`: the reconcile pushes it later.
    return torrent_push(torrent_id=torrent_id, verify_data=verify_data)


@shared_task(bind=True, max_retries=120, acks_late=True)
def verify_uploaded_data(self, torrent_id: int) -> bool | None:
    """Wait for rTorrent's hash check of uploaded data, then report data that does not match."""
    try:
        result = torrent_verify_data(torrent_id=torrent_id)
    except RTorrentUnavailable as exc:
        raise self.retry(countdown=10) from exc
    if result is None:
        raise self.retry(countdown=5)
    return result


@shared_task(ignore_result=True)
def reconcile_queued() -> dict:
    """Re-push every `queued` torrent missing from its node: nothing accepted is lost. Its run
    is recorded for health (seedbox/periodic.py)."""
    periodic_run_record(name="reconcile")
    return torrents_reconcile()


@shared_task(ignore_result=True)
def reconcile_node(node_id: int) -> dict:
    """The reconcile of one node with a queue of its own, run by the worker next to it."""
    node = Node.objects.filter(pk=node_id, enabled=True).first()
    if node is None:
        return {"skipped": "no such enabled node"}
    try:
        return node_reconcile(node=node)
    except RTorrentUnavailable as exc:
        return {"error": exc.message}
