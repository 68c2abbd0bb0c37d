"""Sync tasks: beat calls `sync_nodes` every SEEDBOX_SYNC_INTERVAL seconds; it fans out one
`sync_node` per enabled node, so a slow node never holds up the others. A Redis lock per node
keeps two runs for one node from overlapping (a run that finds it taken just skips: the next
beat comes in a few seconds, which is also why `sync_node` does not retry); only the same task
delivered again after its worker died takes a held lock over (`node_lock_take`)."""

import contextlib
import functools

import redis
from celery import shared_task
from django.conf import settings

from seedbox.periodic import periodic_run_record
from torrents.models import Node
from torrents.rtorrent import RTorrentUnavailable
from torrents.services.purge import torrent_purge
from torrents.services.sync import node_sync


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


def node_lock(node_id: int) -> redis.lock.Lock:
    """Held while a node syncs; expires on its own if a worker dies mid-run. Its timeout covers
    the longest run: the multicall's timeout plus the database work."""
    timeout = max(60.0, 3 * settings.SEEDBOX_RTORRENT_TIMEOUT)
    return _redis().lock(f"seedbox:sync:node:{node_id}", timeout=timeout, blocking=False)


@shared_task(ignore_result=True)
def sync_nodes() -> int:
    """Fan out: one sync task per enabled node. Tasks not started within two intervals are
    dropped (a newer one is on its way). Its run is recorded for health (seedbox/periodic.py)."""
    periodic_run_record(name="sync")
    expires = 2 * settings.SEEDBOX_SYNC_INTERVAL
    nodes = list(Node.objects.filter(enabled=True).values_list("pk", "queue"))
    for node_id, queue in nodes:
        # A node with a queue of its own is synced by the worker next to it.
        sync_node.apply_async((node_id,), expires=expires, queue=queue or None)
    return len(nodes)


def node_lock_take(lock: redis.lock.Lock, *, run_id: str | None) -> bool:
    """Take the node's lock for the run `run_id` (its task id). A run killed mid-way (its pool
    process SIGKILLed) holds the lock until it expires; its message comes back with the same
    task id (acks_late, reject_on_worker_lost), and that delivery takes the lock over instead
    of skipping, as every other run of the node still does until then."""
    if run_id is None:
        return lock.acquire()
    if lock.acquire(token=run_id):
        return True
    lock.local.token = lock.redis.get_encoder().encode(run_id)
    try:
        return lock.reacquire()  # only if the lock holds this very task id
    except redis.exceptions.LockNotOwnedError:
        return False


@shared_task(bind=True, ignore_result=True)
def sync_node(self, node_id: int) -> dict:
    lock = node_lock(node_id)
    if not node_lock_take(lock, run_id=self.request.id):
        return {"node": node_id, "skipped": "a sync of this node is already running"}
    try:
        node = Node.objects.filter(pk=node_id, enabled=True).first()
        if node is None:
            return {"node": node_id, "skipped": "no such enabled node"}
        report = node_sync(node=node)
        return {
            "node": node.name,
            "ok": report.ok,
            "updated": report.updated,
            "missing": len(report.missing),
            "completed": len(report.completed),
            "credited": report.credited,
        }
    finally:
        # It may have expired during a very long run (another run may hold it now).
        with contextlib.suppress(redis.exceptions.LockError):
            lock.release()


@shared_task(
    autoretry_for=(RTorrentUnavailable,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=12,
    acks_late=True,
    ignore_result=True,
)
def purge_torrent(torrent_id: int) -> str:
    """Erase a removed torrent from rTorrent and delete its data. After the last retry the
    row keeps `purge_pending` and every sync of its node tries again."""
    return torrent_purge(torrent_id=torrent_id)
