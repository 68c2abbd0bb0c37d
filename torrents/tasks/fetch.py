"""The fetch of a `.torrent` by URL, on a worker (torrents/services/fetch_run.py)."""

from celery import shared_task

from seedbox.fetch import FetchError
from torrents.services.fetch_run import torrent_fetch_run

MAX_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def fetch_torrent_url(self, fetch_id: int) -> str:
    """A server that timed out or answered 5xx is tried again (10 s, 20 s, 40 s); the row says
    what failed after the last try."""
    try:
        return torrent_fetch_run(fetch_id=fetch_id, last_try=self.request.retries >= MAX_RETRIES)
    except FetchError as exc:
        raise self.retry(countdown=10 * 2**self.request.retries) from exc
