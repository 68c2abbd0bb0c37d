"""Asking for a `.torrent` by URL: the row the person sees (`TorrentFetch`, state `fetching`) is
written in the request's transaction, and the fetch is queued for a worker after the commit.
A request never waits on someone else's server."""

import logging

from django.db import transaction
from django.utils import timezone

from seedbox.queue import enqueue
from torrents.models import TorrentFetch

log = logging.getLogger(__name__)

FETCH_TASK = "torrents.tasks.fetch.fetch_torrent_url"
BROKER_DOWN = "the site's task queue is down, so the .torrent was not fetched; try again later"


def fetch_enqueue(*, fetch_id: int) -> bool:
    """Publish the fetch task once; when the broker does not take it, the row says why (a fetch
    is never left `fetching` with no worker to do it)."""
    if not enqueue(FETCH_TASK, fetch_id):
        TorrentFetch.objects.filter(pk=fetch_id, state=TorrentFetch.State.FETCHING).update(
            state=TorrentFetch.State.FAILED, error=BROKER_DOWN, updated_at=timezone.now()
        )
        return False
    return True


def torrent_fetch_request(
    *, user, url: str, paused: bool = False, labels: list[str] = ()
) -> TorrentFetch:
    """Record the fetch of `url` (already checked by torrent_url_check) and queue it; `labels`
    (already cleaned) go on the torrent it becomes."""
    fetch = TorrentFetch.objects.create(user=user, url=url, paused=paused, labels=list(labels))
    fetch_id = fetch.pk
    transaction.on_commit(lambda: fetch_enqueue(fetch_id=fetch_id))
    return fetch
