"""The task reading a completed torrent's media (services/metadata.py): queued by the
completion's event handler (media/handlers.py) and by `manage.py media_backfill --queue`."""

from celery import shared_task
from django.db import OperationalError

from media.services.metadata import torrent_metadata_read


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def torrent_metadata(torrent_id: int) -> str:
    # Safe twice: rows are updated in place, posters made once, TMDB asked until it answers.
    return torrent_metadata_read(torrent_id=torrent_id)
